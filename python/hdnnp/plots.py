"""Plots of the data files the `hdnnp` program writes (matplotlib).

Runs as a script without the compiled module (the command-line program calls it this way):

    /usr/bin/python3 python/hdnnp/plots.py KIND DATA PNG

KIND selects the plot; each kind is one function `plot_<kind>(data_path, png_path)` registered in PLOTS.
Exit status: 0 written, 2 usage error, 3 matplotlib missing.

    locality   locality.out of `hdnnp locality`: log10 of the Hessian block norm |H_AB| against r_AB, one colour
               per element pair (row element-column element), vertical lines at rc and 2 rc, and the level
               EPS/D below which a displacement D changes no force by more than EPS.
"""

import os
import sys


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


PLOTS = {"locality": plot_locality}


def main(argv):
    if len(argv) != 4 or argv[1] not in PLOTS:
        sys.stderr.write("usage: plots.py KIND DATA PNG   (KIND: %s)\n" % ", ".join(sorted(PLOTS)))
        return 2
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        sys.stderr.write("plots.py: matplotlib is not installed; no plot written\n")
        return 3
    PLOTS[argv[1]](argv[2], argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
