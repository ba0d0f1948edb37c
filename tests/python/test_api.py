"""echelon.load / Study.run / Results: the in-process API against the CLI.

Parity is byte for byte: Results.summary_json equals the summary.json the
CLI writes for the same scenario, replications and seed, and
Results.write(dir) writes the CLI's files.
"""

import json
import os
import signal

import pytest

from conftest import ROOT, run_cli

echelon = pytest.importorskip("echelon")

BUNDLED = ["quickstart", "ci", "disruption-sweep", "resilience-fallback"]


@pytest.mark.parametrize("name", BUNDLED)
def test_summary_json_is_byte_identical_to_the_cli_file(name, tmp_path):
    scenario = ROOT / "scenarios" / f"{name}.ron"
    run_cli("run", scenario, "--out", tmp_path / "cli", "-q", "--replications", 2)
    results = echelon.load(scenario).run(replications=2, threads=2)
    cli = (tmp_path / "cli" / "summary.json").read_bytes()
    assert results.summary_json.encode() == cli
    assert results.summary == json.loads(cli)


def test_write_writes_the_cli_files(tmp_path):
    scenario = ROOT / "scenarios" / "quickstart.ron"
    run_cli("run", scenario, "--out", tmp_path / "cli", "-q", "--replications", 2)
    results = echelon.load(scenario).run(replications=2)
    results.write(tmp_path / "py")
    for f in ["summary.json", "runs.csv", "runs.parquet", "runs.jsonl", "report.html", "trace.json"]:
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    assert results.runs_csv == (tmp_path / "cli" / "runs.csv").read_bytes()


def test_write_replaces_results_only_with_force_and_leaves_no_stale_chart(tmp_path):
    sweep = echelon.load(ROOT / "scenarios" / "disruption-sweep.ron").run(replications=2)
    sweep.write(tmp_path / "out")
    swept_charts = {p.name for p in (tmp_path / "out" / "charts").iterdir()}
    before = (tmp_path / "out" / "summary.json").read_bytes()
    single = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=2)
    with pytest.raises(FileExistsError, match="already holds results.*force=True"):
        single.write(tmp_path / "out")
    assert (tmp_path / "out" / "summary.json").read_bytes() == before, "left as it was"
    (tmp_path / "out" / "notes.txt").write_text("mine")
    single.write(tmp_path / "out", force=True)
    assert (tmp_path / "out" / "summary.json").read_text() == single.summary_json
    charts = {p.name for p in (tmp_path / "out" / "charts").iterdir()}
    assert not any("-p1" in name for name in charts) and any("-p1" in name for name in swept_charts)
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine", "other files are left alone"


def test_a_study_runs_the_file_it_loaded_whatever_happens_to_it_or_the_working_directory(tmp_path, monkeypatch):
    source = (ROOT / "scenarios" / "quickstart.ron").read_text()
    path = tmp_path / "s.ron"
    path.write_text(source)
    monkeypatch.chdir(tmp_path)
    study = echelon.load("s.ron", set={"experiment.replications": 2})
    expected = study.run().summary_json
    path.write_text(source.replace('name: "quickstart"', 'name: "edited"'))
    monkeypatch.chdir(ROOT)
    assert study.run().summary_json == expected, "the edited file or another folder's s.ron was run"


def test_arguments_given_twice_or_empty_are_refused_not_ignored(tmp_path):
    study = echelon.load(ROOT / "scenarios" / "quickstart.ron", set={"experiment.replications": 2})
    with pytest.raises(ValueError, match="experiment.replications is given twice"):
        study.run(replications=3)
    for name, bad in [("threads", 0), ("threads", -1), ("replications", -1), ("seed", 2**64)]:
        with pytest.raises(ValueError, match=f"{name}: from"):
            study.run(**{name: bad})
    with pytest.raises(TypeError, match="threads: a whole number"):
        study.run(threads=1.5)
    with pytest.raises(ValueError, match="out: an empty path"):
        study.run(out="")
    with pytest.raises(ValueError, match="write: an empty path"):
        study.run().write("")
    with pytest.raises(ValueError, match="the sweep varies it"):
        echelon.load(ROOT / "scenarios" / "disruption-sweep.ron", set={"events[outage].days": 7})


def test_run_into_out_keeps_the_cli_files(tmp_path):
    results = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=2, out=tmp_path / "out")
    assert results.out == os.fspath(tmp_path / "out")
    assert (tmp_path / "out" / "summary.json").read_text() == results.summary_json
    # The directory now holds results: a second fresh run is refused unless forced.
    with pytest.raises(ValueError, match="already holds"):
        echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=2, out=tmp_path / "out")
    again = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=2, out=tmp_path / "out", force=True)
    assert again.summary_json == results.summary_json


def test_runs_are_arrow_tables_wide_and_long(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    study = echelon.load(ROOT / "scenarios" / "disruption-sweep.ron", set={"experiment.replications": 2})
    results = study.run(out=tmp_path)
    wide = pa.table(results.runs)
    assert wide.num_rows == study.run_count == len(results)
    assert wide.column_names[0] == "point" and "strategy" in wide.column_names and "fill_rate" in wide.column_names
    # The long form is runs.parquet's table, value for value.
    long = pa.table(results.runs_long)
    assert long.equals(pq.read_table(tmp_path / "runs.parquet"))
    # Wide metric columns equal runs.csv's.
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(results.runs_csv.decode())))
    fill = wide.column("fill_rate").to_pylist()
    assert [float(r["fill_rate"]) for r in rows] == fill


def test_to_polars_and_to_pandas_in_both_forms():
    results = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=2)
    pl = pytest.importorskip("polars")
    wide = results.to_polars()
    assert isinstance(wide, pl.DataFrame) and wide.height == len(results)
    long = results.to_polars(form="long")
    assert set(long.columns) == {"point", "strategy", "replication", "scope", "scope_id", "metric", "value"}
    pytest.importorskip("pandas")
    frame = results.to_pandas(form="long")
    assert len(frame) == long.height
    assert results.to_pandas().shape[0] == len(results)
    with pytest.raises(ValueError, match="wide' or 'long"):
        results.to_polars(form="tall")


def test_a_missing_optional_library_is_named_with_the_install_command(monkeypatch):
    import builtins

    results = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=1)
    real = builtins.__import__

    def no_polars(name, *args, **kwargs):
        if name == "polars":
            raise ImportError("No module named 'polars'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_polars)
    import importlib

    monkeypatch.setattr(importlib, "import_module", lambda name: no_polars(name))
    with pytest.raises(ImportError, match="pip install polars"):
        results.to_polars()


def test_scenario_error_carries_the_cli_location(tmp_path):
    bad = tmp_path / "bad.ron"
    text = (ROOT / "scenarios" / "quickstart.ron").read_text().replace("replications: 20", "replications: 0")
    bad.write_text(text)
    cli = run_cli("validate", bad, check=False)
    assert cli.returncode == 2
    with pytest.raises(echelon.ScenarioError) as caught:
        echelon.load(bad)
    e = caught.value
    assert e.file == os.fspath(bad)
    assert e.path == e.field == "experiment.replications"
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "replications: 0" in t)
    assert e.line == line and e.column >= 1
    assert e.message and str(e) in cli.stderr


def test_set_overrides_as_the_cli_does():
    study = echelon.load(ROOT / "scenarios" / "quickstart.ron", set={"experiment.replications": 3, "experiment.seed": "5"})
    assert study.run_count == 4 * 3
    a = study.run()
    b = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=3, seed=5)
    assert a.summary_json == b.summary_json


def test_set_with_a_wrong_path_or_type_is_a_scenario_error():
    path = ROOT / "scenarios" / "quickstart.ron"
    with pytest.raises(echelon.ScenarioError) as caught:
        echelon.load(path, set={"experiment.replicashuns": 3})
    assert caught.value.path == "experiment.replicashuns" and caught.value.file == os.fspath(path)
    with pytest.raises(echelon.ScenarioError) as caught:
        echelon.load(path, set={"experiment.replications": "many"})
    assert caught.value.path == "experiment.replications"
    with pytest.raises(TypeError, match="experiment.seed"):
        echelon.load(path, set={"experiment.seed": object()})
    with pytest.raises(TypeError, match="parameter path"):
        echelon.load(path, set={3: 4})
    with pytest.raises(echelon.ScenarioError) as caught:
        echelon.load(path, set={"strategies[9].name": "x"})
    assert caught.value.path == "strategies[9].name" and "names no parameter" in caught.value.message


def test_set_that_is_not_a_dict_and_a_path_that_is_not_a_path_are_type_errors():
    path = ROOT / "scenarios" / "quickstart.ron"
    with pytest.raises(TypeError, match=r"set: a dict of parameter path → value.*got str"):
        echelon.load(path, set="experiment.replications=3")
    with pytest.raises(TypeError, match=r"set: .*got list"):
        echelon.load(path, set=[("experiment.replications", 3)])
    with pytest.raises(TypeError, match="path: a scenario file .*got int"):
        echelon.load(3)
    with pytest.raises(echelon.ScenarioError, match="no such file") as caught:
        echelon.load(ROOT / "scenarios" / "no-such.ron")
    assert caught.value.file.endswith("no-such.ron")


def test_bad_run_arguments_raise_value_error():
    study = echelon.load(ROOT / "scenarios" / "quickstart.ron")
    with pytest.raises(ValueError, match="threads"):
        study.run(threads=0)
    with pytest.raises(ValueError, match="replications"):
        study.run(replications=0)


def test_threads_do_not_change_results():
    study = echelon.load(ROOT / "scenarios" / "ci.ron")
    one = study.run(replications=3, threads=1)
    two = study.run(replications=3, threads=2)
    assert one.summary_json == two.summary_json and one.runs_csv == two.runs_csv


def test_progress_callback_sees_every_run():
    calls = []
    results = echelon.load(ROOT / "scenarios" / "quickstart.ron").run(replications=2, progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (len(results), len(results))
