#!/usr/bin/env python3
"""Writes a network of one-SKU locations: supplier → DC → N warehouses.

    benches/scale/one_sku_network.py WAREHOUSES DAYS [REPLICATIONS] > network.ron

Each warehouse serves Poisson(10) daily demand (lost sales) under (s, S) =
(40, 70) over a Uniform(1..3)-day lane from the DC; the DC buys from the
supplier over a 3-day lane with (s, S) scaled by the number of warehouses.
Used by `benches/scale/setup.sh` (set-up time of `echelon validate`) and
`benches/scale/node_days.sh` (node-days per second of a whole `echelon run`).
"""

import sys


def network(warehouses, days, replications=1):
    ids = [f"wh-{w:06}" for w in range(warehouses)]
    out = [
        "Scenario(",
        f'  name: "one-sku-network-{warehouses}",',
        f"  experiment: (horizon_days: {days}, warmup_days: 0, replications: {replications}, seed: 1),",
        '  skus: [(id: "item", unit_cost: 1.0)],',
        '  suppliers: [(id: "supplier")],',
        '  classes: [(name: "walk-in", shortage: LostSales)],',
        '  locations: [(id: "dc"),',
    ]
    out += [f'    (id: "{i}"),' for i in ids]
    out.append("  ],")
    out.append('  lanes: [(from: "supplier", to: "dc", lead_time: Constant(days: 3.0)),')
    out += [f'    (from: "dc", to: "{i}", lead_time: Uniform(min_days: 1, max_days: 3)),' for i in ids]
    out.append("  ],")
    out.append("  demand: [")
    out += [f'    (location: "{i}", sku: "item", class: "walk-in", model: Poisson(mean: 10.0)),' for i in ids]
    out.append("  ],")
    out += [
        "  strategies: [(",
        '    name: "s-S",',
        "    replenishment: MinMax(reorder_point: Units(40), order_up_to: Units(70)),",
        f'    at: {{"dc": MinMax(reorder_point: Units({60 * warehouses}), order_up_to: Units({110 * warehouses}))}},',
        "  )],",
        ")",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sys.stdout.write(network(int(sys.argv[1]), int(sys.argv[2]), reps))
