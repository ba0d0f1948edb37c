"""A parameter sweep on Ray: scenarios/disruption-sweep.ron's points run
as Ray tasks, merged into the results one machine would have written.

Starts a local Ray cluster (or joins RAY_ADDRESS), runs the study in
`--shards` tasks of `--threads` threads each, and prints per sweep point the
strategy with the lowest total cost. `--check` also runs the study in one
process and confirms the summary is byte-identical.

    python examples/python/ray_sweep.py [--replications 2] [--shards 4] [--out results/ray-sweep] [--check]

Needs: pip install ./python ray
"""

import argparse
import pathlib

import echelon
from echelon.distributed import run_ray

ROOT = pathlib.Path(__file__).resolve().parents[2]


def sweep(replications=2, shards=4, threads=1, out=None, scenario="disruption-sweep.ron", set=None):
    """Runs the sweep on Ray; returns the study and its Results."""
    import ray

    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    study = echelon.load(ROOT / "scenarios" / scenario, set=set)
    return study, run_ray(study, shards=shards, replications=replications, threads=threads, out=out)


def cheapest(results):
    """Per sweep point: (its parameters, the strategy of lowest mean total cost)."""
    rows = []
    for point in results.summary["points"]:
        best = min(point["strategies"], key=lambda s: s["metrics"]["total_cost"]["mean"])
        rows.append((point["params"], best["name"], best["metrics"]["total_cost"]["mean"]))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    study, results = sweep(args.replications, args.shards, args.threads, args.out)
    print(f"{study.name}: {len(results)} runs in {args.shards} Ray tasks")
    for params, name, cost in cheapest(results):
        print(f"  {params}: cheapest {name} ({cost:.2f}/day)")
    if args.check:
        same = study.run(replications=args.replications).summary_json == results.summary_json
        print("byte-identical to Study.run():", same)


if __name__ == "__main__":
    main()
