"""n2p2 input.data files as ASE Atoms, read by the library's reader (hdnnp::io::InputDataReader).

    from hdnnp.io import read_input_data
    frames = read_input_data("input.data")             # list of ase.Atoms
    frames[0].get_potential_energy(), frames[0].get_forces(), frames[0].get_charges()

Each Atoms carries the file's reference data in a SinglePointCalculator: 'energy' and 'free_energy'
(when the structure has an `energy` line), 'forces' (the force columns of the atom lines) and 'charges'
(column 5). atoms.info gets 'charge' (the `charge` line: the total charge that HDNNP uses for 3G/4G
models), 'comment' and 'set' when the file has them. Periodic structures (3 `lattice` lines) get that cell
and pbc=True; atoms are not wrapped into the cell.

Units: the file's, unless cflength / cfenergy (model length / energy per ASE length / energy, as for
the HDNNP calculator) are given: then positions and cell / cflength, energies / cfenergy, forces
x cflength / cfenergy. A bohr/hartree file read with cflength=1.8897261328, cfenergy=0.0367493254 is
in Å and eV.

A malformed file raises hdnnp.ParseError whose message reads 'FILE:LINE: what was expected'
(attributes .file and .line).
"""

from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from ._hdnnp import InputDataReader

__all__ = ["iread_input_data", "read_input_data"]


def _to_atoms(d, cflength, cfenergy):
    atoms = Atoms(symbols=d["symbols"], positions=d["positions"] / cflength)
    if d["periodic"]:
        atoms.set_cell(d["lattice"] / cflength)
        atoms.set_pbc(True)
    if d["total_charge"] is not None:
        atoms.info["charge"] = d["total_charge"]
    if d["comment"]:
        atoms.info["comment"] = d["comment"]
    if d["set"]:
        atoms.info["set"] = d["set"]
    results = {"forces": d["forces"] * (cflength / cfenergy), "charges": d["charges"]}
    if d["energy"] is not None:
        results["energy"] = d["energy"] / cfenergy
        results["free_energy"] = results["energy"]
    atoms.calc = SinglePointCalculator(atoms, **results)
    return atoms


def iread_input_data(path, cflength=1.0, cfenergy=1.0):
    """Yields the structures of an n2p2 input.data file one by one as ase.Atoms (see the module doc)."""
    for d in InputDataReader(path):
        yield _to_atoms(d, cflength, cfenergy)


def read_input_data(path, cflength=1.0, cfenergy=1.0):
    """All structures of an n2p2 input.data file as a list of ase.Atoms (see the module doc)."""
    return list(iread_input_data(path, cflength, cfenergy))
