"""The calculator's stress is the strain derivative of its own energy, in ASE's units and convention:
sigma_ab = (1/V) dE/d(eps_ab), by central differences of atoms.get_potential_energy() under symmetric
homogeneous strains of the cell (atoms scaled with it), for the water models (bohr/Ha) driven in Å/eV.

Stencils, steps and tolerances (deviation = max_k |sigma_k - sigma_FD,k| / max_k |sigma_k|):
- 2G water (1080 atoms): fourth-order central difference, h = 1e-3; measured 1.9e-8, required < 1e-6.
- 4G water (384 atoms), at fixed tight Ewald parameters (eta = 6 bohr, both cutoffs at 6 sqrt(2) widths,
  truncation below double precision; with the model's own ewald_prec = 1e-5 the truncated sum jumps by more
  than a small strain changes it). n2p2's screening function is only once continuously differentiable, so
  pairs crossing its radii give the difference an error of order h: second-order central difference with
  h = 1e-5; measured 5e-6, required < 5e-5.
The per-atom stresses sum to the stress (test_predict); here the sign: compressing the cell lowers the
diagonal stress (ASE's convention: negative means the cell wants to expand)."""

import os
import unittest

import numpy as np

import support
from hdnnp.calculator import HDNNP
from hdnnp.io import read_input_data

VOIGT = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]


def strained_energy(atoms, a, b, t):
    """Energy of atoms under the symmetric strain eps_ab = eps_ba = t/2 (eps_aa = t on the diagonal)."""
    eps = np.zeros((3, 3))
    eps[a, b] += 0.5 * t
    eps[b, a] += 0.5 * t
    strained = atoms.copy()
    strained.calc = atoms.calc
    strained.set_cell(atoms.cell.array @ (np.eye(3) + eps), scale_atoms=True)
    return strained.get_potential_energy()


def finite_difference_stress(atoms, h, order):
    """(1/V) dE/dt for each Voigt component: off the diagonal t moves eps_ab and eps_ba by t/2 each, so
    dE/dt = V (sigma_ab + sigma_ba) / 2 = V sigma_ab."""
    v = atoms.get_volume()
    out = np.zeros(6)
    for k, (a, b) in enumerate(VOIGT):
        e = lambda t: strained_energy(atoms, a, b, t)  # noqa: E731
        if order == 2:
            out[k] = (e(h) - e(-h)) / (2 * h * v)
        else:
            out[k] = (-e(2 * h) + 8 * e(h) - 8 * e(-h) + e(-2 * h)) / (12 * h * v)
    return out


class StressIsTheStrainDerivative(unittest.TestCase):
    def check(self, name, h, order, tolerance, ewald=None):
        model = support.predict_dir(name)
        L, E = support.BOHR_PER_ANGSTROM, support.HARTREE_PER_EV
        atoms = read_input_data(os.path.join(model, "input.data"), cflength=L, cfenergy=E)[0]
        atoms.calc = HDNNP(model, cflength=L, cfenergy=E, ewald=ewald)
        stress = atoms.get_stress()
        fd = finite_difference_stress(atoms, h, order)
        deviation = np.max(np.abs(stress - fd)) / np.max(np.abs(stress))
        print(f"\n{name}: stress {stress} eV/Å^3; FD (order {order}, h {h}): max deviation / max |stress| = {deviation:.2e}")
        self.assertLess(deviation, tolerance)
        squeezed = atoms.copy()
        squeezed.calc = atoms.calc
        squeezed.set_cell(atoms.cell.array * 0.99, scale_atoms=True)
        self.assertLess(squeezed.get_stress()[:3].sum(), stress[:3].sum())

    def test_water_2g(self):
        self.check("H2O_RPBE-D3", h=1e-3, order=4, tolerance=1e-6)

    def test_water_4g_fixed_tight_ewald(self):
        eta = 6.0 / support.BOHR_PER_ANGSTROM  # 6 bohr in Å
        r = 6.0 * np.sqrt(2.0)
        self.check("H2O_RPBE-D3_4G", h=1e-5, order=2, tolerance=5e-5, ewald=(eta, r * eta, r / eta))


if __name__ == "__main__":
    unittest.main()
