"""Python ports of the built-in BaseStock and MinMax strategies: the
policies the tests (test_policies.py) prove byte-identical to the built-in
ones, and the one python/benches/bench_policy.py times."""

import numpy as np


class PyBaseStock:
    """BaseStock(order_up_to: Units(S)) in Python."""

    def __init__(self, params, location):
        self.s = np.full(len(location.sku_ids), int(params["order_up_to"]), dtype=np.int64)

    def decide(self, view):
        return np.maximum(self.s - view.inventory_position, 0)

    def reorder_points(self):
        return self.s - 1

    def initial_on_hand(self):
        return self.s


def days_of_cover(days, location):
    # Level::DaysOfCover: ceil(d × mean daily demand − 1e-9), at least 0.
    return np.maximum(np.ceil(days * location.mean_demand - 1e-9), 0).astype(np.int64)


class PyMinMax:
    """MinMax(reorder_point: DaysOfCover(s), order_up_to: DaysOfCover(S)) in Python."""

    def __init__(self, params, location):
        self.small = days_of_cover(params["reorder_point_days"], location)
        self.big = days_of_cover(params["order_up_to_days"], location)

    def decide(self, view):
        ip = view.inventory_position
        return np.where(ip <= self.small, self.big - ip, 0)

    def reorder_points(self):
        return self.small

    def initial_on_hand(self):
        return self.big
