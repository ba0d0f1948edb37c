"""Each example of examples/python/ runs, and its figures are checked (not
only that it ran)."""

import importlib.util
import struct

import pytest

from conftest import ROOT

echelon = pytest.importorskip("echelon")


def example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / "python" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_compare_policies_prints_both_policies_and_writes_the_chart(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("pyarrow")
    out = tmp_path / "compare.png"
    figures = example("compare_policies").compare("base-stock", "min-max", replications=4, out=out)
    assert set(figures) == {"base-stock", "min-max"}
    # The figures are the summary's: the same as a direct run of the study.
    direct = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=4).summary["points"][0]
    for s in direct["strategies"]:
        if s["name"] in figures:
            assert figures[s["name"]]["fill_rate"] == (s["metrics"]["fill_rate"]["mean"], s["metrics"]["fill_rate"]["ci95"])
            assert figures[s["name"]]["total_cost"][0] == s["metrics"]["total_cost"]["mean"]
    for f in figures.values():
        assert 0.5 < f["fill_rate"][0] <= 1.0 and f["total_cost"][0] > 0
    assert png_size(out) == (600, 400)
    assert out.stat().st_size > 10_000  # axes, two series and labels drawn


def test_python_policy_example_races_the_python_policy_against_base_stock(echelon_module):
    figures, comparisons = example("python_policy").race()
    assert list(figures) == ["base-stock", "python-cover"]
    for fill, cost in figures.values():
        assert 0.5 < fill <= 1.0 and cost > 0
    # Two different policies: different figures, compared pairwise.
    assert figures["base-stock"] != figures["python-cover"]
    assert comparisons, "the summary compares the Python policy with the reference"
    # Deterministic: the same figures again.
    assert example("python_policy").race()[0] == figures


def test_rl_loop_heuristic_beats_the_random_agent():
    pytest.importorskip("gymnasium")
    random_reward, best, learnt_reward, scores = example("rl_loop").train(episodes=2)
    assert best in scores and scores[best] == max(scores.values())
    assert learnt_reward > random_reward
    assert random_reward < 0 and learnt_reward < 0  # rewards are − costs


def test_ray_sweep_example_equals_one_machine(ray, tmp_path):
    module = example("ray_sweep")
    study, results = module.sweep(replications=1, shards=3, out=tmp_path / "sweep")
    assert results.summary_json == study.run(replications=1).summary_json
    rows = module.cheapest(results)
    assert len(rows) == len(results.summary["points"]) == 20
    assert {name for _, name, _ in rows} <= set(study.strategies)
    assert (tmp_path / "sweep" / "summary.json").read_text() == results.summary_json
