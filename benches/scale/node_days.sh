#!/bin/sh
# Node-days per second of a whole `echelon run` (parse, set-up, simulation,
# statistics, report) on networks of one-SKU locations: supplier → DC →
# N warehouses, 365 days, one replication, one thread. Issue 16's target is
# ≥ 10 M node-days/s at N = 10,000.
#
#     cargo build --release && benches/scale/node_days.sh [N ...]
set -e
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- 10000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "$@"; do
    python3 benches/scale/one_sku_network.py "$n" 365 > "$tmp/net-$n.ron"
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$tmp/rss" "${ECHELON:-target/release/echelon}" run "$tmp/net-$n.ron" \
        --threads 1 --quiet --out "$tmp/out-$n" --force > /dev/null
    end=$(date +%s.%N)
    python3 - "$n" "$start" "$end" "$(cat "$tmp/rss")" <<'PY'
import sys
n, start, end, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
node_days = (n + 1) * 365
print(f"supplier → DC → {n:,} warehouses × 365 days: {end - start:.2f} s whole command, "
      f"{node_days / (end - start) / 1e6:.2f} M node-days/s, peak {rss / 1024:.0f} MiB")
PY
done
