"""hdnnp: Behler-Parrinello neural network potentials (2G/3G/4G HDNNPs) from Python.

    import hdnnp
    pot = hdnnp.Potential("path/to/n2p2-model")        # any generation
    r = pot.compute(positions, numbers, cell=cell, pbc=True, per_atom=True)
    r["energy"], r["forces"], r["stress"], r["energies"], r["stresses"], r["charges"]

    from hdnnp.calculator import HDNNP                  # the ASE calculator
    from hdnnp.io import read_input_data                # n2p2 input.data -> list of ase.Atoms

The compiled core is hdnnp._hdnnp; units are the model's unless cflength/cfenergy say otherwise
(docs/python.md).
"""

from ._hdnnp import (  # noqa: F401
    Committee,
    Error,
    InputDataReader,
    ParseError,
    Potential,
    StructureError,
    __version__,
)

__all__ = [
    "Committee",
    "Error",
    "InputDataReader",
    "ParseError",
    "Potential",
    "StructureError",
    "__version__",
]
