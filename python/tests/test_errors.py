"""Bad input raises Python exceptions that say where: hdnnp.ParseError ('FILE:LINE: message', attributes
file and line) for a missing model directory and malformed files, hdnnp.StructureError for structures
that cannot be evaluated (mixed periodicity, unknown elements, a periodic cell without cell vectors)."""

import os
import tempfile
import unittest

import numpy as np
from ase import Atoms

import hdnnp
import support
from hdnnp.calculator import HDNNP
from hdnnp.io import read_input_data

GOOD_ATOM = "atom 0.0 0.0 0.0 H 0.0 0.0 0.0 0.0 0.0\n"


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_exception_classes(self):
        self.assertTrue(issubclass(hdnnp.ParseError, hdnnp.Error))
        self.assertTrue(issubclass(hdnnp.StructureError, hdnnp.Error))
        self.assertTrue(issubclass(hdnnp.Error, RuntimeError))

    def test_missing_model_directory(self):
        missing = os.path.join(self.tmp.name, "no-such-model")
        with self.assertRaises(hdnnp.ParseError) as cm:
            HDNNP(missing)
        self.assertEqual(cm.exception.file, os.path.join(missing, "input.nn"))
        self.assertEqual(cm.exception.line, 0)  # the whole file: it cannot be opened
        self.assertIn(os.path.join(missing, "input.nn") + ": cannot open", str(cm.exception))

    def test_malformed_input_data_names_file_and_line(self):
        path = self.write("input.data", "begin\n" + GOOD_ATOM + "atom 0.0 0.0 zero H 0.0 0.0 0.0 0.0 0.0\nend\n")
        with self.assertRaises(hdnnp.ParseError) as cm:
            read_input_data(path)
        self.assertEqual(cm.exception.file, path)
        self.assertEqual(cm.exception.line, 3)
        self.assertTrue(str(cm.exception).startswith(path + ":3: invalid z coordinate 'zero'"), str(cm.exception))

    def test_error_in_a_later_structure(self):
        good = "begin\n" + GOOD_ATOM + "end\n"
        path = self.write("input.data", good + good + "begin\n" + GOOD_ATOM + "energy 1.0\nenergy 2.0\nend\n")
        with self.assertRaises(hdnnp.ParseError) as cm:
            read_input_data(path)
        self.assertEqual(cm.exception.line, 10)
        self.assertIn(":10: second 'energy' line", str(cm.exception))

    def test_missing_input_data(self):
        path = os.path.join(self.tmp.name, "absent.data")
        with self.assertRaises(hdnnp.ParseError) as cm:
            read_input_data(path)
        self.assertEqual(cm.exception.file, path)

    def test_malformed_model_file(self):
        # the model directory of the carbon chain with the eta of its first symmetry function made a word
        model = support.predict_dir("Carbon_chain_4G")
        broken = os.path.join(self.tmp.name, "model")
        os.mkdir(broken)
        bad_line = None
        for f in os.listdir(model):
            if f.endswith(".data") and f != "input.data" or f == "input.nn":
                with open(os.path.join(model, f)) as src:
                    lines = src.readlines()
                if f == "input.nn":
                    bad_line = next(k for k, line in enumerate(lines) if line.startswith("symfunction "))
                    tokens = lines[bad_line].split()
                    tokens[4] = "eta"
                    lines[bad_line] = " ".join(tokens) + "\n"
                with open(os.path.join(broken, f), "w") as dst:
                    dst.writelines(lines)
        with self.assertRaises(hdnnp.ParseError) as cm:
            HDNNP(broken)
        path = os.path.join(broken, "input.nn")
        self.assertEqual(cm.exception.file, path)
        self.assertEqual(cm.exception.line, bad_line + 1)
        self.assertTrue(str(cm.exception).startswith("%s:%d: " % (path, bad_line + 1)), str(cm.exception))

    def test_mixed_periodicity(self):
        atoms = Atoms("H2O", positions=[[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0]], cell=[10, 10, 10], pbc=[True, True, False])
        atoms.calc = HDNNP(support.predict_dir("H2O_RPBE-D3"))
        with self.assertRaises(hdnnp.StructureError) as cm:
            atoms.get_potential_energy()
        self.assertIn("mixed periodicity", str(cm.exception))

    def test_element_the_model_lacks(self):
        atoms = Atoms("HCl", positions=[[0, 0, 0], [1.3, 0, 0]])
        atoms.calc = HDNNP(support.predict_dir("H2O_RPBE-D3"))
        with self.assertRaises(hdnnp.StructureError) as cm:
            atoms.get_potential_energy()
        self.assertIn("'Cl'", str(cm.exception))

    def test_bad_arrays(self):
        pot = hdnnp.Potential(support.predict_dir("H2O_RPBE-D3"))
        with self.assertRaises(hdnnp.StructureError):
            pot.compute(np.zeros((3, 2)), [1, 1, 8])
        with self.assertRaises(hdnnp.StructureError):
            pot.compute(np.zeros((3, 3)), [1, 8])
        with self.assertRaises(hdnnp.StructureError):
            pot.compute(np.zeros((1, 3)), [0])
        with self.assertRaises(hdnnp.StructureError):
            pot.compute(np.zeros((1, 3)), ["Xx"])
        with self.assertRaises(hdnnp.StructureError):
            pot.compute(np.zeros((1, 3)), [1], pbc=True)  # periodic without a cell


if __name__ == "__main__":
    unittest.main()
