"""Gymnasium environments on Echelon's engine: one step is one simulated day.

``InventoryEnv(scenario, control=[...], action="order_up_to", ...)`` is a
:class:`gymnasium.Env`; ``VectorInventoryEnv(scenario, num_envs, ...)`` a
:class:`gymnasium.vector.VectorEnv` that steps its episodes in Rust, in
parallel, filling NumPy buffers (no Python loop over environments). Both
need ``gymnasium`` (``pip install gymnasium``).

Contract
--------

* **Episode.** A run of the scenario (one strategy of it, ``strategy=``,
  by name or index; the first by default) in which the locations named in
  ``control`` order as the actions say, and every other location keeps the
  strategy. ``reset`` runs the scenario's warm-up days with the strategy
  deciding everywhere (nothing is measured then); each step then simulates
  one measured day, until the horizon: the last step returns
  ``truncated=True`` (a time limit; ``terminated`` is always False).
* **Action.** A ``Box(0, high, (K,), float32)`` over the K controlled
  SKU-locations (control order, then the location's SKU order;
  ``env.labels`` names them), rounded to the nearest unit. It is the
  controlled locations' decision at the end-of-day review of the day the
  step simulates, after that day's demand:

  - ``action="order_up_to"``: a level S; the order is max(0, S − IP), IP the
    inventory position at that review (on-hand − backorders − owed + on
    order);
  - ``action="order_quantity"``: the units to order.

  Orders then follow the SKU's order rules (minimum order, case pack,
  maximum), as any policy's do, and pass the scenario's governance; a SKU
  without rules is ordered as given. Rounding is half away from zero
  (2.5 → 3). ``high`` defaults per SKU-location to
  ``max(10, ceil(60 × mean daily demand))`` (``action_high=`` overrides: a
  number or one per SKU-location). An action of the wrong shape, with NaN
  or infinity, or outside ``[0, high]`` raises ``ValueError`` naming the
  SKU-location — nothing is clipped silently.
* **Observation** (after the day's end, the controlled SKU-locations'
  current figures), a dict of int64 arrays: ``on_hand`` (K,),
  ``backorders`` (K,: customer backorders plus units owed to the locations
  fed), ``pipeline`` (K,: ordered, not yet received), ``position`` (K,:
  on-hand − backorders + pipeline), ``demand`` (K, W: units demanded on
  each of the last W days, column 0 the day just run; W =
  ``demand_window``, default 7; days before day 0 count 0), and
  ``day_of_week`` (the next day to simulate modulo 7).
* **Reward** = − the network's total cost of the day (holding + ordering +
  transport + shortage + expedite + transfer + lost in transit, as the
  metric ``total_cost`` counts them). ``info`` holds the day's figures:
  ``day``, ``demand``, ``served_from_stock``, ``lost``, ``on_hand_end``,
  ``backorders_end``, ``orders``, ``ordered_units``, each cost, and
  ``total_cost``; and ``seed``, ``replication``.
* **Seeds.** Episode (seed s, replication r) draws the same demand, lead
  times and disruptions (common random numbers) as replication r of
  ``echelon run --seed s``: ``reset(seed=s)`` starts replication
  ``options.get("replication", 0)`` of seed s; a reset without a seed
  starts the next replication of the same seed (the scenario's seed at
  first). The same seed, replication and actions give the same episode,
  whatever the number of threads.
* **Vector environment.** Environment i of ``VectorInventoryEnv`` starts
  at replication ``r0 + i`` (``r0`` = ``options["replication"]``, default
  0) of the seed, and each later episode of it at ``+ num_envs``. Actions
  are ``(num_envs, K)``; observations, rewards and flags are batched;
  ``info`` maps each field to an array of ``num_envs`` values. Autoreset
  is gymnasium's ``NEXT_STEP`` mode: the step after an environment's
  truncation resets it (its action is ignored, its reward is 0).
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

import numpy as np

try:
    import gymnasium as gym
    from gymnasium import spaces
    from gymnasium.vector import AutoresetMode, VectorEnv
    from gymnasium.vector.utils import batch_space
except ImportError as e:  # pragma: no cover - exercised only without gymnasium
    raise ImportError("echelon.gym needs gymnasium: pip install gymnasium") from e

from . import _echelon

__all__ = ["InventoryEnv", "VectorInventoryEnv"]

#: Bound of the observation boxes (units).
OBS_BOUND = 2**40
# The largest action: the engine's largest stock level (units), so orders
# never overflow its integer arithmetic.
MAX_UNITS = 1e12
# The most days of demand an observation holds (ten years).
MAX_DEMAND_WINDOW = 3660
# The most environments one VectorInventoryEnv steps.
MAX_ENVS = 65536


def _study(scenario, set):
    from . import Study, load

    if isinstance(scenario, Study):
        if set:
            raise ValueError("set= applies to a scenario path; a Study is already loaded with its overrides")
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return load(scenario, set=set)
    raise TypeError(f"scenario: a path or an echelon.Study, got {type(scenario).__name__}")


def _strategy_index(study, strategy) -> int:
    names = list(study.strategies)
    if strategy is None:
        return 0
    if isinstance(strategy, str):
        if strategy not in names:
            raise ValueError(f"strategy: unknown strategy {strategy!r}; the scenario's strategies are {', '.join(names)}")
        return names.index(strategy)
    if isinstance(strategy, (int, np.integer)) and not isinstance(strategy, bool) and 0 <= strategy < len(names):
        return int(strategy)
    raise ValueError(f"strategy: a name or an index below {len(names)}, got {strategy!r}")


class _Core:
    """What both environments share: the native core and the spaces."""

    def __init__(self, scenario, control, action, strategy, set, action_high, demand_window, num_envs):
        study = _study(scenario, set)
        if isinstance(control, str):
            control = [control]
        if control is None:
            raise ValueError("control: name the locations the agent controls, e.g. control=['wh-north']")
        control = list(control)
        for name in control:
            if not isinstance(name, str):
                raise TypeError(f"control: location names are str, got {name!r}")
        if (
            isinstance(demand_window, bool)
            or not isinstance(demand_window, (int, np.integer))
            or not 1 <= demand_window <= MAX_DEMAND_WINDOW
        ):
            raise ValueError(f"demand_window: a number of days from 1 to {MAX_DEMAND_WINDOW}, got {demand_window!r}")
        self.study = study
        self.strategy = study.strategies[_strategy_index(study, strategy)]
        self.native = _echelon.GymCore(
            study._native, _strategy_index(study, strategy), control, action, int(num_envs), int(demand_window)
        )
        self.control = control
        self.action = action
        self.width = self.native.width
        self.window = int(demand_window)
        self.labels = [f"{loc}/{sku}" for loc, sku in self.native.labels()]
        mean = np.asarray(self.native.mean_demand(), dtype=np.float64)
        if action_high is None:
            high = np.maximum(10.0, np.ceil(60.0 * mean))
        else:
            given = np.asarray(action_high, dtype=np.float64)
            if given.shape not in ((), (1,), (self.width,)):
                raise ValueError(
                    f"action_high: one number, or one per controlled SKU-location ({self.width}); got shape {given.shape}"
                )
            high = np.broadcast_to(given, (self.width,)).copy()
            if not np.all(np.isfinite(high)) or np.any(high <= 0) or np.any(high > MAX_UNITS):
                raise ValueError(
                    f"action_high: above 0 and at most {MAX_UNITS:.0e} units (one number, or one per SKU-location)"
                )
        self.high = high.astype(np.float32)
        self.high64 = self.high.astype(np.float64)
        self.native.set_high(self.high64)
        self.fields = list(self.native.outcome_fields)
        k, w = self.width, self.window
        self.observation_space = spaces.Dict(
            {
                "on_hand": spaces.Box(0, OBS_BOUND, (k,), np.int64),
                "backorders": spaces.Box(0, OBS_BOUND, (k,), np.int64),
                "pipeline": spaces.Box(0, OBS_BOUND, (k,), np.int64),
                "position": spaces.Box(-OBS_BOUND, OBS_BOUND, (k,), np.int64),
                "demand": spaces.Box(0, OBS_BOUND, (k, w), np.int64),
                "day_of_week": spaces.Discrete(7),
            }
        )
        self.action_space = spaces.Box(np.zeros(k, np.float32), self.high, (k,), np.float32)

    def shaped(self, action, batch: Optional[int]) -> np.ndarray:
        """The action as float64 of its expected shape, or ValueError."""
        a = np.asarray(action, dtype=np.float64)
        shape = (self.width,) if batch is None else (batch, self.width)
        if a.shape != shape:
            raise ValueError(
                f"action: expected shape {shape} (one value per controlled SKU-location: "
                f"{', '.join(self.labels[:4])}{', …' if self.width > 4 else ''}), got {a.shape}"
            )
        return a

    def out_of_bounds(self, a: np.ndarray, env: int, k: int, batch: Optional[int]) -> ValueError:
        """The error for action (env, k), which the native step refused."""
        value = float(a[k] if batch is None else a[env, k])
        where = f"{self.labels[k]}" if batch is None else f"environment {env}, {self.labels[k]}"
        return ValueError(
            f"action[{k if batch is None else (env, k)}] ({where}) = {value!r}: "
            f"expected a finite number in [0, {self.high64[k]:g}] (units; rounded to the nearest unit)"
        )

    def observations(self) -> dict:
        """The last call's observation arrays, batched (fresh arrays each call)."""
        n = self.native
        return {
            "on_hand": n.on_hand,
            "backorders": n.backorders,
            "pipeline": n.pipeline,
            "position": n.position,
            "demand": n.demand,
            "day_of_week": n.day_of_week,
        }


def _seed_value(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0 or seed >= 2**64:
        raise ValueError(f"seed: an integer in [0, 2^64), got {seed!r}")
    return int(seed)


def _replication_option(options) -> Optional[int]:
    if not options or "replication" not in options:
        return None
    r = options["replication"]
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or not 0 <= r < 2**32:
        raise ValueError(f"options['replication']: an integer in [0, 2^32), got {r!r}")
    return int(r)


class InventoryEnv(gym.Env):
    """One episode of a scenario, a day per step (module doc: the contract).

    Parameters: ``scenario`` (a path or an :class:`echelon.Study`),
    ``control`` (location names), ``action`` (``"order_up_to"`` or
    ``"order_quantity"``), ``strategy`` (the scenario strategy of the other
    locations and of the warm-up: name or index, default the first),
    ``set`` (overrides, as :func:`echelon.load`, with a path),
    ``action_high``, ``demand_window``.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: Union[str, os.PathLike, Any],
        control: Union[str, Sequence[str], None] = None,
        action: str = "order_up_to",
        strategy: Union[str, int, None] = None,
        set: Optional[dict] = None,
        action_high: Union[float, Sequence[float], None] = None,
        demand_window: int = 7,
    ):
        self._core = _Core(scenario, control, action, strategy, set, action_high, demand_window, 1)
        self.observation_space = self._core.observation_space
        self.action_space = self._core.action_space
        self.labels = self._core.labels
        self._seed = self._core.native.scenario_seed
        self._replication = -1
        self._started = False

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        # Checked before gymnasium sees it: a bad seed is a ValueError.
        seed = None if seed is None else _seed_value(seed)
        super().reset(seed=seed)
        replication = _replication_option(options)
        if seed is not None:
            next_replication = 0 if replication is None else replication
        else:
            next_replication = self._replication + 1 if replication is None else replication
        if next_replication >= 2**32:
            raise ValueError("replication numbers ran past 2^32: reset with a seed")
        if seed is not None:
            self._seed = seed
        self._replication = next_replication
        self._core.native.reset([0], [self._seed], [self._replication])
        self._started = True
        return self._observation(), {"seed": self._seed, "replication": self._replication}

    def _observation(self) -> dict:
        # Fresh arrays each call: row 0 of them is this environment's.
        obs = {key: value[0] for key, value in self._core.observations().items()}
        obs["day_of_week"] = int(obs["day_of_week"])
        return obs

    def step(self, action):
        if not self._started:
            raise RuntimeError("InventoryEnv: call reset() before step()")
        core = self._core
        a = core.shaped(action, None)
        native = core.native
        bad = native.step(a.reshape(1, -1), _NO_RESET, self._seed, _REPLICATION_0)
        if bad is not None:
            raise core.out_of_bounds(a, *bad, None)
        info = dict(zip(core.fields, native.outcomes[:, 0].tolist()))
        info["seed"] = self._seed
        info["replication"] = self._replication
        truncated = bool(native.truncated[0])
        if truncated:
            self._started = False
        return self._observation(), float(native.rewards[0]), False, truncated, info


#: The autoreset flags and replications of a single environment's step.
_NO_RESET = np.zeros(1, dtype=bool)
_REPLICATION_0 = np.zeros(1, dtype=np.int64)


class VectorInventoryEnv(VectorEnv):
    """``num_envs`` episodes stepped together in Rust (module doc).

    Parameters as :class:`InventoryEnv`, plus ``num_envs``. Observations
    are the dict of :class:`InventoryEnv` with a leading environment axis;
    each call returns new arrays (the native core writes into new ones:
    nothing is copied); ``copy=False`` returns the same arrays each time,
    overwritten by the next call.
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        scenario: Union[str, os.PathLike, Any],
        num_envs: int,
        control: Union[str, Sequence[str], None] = None,
        action: str = "order_up_to",
        strategy: Union[str, int, None] = None,
        set: Optional[dict] = None,
        action_high: Union[float, Sequence[float], None] = None,
        demand_window: int = 7,
        copy: bool = True,
    ):
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or not 1 <= num_envs <= MAX_ENVS:
            raise ValueError(f"num_envs: 1 to {MAX_ENVS}, got {num_envs!r}")
        self._core = _Core(scenario, control, action, strategy, set, action_high, demand_window, num_envs)
        self.num_envs = int(num_envs)
        self.single_observation_space = self._core.observation_space
        self.single_action_space = self._core.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.labels = self._core.labels
        self._copy = copy
        self._seed = self._core.native.scenario_seed
        self._replications = np.full(self.num_envs, -1, dtype=np.int64)
        self._autoreset = np.zeros(self.num_envs, dtype=bool)
        self._started = False

    def _obs(self) -> dict:
        # copy=True: the native core wrote into new arrays (nothing to
        # copy); copy=False: its own arrays, overwritten by the next call.
        return self._core.observations()

    def _info(self) -> dict:
        outcomes = self._core.native.outcomes
        if not self._copy:
            outcomes = outcomes.copy()
        info = dict(zip(self._core.fields, outcomes))
        info["seed"] = np.full(self.num_envs, self._seed, dtype=np.uint64)
        info["replication"] = self._replications.copy()
        return info

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        seed = None if seed is None else _seed_value(seed)
        super().reset(seed=seed)
        first = _replication_option(options)
        n = self.num_envs
        if seed is not None:
            self._seed = seed
            replications = np.arange(n, dtype=np.int64) + (0 if first is None else first)
        elif first is not None:
            replications = np.arange(n, dtype=np.int64) + first
        elif self._replications[0] < 0:
            replications = np.arange(n, dtype=np.int64)
        else:
            replications = self._replications + n
        if replications.max() >= 2**32:
            raise ValueError("replication numbers ran past 2^32: reset with a seed")
        self._replications = replications
        self._core.native.reset(list(range(n)), [self._seed] * n, replications.tolist(), self._copy)
        self._autoreset[:] = False
        self._started = True
        return self._obs(), self._info()

    def step(self, actions):
        if not self._started:
            raise RuntimeError("VectorInventoryEnv: call reset() before step()")
        core = self._core
        a = core.shaped(actions, self.num_envs)
        resetting = self._autoreset
        # Environments being reset (NEXT_STEP) start their next replication;
        # their actions are ignored.
        replications = self._replications
        if resetting.any():
            replications = replications + self.num_envs * resetting
            if replications.max() >= 2**32:
                raise ValueError("replication numbers ran past 2^32: reset with a seed")
        native = core.native
        bad = native.step(a, resetting, self._seed, replications, self._copy)
        if bad is not None:
            raise core.out_of_bounds(a, *bad, self.num_envs)
        self._replications = replications
        truncated = native.truncated
        self._autoreset = truncated.copy()
        if not self._copy:
            truncated = self._autoreset.copy()
        rewards = native.rewards if self._copy else native.rewards.copy()
        return self._obs(), rewards, np.zeros(self.num_envs, dtype=bool), truncated, self._info()

    def close_extras(self, **kwargs):
        self._started = False
