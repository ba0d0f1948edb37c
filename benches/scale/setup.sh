#!/bin/sh
# Set-up time of `echelon validate` on networks of one-SKU locations
# (supplier → DC → N warehouses), for N = 1,000 … 100,000: it should grow
# linearly. README ("Performance") quotes the 100,000-location figure.
#
#     cargo build --release && benches/scale/setup.sh
set -e
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 1000 10000 100000; do
    python3 benches/scale/one_sku_network.py "$n" 365 > "$tmp/net-$n.ron"
    /usr/bin/time -f "validate $n locations: %e s, peak %M KB" target/release/echelon validate "$tmp/net-$n.ron" > /dev/null
done
