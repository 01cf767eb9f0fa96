"""hdnnp.io.read_input_data: every structure of an n2p2 input.data file as ase.Atoms with the reference
energy, forces and charges in a SinglePointCalculator, compared with an independent plain-Python parse of
the same file; units converted on request."""

import os
import unittest

import numpy as np

import support
from hdnnp.io import iread_input_data, read_input_data


def plain_parse(path):
    """A deliberately simple reader of well-formed input.data files (the reference for these tests)."""
    frames, cur = [], None
    with open(path) as f:
        for line in f:
            t = line.split()
            if not t:
                continue
            if t[0] == "begin":
                cur = {"lattice": [], "pos": [], "sym": [], "q": [], "f": [], "energy": None, "charge": None}
            elif t[0] == "lattice":
                cur["lattice"].append([float(x) for x in t[1:4]])
            elif t[0] == "atom":
                cur["pos"].append([float(x) for x in t[1:4]])
                cur["sym"].append(t[4])
                cur["q"].append(float(t[5]))
                cur["f"].append([float(x) for x in t[7:10]])
            elif t[0] == "energy":
                cur["energy"] = float(t[1])
            elif t[0] == "charge":
                cur["charge"] = float(t[1])
            elif t[0] == "end":
                frames.append(cur)
    return frames


class ReadInputData(unittest.TestCase):
    def compare(self, path, cflength=1.0, cfenergy=1.0):
        frames = read_input_data(path, cflength=cflength, cfenergy=cfenergy)
        expected = plain_parse(path)
        self.assertEqual(len(frames), len(expected))
        for atoms, ref in zip(frames, expected):
            self.assertEqual(atoms.get_chemical_symbols(), ref["sym"])
            np.testing.assert_allclose(atoms.positions * cflength, ref["pos"], rtol=1e-15, atol=0)
            periodic = len(ref["lattice"]) == 3
            self.assertEqual(bool(atoms.pbc.all()), periodic)
            self.assertEqual(bool(atoms.pbc.any()), periodic)
            if periodic:
                np.testing.assert_allclose(atoms.cell.array * cflength, ref["lattice"], rtol=1e-15, atol=0)
            np.testing.assert_allclose(atoms.get_forces() * cfenergy / cflength, ref["f"], rtol=1e-14, atol=0)
            np.testing.assert_array_equal(atoms.get_charges(), ref["q"])
            if ref["energy"] is not None:
                self.assertLessEqual(abs(atoms.get_potential_energy() * cfenergy - ref["energy"]), 1e-15 * abs(ref["energy"]))
            if ref["charge"] is not None:
                self.assertEqual(atoms.info["charge"], ref["charge"])
        return frames

    def test_training_sets(self):
        for name in ("Carbon_chain_4G", "H2O_RPBE-D3", "LJ"):
            with self.subTest(name=name):
                frames = self.compare(os.path.join(support.REFERENCE, "train", name, "input.data"))
                self.assertGreater(len(frames), 10)

    def test_units(self):
        L, E = support.BOHR_PER_ANGSTROM, support.HARTREE_PER_EV
        self.compare(os.path.join(support.REFERENCE, "train", "H2O_RPBE-D3", "input.data"), cflength=L, cfenergy=E)

    def test_streaming(self):
        path = os.path.join(support.REFERENCE, "train", "Carbon_chain_4G", "input.data")
        it = iread_input_data(path)
        first = next(it)
        self.assertEqual(len(first), 12)
        self.assertEqual(sum(1 for _ in it) + 1, len(plain_parse(path)))

    def test_comment_and_set(self):
        atoms = read_input_data(os.path.join(support.predict_dir("H2O_RPBE-D3"), "input.data"))[0]
        self.assertEqual(atoms.info["comment"], "Generated from -, TIMESTEP: 20000000")
        self.assertNotIn("set", atoms.info)


if __name__ == "__main__":
    unittest.main()
