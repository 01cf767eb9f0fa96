"""Committees: HDNNP(model, committee=[...]) gives the mean and the spreads that `hdnnp predict --committee`
writes (committee.out; energy.out and nnforces.out hold the mean), here for H2O_RPBE-D3 with H2O_BLYP (same
symmetry functions, other weights). Agreement with predict: to the printed precision (the same library).
In ASE units the spreads scale like energies and forces."""

import os
import unittest

import numpy as np

import support
from hdnnp.calculator import HDNNP
from hdnnp.io import read_input_data

REL = 1e-14  # of the largest magnitude


class CommitteeMatchesPredict(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        support.require_cli(cls)
        cls.model = support.predict_dir("H2O_RPBE-D3")
        cls.second = support.potential_dir("H2O_BLYP")
        cls.structures = os.path.join(cls.model, "input.data")
        cls.cli = support.run_predict(cls.model, cls.structures, "committee", committee=[cls.second])
        cls.atoms = read_input_data(cls.structures)[0]
        cls.calc = HDNNP(cls.model, committee=[cls.second])
        cls.atoms.calc = cls.calc
        cls.atoms.get_forces()

    def test_energy_spread(self):
        mean, spread, _ = support.read_committee_out(self.cli)
        self.assertGreater(spread, 0.0)
        self.assertLess(abs(self.calc.results["energy_spread"] - spread), REL * spread)
        self.assertEqual(self.calc.get_property("energy_spread"), self.calc.results["energy_spread"])
        self.assertLess(abs(self.atoms.get_potential_energy() / mean - 1), 2e-15)
        members = self.calc.results["member_energies"]
        self.assertEqual(len(members), 2)
        self.assertLess(abs(np.std(members) - spread), 1e-9 * spread)

    def test_force_spread(self):
        _, _, spread = support.read_committee_out(self.cli)
        f = self.calc.results["force_spread"]
        self.assertEqual(f.shape, (len(self.atoms),))
        self.assertLess(np.max(np.abs(f - spread)), REL * np.max(spread))

    def test_mean_forces(self):
        expected = support.read_nnforces_out(self.cli)
        self.assertLess(np.max(np.abs(self.atoms.get_forces() - expected)), REL * np.max(np.abs(expected)))

    def test_spreads_in_ase_units(self):
        L, E = support.BOHR_PER_ANGSTROM, support.HARTREE_PER_EV
        atoms = read_input_data(self.structures, cflength=L, cfenergy=E)[0]
        atoms.calc = HDNNP(self.model, cflength=L, cfenergy=E, committee=[self.second])
        atoms.get_forces()
        r = atoms.calc.results
        self.assertLess(abs(r["energy_spread"] * E / self.calc.results["energy_spread"] - 1), 1e-12)
        np.testing.assert_allclose(r["force_spread"] * E / L, self.calc.results["force_spread"], rtol=1e-12)

    def test_single_model_has_no_spreads(self):
        calc = HDNNP(self.model)
        self.assertNotIn("energy_spread", calc.implemented_properties)


if __name__ == "__main__":
    unittest.main()
