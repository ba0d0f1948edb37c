"""A replenishment policy written in Python, raced against a built-in one.

`CoverPolicy` orders up to `days` of cover plus `z` standard deviations of
demand over the lead time, for every SKU of a location at once (NumPy
arrays: one call per location per review, never one per SKU). The example
registers it, writes a small scenario naming it with `Custom(...)` beside
the built-in BaseStock, runs both on the same demand (common random
numbers), and prints the paired comparison.

    python examples/python/python_policy.py

Needs: pip install ./python
"""

import pathlib
import tempfile

import numpy as np

import echelon


class CoverPolicy:
    """Order-up-to S = ceil(mean × (lead time + days) + z × sqrt(mean × (lead time + days)))."""

    def __init__(self, params, location):
        horizon = location.lead_time_days + float(params["days"])
        mean = location.mean_demand * horizon
        self.level = np.ceil(mean + float(params["z"]) * np.sqrt(mean)).astype(np.int64)

    def decide(self, view):
        # The view's arrays cover the location's SKUs; so does the answer.
        return np.maximum(self.level - view.inventory_position, 0)

    def initial_on_hand(self):
        return self.level


SCENARIO = """Scenario(
    name: "python-policy",
    experiment: (horizon_days: 395, warmup_days: 30, replications: 8, seed: 7),
    skus: [
        (id: "drill", unit_cost: 60.0, price: 99.0, holding_rate: 0.25, ordering_cost: 15.0, backorder_penalty_per_day: 2.0),
        (id: "gloves", unit_cost: 2.5, price: 6.0, holding_rate: 0.25, ordering_cost: 15.0, backorder_penalty_per_day: 0.1),
    ],
    suppliers: [(id: "acme")],
    locations: [(id: "wh")],
    lanes: [(from: "acme", to: "wh", lead_time: Gamma(mean_days: 4.0, sd_days: 1.0))],
    demand: [
        (location: "wh", sku: "drill", model: Poisson(mean: 3.0)),
        (location: "wh", sku: "gloves", model: Normal(mean: 40.0, sd: 12.0)),
    ],
    strategies: [
        (name: "base-stock", replenishment: BaseStock(order_up_to: DaysOfCover(7.0))),
        (name: "python-cover", replenishment: Custom(name: "cover", params: {"days": 2.0, "z": 1.65})),
    ],
)
"""


def race():
    """Returns {strategy: (fill rate, total cost per day)} and the summary's
    comparisons of the Python policy with the built-in one."""
    echelon.register_replenishment("cover", CoverPolicy, help="days of cover + z·sqrt(lead-time demand)")
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "python-policy.ron"
        path.write_text(SCENARIO)
        results = echelon.load(path).run()
    point = results.summary["points"][0]
    figures = {
        s["name"]: (s["metrics"]["fill_rate"]["mean"], s["metrics"]["total_cost"]["mean"]) for s in point["strategies"]
    }
    return figures, point["comparisons"]


def main():
    figures, _ = race()
    for name, (fill, cost) in figures.items():
        print(f"{name:13} fill rate {fill:.4f}   total cost/day {cost:8.2f}")


if __name__ == "__main__":
    main()
