"""Policies written in Python: ports of BaseStock and MinMax give
byte-identical runs.csv to the built-in ones (threads 1 and 2); failures
name the policy, the location and the day, and keep finished runs."""

import os
import signal
import time

import numpy as np
import pytest

from conftest import ROOT
from ports import PyBaseStock, PyMinMax

echelon = pytest.importorskip("echelon")


def scenario(tmp_path, replenishment, name="s.ron", replications=3, extra=""):
    text = f"""Scenario(
    name: "ports",
    experiment: (horizon_days: 200, warmup_days: 20, replications: {replications}, seed: 11),
    skus: [
        (id: "a", unit_cost: 10.0, price: 20.0, holding_rate: 0.25, ordering_cost: 5.0, backorder_penalty_per_day: 1.0),
        (id: "b", unit_cost: 2.0, price: 5.0, holding_rate: 0.25, ordering_cost: 5.0, backorder_penalty_per_day: 0.2),
    ],
    suppliers: [(id: "sup")],
    locations: [(id: "north"), (id: "south")],
    lanes: [
        (from: "sup", to: "north", lead_time: Gamma(mean_days: 3.0, sd_days: 1.0)),
        (from: "sup", to: "south", lead_time: Uniform(min_days: 2, max_days: 5)),
    ],
    demand: [
        (location: "north", sku: "a", model: Poisson(mean: 3.0)),
        (location: "north", sku: "b", model: NegativeBinomial(mean: 12.0, sd: 6.0)),
        (location: "south", sku: "a", model: Poisson(mean: 1.5)),
        (location: "south", sku: "b", model: Normal(mean: 8.0, sd: 3.0)),
    ],
    strategies: [(name: "policy", replenishment: {replenishment})],
    {extra}
)
"""
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("threads", [1, 2])
def test_python_base_stock_port_gives_byte_identical_runs_csv(tmp_path, echelon_module, threads):
    echelon_module.register_replenishment("py-base-stock", PyBaseStock, help="BaseStock in Python")
    builtin = echelon_module.load(scenario(tmp_path, "BaseStock(order_up_to: Units(15))", "a.ron")).run(threads=threads)
    ported = echelon_module.load(
        scenario(tmp_path, 'Custom(name: "py-base-stock", params: {"order_up_to": 15})', "b.ron")
    ).run(threads=threads)
    assert ported.runs_csv == builtin.runs_csv
    assert ported.summary_json == builtin.summary_json


@pytest.mark.parametrize("threads", [1, 2])
def test_python_min_max_port_gives_byte_identical_runs_csv(tmp_path, echelon_module, threads):
    echelon_module.register_replenishment("py-min-max", PyMinMax)
    builtin = echelon_module.load(
        scenario(tmp_path, "MinMax(reorder_point: DaysOfCover(6.0), order_up_to: DaysOfCover(12.0))", "a.ron")
    ).run(threads=threads)
    ported = echelon_module.load(
        scenario(
            tmp_path,
            'Custom(name: "py-min-max", params: {"reorder_point_days": 6.0, "order_up_to_days": 12.0})',
            "b.ron",
        )
    ).run(threads=threads)
    assert ported.runs_csv == builtin.runs_csv


def test_one_instance_per_run_and_location_and_one_call_per_location_per_review(tmp_path, echelon_module):
    calls = []

    made = []

    class Counting(PyBaseStock):
        review_period_days = 7
        review_offset_days = 3

        def __init__(self, params, location):
            super().__init__(params, location)
            made.append(1)
            self.serial = len(made)  # id() may be reused once an instance is freed

        def decide(self, view):
            calls.append((self.serial, view.location, view.day, view.on_hand.shape))
            return super().decide(view)

    echelon_module.register_replenishment("counting", Counting)
    study = echelon_module.load(scenario(tmp_path, 'Custom(name: "counting", params: {"order_up_to": 9})', replications=2))
    study.run(threads=1)
    reviews = [d for d in range(200) if d % 7 == 3]
    # Two runs × two locations: four instances, each deciding at every review day once.
    deciders = {}
    for who, location, day, shape in calls:
        deciders.setdefault(who, []).append((location, day))
        assert shape == (2,)
    assert len(deciders) == 4
    assert sorted(days[0][0] for days in deciders.values()) == ["north", "north", "south", "south"]
    for days in deciders.values():
        assert [d for _, d in days] == reviews and len({loc for loc, _ in days}) == 1


def test_unknown_custom_name_is_a_scenario_error_listing_the_registered(tmp_path, echelon_module):
    echelon_module.register_replenishment("py-base-stock", PyBaseStock)
    path = scenario(tmp_path, 'Custom(name: "nope", params: {})')
    with pytest.raises(echelon_module.ScenarioError) as caught:
        echelon_module.load(path)
    assert "nope" in caught.value.message and "py-base-stock" in caught.value.message
    assert caught.value.line is not None


def test_a_name_with_a_trailing_newline_is_refused_and_later_loads_still_work(echelon_module):
    # `$` matched before a final newline: "foo\n" was accepted, and the
    # native registry then failed every later load.
    with pytest.raises(ValueError, match="letters, digits"):
        echelon_module.register_replenishment("foo\n", PyBaseStock)
    assert "foo\n" not in echelon_module.registered()["replenishment"]
    echelon_module.load(ROOT / "scenarios" / "quickstart.ron")


def test_an_order_beyond_the_engines_largest_level_fails_the_run_naming_it(tmp_path, echelon_module):
    # 2**62 units once overflowed the engine's unit sums.
    class Huge(PyBaseStock):
        def decide(self, view):
            return np.full(len(view.on_hand), 2**62, dtype=np.int64)

    echelon_module.register_replenishment("huge", Huge)
    source = (ROOT / "scenarios" / "quickstart.ron").read_text()
    path = tmp_path / "huge.ron"
    path.write_text(source.replace("BaseStock(order_up_to: DaysOfCover(7.0))", 'Custom(name: "huge", params: {"order_up_to": 9})'))
    with pytest.raises(echelon_module.RunError, match="at most 1000000000000 units"):
        echelon_module.load(path).run(replications=1, threads=1)


def test_a_class_without_decide_is_refused_at_registration(echelon_module):
    class NoDecide:
        def __init__(self, params, location):
            pass

    with pytest.raises(TypeError, match=r"register_replenishment\('no-decide', 'NoDecide'\): the class has no decide\(view\)"):
        echelon_module.register_replenishment("no-decide", NoDecide)

    class DecideNotCallable(NoDecide):
        decide = 3

    with pytest.raises(TypeError, match="no decide"):
        echelon_module.register_replenishment("no-decide", DecideNotCallable)
    with pytest.raises(TypeError, match="expected a class"):
        echelon_module.register_replenishment("no-decide", object())
    with pytest.raises(TypeError, match="allocate"):
        echelon_module.register_allocation("no-allocate", NoDecide)
    with pytest.raises(ValueError, match="name"):
        echelon_module.register_replenishment("bad name!", PyBaseStock)


def test_a_constructor_that_rejects_its_params_is_a_scenario_error(tmp_path, echelon_module):
    echelon_module.register_replenishment("py-base-stock", PyBaseStock)
    path = scenario(tmp_path, 'Custom(name: "py-base-stock", params: {"wrong": 1})')
    with pytest.raises(echelon_module.ScenarioError) as caught:
        echelon_module.load(path)
    assert "py-base-stock" in caught.value.message and "north" in caught.value.message
    assert "KeyError" in caught.value.message and "order_up_to" in caught.value.message
    assert caught.value.path.endswith("params")
    # The traceback reads as lines in str(e) too (it was folded into one
    # with literal \u{a}).
    text = str(caught.value)
    assert "\\u{a}" not in text and "\nKeyError" in text, text


def bad_policy(returned):
    class Bad(PyBaseStock):
        def decide(self, view):
            if view.day == 5:
                return returned(view)
            return super().decide(view)

    return Bad


@pytest.mark.parametrize(
    "returned, expected",
    [
        (lambda v: np.zeros(3, dtype=np.int64), r"shape \(3,\); expected \(2,\)"),
        (lambda v: np.zeros((2, 1), dtype=np.int64), r"shape \(2, 1\)"),
        (lambda v: np.zeros(2), "dtype float64"),
        (lambda v: np.array([np.nan, 1.0]), 'NaN for SKU "a"'),
        (lambda v: np.array([0, -4]), '-4 for SKU "b"'),
        (lambda v: [1, 2], "list, not a NumPy array"),
        (lambda v: None, "NoneType, not a NumPy array"),
        (lambda v: np.ones(2, dtype=bool), "dtype bool"),
        (lambda v: np.array(["1", "2"]), "dtype <U1"),
    ],
)
def test_a_bad_return_fails_the_run_naming_policy_location_and_day(tmp_path, echelon_module, returned, expected):
    echelon_module.register_replenishment("bad", bad_policy(returned))
    study = echelon_module.load(scenario(tmp_path, 'Custom(name: "bad", params: {"order_up_to": 9})'))
    with pytest.raises(echelon_module.RunError, match=expected) as caught:
        study.run(threads=1)
    assert 'Python policy "bad" at location "north", day 5' in caught.value.message
    # A deliberate failure, not a bug: no Rust source location.
    assert "(at src/" not in caught.value.message, caught.value.message


def test_other_integer_dtypes_are_accepted(tmp_path, echelon_module):
    class Int32(PyBaseStock):
        def decide(self, view):
            return super().decide(view).astype(np.int32)

    echelon_module.register_replenishment("py-base-stock", PyBaseStock)
    echelon_module.register_replenishment("int32", Int32)
    a = echelon_module.load(scenario(tmp_path, 'Custom(name: "py-base-stock", params: {"order_up_to": 15})', "a.ron"))
    b = echelon_module.load(scenario(tmp_path, 'Custom(name: "int32", params: {"order_up_to": 15})', "b.ron"))
    assert a.run().runs_csv == b.run().runs_csv


def test_an_exception_fails_the_run_with_traceback_and_keeps_finished_runs(tmp_path, echelon_module):
    seen = []

    class Explodes(PyBaseStock):
        def decide(self, view):
            if view.day == 40 and view.location == "north":
                seen.append(1)
                if len(seen) == 3:  # the third run (one thread: runs go in order)
                    raise ZeroDivisionError("boom at day 40")
            return super().decide(view)

    echelon_module.register_replenishment("explodes", Explodes)
    study = echelon_module.load(scenario(tmp_path, 'Custom(name: "explodes", params: {"order_up_to": 9})', replications=4))
    out = tmp_path / "out"
    with pytest.raises(echelon_module.RunError) as caught:
        study.run(threads=1, out=out)
    message = caught.value.message
    assert 'Python policy "explodes" at location "north", day 40' in message
    assert "Traceback (most recent call last)" in message and "ZeroDivisionError: boom at day 40" in message
    assert "resume=True" in message and caught.value.out == os.fspath(out)
    runs = (out / "runs.jsonl").read_text().splitlines()[1:]  # after the header
    assert len(runs) == 2
    # After the fix, the study resumes from the two finished runs.
    seen.extend([1] * 10)
    resumed = study.run(threads=1, out=out, resume=True)
    echelon_module.register_replenishment("explodes", PyBaseStock)
    fresh = echelon_module.load(scenario(tmp_path, 'Custom(name: "explodes", params: {"order_up_to": 9})', replications=4))
    assert resumed.runs_csv == fresh.run(threads=2).runs_csv


class SlowBaseStock(PyBaseStock):
    def decide(self, view):
        time.sleep(0.0002)
        return super().decide(view)


def test_ctrl_c_stops_the_run_keeps_finished_runs_and_resume_finishes(tmp_path, echelon_module):
    # The resumed batch lacks replication 0's trace, so the plan simulates
    # it on its own thread, which then keeps a Python thread state: this
    # once deadlocked (the thread's exit waited for the GIL the caller held
    # while joining it). Forty runs of ~0.1 s: the interrupt, sent after the
    # first, lands long before the last even on a loaded machine (with 12,
    # a loaded CI machine once finished them all before the poll saw it).
    echelon_module.register_replenishment("slow", SlowBaseStock)
    study = echelon_module.load(scenario(tmp_path, 'Custom(name: "slow", params: {"order_up_to": 9})', replications=40))
    out = tmp_path / "out"
    sent = []

    def interrupt_after_a_run(done, total):
        if done >= 1 and not sent:
            sent.append(done)
            os.kill(os.getpid(), signal.SIGINT)

    # Python leaves SIGINT ignored when it starts ignoring it (a background
    # job of a non-interactive shell, as CI runners start it): Ctrl-C as a
    # terminal delivers it is what is tested, so the default handler is in
    # place for this test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt, match="resume"):
            study.run(threads=1, out=out, progress=interrupt_after_a_run)
    finally:
        signal.signal(signal.SIGINT, previous)
    logged = (out / "runs.jsonl").read_text().splitlines()[1:]  # after the header
    assert 1 <= len(logged) < study.run_count
    resumed = study.run(threads=1, out=out, resume=True)
    fresh = study.run(threads=2)
    assert resumed.runs_csv == fresh.runs_csv


class PyFcfs:
    """Fcfs in Python: the oldest claim is served whole first."""

    def __init__(self, params):
        pass

    def allocate(self, view):
        grants = np.zeros(len(view.units), dtype=np.int64)
        left = view.available
        for i in np.argsort(view.since, kind="stable"):
            grants[i] = min(left, view.units[i])
            left -= grants[i]
        return grants


CLASSES = """Scenario(
    name: "classes",
    experiment: (horizon_days: 200, warmup_days: 20, replications: 3, seed: 5),
    skus: [(id: "item", unit_cost: 1.0)],
    classes: [
        (name: "ecommerce", tier: 2, shortage: LostSales, margin: 2.0),
        (name: "contract", tier: 1, margin: 6.0, sla_days: 2.0, late_penalty_per_day: 1.0),
    ],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 3.0))],
    demand: [
        (location: "store", sku: "item", class: "ecommerce", model: Poisson(mean: 6.0)),
        (location: "store", sku: "item", class: "contract", model: Poisson(mean: 6.0)),
    ],
    strategies: [(name: "fcfs", replenishment: MinMax(reorder_point: Units(30), order_up_to: Units(60)), allocation: ALLOCATION)],
)"""


def test_python_allocation_port_of_fcfs_gives_byte_identical_runs_csv(tmp_path, echelon_module):
    echelon_module.register_allocation("py-fcfs", PyFcfs)
    (tmp_path / "a.ron").write_text(CLASSES.replace("ALLOCATION", "Fcfs"))
    (tmp_path / "b.ron").write_text(CLASSES.replace("ALLOCATION", 'Custom(name: "py-fcfs")'))
    a = echelon_module.load(tmp_path / "a.ron").run(threads=2)
    b = echelon_module.load(tmp_path / "b.ron").run(threads=2)
    assert a.runs_csv == b.runs_csv
