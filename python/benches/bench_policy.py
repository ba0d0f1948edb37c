"""Cost of a replenishment policy written in Python (a script, not a test).

Runs the same study twice per SKU count — with the built-in
``BaseStock(order_up_to: Units(20))`` and with its Python port (tests/python/ports.py) —
on one thread, and reports the difference in CPU time (the process's, all
threads: wall time would mostly measure the run log's fsyncs) per
``decide`` call: at 1 SKU it
is the per-call overhead (GIL, view, the call, checking the result, plus
the port's two NumPy ufuncs); the slope between SKU counts is the cost per
SKU. Usage (after ``pip install ./python``)::

    python python/benches/bench_policy.py            # SKU counts 1, 100, 1000
"""

import os
import sys
import tempfile
import time

import numpy as np

import echelon

# The Python port of BaseStock the tests prove identical to the built-in one.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "python"))
from ports import PyBaseStock  # noqa: E402

LOCATIONS = 4
DAYS = 365
REPLICATIONS = 5


def scenario(folder, skus, replenishment):
    locations = ", ".join(f'(id: "wh-{i}")' for i in range(LOCATIONS))
    lanes = ", ".join(
        f'(from: "sup", to: "wh-{i}", lead_time: Constant(days: 3.0))' for i in range(LOCATIONS)
    )
    text = f"""Scenario(
    name: "bench",
    experiment: (horizon_days: {DAYS}, warmup_days: 0, replications: {REPLICATIONS}, seed: 1),
    suppliers: [(id: "sup")],
    locations: [{locations}],
    lanes: [{lanes}],
    skus: [],
    demand: [],
    catalogue: [(count: {skus}, seed: 3, mean_daily_demand: (a: 15.0, b: 4.0, c: 0.6))],
    strategies: [(name: "s", replenishment: {replenishment})],
)"""
    path = os.path.join(folder, f"bench-{skus}-{abs(hash(replenishment))}.ron")
    with open(path, "w") as f:
        f.write(text)
    return path


def timed(path, repeat):
    study = echelon.load(path)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        study.run(threads=1)
        best = min(best, time.process_time() - start)
    return best


def main():
    counts = [int(a) for a in sys.argv[1:]] or [1, 100, 1000]
    echelon.register_replenishment("py-base-stock", PyBaseStock)
    calls = LOCATIONS * DAYS * REPLICATIONS
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in counts:
            repeat = 5 if n <= 100 else 3
            builtin = timed(scenario(folder, n, "BaseStock(order_up_to: Units(20))"), repeat)
            python = timed(
                scenario(folder, n, 'Custom(name: "py-base-stock", params: {"order_up_to": 20})'), repeat
            )
            per_call = (python - builtin) / calls
            rows.append((n, builtin, python, per_call))
            print(f"{n:>6} SKUs: built-in {builtin * 1e3:8.2f} ms, Python {python * 1e3:8.2f} ms, "
                  f"+{per_call * 1e6:.2f} µs per decide call ({calls} calls)")
    if len(rows) >= 2:
        (n0, _, _, c0), (n1, _, _, c1) = rows[0], rows[-1]
        print(f"per call (at {n0} SKU): {c0 * 1e6:.2f} µs; per SKU: {(c1 - c0) / (n1 - n0) * 1e9:.1f} ns")


if __name__ == "__main__":
    main()
