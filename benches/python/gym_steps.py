"""SKU-steps per second: echelon.gym.VectorInventoryEnv against a plain
Python loop over single InventoryEnv instances.

    python benches/python/gym_steps.py [--envs 64] [--skus 100] [--steps 200]

One location stocking `--skus` SKUs of a generated catalogue (Poisson
demand, a 2–6 day lead time), controlled by the agent with order-up-to
actions; `--envs` episodes. Both sides step the same number of days with
the same actions (drawn once, outside the timing); a SKU-step is one
controlled SKU-location simulated for one day. Needs the extension built
in release mode (`maturin develop --release` in python/) and gymnasium.
"""

import argparse
import os
import tempfile
import time

import numpy as np

from echelon.gym import InventoryEnv, VectorInventoryEnv

SCENARIO = """Scenario(
    name: "gym-bench",
    experiment: (horizon_days: {horizon}, warmup_days: 0, replications: 1, seed: 5),
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Uniform(min_days: 2, max_days: 6), cost_per_unit: 0.1)],
    skus: [],
    demand: [],
    catalogue: [(count: {skus}, seed: 3, mean_daily_demand: (a: 15.0, b: 4.0, c: 0.6), ordering_cost: 10.0, backorder_penalty_per_day: 0.5)],
    strategies: [(name: "base-stock", replenishment: BaseStock(order_up_to: DaysOfCover(8.0)))],
)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--skus", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="timings per side; the best is reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.ron")
        with open(path, "w") as f:
            f.write(SCENARIO.format(horizon=args.steps + 1, skus=args.skus))
        venv = VectorInventoryEnv(path, args.envs, control=["store"])
        singles = [InventoryEnv(path, control=["store"]) for _ in range(args.envs)]
        high = venv.single_action_space.high
        rng = np.random.default_rng(0)
        actions = [rng.uniform(0.2, 0.6, (args.envs, args.skus)) * high for _ in range(args.steps)]
        sku_steps = args.envs * args.skus * args.steps

        def vector():
            venv.reset(seed=1)
            start = time.perf_counter()
            for a in actions:
                venv.step(a)
            return time.perf_counter() - start

        def loop():
            for i, env in enumerate(singles):
                env.reset(seed=1, options={"replication": i})
            start = time.perf_counter()
            for a in actions:
                for i, env in enumerate(singles):
                    env.step(a[i])
            return time.perf_counter() - start

        vector_s = min(vector() for _ in range(args.repeat))
        loop_s = min(loop() for _ in range(args.repeat))
    print(f"{args.envs} envs × {args.skus} SKUs × {args.steps} steps ({sku_steps:,} SKU-steps), best of {args.repeat}")
    print(f"  VectorInventoryEnv:          {vector_s:8.3f} s  {sku_steps / vector_s / 1e6:8.2f} M SKU-steps/s")
    print(f"  loop over InventoryEnv:      {loop_s:8.3f} s  {sku_steps / loop_s / 1e6:8.2f} M SKU-steps/s")
    print(f"  speed-up: {loop_s / vector_s:.1f}×")


if __name__ == "__main__":
    main()
