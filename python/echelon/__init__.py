"""Echelon from Python: load a scenario, run it in-process, get the results
as Arrow / polars / pandas, and write replenishment or allocation policies
in Python.

Contract (README "Echelon from Python" says the same)::

    study = echelon.load("scenarios/quickstart.ron", set={"experiment.replications": 4})
    results = study.run(replications=None, seed=None, threads=None, out=None, progress=False)
    results.summary        # dict equal to summary.json
    results.summary_json   # summary.json's exact text (byte-identical to the CLI's file)
    results.runs           # Arrow table (__arrow_c_stream__), one row per run
    results.runs_long      # Arrow table, runs.parquet's long form
    results.to_polars(form="wide" | "long"); results.to_pandas(form=...)
    results.write("results/quickstart")   # the CLI's files

* ``load(path, set=None)``: ``set`` maps a parameter path to a value, as
  ``--set PATH=VALUE`` (a str is passed as written, other values as JSON).
  An invalid file or override raises :class:`ScenarioError` (attributes
  ``file``, ``line``, ``column``, ``path`` (alias ``field``), ``message``).
* ``Study.run`` releases the GIL while it runs; Ctrl-C stops it after the
  runs in flight (``KeyboardInterrupt``; with ``out=`` the finished runs stay
  in its run log and ``run(..., out=same, resume=True)`` goes on). A failed
  run raises :class:`RunError` (``message``, ``out``). Without ``out`` the
  files go to a temporary directory, removed afterwards.

Python policies: see :func:`register_replenishment` and
:func:`register_allocation` (module :mod:`echelon.policy`).
"""

from __future__ import annotations

import collections.abc
import json
import numbers
import os
from typing import Any, Callable, Mapping, Optional, Union

from . import _echelon
from ._echelon import RunError, ScenarioError
from .policy import (
    register_allocation,
    register_replenishment,
    registered,
    unregister,
)

__all__ = [
    "load",
    "Study",
    "Results",
    "ScenarioError",
    "RunError",
    "register_replenishment",
    "register_allocation",
    "registered",
    "unregister",
]

__version__ = _echelon.__version__


def _set_text(path: str, value: Any) -> str:
    """A ``set=`` value as ``--set`` text: a str as written, else JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"set[{path!r}]: a value is a number, bool, str, list or dict "
            f"(as --set accepts), got {type(value).__name__}"
        ) from e


def load(path: Union[str, os.PathLike], set: Optional[Mapping[str, Any]] = None) -> "Study":
    """Loads and validates the scenario at ``path`` with ``set`` overrides."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: a scenario file (str or os.PathLike), got {type(path).__name__}")
    if set is not None and not isinstance(set, collections.abc.Mapping):
        raise TypeError(
            f"set: a dict of parameter path → value, e.g. set={{'experiment.replications': 8}}; got {type(set).__name__}"
        )
    pairs = []
    for key, value in (set or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"set: a key is a parameter path (str), got {key!r}")
        pairs.append((key, _set_text(key, value)))
    from . import policy

    native = _echelon.load(os.fspath(path), pairs, policy._replenishment, policy._allocation)
    return Study(native)


class Study:
    """A validated scenario and its overrides (from :func:`load`)."""

    def __init__(self, native: "_echelon.Study"):
        self._native = native

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self._native.name

    @property
    def path(self) -> str:
        """The scenario file."""
        return os.fspath(self._native.path)

    @property
    def strategies(self) -> list:
        """The strategies' names, in scenario order."""
        return self._native.strategies

    @property
    def run_count(self) -> int:
        """Runs in the study (points × strategies × replications)."""
        return self._native.run_count

    def run(
        self,
        replications: Optional[int] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        out: Optional[Union[str, os.PathLike]] = None,
        progress: Union[bool, Callable[[int, int], Any]] = False,
        resume: bool = False,
        force: bool = False,
    ) -> "Results":
        """Runs the study as ``echelon run`` does (module doc)."""
        _whole("replications", replications, 1, 2**32 - 1)
        _whole("seed", seed, 0, 2**64 - 1)
        _whole("threads", threads, 1, 2**32 - 1)
        native = self._native.run(
            replications=replications,
            seed=seed,
            threads=threads,
            out=None if out is None else os.fspath(out),
            progress=progress if progress else None,
            resume=resume,
            force=force,
        )
        return Results(native)

    def __repr__(self) -> str:
        return f"Study({self.name!r}, {self.run_count} runs)"


def _whole(name: str, value, low: int, high: int) -> None:
    """``value`` is None or a whole number in ``[low, high]``, else a
    ``TypeError``/``ValueError`` naming the argument."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: from {low} to {high}, got {value!r}")


class Results:
    """The results of :meth:`Study.run`."""

    def __init__(self, native: "_echelon.Results"):
        self._native = native
        self._summary: Optional[dict] = None

    @property
    def summary_json(self) -> str:
        """``summary.json``'s text, byte for byte as the CLI writes it."""
        return self._native.summary_json

    @property
    def summary(self) -> dict:
        """``summary.json`` as a dict."""
        if self._summary is None:
            self._summary = json.loads(self._native.summary_json)
        return self._summary

    @property
    def runs(self):
        """Per-run metrics, wide: one row per run (``__arrow_c_stream__``)."""
        return self._native.wide_table()

    @property
    def runs_long(self):
        """Every figure of every run, long (``runs.parquet``'s table)."""
        return self._native.long_table()

    @property
    def runs_csv(self) -> bytes:
        """``runs.csv``'s bytes."""
        return self._native.runs_csv

    @property
    def out(self) -> Optional[str]:
        """The results directory given to ``run`` (None: none was)."""
        out = self._native.out
        return None if out is None else os.fspath(out)

    def __len__(self) -> int:
        return self._native.run_count

    def _table(self, form: str):
        if form == "wide":
            return self.runs
        if form == "long":
            return self.runs_long
        raise ValueError(f"form must be 'wide' or 'long', got {form!r}")

    def to_arrow(self, form: str = "wide"):
        """A ``pyarrow.Table`` (needs pyarrow)."""
        pa = _optional("pyarrow", "to_arrow")
        return pa.table(self._table(form))

    def to_polars(self, form: str = "wide"):
        """A ``polars.DataFrame`` (needs polars), wide or long."""
        pl = _optional("polars", "to_polars")
        return pl.DataFrame(self._table(form))

    def to_pandas(self, form: str = "wide"):
        """A ``pandas.DataFrame`` (needs pandas and pyarrow), wide or long."""
        _optional("pandas", "to_pandas")
        pa = _optional("pyarrow", "to_pandas")
        return pa.table(self._table(form)).to_pandas()

    def write(self, dir: Union[str, os.PathLike], force: bool = False) -> None:
        """Writes the CLI's result files into ``dir``. Results already there
        are replaced only with ``force=True`` (every old result file and
        chart removed first); otherwise ``FileExistsError``, nothing changed."""
        self._native.write(os.fspath(dir), force)

    def __repr__(self) -> str:
        return f"Results({len(self)} runs)"


def _optional(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"Results.{what}() needs {module}, which is not installed: pip install {module}"
        ) from e
