"""Studies on a distributed engine: ``run_ray(study, shards=N)`` runs the
study's shards as Ray tasks and merges them into the results one
:meth:`echelon.Study.run` would return — ``summary.json``, ``runs.csv`` and
``runs.jsonl`` byte for byte (test: ``tests/python/test_distributed.py``).

Contract
--------

* **Tasks.** Shard ``i`` of ``N`` is the runs whose index modulo ``N`` is
  ``i`` (``echelon run --shard i/N``); each is one Ray task that loads the
  study on its worker (the same scenario file and ``set=`` overrides: the
  file must be readable there — same machine, a shared file system, or
  Ray's ``runtime_env={"working_dir": ...}``) and runs the slice
  in-process with ``threads`` threads, reserving ``num_cpus=threads``.
  Python policies registered on the driver (:func:`echelon.register_replenishment`,
  :func:`echelon.register_allocation`) are shipped with each task (their
  classes pickled by value) and registered on the worker.
* **Sizing.** A task should be seconds of work: Ray's per-task overhead is
  milliseconds, and loading the study on the worker costs about as much as
  a small run. ``shards=None`` picks ``min(runs, 4 × slots)``, slots =
  the cluster's CPUs // ``threads``; pass fewer shards for a study of
  tiny runs.
* **Results.** Each finished shard's run log (and ``trace.json`` when it
  ran a replication 0) is saved on the driver in
  ``out/shards/<i>-of-<N>/`` as it arrives; when all are in they are merged
  (``echelon merge``'s logic, in the library) into ``out``. Without
  ``out`` a temporary directory is used and removed (nothing to resume).
* **Failures.** A shard that fails on a worker (a policy raised, a file is
  missing there) fails the study with :class:`echelon.RunError` naming the
  shard and carrying its error, after the other shards have finished and
  been saved. Calling ``run_ray`` again with the same ``out`` (and the same
  study, seed, replications and ``shards``) resumes: finished shards are
  not run again. A different study or shard count in that ``out`` starts
  afresh (the old shards ``run_ray`` saved are replaced); but an ``out``
  holding results of another study, or a ``shards/`` folder ``run_ray``
  did not write (a CLI ``--shard`` run's, say), is refused with
  ``FileExistsError`` and left as it is, unless ``force=True``.
* **Ray** is needed only here: without it ``run_ray`` raises
  ``ImportError`` with the ``pip install ray`` hint. ``run_ray`` calls
  ``ray.init()`` when Ray is not initialised yet (a local cluster, or the
  one ``RAY_ADDRESS`` names); initialise it yourself to choose.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import traceback
from typing import Optional, Union

from . import Results, RunError, Study, _echelon

__all__ = ["run_ray"]

#: Where the shards' logs are kept under ``out``.
SHARDS_DIR = "shards"
_FILES = ("runs.jsonl", "trace.json")


def _import_ray():
    try:
        import ray
    except ImportError as e:
        raise ImportError(
            "echelon.distributed.run_ray needs Ray, which is not installed: pip install ray"
        ) from e
    return ray


def _shard_task(source, policies, index, count, replications, seed, threads):
    """One Ray task: shard ``index/count`` of the study, run in-process on
    the worker. Returns ``{"files": {name: bytes}}`` or, when the shard
    failed, ``{"error": text}`` (the exception's type, message and
    traceback), so a failure never depends on pickling an exception."""
    try:
        import echelon
        from echelon import policy

        path, pairs = source
        replenishment, allocation = policies
        policy._replenishment.update(replenishment)
        policy._allocation.update(allocation)
        study = echelon.load(path, set=dict(pairs))
        with tempfile.TemporaryDirectory(prefix="echelon-shard-") as tmp:
            out = os.path.join(tmp, "shard")
            _echelon.run_shard(study._native, index, count, out, replications, seed, threads)
            files = {}
            for name in _FILES:
                file = os.path.join(out, name)
                if os.path.exists(file):
                    with open(file, "rb") as f:
                        files[name] = f.read()
        return {"files": files}
    except BaseException as e:  # noqa: BLE001 - reported to the driver as text
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return {"error": "".join(traceback.format_exception(type(e), e, e.__traceback__)).rstrip()}


def _identity(study: Study, source, replications, seed, shards) -> dict:
    path, pairs = source
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {
        "scenario": os.path.abspath(os.fspath(path)),
        "scenario_sha256": digest,
        "set": [list(p) for p in pairs],
        "replications": replications,
        "seed": seed,
        "shards": shards,
    }


def _pickle_policies_by_value(ray, policies) -> None:
    """Registered policy classes defined in a module the workers may not
    import (a script, a test file) travel by value."""
    for registry in policies:
        for cls, _ in registry.values():
            module = getattr(cls, "__module__", "__main__")
            if module in ("__main__", "builtins") or module.split(".")[0] == "echelon":
                continue
            mod = sys.modules.get(module)
            if mod is not None:
                ray.cloudpickle.register_pickle_by_value(mod)


def run_ray(
    study: Study,
    shards: Optional[int] = None,
    *,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 1,
    out: Optional[Union[str, os.PathLike]] = None,
    progress: bool = False,
    force: bool = False,
) -> Results:
    """Runs ``study`` as ``shards`` Ray tasks and merges them (module doc)."""
    if not isinstance(study, Study):
        raise TypeError(f"study: an echelon.Study (from echelon.load), got {type(study).__name__}")
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValueError(f"threads: the threads of each task, ≥ 1, got {threads!r}")
    ray = _import_ray()
    if not ray.is_initialized():
        ray.init()
    runs = study.run_count if replications is None else None
    if shards is None:
        slots = max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
        shards = 4 * slots if runs is None else min(runs, 4 * slots)
    if not isinstance(shards, int) or isinstance(shards, bool) or shards < 1:
        raise ValueError(f"shards: a number of tasks ≥ 1, got {shards!r}")

    from . import policy

    source = _echelon.study_source(study._native)
    source = (os.fspath(source[0]), [tuple(p) for p in source[1]])
    policies = (dict(policy._replenishment), dict(policy._allocation))
    _pickle_policies_by_value(ray, policies)

    temporary = None
    if out is None:
        temporary = tempfile.TemporaryDirectory(prefix="echelon-ray-")
        out_dir = os.path.join(temporary.name, "results")
    else:
        out_dir = os.fspath(out)
        if not out_dir:
            raise ValueError("out: an empty path; give the directory for the results (or leave out out=)")
    try:
        args = (shards, replications, seed, threads, out_dir, out is not None, progress, force)
        return _run(ray, study, source, policies, *args)
    finally:
        if temporary is not None:
            temporary.cleanup()


#: Files whose presence in ``out`` means it holds a study's results.
_RESULT_FILES = ("runs.jsonl", "summary.json", "runs.csv")


def _refuse_to_clobber(out_dir, shards_root, previous, identity) -> None:
    """Results of another study in ``out_dir``, or a ``shards/`` folder
    not written by ``run_ray``, stay as they are (module doc)."""
    held = [f for f in _RESULT_FILES if os.path.exists(os.path.join(out_dir, f))]
    if held and previous != identity:
        raise FileExistsError(
            f"{out_dir} already holds results ({', '.join(held)}) this run_ray did not make; nothing was "
            "changed. Choose another out=, or pass force=True to replace them"
        )
    if previous is None and os.path.isdir(shards_root) and os.listdir(shards_root):
        raise FileExistsError(
            f"{shards_root} holds files run_ray did not write (a CLI --shard run's?); nothing was changed. "
            "Choose another out=, or pass force=True to replace them"
        )


def _run(ray, study, source, policies, shards, replications, seed, threads, out_dir, keep, progress, force) -> Results:
    shards_root = os.path.join(out_dir, SHARDS_DIR)
    identity = _identity(study, source, replications, seed, shards)
    identity_file = os.path.join(shards_root, "study.json")
    previous = None
    if os.path.exists(identity_file):
        with open(identity_file) as f:
            previous = json.load(f)
    if keep and not force:
        _refuse_to_clobber(out_dir, shards_root, previous, identity)
    if previous != identity and os.path.isdir(shards_root):
        shutil.rmtree(shards_root)
    os.makedirs(shards_root, exist_ok=True)
    with open(identity_file, "w") as f:
        json.dump(identity, f, indent=1)

    dirs = [os.path.join(shards_root, f"{i}-of-{shards}") for i in range(shards)]
    done = lambda i: os.path.exists(os.path.join(dirs[i], "done"))  # noqa: E731
    task = ray.remote(_shard_task).options(num_cpus=threads, max_retries=0)
    pending = {
        task.remote(source, policies, i, shards, replications, seed, threads): i
        for i in range(shards)
        if not done(i)
    }
    failures = {}
    finished = shards - len(pending)
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            i = pending.pop(ref)
            try:
                answer = ray.get(ref)
            except Exception as e:  # the worker died, or Ray failed the task
                answer = {"error": f"{type(e).__name__}: {e}"}
            if "error" in answer:
                failures[i] = answer["error"]
                continue
            _save(dirs[i], answer["files"])
            finished += 1
            if progress:
                print(f"\r{finished}/{shards} shards", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    if failures:
        first = min(failures)
        left = ", ".join(f"{i}/{shards}" for i in sorted(failures))
        message = (
            f"shard {first}/{shards} failed on a worker:\n{failures[first]}\n"
            f"failed shards: {left}; the {shards - len(failures)} finished shards are saved in "
            f"{shards_root}" + ("; run again with the same out= to resume" if keep else "")
        )
        error = RunError(message)
        error.message = message
        error.out = out_dir if keep else None
        raise error
    return Results(_echelon.merge(dirs, out_dir, keep=keep))


def _save(dir: str, files: dict) -> None:
    """Writes a finished shard's files, then its ``done`` marker (a shard
    cut short while saving is run again)."""
    os.makedirs(dir, exist_ok=True)
    for name in _FILES:
        path = os.path.join(dir, name)
        if name in files:
            with open(path + ".tmp", "wb") as f:
                f.write(files[name])
            os.replace(path + ".tmp", path)
        elif os.path.exists(path):
            os.remove(path)
    with open(os.path.join(dir, "done"), "w") as f:
        f.write("finished\n")
