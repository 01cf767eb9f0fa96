"""The ASE calculator of hdnnp.

    from hdnnp.calculator import HDNNP
    atoms.calc = HDNNP("H2O_RPBE-D3", cflength=1.8897261328, cfenergy=0.0367493254)  # bohr/Ha model
    atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()             # eV, eV/Å, eV/Å^3

Units: ASE works in Å and eV; the model in the units of its training data. cflength and cfenergy
convert ASE's units to the model's exactly as LAMMPS's pair style (ML-HDNNP) does: cflength is the model
length per Å, cfenergy the model energy per eV. Positions and cell go in x cflength; energies come out
/ cfenergy, forces x cflength / cfenergy, stress x cflength^3 / cfenergy. A model trained in Å and eV
needs neither (the defaults are 1).

Properties: energy, free_energy (the same), energies (per-atom energies, summing to energy), forces,
stress (periodic cells only, ASE's sign and Voigt order), stresses (per-atom stresses -W_i/V, summing to
stress, ASE's convention as in ase.calculators.lj), charges (3G/4G models). With committee=[dirs...] the
model is the mean of model_dir and those models, and the results also hold 'energy_spread' [eV] and
'force_spread' (N,) [eV/Å] (population standard deviations over the members), available through
calc.results or calc.get_property. Further results: 'atomic_energies' (the networks' outputs, n2p2's
nnatoms.out convention), 'virial' (3, 3) [eV], 'extrapolation_count' (symmetry functions outside the
scaling.data range; their n2p2 warning lines in 'extrapolation_warnings'), 'electrostatic_energy' (3G/4G).

Periodicity: pbc all True (a periodic cell) or all False (a cluster; the cell is ignored). Mixed
periodicity raises hdnnp.StructureError.

Total charge (3G/4G): the charge parameter if given, else atoms.info['charge'] (as hdnnp.io sets it
from input.data), else 0.

Ewald sums (3G/4G periodic cells): by default (ewald=None or 'auto') the model's parameters for its accuracy
target (ewald_prec), which depend on the cell volume: n2p2's choice up to 512 atoms (where the dense charge
solver runs), balanced for matrix-free products beyond (n2p2's would cost O(N^2) per product; results agree
within the Ewald precision). ewald='n2p2' or 'balanced' forces one; qeq_solver='dense' or 'cg' forces the 4G
solver (ewald='n2p2', qeq_solver='dense' is n2p2's procedure at every size). results['ewald'] holds the
parameters used (eta [Å], real_cutoff [Å], kspace_cutoff [1/Å]), results['ewald_balance'] and
results['qeq_solver'] what was chosen. The stress is the strain derivative of the energy at fixed parameters; to make the energy of
a changing cell (cell relaxation, NPT) exactly consistent with it, fix them: HDNNP(..., ewald=(eta, rc, kc)).

Forces (and stress) are computed when a property that needs them is asked for (forces, stress, stresses,
force_spread), per-atom energies and stresses when those are; asking the same atoms for more keeps what
was already computed.
"""

import os

from ase.calculators.calculator import Calculator, all_changes

from ._hdnnp import Committee, Potential

__all__ = ["HDNNP"]


class HDNNP(Calculator):
    """ASE calculator for an n2p2 model directory (2G, 3G or 4G HDNNP), optionally a committee."""

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress", "stresses", "charges"]
    committee_properties = ["energy_spread", "force_spread"]
    default_parameters = {"cflength": 1.0, "cfenergy": 1.0, "committee": None, "charge": None, "ewald": None,
                          "qeq_solver": "auto"}
    nolabel = True
    _force_properties = ("forces", "stress", "stresses", "force_spread")

    def __init__(self, model_dir, cflength=1.0, cfenergy=1.0, committee=None, charge=None, ewald=None, qeq_solver="auto",
                 **kwargs):
        """model_dir: n2p2 model directory; cflength, cfenergy: model length per Å and model energy per eV;
        committee: further model directories with the same symmetry functions (a committee with model_dir);
        charge: total charge [e] for 3G/4G models (None: atoms.info.get('charge', 0)); ewald: None (3G/4G
        periodic cells: the model's Ewald parameters, chosen anew for each volume), 'auto' (the same), 'n2p2',
        'balanced', or fixed (eta [Å], real_cutoff [Å], kspace_cutoff [1/Å]); qeq_solver (4G): 'auto', 'dense'
        or 'cg'."""
        self.model_dir = os.fspath(model_dir)
        self.model = None
        Calculator.__init__(self, cflength=cflength, cfenergy=cfenergy, committee=committee, charge=charge, ewald=ewald,
                            qeq_solver=qeq_solver, **kwargs)
        self._load()

    def _load(self):
        extra = self.parameters.committee
        if extra:
            dirs = [self.model_dir] + [os.fspath(d) for d in ([extra] if isinstance(extra, (str, os.PathLike)) else extra)]
            self.model = Committee(dirs)
            self.implemented_properties = HDNNP.implemented_properties + HDNNP.committee_properties
        else:
            self.model = Potential(self.model_dir)
            self.implemented_properties = list(HDNNP.implemented_properties)

    def set(self, **kwargs):
        changed = Calculator.set(self, **kwargs)
        if changed:
            self.reset()
            if "committee" in changed and self.model is not None:
                self._load()
        return changed

    def _total_charge(self, atoms):
        if self.parameters.charge is not None:
            return float(self.parameters.charge)
        return float(atoms.info.get("charge", 0.0))

    def check_state(self, atoms, tol=1e-15):
        changes = Calculator.check_state(self, atoms, tol=tol)
        if self.atoms is not None and self._total_charge(atoms) != self._total_charge(self.atoms):
            changes.append("charge")
        return changes

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        # Forces (with virial and stress) only when asked for, per-atom energies and stresses only when asked
        # for; a recalculation of the same atoms for a further property keeps what the last one had.
        same = not system_changes
        forces = same and "forces" in self.results or any(p in self._force_properties for p in properties)
        per_atom = same and "energies" in self.results or "energies" in properties or "stresses" in properties
        Calculator.calculate(self, atoms, properties, system_changes)
        a = self.atoms
        self.results = self.model.compute(
            a.positions,
            a.numbers,
            cell=a.cell.array,
            pbc=a.pbc,
            total_charge=self._total_charge(a),
            forces=forces,
            per_atom=per_atom,
            cflength=self.parameters.cflength,
            cfenergy=self.parameters.cfenergy,
            ewald=self.parameters.ewald,
            qeq_solver=self.parameters.qeq_solver,
        )
