"""Shared helpers of the Python tests: the repository root, the echelon
binary `cargo test` built (for CLI parity), and running it."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def echelon_bin():
    explicit = os.environ.get("ECHELON_BIN")
    if explicit:
        return pathlib.Path(explicit)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "echelon"


def run_cli(*args, check=True):
    binary = echelon_bin()
    assert binary.exists(), f"{binary} missing: run `cargo test` (or `cargo build`) first, or set ECHELON_BIN"
    return subprocess.run([str(binary), *map(str, args)], check=check, capture_output=True, text=True)


@pytest.fixture
def echelon_module():
    """The package, with the strategies registered by a test removed after it."""
    echelon = pytest.importorskip("echelon")
    before = echelon.registered()
    yield echelon
    after = echelon.registered()
    for kind in after:
        for name in set(after[kind]) - set(before[kind]):
            echelon.unregister(name)


@pytest.fixture(scope="session")
def ray():
    """One local Ray cluster of 2 CPUs for every test that uses Ray
    (starting one takes seconds)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
