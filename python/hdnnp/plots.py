"""Figures (PNG, matplotlib) from the data files the hdnnp command-line program writes.

Runs without the compiled module: ``python3 plots.py KIND DATA PNG`` (the hdnnp program calls it so). Needs numpy
and matplotlib only; exits with status 3 when matplotlib is missing, 2 for a wrong command line.

Kinds (see docs/file-formats.md for the data files):
  parity-energy     energy.dat of ``hdnnp validate --plots``: model vs reference energy per atom
  parity-forces     forces.dat: model vs reference force components, one panel per element
  parity-charges    charges.dat: model vs reference charges
  error-histograms  the --plots directory of ``hdnnp validate``: histograms of the energy, force and charge errors
  md                the log of ``hdnnp md``: energies and temperature against time
  rdf               the RDF table of ``hdnnp md --rdf``: g(r) per element pair
  locality          locality.out of ``hdnnp locality``: log10 of the Hessian block norm |H_AB| against r_AB, one
                    colour per element pair (row element-column element), vertical lines at rc and 2 rc, and the
                    level EPS/D below which a displacement D changes no force by more than EPS
  learning-curve    learning-curve.out of ``hdnnp train``: train and test RMSE of energies (per atom) and forces
                    against the epoch, log scale, the written (best-test) epoch marked; for 4G (a ``stage``
                    column) the charge RMSE against the stage-1 iteration and the energy and force RMSEs
                    against the stage-2 iteration
"""

import os
import sys


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _read_table(path):
    """Rows of whitespace-separated fields after the header line; comment lines (#) skipped."""
    header, rows = None, []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            if header is None:
                header = line.split()
                continue
            rows.append(line.split())
    return header or [], rows


def _column(rows, k, kind=float):
    return [kind(r[k]) for r in rows]


def _tidy(ax):
    """Plain tick labels (no offset text), at most five per axis, scientific notation for small numbers."""
    from matplotlib.ticker import MaxNLocator

    ax.ticklabel_format(axis="both", style="sci", scilimits=(-3, 4), useOffset=False)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))


def _parity(ax, ref, model, label, unit):
    import numpy as np

    ref, model = np.asarray(ref), np.asarray(model)
    lo, hi = min(ref.min(), model.min()), max(ref.max(), model.max())
    pad = 0.03 * (hi - lo if hi > lo else 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.6", lw=0.8, zorder=0)
    ax.scatter(ref, model, s=6, alpha=0.6, edgecolors="none")
    d = model - ref
    rmse, mae = float(np.sqrt(np.mean(d * d))), float(np.mean(np.abs(d)))
    ax.set_xlabel(f"reference {label} [{unit}]")
    ax.set_ylabel(f"model {label} [{unit}]")
    ax.set_title(f"{label}\nRMSE {rmse:.3e}, MAE {mae:.3e} [{unit}]", fontsize=9)
    ax.set_aspect("equal", adjustable="datalim")
    _tidy(ax)


def parity_energy(data, png):
    _, rows = _read_table(data)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    _parity(ax, _column(rows, 2), _column(rows, 3), "energy per atom", "data units")
    fig.tight_layout()
    fig.savefig(png, dpi=150)


def _by_element(rows, element_col):
    out = {}
    for r in rows:
        out.setdefault(r[element_col], []).append(r)
    return out


def parity_forces(data, png):
    _, rows = _read_table(data)
    groups = _by_element(rows, 2)
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(groups), figsize=(4.5 * len(groups), 4.5), squeeze=False)
    for ax, (el, rs) in zip(axes[0], sorted(groups.items())):
        ref = [float(r[k]) for r in rs for k in (3, 4, 5)]
        model = [float(r[k]) for r in rs for k in (6, 7, 8)]
        _parity(ax, ref, model, f"force component {el}", "data units")
    fig.tight_layout()
    fig.savefig(png, dpi=150)


def parity_charges(data, png):
    _, rows = _read_table(data)
    groups = _by_element(rows, 2)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    import numpy as np

    for el, rs in sorted(groups.items()):
        ax.scatter(_column(rs, 3), _column(rs, 4), s=6, alpha=0.6, edgecolors="none", label=el)
    ref, model = np.asarray(_column(rows, 3)), np.asarray(_column(rows, 4))
    lo, hi = min(ref.min(), model.min()), max(ref.max(), model.max())
    ax.plot([lo, hi], [lo, hi], color="0.6", lw=0.8, zorder=0)
    d = model - ref
    ax.set_title(f"charges: RMSE {np.sqrt(np.mean(d * d)):.3e}, MAE {np.mean(np.abs(d)):.3e} e", fontsize=9)
    ax.set_xlabel("reference charge [e]")
    ax.set_ylabel("model charge [e]")
    ax.legend()
    _tidy(ax)
    fig.tight_layout()
    fig.savefig(png, dpi=150)


def error_histograms(directory, png):
    import numpy as np

    panels = []
    _, rows = _read_table(os.path.join(directory, "energy.dat"))
    panels.append(("energy per atom error", {"all": np.asarray(_column(rows, 3)) - np.asarray(_column(rows, 2))}))
    _, rows = _read_table(os.path.join(directory, "forces.dat"))
    fe = {}
    for el, rs in sorted(_by_element(rows, 2).items()):
        fe[el] = np.array([float(r[k + 3]) - float(r[k]) for r in rs for k in (3, 4, 5)])
    panels.append(("force component error", fe))
    charges = os.path.join(directory, "charges.dat")
    if os.path.exists(charges):
        _, rows = _read_table(charges)
        qe = {el: np.asarray(_column(rs, 4)) - np.asarray(_column(rs, 3)) for el, rs in sorted(_by_element(rows, 2).items())}
        panels.append(("charge error [e]", qe))
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.8), squeeze=False)
    for ax, (title, groups) in zip(axes[0], panels):
        for label, d in groups.items():
            ax.hist(d, bins=max(5, min(40, len(d) // 3)), alpha=0.6, label=f"{label} (n={len(d)})")
        ax.set_xlabel(title + ("" if "[e]" in title else " [data units]"))
        ax.set_ylabel("count")
        ax.legend(fontsize=8)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4), useOffset=False)
    fig.tight_layout()
    fig.savefig(png, dpi=150)


def md(data, png):
    import numpy as np

    header, rows = _read_table(data)
    table = np.asarray(rows, dtype=float)
    col = {name: k for k, name in enumerate(header)}
    t = table[:, col["time_ps"]]
    n_fig = 3
    plt = _pyplot()
    fig, axes = plt.subplots(n_fig, 1, figsize=(7, 7.5), sharex=True)
    etot = table[:, col["etot"]]
    axes[0].plot(t, etot - etot[0], lw=0.8)
    slope, icpt = np.polyfit(t, etot - etot[0], 1) if len(t) > 1 else (0.0, 0.0)
    axes[0].plot(t, slope * t + icpt, lw=0.8, ls="--", color="k", label=f"least-squares line: {slope:.3e} eV/ps (whole system)")
    axes[0].set_ylabel("E_tot - E_tot(0) [eV]")
    axes[0].legend(fontsize=8)
    axes[1].plot(t, table[:, col["epot"]] - table[0, col["epot"]], lw=0.8, label="E_pot")
    axes[1].plot(t, table[:, col["ekin"]] - table[0, col["ekin"]], lw=0.8, label="E_kin")
    axes[1].set_ylabel("change from t = 0 [eV]")
    axes[1].legend(fontsize=8)
    axes[2].plot(t, table[:, col["temperature"]], lw=0.8)
    axes[2].set_ylabel("T [K]")
    axes[2].set_xlabel("t [ps]")
    fig.tight_layout()
    fig.savefig(png, dpi=150)


def rdf(data, png):
    """One panel per element pair; the intramolecular peaks would dwarf the rest on a common axis."""
    import numpy as np

    header, rows = _read_table(data)
    table = np.asarray(rows, dtype=float)
    n = len(header) - 1
    plt = _pyplot()
    fig, axes = plt.subplots(n, 1, figsize=(6.5, 2.3 * n), sharex=True, squeeze=False)
    for k in range(1, len(header)):
        ax = axes[k - 1][0]
        ax.plot(table[:, 0], table[:, k], lw=1.0)
        ax.axhline(1.0, color="0.6", lw=0.6)
        ax.set_ylabel(f"g {header[k][2:]}")
        ax.set_ylim(0, min(1.15 * table[:, k].max(), 12.0) if table[:, k].max() > 0 else 1.5)
    axes[-1][0].set_xlabel("r [Å]")
    fig.tight_layout()
    fig.savefig(png, dpi=150)


def _read_locality(path):
    """Header values (rc, displacement, force_tolerance, generation) and per pair (r list, norm list)."""
    header = {}
    pairs = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                words = line[1:].split()
                if "model" in words[:-1]:
                    header["model"] = os.path.basename(os.path.normpath(words[words.index("model") + 1]))
                if len(words) == 2:
                    try:
                        header[words[0]] = float(words[1])
                    except ValueError:
                        pass
                continue
            w = line.split()
            if len(w) != 7:
                continue
            key = w[3] + "-" + w[4]
            r, n = float(w[5]), float(w[6])
            rs, ns = pairs.setdefault(key, ([], []))
            rs.append(r)
            ns.append(n)
    return header, pairs


def plot_locality(data, png):
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    header, pairs = _read_locality(data)
    fig, ax = plt.subplots(figsize=(7.0, 4.5), dpi=120)
    floor = None
    for key in sorted(pairs):
        rs, ns = pairs[key]
        pos = [(r, math.log10(n)) for r, n in zip(rs, ns) if n > 0.0]
        if not pos:
            continue
        floor = min([y for _, y in pos] + ([floor] if floor is not None else []))
        ax.scatter([p[0] for p in pos], [p[1] for p in pos], s=4, alpha=0.6, label=key, linewidths=0)
    rc = header.get("rc")
    if rc:
        ax.axvline(rc, color="k", linestyle="--", linewidth=1.0, label="rc")
        ax.axvline(2.0 * rc, color="k", linestyle=":", linewidth=1.0, label="2 rc")
    d, eps = header.get("displacement"), header.get("force_tolerance")
    if d and eps:
        ax.axhline(math.log10(eps / d), color="grey", linewidth=0.8, label="EPS / D")
    ax.set_xlabel("r_AB [length of the model]")
    ax.set_ylabel("log10 |H_AB| [energy/length^2]")
    gen = header.get("generation")
    title = "Hessian locality"
    if header.get("model"):
        title += ": " + header["model"]
    if gen:
        title += " (%dG)" % int(gen)
    ax.set_title(title)
    ax.legend(markerscale=3, fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def _curve_marks(data, best_key):
    """The written (best) epoch or iteration (line ``best_key N``) and the units (``# units E F``) of a learning curve."""
    best, units = None, {}
    with open(data) as f:
        for line in f:
            if line.startswith(best_key):
                best = int(line.split()[2])
            if line.startswith("# units"):
                parts = line.split()
                units = {"energy": parts[2], "force": parts[3]}
    return best, units


def learning_curve(data, png):
    """Two panels (energy RMSE per atom, force RMSE per component) against the epoch; units from the header."""
    import math

    header, rows = _read_table(data)
    col = {name: k for k, name in enumerate(header)}
    if "stage" in col:
        return _learning_curve_4g(data, png, col, rows)
    best, units = _curve_marks(data, "# best_epoch")
    epoch = _column(rows, col["epoch"], int)
    panels = [("energy", "rmse_e_train", "rmse_e_test", "energy RMSE [%s/atom]" % units.get("energy", "energy"))]
    if "rmse_f_train" in col and any(not math.isnan(v) for v in _column(rows, col["rmse_f_train"])):
        panels.append(("force", "rmse_f_train", "rmse_f_test", "force RMSE [%s]" % units.get("force", "energy/length")))
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(6.5, 3.2 * len(panels)), sharex=True, squeeze=False)
    for ax, (_, train, test, label) in zip(axes[:, 0], panels):
        ax.semilogy(epoch, _column(rows, col[train]), "o-", ms=3, lw=1, label="train")
        values = _column(rows, col[test])
        if any(not math.isnan(v) for v in values):
            ax.semilogy(epoch, values, "s-", ms=3, lw=1, label="test")
        if best is not None:
            ax.axvline(best, color="k", ls="--", lw=0.8, label="written (best test) epoch %d" % best)
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    axes[-1, 0].set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(png, dpi=150)
    plt.close(fig)


def _learning_curve_4g(data, png, col, rows):
    """4G: charge RMSE [e] per stage-1 iteration; energy and force RMSEs per stage-2 iteration (written one marked)."""
    import math

    best, units = _curve_marks(data, "# best_stage2_iteration")
    panels = []
    for stage, train, test, label in [
        (1, "rmse_q_train", "rmse_q_test", "charge RMSE [e]"),
        (2, "rmse_e_train", "rmse_e_test", "energy RMSE [%s/atom]" % units.get("energy", "energy")),
        (2, "rmse_f_train", "rmse_f_test", "force RMSE [%s]" % units.get("force", "energy/length")),
    ]:
        sel = [r for r in rows if int(r[col["stage"]]) == stage]
        if sel and any(not math.isnan(float(r[col[train]])) for r in sel):
            panels.append((stage, sel, train, test, label))
    plt = _pyplot()
    fig, axes = plt.subplots(max(len(panels), 1), 1, figsize=(6.5, 3.0 * max(len(panels), 1)), squeeze=False)
    for ax, (stage, sel, train, test, label) in zip(axes[:, 0], panels):
        it = _column(sel, col["iteration"], int)
        ax.semilogy(it, _column(sel, col[train], float), "o-", ms=2, lw=1, label="train")
        values = _column(sel, col[test], float)
        if any(not math.isnan(v) for v in values):
            ax.semilogy(it, values, "s-", ms=2, lw=1, label="test")
        if stage == 2 and best is not None:
            ax.axvline(best, color="k", ls="--", lw=0.8, label="written (best test) iteration %d" % best)
        ax.set_ylabel(label)
        ax.set_xlabel("stage-%d L-BFGS iteration" % stage)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=150)
    plt.close(fig)


PLOTS = {
    "learning-curve": learning_curve,
    "parity-energy": parity_energy,
    "parity-forces": parity_forces,
    "parity-charges": parity_charges,
    "error-histograms": error_histograms,
    "md": md,
    "rdf": rdf,
    "locality": plot_locality,
}


def main(argv):
    """Common entry point: plots.py KIND DATA PNG."""
    if len(argv) != 4 or argv[1] not in PLOTS:
        sys.stderr.write("usage: plots.py KIND DATA PNG with KIND one of " + ", ".join(sorted(PLOTS)) + "\n")
        return 2
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        sys.stderr.write(f"plots.py: matplotlib is not available to {sys.executable}\n")
        return 3
    PLOTS[argv[1]](argv[2], argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
