#!/bin/sh
# Issue 16's target 6: 10,000 runs of scenarios/regional-network.ron on 2
# cores in at most 15 minutes. Runs REPLICATIONS × 4 strategies (default
# 250: 1,000 runs) as one whole `echelon run` on THREADS threads (default
# 2) and extrapolates the wall time to 10,000 runs (the set-up and the
# reports are a fraction of a second: the time is the runs').
#
#     cargo build --release && benches/scale/many_runs.sh [REPLICATIONS] [THREADS]
set -e
cd "$(dirname "$0")/../.."
replications=${1:-250}
threads=${2:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -f "%e %U %S" -o "$tmp/time" "${ECHELON:-target/release/echelon}" run scenarios/regional-network.ron \
    --replications "$replications" --threads "$threads" --quiet --out "$tmp/out" > /dev/null
python3 - "$replications" "$threads" $(cat "$tmp/time") <<'PY'
import sys
replications, threads = int(sys.argv[1]), int(sys.argv[2])
wall, user, system = map(float, sys.argv[3:6])
runs = replications * 4
print(f"{runs:,} runs of regional-network on {threads} threads: {wall:.1f} s wall, {user + system:.1f} s CPU "
      f"({(user + system) / wall:.2f} cores busy); 10,000 runs ≈ {wall * 10_000 / runs / 60:.1f} min "
      f"(target ≤ 15)")
PY
