"""SKU-steps per second: echelon.gym.VectorInventoryEnv against a plain
Python loop over single InventoryEnv instances.

    python benches/python/gym_steps.py [--envs 64] [--skus 100] [--steps 200]

One location stocking `--skus` SKUs of a generated catalogue (Poisson
demand, a 2–6 day lead time), controlled by the agent with order-up-to
actions; `--envs` episodes. Both sides step the same number of days with
the same actions (drawn once, outside the timing); a SKU-step is one
controlled SKU-location simulated for one day. Wall time, best of
`--repeat`, and the CPU time of that best (both threads' for the vector
environment, whose steps run on rayon's threads). Needs the extension
built in release mode (`pip install ./python`) and gymnasium.

Where the time goes is printed too: the vector environment's step beside
its native call alone, and the native call's CPU cost per SKU-step
(the engine's simulation of the day, nearly all of it), against a single
environment's step. The speed-up of the vector environment is bounded by
(single step) ÷ (native cost of one environment's step ÷ cores).
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


def best_of(repeat, run):
    """(wall, cpu) seconds of the fastest of `repeat` calls of `run`, which
    returns its own (wall, cpu) so that set-up stays outside the timing."""
    return min((run() for _ in range(repeat)), key=lambda t: t[0])


def timed(body):
    wall, cpu = time.perf_counter(), time.process_time()
    body()
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--envs", type=int, default=64)
    parser.add_argument("--skus", type=int, default=100)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="timings per side; the best is reported")
    args = parser.parse_args()
    n = args.envs

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.ron")
        with open(path, "w") as f:
            f.write(SCENARIO.format(horizon=args.steps + 1, skus=args.skus))
        venv = VectorInventoryEnv(path, n, control=["store"])
        singles = [InventoryEnv(path, control=["store"]) for _ in range(n)]
        high = venv.single_action_space.high
        rng = np.random.default_rng(0)
        actions = [rng.uniform(0.2, 0.6, (n, args.skus)) * high for _ in range(args.steps)]
        sku_steps = n * args.skus * args.steps

        def vector():
            venv.reset(seed=1)
            return timed(lambda: [venv.step(a) for a in actions])

        native = venv._core.native
        no_reset, replications = np.zeros(n, dtype=bool), np.arange(n, dtype=np.int64)

        def vector_native():
            venv.reset(seed=1)
            return timed(lambda: [native.step(a, no_reset, 1, replications) for a in actions])

        def loop():
            for i, env in enumerate(singles):
                env.reset(seed=1, options={"replication": i})

            def body():
                for a in actions:
                    for i, env in enumerate(singles):
                        env.step(a[i])

            return timed(body)

        vector_s, vector_cpu = best_of(args.repeat, vector)
        native_s, native_cpu = best_of(args.repeat, vector_native)
        loop_s, loop_cpu = best_of(args.repeat, loop)
    env_steps = n * args.steps
    print(f"{n} envs × {args.skus} SKUs × {args.steps} steps ({sku_steps:,} SKU-steps), best of {args.repeat}")
    print(f"  VectorInventoryEnv:      {vector_s:8.3f} s  {sku_steps / vector_s / 1e6:8.2f} M SKU-steps/s  (CPU {vector_cpu:.3f} s)")
    print(f"  loop over InventoryEnv:  {loop_s:8.3f} s  {sku_steps / loop_s / 1e6:8.2f} M SKU-steps/s  (CPU {loop_cpu:.3f} s)")
    print(f"  speed-up: {loop_s / vector_s:.1f}×")
    print("where the time goes:")
    print(f"  vector step {vector_s / args.steps * 1e6:7.1f} µs wall; its native call alone {native_s / args.steps * 1e6:7.1f} µs"
          " (the rest is the Python wrapper; timed apart, so noisy on a shared machine)")
    print(f"  native step CPU per SKU-step {native_cpu / sku_steps * 1e9:6.1f} ns"
          f" ({native_cpu / env_steps * 1e6:5.2f} µs per environment-step)")
    print(f"  single env step {loop_s / env_steps * 1e6:7.2f} µs wall; bound on the speed-up with {os.cpu_count()} cores:"
          f" {loop_s / env_steps / (native_cpu / env_steps / os.cpu_count()):.1f}×")


if __name__ == "__main__":
    main()
