"""echelon.distributed.run_ray on a local Ray cluster (2 CPUs) the tests
start: the merged shards equal Study.run() byte for byte; a shard that fails
on a worker fails the study with its error, keeps the finished shards, and
a rerun resumes; without Ray, an ImportError with the install hint."""

import builtins
import os
import sys

import numpy as np
import pytest

from conftest import ROOT

echelon = pytest.importorskip("echelon")


def same_results(a, b):
    assert a.summary_json == b.summary_json
    assert a.runs_csv == b.runs_csv
    assert a._native.runs_jsonl == b._native.runs_jsonl


def test_ray_shards_merge_byte_identical_to_study_run(ray, tmp_path):
    from echelon.distributed import run_ray

    study = echelon.load(ROOT / "scenarios" / "quickstart.ron", set={"experiment.replications": 5})
    whole = study.run(threads=2)
    merged = run_ray(study, shards=3, threads=1, out=tmp_path / "ray")
    same_results(merged, whole)
    assert len(merged) == study.run_count == 20
    # The merged files are on disk, each shard's log kept beside them.
    assert (tmp_path / "ray" / "summary.json").read_text() == whole.summary_json
    assert sorted(os.listdir(tmp_path / "ray" / "shards")) == ["0-of-3", "1-of-3", "2-of-3", "study.json"]
    # Another seed and shard count: still the same as one machine.
    again = run_ray(study, shards=7, seed=11, threads=2)
    same_results(again, study.run(seed=11))
    assert again.out is None


SCENARIO = """Scenario(
    name: "ray-failure",
    experiment: (horizon_days: 60, warmup_days: 10, replications: 2, seed: 3),
    skus: [(id: "a", unit_cost: 10.0, price: 20.0, holding_rate: 0.25, ordering_cost: 5.0, backorder_penalty_per_day: 1.0)],
    suppliers: [(id: "sup")],
    locations: [(id: "north")],
    lanes: [(from: "sup", to: "north", lead_time: Uniform(min_days: 2, max_days: 5))],
    demand: [(location: "north", sku: "a", model: Poisson(mean: 3.0))],
    sweep: [(path: "demand[0].model.mean", values: [3.0, 30.0])],
    strategies: [
        (name: "builtin", replenishment: BaseStock(order_up_to: Units(15))),
        (name: "python", replenishment: Custom(name: "ray-flaky", params: {"order_up_to": 15})),
    ],
)
"""


class Explodes:
    """Fails where the mean demand is above 10: at sweep point 1 only (the
    representative runs every shard simulates for its trace are of the
    scenario as written, mean 3)."""

    def __init__(self, params, location):
        self.s = np.full(len(location.sku_ids), int(params["order_up_to"]), dtype=np.int64)
        self.explodes = bool(location.mean_demand.max() > 10)

    def decide(self, view):
        if self.explodes:
            raise ZeroDivisionError("flaky policy exploded on purpose")
        return np.maximum(self.s - view.inventory_position, 0)

    def initial_on_hand(self):
        return self.s


class Fixed(Explodes):
    def decide(self, view):
        return np.maximum(self.s - view.inventory_position, 0)


def test_a_failed_shard_fails_the_study_keeps_finished_shards_and_a_rerun_resumes(ray, tmp_path, echelon_module):
    from echelon.distributed import run_ray

    path = tmp_path / "flaky.ron"
    path.write_text(SCENARIO)
    echelon_module.register_replenishment("ray-flaky", Explodes)
    study = echelon_module.load(path)
    # Runs in (point, strategy, replication) order, 2 × 2 × 2: run
    # 4p + 2s + r. Four shards: shard i holds runs i and i + 4, so shards 0
    # and 1 are the built-in strategy's, 2 and 3 the Python one's, which
    # fails at point 1 (runs 6 and 7).
    out = tmp_path / "out"
    with pytest.raises(echelon.RunError) as failed:
        run_ray(study, shards=4, out=out)
    message = str(failed.value)
    assert "shard 2/4 failed on a worker" in message
    assert "ZeroDivisionError: flaky policy exploded on purpose" in message
    assert "ray-flaky" in message
    assert "failed shards: 2/4, 3/4" in message
    shards = out / "shards"
    finished = {d: (shards / d / "runs.jsonl").stat().st_mtime_ns for d in ("0-of-4", "1-of-4")}
    assert all((shards / d / "done").exists() for d in finished)
    assert not (shards / "2-of-4").exists() and not (shards / "3-of-4").exists()
    assert not (out / "summary.json").exists()
    # Fixed, the rerun resumes: the finished shards are not run again.
    echelon_module.register_replenishment("ray-flaky", Fixed)
    study = echelon_module.load(path)
    merged = run_ray(study, shards=4, out=out)
    assert {d: (shards / d / "runs.jsonl").stat().st_mtime_ns for d in finished} == finished
    same_results(merged, study.run())


def test_run_ray_leaves_other_results_and_foreign_shards_alone_unless_forced(ray, tmp_path):
    from echelon.distributed import run_ray

    study = echelon.load(ROOT / "scenarios" / "quickstart.ron", set={"experiment.replications": 2})
    other = tmp_path / "other"
    echelon.load(ROOT / "scenarios" / "golden" / "C01.ron").run(replications=2, out=other)
    before = (other / "summary.json").read_bytes()
    with pytest.raises(FileExistsError, match="already holds results"):
        run_ray(study, shards=2, out=other)
    assert (other / "summary.json").read_bytes() == before
    cli_shards = tmp_path / "cli" / "shards"
    cli_shards.mkdir(parents=True)
    (cli_shards / "0-of-2.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="did not write"):
        run_ray(study, shards=2, out=tmp_path / "cli")
    assert (cli_shards / "0-of-2.txt").read_text() == "mine"
    merged = run_ray(study, shards=2, out=other, force=True)
    assert merged.summary_json == study.run().summary_json


def test_run_ray_without_ray_raises_import_error_with_the_hint(monkeypatch):
    from echelon import distributed

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "ray", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_ray)
    study = echelon.load(ROOT / "scenarios" / "quickstart.ron")
    with pytest.raises(ImportError, match="pip install ray"):
        distributed.run_ray(study, shards=2)
