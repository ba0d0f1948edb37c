"""Runs the peer benchmark, the floor bench and the scale curve, and writes
benches/peers/RESULTS.md (and scale-curve.svg beside it).

    benches/peers/setup.sh                    # once: the pinned Python peers
    benches/peers/.venv/bin/python benches/peers/run.py [--quick] [--only=peers,floor,scale]

`--quick` shortens every workload and only prints (for checking the
harness; RESULTS.md and the chart are left as they are). Finished sections are kept in `.results.json`, so `--only=`
re-measures some sections and keeps the others. Echelon is built with `cargo build --release` and timed as a whole
command (`echelon run FILE --threads 1 --quiet`: parsing, simulation,
statistics, report and charts), so its figures are conservative; each peer
is timed around its simulation call only.
"""

import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import echelon_scenarios
import workloads

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ECHELON = ROOT / "target" / "release" / "echelon"
PYTHON = sys.executable


def t_quantile(df):
    from scipy.stats import t  # installed with stockpyl

    return t.ppf(0.975, df)


def interval(values):
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, float("nan")
    return mean, t_quantile(len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5


def run_peer(script, *args):
    out = subprocess.run([PYTHON, str(HERE / script), *args], cwd=HERE, check=True, capture_output=True, text=True)
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    fill = interval([r["fill_rate"] for r in rows])
    seconds = sum(r["seconds"] for r in rows) / len(rows)
    return {"fill": fill, "seconds": seconds, "node_days": rows[0]["node_days"], "replications": len(rows)}


def run_echelon(text, name, workdir, node_days):
    scenario = workdir / f"{name}.ron"
    scenario.write_text(text)
    out = workdir / f"out-{name}"
    started = time.perf_counter()
    subprocess.run([str(ECHELON), "run", str(scenario), "--threads", "1", "--quiet", "--out", str(out)],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - started
    summary = json.loads((out / "summary.json").read_text())
    fill = summary["points"][0]["strategies"][0]["metrics"]["fill_rate"]
    reps = summary["replications"]
    return {"fill": (fill["mean"], fill["mean"] - fill["ci95"][0]), "seconds": seconds / reps,
            "node_days": node_days, "replications": reps}


def fmt_fill(fill):
    mean, half = fill
    return f"{mean:.4f} ± {half:.4f}"


def peer_table(rows):
    lines = ["| workload | simulator | replications | fill rate (95% CI) | s per replication | node-days/s | Echelon ÷ peer |",
             "|---|---|---:|---|---:|---:|---:|"]
    for workload, sims in rows:
        echelon_rate = sims[0][1]["node_days"] / sims[0][1]["seconds"]
        for simulator, r in sims:
            rate = r["node_days"] / r["seconds"]
            ratio = "—" if simulator == "Echelon" else f"{echelon_rate / rate:,.0f}×"
            lines.append(f"| {workload} | {simulator} | {r['replications']} | {fmt_fill(r['fill'])} | "
                         f"{r['seconds']:.3f} | {rate:,.0f} | {ratio} |")
    return "\n".join(lines)


def peers(workdir):
    rows = []
    single = run_echelon(echelon_scenarios.single(), "single", workdir, workloads.SINGLE["days"])
    rows.append((f"(a) 1 warehouse, (s,S), {workloads.SINGLE['days']:,} days", [
        ("Echelon", single),
        ("SimPy 4.1.2 (hand-written)", run_peer("peer_simpy.py")),
        ("SupplyNetPy 0.5.1", run_peer("peer_supplynetpy.py", "single")),
    ]))
    serial = run_echelon(echelon_scenarios.serial(), "serial", workdir, 3 * workloads.SERIAL["periods"])
    rows.append((f"(b) serial 3-stage base stock, {workloads.SERIAL['periods']:,} periods", [
        ("Echelon", serial),
        ("stockpyl 1.0.2", run_peer("peer_stockpyl.py")),
    ]))
    for n in workloads.NETWORK["warehouses"]:
        net = run_echelon(echelon_scenarios.network(n), f"network-{n}", workdir, (n + 1) * workloads.NETWORK["days"])
        rows.append((f"(c) supplier → DC → {n} warehouses, {workloads.NETWORK['days']} days", [
            ("Echelon", net),
            ("SupplyNetPy 0.5.1", run_peer("peer_supplynetpy.py", "network", str(n))),
        ]))
    return rows


def floor():
    """Criterion's engine vs bare-loop figures (median throughput)."""
    if os.environ.get("ECHELON_PEERS_QUICK"):
        return {}
    out = subprocess.run(["cargo", "bench", "--bench", "engine", "--", "--warm-up-time", "1",
                          "--measurement-time", "8"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    figures = {}
    name = None
    for line in out.splitlines():
        if re.match(r"^[a-z].*/", line):
            name = line.split()[0]
        match = re.search(r"thrpt:\s+\[\S+ \S+ (\S+) (\S+)", line)
        if match and name and name not in figures:
            value, unit = float(match.group(1)), match.group(2)
            figures[name] = value * {"Melem/s": 1e6, "Kelem/s": 1e3, "elem/s": 1}[unit]
    return figures


def scale_scenario(sku_locations, days):
    locations = 10 if sku_locations >= 1000 else 1
    skus = sku_locations // locations
    ids = ", ".join(f'"wh-{k}"' for k in range(locations))
    return f"""Scenario(
  name: "scale-{sku_locations}-{days}",
  experiment: (horizon_days: {days}, warmup_days: 0, replications: 1, seed: 3),
  suppliers: [(id: "supplier")],
  locations: [{", ".join(f'(id: "wh-{k}")' for k in range(locations))}],
  lanes: [{", ".join(f'(from: "supplier", to: "wh-{k}", lead_time: Uniform(min_days: 1, max_days: 4))' for k in range(locations))}],
  skus: [], demand: [],
  catalogue: [(
    count: {skus}, seed: 5, locations: [{ids}],
    mean_daily_demand: (a: 15.0, b: 5.0, c: 2.0), cv: (a: 0.35, b: 0.7, c: 1.3),
    unit_cost: (min: 4.0, max: 150.0),
  )],
  strategies: [(name: "s-S", replenishment: MinMax(reorder_point: DaysOfCover(4.0), order_up_to: DaysOfCover(9.0)))],
)
"""


def scale_curve(workdir, quick):
    sizes = [100, 1_000, 10_000] if quick else [100, 1_000, 10_000, 100_000, 1_000_000]
    horizons = [365] if quick else [365, 3_650]
    points = []
    for days in horizons:
        for size in sizes:
            scenario = workdir / f"scale-{size}-{days}.ron"
            scenario.write_text(scale_scenario(size, days))
            started = time.perf_counter()
            child = subprocess.Popen([str(ECHELON), "run", str(scenario), "--threads", "1", "--quiet",
                                      "--out", str(workdir / f"out-scale-{size}-{days}")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            peak_kb = 0
            while child.poll() is None:
                peak_kb = max(peak_kb, high_water_kb(child.pid))
                time.sleep(0.002)
            seconds = time.perf_counter() - started
            if child.returncode != 0:
                raise SystemExit(f"echelon failed on {scenario}")
            points.append({"sku_locations": size, "days": days, "seconds": seconds, "peak_mb": peak_kb / 1024})
    return points


def high_water_kb(pid):
    """The process's peak resident set so far (`VmHWM`; 0 once it is gone).
    Read from /proc rather than `wait4`'s `ru_maxrss`, which on Linux also
    counts the parent's pages copied at fork."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def scale_table(points):
    lines = ["| SKU-locations | days | wall time (s) | ns per SKU-location-day | peak memory (MB) | bytes per SKU-location |",
             "|---:|---:|---:|---:|---:|---:|"]
    for p in points:
        per_day = p["seconds"] * 1e9 / (p["sku_locations"] * p["days"])
        per_location = p["peak_mb"] * 1024 * 1024 / p["sku_locations"]
        lines.append(f"| {p['sku_locations']:,} | {p['days']:,} | {p['seconds']:.2f} | {per_day:,.0f} | "
                     f"{p['peak_mb']:.1f} | {per_location:,.0f} |")
    return "\n".join(lines)


def scale_chart(points, path):
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for days, marker in ((365, "o"), (3_650, "s")):
        series = [p for p in points if p["days"] == days]
        if not series:
            continue
        x = [p["sku_locations"] for p in series]
        left.loglog(x, [p["seconds"] for p in series], marker=marker, label=f"{days:,} days")
        right.loglog(x, [p["peak_mb"] for p in series], marker=marker, label=f"{days:,} days")
    left.set(xlabel="SKU-locations", ylabel="wall time (s)", title="Time")
    right.set(xlabel="SKU-locations", ylabel="peak resident memory (MB)", title="Memory")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.suptitle("echelon run, one replication, one thread")
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; {rustc}; Python {platform.python_version()}"


SECTIONS = ("peers", "floor", "scale")
CACHE = HERE / ".results.json"


def main():
    quick = "--quick" in sys.argv
    if quick:
        os.environ["ECHELON_PEERS_QUICK"] = "1"  # read by workloads.py, here and in the peers
        importlib.reload(workloads)
        importlib.reload(echelon_scenarios)
    only = next((arg.split("=", 1)[1].split(",") for arg in sys.argv if arg.startswith("--only=")), SECTIONS)
    only = [section for section in only if section]  # `--only=` rewrites RESULTS.md from the cache
    # Each finished section is kept, so a failure later (or `--only=`) does
    # not throw away what took minutes to measure.
    results = json.loads(CACHE.read_text()) if CACHE.exists() and not quick else {}
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for section in only:
            results[section] = {"peers": lambda: peers(workdir), "floor": floor,
                                "scale": lambda: scale_curve(workdir, quick)}[section]()
            if not quick:
                CACHE.write_text(json.dumps(results))
    if "scale" in results and not quick:
        scale_chart(results["scale"], HERE / "scale-curve.svg")
    write_results(results.get("peers", []), results.get("floor", {}), results.get("scale", []), quick)


def write_results(peer_rows, floor_figures, points, quick):
    engine = floor_figures.get("single-location-6000-skus-365-days/engine")
    bare = floor_figures.get("single-location-6000-skus-365-days/bare-loop-floor")
    floor_lines = ["| bench | SKU-location-days/s |", "|---|---:|"]
    floor_lines += [f"| {name} | {value / 1e6:.2f} M |" for name, value in floor_figures.items()]
    ratio = f"**floor ÷ engine = {bare / engine:.2f}×**" if engine and bare else "(not measured)"
    text = f"""# Echelon beside the Python simulators

Produced by `benches/peers/.venv/bin/python benches/peers/run.py{' --quick' if quick else ''}` \
(after `benches/peers/setup.sh`) on {time.strftime('%Y-%m-%d')}.
Machine: {machine()}.
Workload definitions: `benches/peers/workloads.py` (one place for every simulator's parameters).

## Side by side

The same model in every simulator (see the docstrings of `workloads.py` and
each `peer_*.py` for how each one's day is aligned with Echelon's daily
cycle), so the fill rates must agree within their intervals; the times
are per replication. Echelon runs single-threaded and is timed as the whole
`echelon run` command (parse, simulate, statistics, report with charts); the
peers are timed around their simulation call only. A node-day is one
SKU-location-day (one SKU per node in these workloads).

{peer_table(peer_rows)}

## The floor

`cargo bench --bench engine`: the engine on the 6,000-SKU single-location
daily base-stock workload beside a bare periodic base-stock loop over the
same SKUs and days with the same demand sampler (what the hardware can do),
and one run of the regional network per strategy (7,000 SKU-locations × 330
days). Median of criterion's throughput estimate.

{chr(10).join(floor_lines)}

{ratio}

## Scale curve

`echelon run` of a generated catalogue (10 warehouses, or 1 below 1,000
SKU-locations), (s,S) by days of cover, one replication, one thread; wall
time of the whole command and peak resident memory (`VmHWM`, polled every
2 ms).
Growth is linear when ns per SKU-location-day and bytes per SKU-location
stay flat as the size grows; memory does not grow with the horizon (compare
the two rows of each size). Below 10,000 SKU-locations the fixed cost of a
command (parsing, statistics, report and charts) dominates.

![scale curve](scale-curve.svg)

{scale_table(points)}
"""
    if not quick:  # --quick checks the harness; it never overwrites the figures
        (HERE / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
