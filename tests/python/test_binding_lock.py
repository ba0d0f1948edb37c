"""The binding (python/, its own workspace) builds the engine against the
same dependency versions as the command line, and it and the worked
example (examples/custom-strategy/, a member built on its own by its
test) with the same features as the tests: the in-process runs and the
CLI then draw their random numbers with the same code (rand,
rand_xoshiro, rand_distr), and a build of either into the root's target
directory reuses every dependency `cargo run` and `cargo test` compiled
(README "Build profiles")."""

import re
import subprocess

import pytest

from conftest import ROOT

SEPARATE_BUILDS = ["python", "examples/custom-strategy"]


def locked(path):
    text = path.read_text()
    return {
        (m.group(1), m.group(2))
        for m in re.finditer(r'\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', text)
    }


def test_every_crate_both_lockfiles_hold_is_locked_at_the_same_versions():
    workspace = "python"
    root = locked(ROOT / "Cargo.lock")
    own = locked(ROOT / workspace / "Cargo.lock")
    root_names = {name for name, _ in root}
    differing = sorted((name, version) for name, version in own - root if name in root_names)
    assert differing == [], (
        f"{workspace}/Cargo.lock locks these at other versions than Cargo.lock: {differing}; "
        f"copy Cargo.lock's entries over and run `cargo metadata --manifest-path {workspace}/Cargo.toml`"
    )
    assert {"rand", "rand_xoshiro", "rand_distr"} <= {name for name, _ in own}


def features(*args):
    """Each crate of a build graph with its features, as `cargo tree` resolves them."""
    out = subprocess.run(
        ["cargo", "tree", "--locked", "--prefix", "none", "--format", "{p}|{f}", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    graph = {}
    for line in out.splitlines():
        # "(*)" marks a crate cargo tree printed before, at the line's end.
        package, _, enabled = line.removesuffix(" (*)").partition("|")
        package = re.sub(r" \((proc-macro|/[^)]*)\)", "", package).strip()
        graph.setdefault(package, set()).update(f for f in enabled.split(",") if f)
    return graph


@pytest.mark.parametrize("workspace", SEPARATE_BUILDS)
def test_every_shared_dependency_is_built_with_the_test_builds_features(workspace):
    tests = features("--workspace", "--edges", "normal,build,dev")
    run = features("--edges", "normal,build")
    own = features("--manifest-path", f"{workspace}/Cargo.toml", "--edges", "normal,build")
    for name, graph in [("`cargo run`", run), (workspace, own)]:
        differing = {
            package: (sorted(tests[package]), sorted(enabled))
            for package, enabled in graph.items()
            if package in tests and tests[package] != enabled and not package.startswith("echelon ")
        }
        assert differing == {}, (
            f"{name} builds these crates with other features than `cargo test` (test build, theirs), "
            "so it compiles them again: align them in the root Cargo.toml's 'Feature alignment' "
            f"dependencies: {differing}"
        )
