"""Shared pieces of the Python tests: reference paths, `hdnnp predict` runs and their output files, and a
small water cluster cut from the reference liquid.

Environment (set by CTest, python/CMakeLists.txt): PYTHONPATH=<build>/python, HDNNP_REFERENCE_DIR (n2p2's
reference data, read in place), HDNNP_CLI (the built `hdnnp` program), HDNNP_TEST_WORK_DIR (scratch).
"""

import os
import subprocess
import tempfile
import unittest

import numpy as np
from ase import Atoms
from ase.geometry import find_mic

REFERENCE = os.environ.get("HDNNP_REFERENCE_DIR", os.path.join(os.path.dirname(__file__), "../../../shared/reference/n2p2"))
CLI = os.environ.get("HDNNP_CLI")

# The water models are in bohr and hartree; ASE works in Å and eV.
BOHR_PER_ANGSTROM = 1.8897261328
HARTREE_PER_EV = 0.0367493254


def predict_dir(name):
    return os.path.join(REFERENCE, "predict", name)


def potential_dir(name):
    return os.path.join(REFERENCE, "potentials", name)


def work_dir(tag):
    base = os.environ.get("HDNNP_TEST_WORK_DIR") or tempfile.gettempdir()
    d = os.path.join(base, tag)
    os.makedirs(d, exist_ok=True)
    return d


def require_cli(test):
    if not CLI:
        raise unittest.SkipTest("HDNNP_CLI is not set (configure with HDNNP_BUILD_TOOLS=ON)")


def run_predict(model_dir, structures, tag, committee=()):
    """Runs `hdnnp predict MODEL STRUCTURES -o DIR [--committee ...]`; returns DIR."""
    out = work_dir(tag)
    cmd = [CLI, "predict", model_dir, structures, "-o", out]
    if committee:
        cmd += ["--committee", ",".join(committee)]
    # A sanitized build preloads the sanitizer runtime into the interpreter (python/CMakeLists.txt); the program
    # has the runtime linked in and refuses a second one, so it runs without the preload.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return out


def _rows(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip() and not line.startswith("#")]


def read_energy_out(directory):
    """Column 4 of energy.out (the predicted energy), one value per structure."""
    return np.array([float(r[3]) for r in _rows(os.path.join(directory, "energy.out"))])


def read_nnforces_out(directory):
    """Columns 6-8 of nnforces.out (the predicted forces) of structure 1, shape (N, 3)."""
    return np.array([[float(x) for x in r[5:8]] for r in _rows(os.path.join(directory, "nnforces.out")) if r[0] == "1"])


def read_nnatoms_out(directory):
    """Columns 5 and 7 of nnatoms.out of structure 1: predicted charges and atomic energies."""
    rows = [r for r in _rows(os.path.join(directory, "nnatoms.out")) if r[0] == "1"]
    return np.array([float(r[4]) for r in rows]), np.array([float(r[6]) for r in rows])


def read_committee_out(directory):
    """committee.out of structure 1: (mean energy, energy spread, force spread per atom)."""
    rows = _rows(os.path.join(directory, "committee.out"))
    e = [r for r in rows if r[0] == "E" and r[1] == "1"][0]
    f = np.array([float(r[4]) for r in rows if r[0] == "F" and r[1] == "1"])
    return float(e[3]), float(e[4]), f


def water_cluster(atoms, n_molecules):
    """The n_molecules water molecules nearest to the first oxygen of a periodic water structure, made
    whole across the cell boundaries, as a cluster (pbc False, no cell) in the structure's units."""
    cell, pbc = atoms.cell, atoms.pbc
    pos = atoms.positions
    o = np.flatnonzero(atoms.numbers == 8)
    h = np.flatnonzero(atoms.numbers == 1)
    centre = pos[o[0]]
    d_o, _ = find_mic(pos[o] - centre, cell, pbc)
    chosen = o[np.argsort(np.linalg.norm(d_o, axis=1))[:n_molecules]]
    symbols, positions = [], []
    for i in chosen:
        ro, _ = find_mic(pos[i] - centre, cell, pbc)
        d_h, _ = find_mic(pos[h] - pos[i], cell, pbc)
        near = np.argsort(np.linalg.norm(d_h, axis=1))[:2]
        symbols += ["O", "H", "H"]
        positions += [ro, ro + d_h[near[0]], ro + d_h[near[1]]]
    return Atoms(symbols=symbols, positions=np.array(positions), pbc=False)
