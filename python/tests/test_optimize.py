"""An ASE BFGS optimisation of a small water cluster converges: eight molecules cut from the H2O_RPBE-D3
reference liquid (bohr/Ha model, driven in Å/eV), relaxed to max |F| < 0.01 eV/Å within 500 steps (about
200 are needed), with lower energy and every molecule intact. The cluster's surface atoms lie outside the
liquid's training range (extrapolation warnings are counted, not fatal)."""

import os
import unittest

import numpy as np
from ase.optimize import BFGS

import support
from hdnnp.calculator import HDNNP
from hdnnp.io import read_input_data

FMAX = 0.01  # eV/Å
MAX_STEPS = 500


class WaterClusterRelaxes(unittest.TestCase):
    def test_bfgs_converges(self):
        L, E = support.BOHR_PER_ANGSTROM, support.HARTREE_PER_EV
        model = support.predict_dir("H2O_RPBE-D3")
        liquid = read_input_data(os.path.join(model, "input.data"), cflength=L, cfenergy=E)[0]
        cluster = support.water_cluster(liquid, 8)
        self.assertEqual(cluster.get_chemical_formula(), "H16O8")
        cluster.calc = HDNNP(model, cflength=L, cfenergy=E)
        e0 = cluster.get_potential_energy()
        self.assertGreater(np.linalg.norm(cluster.get_forces(), axis=1).max(), 1.0)  # far from a minimum
        with BFGS(cluster, logfile=None) as opt:
            converged = opt.run(fmax=FMAX, steps=MAX_STEPS)
            steps = opt.get_number_of_steps()
        fmax = np.linalg.norm(cluster.get_forces(), axis=1).max()
        print(f"\nBFGS: {steps} steps, energy {cluster.get_potential_energy() - e0:.4f} eV, max |F| {fmax:.4f} eV/Å")
        self.assertTrue(converged)
        self.assertLess(fmax, FMAX)
        self.assertLess(cluster.get_potential_energy(), e0 - 0.1)
        for k in range(0, len(cluster), 3):  # O, H, H
            for h in (k + 1, k + 2):
                self.assertTrue(0.9 < cluster.get_distance(k, h) < 1.1)


if __name__ == "__main__":
    unittest.main()
