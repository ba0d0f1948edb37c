"""Compare two replenishment policies of a scenario and plot them.

Runs scenarios/quickstart.ron in-process (every strategy, common random
numbers), keeps two strategies, prints their fill rate and total cost per
day with 95% intervals, and draws one point per replication of each
(cost against fill rate) into a PNG with matplotlib (headless: the Agg
backend).

    python examples/python/compare_policies.py [--out compare.png] [--replications 10]

Needs: pip install ./python matplotlib
"""

import argparse
import pathlib

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pyarrow as pa  # noqa: E402

import echelon  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def compare(a="base-stock", b="min-max", replications=10, out="compare.png"):
    """Runs the quickstart, returns {strategy: {metric: (mean, [95% interval])}} for
    `a` and `b`, and writes the chart to `out`."""
    study = echelon.load(ROOT / "scenarios" / "quickstart.ron")
    results = study.run(replications=replications)
    point = results.summary["points"][0]
    figures = {}
    for entry in point["strategies"]:
        if entry["name"] in (a, b):
            m = entry["metrics"]
            figures[entry["name"]] = {k: (m[k]["mean"], m[k]["ci95"]) for k in ("fill_rate", "total_cost")}
    runs = pa.table(results.runs)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for name, marker in ((a, "o"), (b, "s")):
        rows = runs.filter(pa.compute.equal(runs["strategy"], name))
        ax.scatter(rows["total_cost"].to_pylist(), rows["fill_rate"].to_pylist(), marker=marker, label=name)
    ax.set_xlabel("total cost per day")
    ax.set_ylabel("fill rate")
    ax.set_title(f"{study.name}: {a} vs {b}, {replications} replications")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="compare.png")
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    figures = compare(replications=args.replications, out=args.out)
    for name, f in figures.items():
        (fill, (f_lo, f_hi)), (cost, (c_lo, c_hi)) = f["fill_rate"], f["total_cost"]
        print(f"{name:12} fill rate {fill:.4f} [{f_lo:.4f}, {f_hi:.4f}]   total cost/day {cost:7.2f} [{c_lo:.2f}, {c_hi:.2f}]")
    print(f"chart: {args.out}")


if __name__ == "__main__":
    main()
