#!/usr/bin/python3
"""Per-call overhead of the ASE calculator over the bare library call, water 1080 (H2O_RPBE-D3).

Three ways to get energy and forces of the same structure, timed side by side in one run (interleaved
rounds, median per call):
  bare    the C++ Potential::compute(structure) on a Structure built once (hdnnp.Potential.time_compute:
          the loop runs in C++, no Python), model units
  module  hdnnp.Potential.compute(positions, numbers, cell=..., pbc=..., cflength, cfenergy) from numpy:
          the binding builds the Structure, converts units and hands the result vectors to numpy
  ase     atoms.set_positions(...); atoms.get_forces(); atoms.get_potential_energy() with the HDNNP
          calculator (Å, eV): what an ASE MD step pays (ASE's state check and atoms copy included)
Reported, for wall-clock and CPU time (one thread: CPU time does not count waiting for a core on a shared
machine): per path the median and the best time per call (ms, µs/atom, ratio to bare), and the overhead
over the bare call as the median of the per-round differences (calls of one round share the machine's load).
Last, the ASE layer alone: the ASE call with the evaluation replaced by a stored result.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/ase_overhead.py [--threads 1] [--rounds 30] [--json out.json]

Threads: OMP_NUM_THREADS (default here 1, set before the module is loaded) or --threads.
"""

import argparse
import json
import os
import statistics
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", default=os.environ.get("HDNNP_REFERENCE_DIR", os.path.join(here, "../../shared/reference/n2p2")),
                        help="n2p2 reference directory (default: HDNNP_REFERENCE_DIR or ../shared/reference/n2p2)")
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: OMP_NUM_THREADS or 1)")
    parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds, one call of each kind per round")
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    threads = args.threads or int(os.environ.get("OMP_NUM_THREADS", "1"))
    os.environ["OMP_NUM_THREADS"] = str(threads)  # before libgomp is loaded with the module

    import numpy as np

    import hdnnp
    from hdnnp.calculator import HDNNP
    from hdnnp.io import read_input_data

    cflength, cfenergy = 1.8897261328, 0.0367493254  # bohr per Å, Ha per eV
    model = os.path.join(args.reference, "predict", "H2O_RPBE-D3")
    atoms = read_input_data(os.path.join(model, "input.data"), cflength=cflength, cfenergy=cfenergy)[0]
    n = len(atoms)
    pot = hdnnp.Potential(model)
    atoms.calc = HDNNP(model, cflength=cflength, cfenergy=cfenergy)
    positions = [atoms.positions.copy(), atoms.positions + 1e-7]  # alternate, so that ASE recalculates
    model_positions = atoms.positions * cflength
    model_cell = atoms.cell.array * cflength

    def module_call(k):
        r = pot.compute(positions[k % 2], atoms.numbers, cell=atoms.cell.array, pbc=atoms.pbc, cflength=cflength, cfenergy=cfenergy)
        return r["energy"], r["forces"]

    def ase_call(k):
        atoms.set_positions(positions[k % 2])
        f = atoms.get_forces()
        return atoms.get_potential_energy(), f

    # warm-up (page faults, thread pool) and a consistency check of the three paths
    bare_e = pot.compute(model_positions, atoms.numbers, cell=model_cell, pbc=True)["energy"] / cfenergy
    e_module, _ = module_call(0)
    e_ase, _ = ase_call(0)
    assert abs(e_module - bare_e) <= 1e-12 * abs(bare_e) and abs(e_ase - bare_e) <= 1e-12 * abs(bare_e)
    pot.time_compute(model_positions, atoms.numbers, cell=model_cell, pbc=True, repeats=2)

    # per round: the bare call twice (wall clock, then CPU time), the module call and the ASE call (each timed
    # by both clocks); CPU time (one thread) is not inflated by waiting for a core on a shared machine
    wall = {"bare": [], "module": [], "ase": []}
    cpu = {"bare": [], "module": [], "ase": []}
    for k in range(args.rounds):
        wall["bare"] += pot.time_compute(model_positions, atoms.numbers, cell=model_cell, pbc=True, repeats=1)
        cpu["bare"] += pot.time_compute(model_positions, atoms.numbers, cell=model_cell, pbc=True, repeats=1, cpu=True)
        for name, call in (("module", module_call), ("ase", ase_call)):
            t0, c0 = time.perf_counter(), time.process_time()
            call(k + 1)
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)

    print(f"water {n} atoms, energy + forces, {threads} thread(s), {args.rounds} interleaved rounds")
    report = {"atoms": n, "threads": threads, "rounds": args.rounds, "python": sys.version.split()[0], "hdnnp": hdnnp.__version__}
    for clock, runs in (("wall clock", wall), ("CPU time", cpu)):
        med = {name: statistics.median(v) for name, v in runs.items()}
        best = {name: min(v) for name, v in runs.items()}
        # paired per round: the calls of a round ran back to back and share the machine's load
        paired = {name: statistics.median([x - b for x, b in zip(v, runs["bare"])]) for name, v in runs.items()}
        print(f"\n{clock}:")
        print(f"{'path':8} {'median ms':>10} {'us/atom':>9} {'ratio':>8}   {'best ms':>9} {'us/atom':>9} {'ratio':>8}")
        for name in runs:
            print(f"{name:8} {med[name] * 1e3:10.3f} {med[name] * 1e6 / n:9.2f} {med[name] / med['bare']:8.4f}   "
                  f"{best[name] * 1e3:9.3f} {best[name] * 1e6 / n:9.2f} {best[name] / best['bare']:8.4f}")
        for name in ("module", "ase"):
            print(f"{name} overhead over the bare call (median of per-round differences): {paired[name] * 1e3:.3f} ms per call, "
                  f"{paired[name] * 1e6 / n:.3f} us/atom")
        report[clock.replace(" ", "_")] = {"median_seconds": med, "best_seconds": best, "paired_overhead_seconds": paired,
                                            "all_seconds": runs, "ratio_median": {k: med[k] / med["bare"] for k in runs},
                                            "ratio_best": {k: best[k] / best["bare"] for k in runs}}

    # The ASE layer alone: the same ASE call with the model's compute replaced by a stored result (no
    # evaluation), so that its cost is measured without the evaluation's noise.
    stored = dict(atoms.calc.results)

    class Stored:
        def compute(self, *args, **kwargs):
            return dict(stored)

    real, atoms.calc.model = atoms.calc.model, Stored()
    repeats = 200
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(repeats):
        ase_call(k)
    layer_wall, layer_cpu = (time.perf_counter() - t0) / repeats, (time.process_time() - c0) / repeats
    atoms.calc.model = real
    bare_cpu = statistics.median(cpu["bare"])
    print(f"\nASE layer alone (stored result instead of the evaluation, {repeats} calls): {layer_wall * 1e6:.0f} us wall, "
          f"{layer_cpu * 1e6:.0f} us CPU per call = {layer_cpu * 1e6 / n:.3f} us/atom, {100 * layer_cpu / bare_cpu:.2f} % of the bare call's CPU time")
    report["ase_layer_alone_seconds"] = {"wall": layer_wall, "cpu": layer_cpu}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
