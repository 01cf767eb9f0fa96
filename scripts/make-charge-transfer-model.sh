#!/usr/bin/env bash
# Regenerates the charge-transfer demonstration (examples/make_charge_transfer_model) into a scratch
# directory and checks it against the shipped examples/charge-transfer:
#   - input.data and locality.data: identical text (the sampling and the reference are deterministic);
#   - both fits: every test-set energy and force RMSE of table-2g.dat and table-4g.dat (and the 4G charge
#     RMSE) within a relative 10 % of the shipped value (the fits are seeded and thread-count independent;
#     the margin covers compiler-dependent rounding along 600 Adam epochs and 3000 L-BFGS iterations);
#   - the demonstration's targets: 4G energy RMSE at least 10x below 2G's on every mixed-charge test row
#     (all rows but far-anion near_Q=0), and every identical-environment pair has identical 2G energies
#     (|dE| < 1e-9 Ha).
# Usage: scripts/make-charge-transfer-model.sh [build_dir]     (default: build; configured if missing)
#        scripts/make-charge-transfer-model.sh --check DIR     (only the checks, on a folder the recipe wrote)
# The two fits take 4-15 minutes of wall time each on the shared 2-core host, depending on its load (2G 305 s
# and 848 s, 4G 279 s and 241 s measured in two runs), on top of the build. A rerun with the same build
# reproduced every shipped file byte for byte (2026-12-07).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--check" ]; then
  [ $# -eq 2 ] || { echo "usage: $0 --check DIR" >&2; exit 2; }
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  ln -s "$(cd "$2" && pwd)" "$out/charge-transfer"
else
  build=${1:-$here/build}
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$build" -DHDNNP_BUILD_LAMMPS=OFF -DHDNNP_BUILD_PYTHON=OFF -DHDNNP_BUILD_BENCHMARKS=OFF
  fi
  nice -n 5 cmake --build "$build" -j2 --target make_charge_transfer_model
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  "$build/examples/make_charge_transfer_model" "$out/charge-transfer" | tee "$out/log.txt"
fi
shipped=$here/examples/charge-transfer
status=0
for f in input.data locality.data; do
  if cmp -s "$out/charge-transfer/$f" "$shipped/$f"; then echo "$f: identical"; else echo "$f: DIFFERS"; status=1; fi
done
/usr/bin/python3 - "$out/charge-transfer" "$shipped" <<'EOF' || status=1
import math, sys
def rows(path):
    out = {}
    for line in open(path):
        if line.startswith('#'):
            continue
        w = line.split()
        if w[0] == 'test':
            out[(w[1], w[2])] = [float(x) for x in w[5:8]]
    return out
new_dir, old_dir = sys.argv[1], sys.argv[2]
bad = 0
new = {g: rows(f"{new_dir}/table-{g}.dat") for g in ('2g', '4g')}
old = {g: rows(f"{old_dir}/table-{g}.dat") for g in ('2g', '4g')}
for g in ('2g', '4g'):
    for key, vals in sorted(old[g].items()):
        for name, unit, a, b in zip(('E', 'F', 'Q'), ('mHa/atom', 'mHa/bohr', 'me'), new[g][key], vals):
            if math.isnan(b):
                continue
            ok = abs(a - b) <= 0.10 * b
            bad += not ok
            print(f"{g} {' '.join(key)}: {name} RMSE {1e3*a:.3f} (shipped {1e3*b:.3f}) {unit} {'ok' if ok else 'OUTSIDE 10 %'}")
for key in sorted(new['2g']):
    if key[1] == 'near_Q=0':
        continue
    r = new['2g'][key][0] / new['4g'][key][0]
    bad += r < 10
    print(f"{' '.join(key)}: 2G/4G energy RMSE {r:.1f} {'ok' if r >= 10 else 'BELOW 10'}")
worst = max(abs(float(l.split()[4])) for l in open(f"{new_dir}/pairs-2g.dat") if not l.startswith('#'))
print(f"largest 2G energy difference within identical-environment pairs: {worst:.2e} Ha")
bad += worst >= 1e-9
sys.exit(1 if bad else 0)
EOF
exit $status
