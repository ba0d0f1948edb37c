#!/bin/sh
# Instruction counts (callgrind: exact and repeatable, unlike wall time on a
# shared machine) per SKU-location-day of a whole `echelon run` and of the
# engine inside it (inclusive count of the engine's run loop), one thread,
# one replication.
#
#     cargo build --release && benches/scale/instructions.sh [SCENARIO ...]
#
# Default scenarios: bench-single-location and regional-network. The
# bare-loop floor is `cargo bench --bench engine` (benches/engine.rs).
set -e
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- scenarios/bench-single-location.ron scenarios/regional-network.ron
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for scenario in "$@"; do
    out="$tmp/callgrind.out"
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "${ECHELON:-target/release/echelon}" run "$scenario" --threads 1 --replications 1 --quiet --out "$tmp/results" --force \
        > /dev/null 2> "$tmp/valgrind.log"
    days=$(python3 -c "import json,sys; print(json.load(open('$tmp/results/timing.json'))['sku_location_days'])")
    # The representative trace is recorded during the study's own runs: the
    # engine's inclusive count is its run loop over all of them
    # (`Run::execute`, or `Run::advance_through` where the compiler inlined
    # `execute`; the first listed is the larger).
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
    engine=$(callgrind_annotate --inclusive=yes "$out" 2>/dev/null | awk '/engine::Run::(execute|advance_through) / {gsub(",", "", $1); print $1; exit}')
    python3 - "$scenario" "$days" "$total" "$engine" <<'PY'
import sys
scenario, days, total, engine = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4] or 0)
strategies = 1
print(f"{scenario}: {days:,} SKU-location-days per run set; whole command {total / days:,.0f} instructions "
      f"per SKU-location-day, engine {engine / days:,.0f}")
PY
done
