"""echelon.gym: the Gymnasium environment and the native vector environment.

Needs the extension built (`maturin develop` in python/) and gymnasium.
"""

import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")
echelon = pytest.importorskip("echelon")
pytest.importorskip("echelon.gym")
from echelon.gym import InventoryEnv, VectorInventoryEnv  # noqa: E402

TWO_WAREHOUSES = """Scenario(
    name: "gym-two",
    experiment: (horizon_days: {horizon}, warmup_days: {warmup}, replications: 3, seed: 42),
    skus: [
        (id: "drill", unit_cost: 60.0, price: 99.0, holding_rate: 0.25, ordering_cost: 15.0, backorder_penalty_per_day: 2.0),
        (id: "bits",  unit_cost: 4.0,  price: 9.0,  holding_rate: 0.25, ordering_cost: 15.0, backorder_penalty_per_day: 0.2),
    ],
    suppliers: [(id: "acme")],
    locations: [(id: "north"), (id: "south")],
    lanes: [
        (from: "acme", to: "north", lead_time: Gamma(mean_days: 4.0, sd_days: 1.0), cost_per_unit: 0.30),
        (from: "acme", to: "south", lead_time: Uniform(min_days: 3, max_days: 6), cost_per_unit: 0.35),
    ],
    demand: [
        (location: "north", sku: "drill", model: Poisson(mean: 3.0)),
        (location: "north", sku: "bits",  model: Poisson(mean: 20.0)),
        (location: "south", sku: "drill", model: Poisson(mean: 1.5)),
        (location: "south", sku: "bits",  model: Poisson(mean: 12.0)),
    ],
    strategies: [
        (name: "base-stock", replenishment: BaseStock(order_up_to: Units(60))),
        (name: "min-max",    replenishment: MinMax(reorder_point: Units(20), order_up_to: Units(90))),
    ],
)
"""

STORE = """Scenario(
    name: "gym-store",
    experiment: (horizon_days: 12, warmup_days: 0, replications: 1, seed: 1),
    skus: [(id: "item", unit_cost: 1.0, price: 2.0, ordering_cost: 1.0, backorder_penalty_per_day: 0.5)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 2.0), cost_per_unit: 0.1)],
    demand: [(location: "store", sku: "item", model: Constant(quantity: 5.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(20)))],
)
"""


@pytest.fixture
def two(tmp_path):
    def make(horizon=120, warmup=10):
        path = tmp_path / f"two-{horizon}-{warmup}.ron"
        path.write_text(TWO_WAREHOUSES.format(horizon=horizon, warmup=warmup))
        return path

    return make


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store.ron"
    path.write_text(STORE)
    return path


def episode(env, actions, seed=None, options=None):
    obs, info = env.reset(seed=seed, options=options)
    trail = [obs]
    rewards = []
    for a in actions:
        obs, reward, terminated, truncated, info = env.step(a)
        assert not terminated
        trail.append(obs)
        rewards.append(reward)
        if truncated:
            break
    return trail, rewards


def same_obs(a, b):
    return all(np.array_equal(a[k], b[k]) for k in a)


def test_check_env_passes(two):
    from gymnasium.utils.env_checker import check_env

    env = InventoryEnv(two(), control=["north"], action="order_up_to")
    check_env(env, skip_render_check=True)
    env = InventoryEnv(two(), control=["south", "north"], action="order_quantity", strategy="min-max")
    check_env(env, skip_render_check=True)


def test_spaces_and_labels(two):
    env = InventoryEnv(two(), control=["south", "north"], demand_window=5)
    assert env.labels == ["south/drill", "south/bits", "north/drill", "north/bits"]
    assert env.action_space.shape == (4,)
    # Default bound: 60 days of mean demand, at least 10.
    assert env.action_space.high.tolist() == [90.0, 720.0, 180.0, 1200.0]
    obs, info = env.reset(seed=3)
    assert set(obs) == {"on_hand", "backorders", "pipeline", "position", "demand", "day_of_week"}
    assert obs["demand"].shape == (4, 5)
    assert obs in env.observation_space
    assert info == {"seed": 3, "replication": 0}
    # After the 10 warm-up days: day 10 is next, (10 % 7).
    assert obs["day_of_week"] == 3


def test_reset_with_a_seed_is_deterministic_and_replications_differ(two):
    env = InventoryEnv(two(), control=["north", "south"])
    rng = np.random.default_rng(0)
    actions = [rng.uniform(0, 80, 4) for _ in range(40)]
    first = episode(env, actions, seed=7)
    again = episode(env, actions, seed=7)
    assert all(same_obs(a, b) for a, b in zip(first[0], again[0]))
    assert first[1] == again[1]
    other = episode(env, actions, seed=7, options={"replication": 1})
    assert first[1] != other[1]
    # A reset without a seed starts the next replication of the same seed.
    env.reset(seed=7)
    _, info = env.reset()
    assert info == {"seed": 7, "replication": 1}
    nxt = episode(env, actions, seed=7, options={"replication": 2})
    _, info = env.reset()
    assert info["replication"] == 3
    assert nxt[1] != other[1]


def test_base_stock_levels_as_actions_reproduce_the_study_run(two):
    """Levels 60 at both warehouses are the scenario's base stock: the
    episode's rewards add up to minus the run's total cost × measured days,
    for the seed and replication given (the CLI's common random numbers)."""
    pa = pytest.importorskip("pyarrow")
    path = two()
    study = echelon.load(path)
    results = study.run(replications=2, seed=99, threads=1)
    runs = pa.table(results.runs).to_pylist()
    row = next(r for r in runs if r["strategy"] == "base-stock" and r["replication"] == 1)
    env = InventoryEnv(study, control=["north", "south"], strategy="base-stock")
    _, rewards = episode(env, [np.full(4, 60.0)] * 200, seed=99, options={"replication": 1})
    assert len(rewards) == 110
    assert -sum(rewards) == pytest.approx(row["total_cost"] * 110, rel=1e-9)
    other = next(r for r in runs if r["strategy"] == "base-stock" and r["replication"] == 0)
    assert -sum(rewards) != pytest.approx(other["total_cost"] * 110, rel=1e-6)


def test_an_order_arrives_after_the_lead_time_and_the_window_shifts(store):
    """By hand: constant demand 5, 20 on hand, 2-day lead time. 7 units
    ordered at day 0's end (quantity 6.6 rounds to 7) arrive at the start of
    day 3: on-hand 15, 10, 5, 7. Reward of day 0: ordering 1 + transport
    0.7 + holding of 15 units."""
    env = InventoryEnv(store, control="store", action="order_quantity", demand_window=3)
    obs, _ = env.reset(seed=1)
    assert (obs["on_hand"][0], obs["pipeline"][0], obs["demand"].tolist()) == (20, 0, [[0, 0, 0]])
    obs, reward, _, _, info = env.step(np.array([6.6]))
    assert (obs["on_hand"][0], obs["pipeline"][0], obs["position"][0]) == (15, 7, 22)
    assert obs["demand"].tolist() == [[5, 0, 0]]
    assert (info["orders"], info["ordered_units"], info["ordering_cost"]) == (1, 7, 1.0)
    assert reward == -info["total_cost"]
    assert info["total_cost"] == pytest.approx(1.0 + 0.7 + info["holding_cost"])
    on_hand = [env.step(np.zeros(1))[0]["on_hand"][0] for _ in range(3)]
    assert on_hand == [10, 5, 7]


def test_the_last_step_truncates(store):
    env = InventoryEnv(store, control=["store"], action="order_quantity")
    trail, rewards = episode(env, [np.array([5.0])] * 50, seed=1)
    assert len(rewards) == 12
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([5.0]))


@pytest.mark.parametrize(
    "action, message",
    [
        (np.zeros(3), r"expected shape \(2,\)"),
        (np.zeros((1, 2)), r"expected shape \(2,\)"),
        (np.array([1.0, np.nan]), r"north/bits.*finite number in \[0, 1200\]"),
        (np.array([-1.0, 0.0]), r"north/drill.*finite number"),
        (np.array([0.0, 1e9]), r"action\[1\] \(north/bits\) = 1000000000.0"),
    ],
)
def test_a_bad_action_is_refused(two, action, message):
    env = InventoryEnv(two(), control=["north"])
    env.reset(seed=1)
    with pytest.raises(ValueError, match=message):
        env.step(action)


def test_bad_arguments_are_refused(two, tmp_path):
    path = two()
    with pytest.raises(ValueError, match=r'unknown location "west".*north, south'):
        InventoryEnv(path, control=["west"])
    with pytest.raises(ValueError, match="listed twice"):
        InventoryEnv(path, control=["north", "north"])
    with pytest.raises(ValueError, match="control"):
        InventoryEnv(path, control=[])
    with pytest.raises(ValueError, match="control"):
        InventoryEnv(path)
    with pytest.raises(ValueError, match="order_up_to"):
        InventoryEnv(path, control=["north"], action="order_up")
    with pytest.raises(ValueError, match=r"unknown strategy 'nope'.*base-stock, min-max"):
        InventoryEnv(path, control=["north"], strategy="nope")
    with pytest.raises(ValueError, match="action_high"):
        InventoryEnv(path, control=["north"], action_high=[1.0, -2.0])
    with pytest.raises(echelon.ScenarioError):
        InventoryEnv(tmp_path / "missing.ron", control=["north"])
    env = InventoryEnv(path, control=["north"])
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(2))
    with pytest.raises(ValueError, match="seed"):
        env.reset(seed=-1)


def test_sizes_beyond_their_limits_are_value_errors_not_crashes(two):
    path = two()
    # A window or an env count the machine cannot hold once aborted the
    # interpreter; an action bound beyond the engine's units overflowed it.
    with pytest.raises(ValueError, match="demand_window: a number of days from 1 to 3660"):
        InventoryEnv(path, control=["north"], demand_window=10**12)
    with pytest.raises(ValueError, match="num_envs: 1 to 65536"):
        VectorInventoryEnv(path, 10**12, control=["north"])
    with pytest.raises(ValueError, match=r"action_high: one number, or one per controlled SKU-location \(2\)"):
        InventoryEnv(path, control=["north"], action_high=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="action_high: above 0 and at most 1e"):
        InventoryEnv(path, control=["north"], action="order_quantity", action_high=1e30)


def test_a_seedless_reset_past_replication_2_32_is_refused_and_the_env_stays_usable(two):
    env = InventoryEnv(two(), control=["north"])
    env.reset(seed=3, options={"replication": 2**32 - 1})
    with pytest.raises(ValueError, match="ran past 2\\^32"):
        env.reset()
    _, info = env.reset(seed=3)
    assert info["replication"] == 0


def test_the_vector_env_equals_single_envs_of_the_same_replications(two):
    path = two()
    n = 4
    venv = VectorInventoryEnv(path, n, control=["north", "south"])
    rng = np.random.default_rng(5)
    # Within every bound: south/drill (mean 1.5) has high = max(10, ceil(60 × 1.5)) = 90.
    actions = [rng.uniform(0, 90, (n, 4)) for _ in range(30)]
    obs, info = venv.reset(seed=11, options={"replication": 2})
    assert info["replication"].tolist() == [2, 3, 4, 5]
    trail, rewards = [obs], []
    for a in actions:
        obs, reward, terminated, truncated, info = venv.step(a)
        assert not terminated.any() and not truncated.any()
        trail.append(obs)
        rewards.append(reward)
    single = InventoryEnv(path, control=["north", "south"])
    for i in range(n):
        s_trail, s_rewards = episode(single, [a[i] for a in actions], seed=11, options={"replication": 2 + i})
        for t, (v, s) in enumerate(zip(trail, s_trail)):
            for k in s:
                assert np.array_equal(v[k][i], s[k]), (i, t, k)
        assert [r[i] for r in rewards] == s_rewards
    assert venv.observation_space.contains(trail[-1])


def test_the_vector_env_autoresets_on_the_next_step(two):
    n = 3
    venv = VectorInventoryEnv(two(horizon=15, warmup=5), n, control=["north"])
    obs, info = venv.reset(seed=1)
    first_day = obs["day_of_week"].copy()
    for t in range(10):
        obs, reward, terminated, truncated, info = venv.step(np.full((n, 2), 40.0))
    assert truncated.all()
    assert info["day"].tolist() == [14.0] * n
    # NEXT_STEP: the action is ignored (even out of bounds), the envs
    # start their next replications, reward 0.
    obs, reward, terminated, truncated, info = venv.step(np.full((n, 2), -1.0))
    assert info["replication"].tolist() == [3, 4, 5]
    assert reward.tolist() == [0.0] * n and not truncated.any()
    assert np.array_equal(obs["day_of_week"], first_day)
    venv.step(np.full((n, 2), 40.0))


def test_the_vector_env_refuses_bad_actions(two):
    venv = VectorInventoryEnv(two(), 2, control=["north"])
    venv.reset(seed=0)
    with pytest.raises(ValueError, match=r"expected shape \(2, 2\)"):
        venv.step(np.zeros(2))
    bad = np.zeros((2, 2))
    bad[1, 0] = np.inf
    with pytest.raises(ValueError, match=r"environment 1, north/drill"):
        venv.step(bad)


def test_actions_round_half_away_from_zero(store):
    env = InventoryEnv(store, control="store", action="order_quantity")
    env.reset(seed=1)
    ordered = [env.step(np.array([a]))[4]["ordered_units"] for a in (2.5, 0.49999999999999994, 1.5, 3.4999)]
    assert ordered == [3, 0, 2, 3]


def test_vector_observations_are_new_arrays_each_step_unless_copy_false(two):
    path = two()
    venv = VectorInventoryEnv(path, 2, control=["north"])
    obs, _ = venv.reset(seed=3)
    kept = {k: v.copy() for k, v in obs.items()}
    nxt, reward, _, truncated, info = venv.step(np.full((2, 2), 50.0))
    # The arrays returned before are not written by the next step.
    assert all(np.array_equal(obs[k], kept[k]) for k in obs)
    assert all(nxt[k] is not obs[k] for k in obs)
    # A caller writing into what it got changes nothing the env sees.
    for v in nxt.values():
        v[...] = -7
    reward[...] = 0
    truncated[...] = True
    info["total_cost"][...] = 0
    shared = VectorInventoryEnv(path, 2, control=["north"], copy=False)
    fresh = VectorInventoryEnv(path, 2, control=["north"])
    a, _ = shared.reset(seed=3)
    fresh.reset(seed=3)
    fresh.step(np.full((2, 2), 50.0))
    b, *_ = shared.step(np.full((2, 2), 50.0))
    assert all(a[k] is b[k] for k in a if k != "day_of_week")
    for v in b.values():
        v[...] = -7  # the env keeps its own state: the next step is unaffected
    for _ in range(3):
        x, rx, _, _, _ = fresh.step(np.full((2, 2), 30.0))
        y, ry, _, _, _ = shared.step(np.full((2, 2), 30.0))
        assert all(np.array_equal(x[k], y[k]) for k in x) and np.array_equal(rx, ry)


def test_a_refused_action_on_an_autoreset_step_does_not_skip_a_replication(two):
    n = 2
    venv = VectorInventoryEnv(two(horizon=13, warmup=10), n, control=["north"])
    venv.reset(seed=1)
    for _ in range(3):
        *_, truncated, _ = venv.step(np.full((n, 2), 40.0))
    assert truncated.all()
    with pytest.raises(ValueError, match="expected shape"):
        venv.step(np.zeros(3))
    _, _, _, _, info = venv.step(np.full((n, 2), 40.0))
    assert info["replication"].tolist() == [2, 3]
