"""The ASE calculator gives what `hdnnp predict` writes (and n2p2's expected outputs): energies, forces,
atomic energies and (4G) charges; the unit conversion (cflength, cfenergy); per-atom quantities that sum
to the totals. Stress is not among predict's outputs: test_stress checks it against finite differences
of the energy."""

import os
import unittest

import numpy as np
from ase.calculators.calculator import PropertyNotImplementedError

import support
from hdnnp.calculator import HDNNP
from hdnnp.io import read_input_data

# Tolerances. Against `hdnnp predict` (the same library, printed with 17 significant digits) the values
# agree to the last printed digit: energy 2e-15 relative, forces and charges 1e-14 of their largest
# magnitude. Against n2p2's own outputs: the agreement the C++ tests demand (1e-13 relative energy; forces
# and charges 1e-10 of the largest magnitude).
REL_ENERGY_CLI = 2e-15
REL_ARRAY_CLI = 1e-14
REL_ENERGY_N2P2 = 1e-13
REL_ARRAY_N2P2 = 1e-10


def max_rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b))


class Reference:
    """A reference example evaluated by the calculator in model units, with predict's outputs."""

    def __init__(self, name, test):
        self.model = support.predict_dir(name)
        self.structures = os.path.join(self.model, "input.data")
        self.atoms = read_input_data(self.structures)[0]
        self.calc = HDNNP(self.model)
        self.atoms.calc = self.calc
        support.require_cli(test)
        self.cli = support.run_predict(self.model, self.structures, "predict-" + name)
        self.expected = os.path.join(self.model, "expected")


class PredictTestMixin:
    name = None
    charges = False

    @classmethod
    def setUpClass(cls):
        cls.ref = Reference(cls.name, cls)

    def test_energy(self):
        e = self.ref.atoms.get_potential_energy()
        self.assertEqual(self.ref.atoms.get_potential_energy(force_consistent=True), e)
        self.assertLess(abs(e / support.read_energy_out(self.ref.cli)[0] - 1), REL_ENERGY_CLI)
        self.assertLess(abs(e / support.read_energy_out(self.ref.expected)[0] - 1), REL_ENERGY_N2P2)

    def test_forces(self):
        f = self.ref.atoms.get_forces()
        self.assertEqual(f.shape, (len(self.ref.atoms), 3))
        self.assertLess(max_rel(f, support.read_nnforces_out(self.ref.cli)), REL_ARRAY_CLI)
        self.assertLess(max_rel(f, support.read_nnforces_out(self.ref.expected)), REL_ARRAY_N2P2)

    def test_atomic_energies(self):
        self.ref.atoms.get_potential_energy()
        _, ea = support.read_nnatoms_out(self.ref.cli)
        self.assertLess(max_rel(self.ref.calc.results["atomic_energies"], ea), REL_ARRAY_CLI)

    def test_charges(self):
        if not self.charges:
            with self.assertRaises(PropertyNotImplementedError):
                self.ref.atoms.get_charges()
            return
        q = self.ref.atoms.get_charges()
        self.assertLess(max_rel(q, support.read_nnatoms_out(self.ref.cli)[0]), REL_ARRAY_CLI)
        self.assertLess(max_rel(q, support.read_nnatoms_out(self.ref.expected)[0]), REL_ARRAY_N2P2)
        self.assertAlmostEqual(q.sum(), self.ref.atoms.info.get("charge", 0.0), delta=1e-10)

    def test_per_atom_sums(self):
        atoms = self.ref.atoms
        energies = atoms.get_potential_energies()
        e = atoms.get_potential_energy()
        self.assertLess(abs(energies.sum() - e), 1e-13 * abs(e))
        if atoms.pbc.all():
            stresses = atoms.get_stresses()
            stress = atoms.get_stress()
            self.assertEqual(stresses.shape, (len(atoms), 6))
            self.assertLess(np.max(np.abs(stresses.sum(axis=0) - stress)), 1e-12 * np.max(np.abs(stress)))
        else:
            with self.assertRaises(PropertyNotImplementedError):
                atoms.get_stress()


class Water2G(PredictTestMixin, unittest.TestCase):
    name = "H2O_RPBE-D3"


class Water4G(PredictTestMixin, unittest.TestCase):
    name = "H2O_RPBE-D3_4G"
    charges = True


class CarbonChain4GCluster(PredictTestMixin, unittest.TestCase):
    name = "Carbon_chain_4G"
    charges = True


class TotalCharge(unittest.TestCase):
    """3G/4G total charge: the charge parameter, else atoms.info['charge'] (a change of which is a new state)."""

    def test_charged_chain(self):
        model = support.predict_dir("Carbon_chain_4G")
        atoms = read_input_data(os.path.join(model, "input.data"))[0]
        atoms.calc = HDNNP(model)
        e_neutral = atoms.get_potential_energy()
        self.assertAlmostEqual(atoms.get_charges().sum(), 0.0, delta=1e-12)
        atoms.info["charge"] = 1.0
        e_cation = atoms.get_potential_energy()
        self.assertAlmostEqual(atoms.get_charges().sum(), 1.0, delta=1e-12)
        self.assertGreater(abs(e_cation - e_neutral), 1e-3)
        fixed = HDNNP(model, charge=-1.0)
        atoms.calc = fixed
        self.assertAlmostEqual(atoms.get_charges().sum(), -1.0, delta=1e-12)  # the parameter wins over info


class Units(unittest.TestCase):
    """ASE units: the water model (bohr, Ha) driven in Å and eV gives the model-unit results converted as
    LAMMPS's pair style converts them: E / cfenergy, F x cflength / cfenergy, stress x cflength^3 / cfenergy."""

    def test_water_in_angstrom_and_ev(self):
        L, E = support.BOHR_PER_ANGSTROM, support.HARTREE_PER_EV
        model = support.predict_dir("H2O_RPBE-D3")
        native = read_input_data(os.path.join(model, "input.data"))[0]
        ase_units = read_input_data(os.path.join(model, "input.data"), cflength=L, cfenergy=E)[0]
        np.testing.assert_allclose(ase_units.positions * L, native.positions, rtol=1e-15, atol=0)
        native.calc = HDNNP(model)
        ase_units.calc = HDNNP(model, cflength=L, cfenergy=E)
        e_model, e_ev = native.get_potential_energy(), ase_units.get_potential_energy()
        self.assertLess(abs(e_ev * E / e_model - 1), 1e-13)
        self.assertLess(abs(e_ev / -750069.4788 - 1), 1e-9)  # -27564.547 Ha is -750069.48 eV
        self.assertLess(max_rel(ase_units.get_forces() * E / L, native.get_forces()), 1e-12)
        self.assertLess(max_rel(ase_units.get_stress() * E / L**3, native.get_stress()), 1e-12)
        self.assertLess(max_rel(ase_units.get_stresses() * E / L**3, native.get_stresses()), 1e-12)
        self.assertLess(max_rel(ase_units.get_potential_energies() * E, native.get_potential_energies()), 1e-12)


class EwaldChoice(unittest.TestCase):
    """3G/4G periodic cells: the Ewald width and 4G solver ('auto' by default) are reported and can be forced."""

    def test_auto_n2p2_balanced(self):
        model = support.predict_dir("H2O_RPBE-D3_4G")  # 384 atoms: n2p2's procedure by default
        atoms = read_input_data(os.path.join(model, "input.data"))[0]
        auto = HDNNP(model)
        auto.calculate(atoms, ["energy", "forces"])
        self.assertEqual(auto.results["ewald_balance"], "n2p2")
        self.assertEqual(auto.results["qeq_solver"], "dense")
        exact = HDNNP(model, ewald="n2p2", qeq_solver="dense")
        exact.calculate(atoms, ["energy", "forces"])
        self.assertEqual(exact.results["energy"], auto.results["energy"])
        balanced = HDNNP(model, ewald="balanced", qeq_solver="cg")
        balanced.calculate(atoms, ["energy", "forces"])
        self.assertEqual(balanced.results["ewald_balance"], "balanced")
        self.assertEqual(balanced.results["qeq_solver"], "cg")
        self.assertLess(balanced.results["ewald"][0], 0.5 * auto.results["ewald"][0])  # another width
        # Same accuracy target (the model's RMS force error 1e-5 Ha/bohr): within 2 eps_F RMS of each other.
        rms = np.sqrt(np.mean((balanced.results["forces"] - auto.results["forces"]) ** 2))
        self.assertLess(rms, 2e-5)
        for bad in ({"ewald": "fast"}, {"qeq_solver": "lu"}):
            with self.assertRaises(Exception):
                HDNNP(model, **bad).calculate(atoms, ["energy"])


class NoCopies(unittest.TestCase):
    def test_arrays_own_the_library_vectors(self):
        model = support.predict_dir("Carbon_chain_4G")
        atoms = read_input_data(os.path.join(model, "input.data"))[0]
        calc = HDNNP(model)
        calc.calculate(atoms, ["energy", "forces", "energies"])
        for key in ("forces", "energies", "charges", "atomic_energies"):
            a = calc.results[key]
            self.assertFalse(a.flags["OWNDATA"], key)
            self.assertEqual(type(a.base).__name__, "PyCapsule", key)


if __name__ == "__main__":
    unittest.main()
