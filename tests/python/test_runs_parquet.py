"""runs.parquet read by pyarrow: its figures equal summary.json's inputs.

Runs the echelon binary that `cargo test` built (target/debug/echelon, or
$ECHELON_BIN) on scenarios/quickstart.ron with few replications, then reads
runs.parquet with pyarrow alone (no pandas) and checks that the mean of each
network and location metric per strategy equals summary.json's mean.
"""

import json
import math
import os
import pathlib
import subprocess

import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def echelon_bin():
    explicit = os.environ.get("ECHELON_BIN")
    if explicit:
        return pathlib.Path(explicit)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "echelon"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    binary = echelon_bin()
    assert binary.exists(), f"{binary} missing: run `cargo test` (or `cargo build`) first, or set ECHELON_BIN"
    out = tmp_path_factory.mktemp("quickstart")
    subprocess.run(
        [str(binary), "run", str(ROOT / "scenarios/quickstart.ron"), "--out", str(out), "-q", "--replications", "3"],
        check=True,
        capture_output=True,
    )
    table = pq.read_table(out / "runs.parquet")
    summary = json.loads((out / "summary.json").read_text())
    return table, summary


def test_schema_is_the_long_table(results):
    table, _ = results
    assert table.schema.names == ["point", "strategy", "replication", "scope", "scope_id", "metric", "value"]
    assert str(table.schema.field("point").type) == "int64"
    assert str(table.schema.field("strategy").type) == "string"
    assert str(table.schema.field("value").type) == "double"


def test_mean_of_every_metric_per_strategy_equals_summary_json(results):
    table, summary = results
    rows = table.to_pylist()
    values = {}
    for r in rows:
        key = (r["strategy"], r["scope"], r["scope_id"], r["metric"])
        values.setdefault(key, []).append(r["value"])
    compared = 0
    for strategy in summary["points"][0]["strategies"]:
        name = strategy["name"]
        scopes = [("network", "", strategy["metrics"])]
        scopes += [("location", node, metrics) for node, metrics in strategy["nodes"].items()]
        for scope, scope_id, metrics in scopes:
            for metric, stat in metrics.items():
                if stat.get("mean") is None:
                    continue
                runs = values[(name, scope, scope_id, metric)]
                assert len(runs) == summary["replications"]
                defined = [v for v in runs if v is not None]
                mean = sum(defined) / len(defined)
                assert math.isclose(mean, stat["mean"], rel_tol=1e-12, abs_tol=1e-12), (name, scope, metric)
                compared += 1
    assert compared > 100


def test_fill_rate_mean_per_strategy_equals_summary_json(results):
    table, summary = results
    network = [r for r in table.to_pylist() if r["scope"] == "network" and r["metric"] == "fill_rate"]
    for strategy in summary["points"][0]["strategies"]:
        runs = [r["value"] for r in network if r["strategy"] == strategy["name"]]
        assert math.isclose(sum(runs) / len(runs), strategy["metrics"]["fill_rate"]["mean"], rel_tol=1e-12)
