"""The binding crate (its own workspace, python/Cargo.lock) builds the
engine against the same dependency versions as the command line
(Cargo.lock): the in-process runs and the CLI then draw their random
numbers with the same code (rand, rand_xoshiro, rand_distr), and a build
of the extension into the root's target directory reuses the
dependencies `cargo test` compiled."""

import re

from conftest import ROOT


def locked(path):
    text = path.read_text()
    return {
        (m.group(1), m.group(2))
        for m in re.finditer(r'\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', text)
    }


def test_every_crate_both_lockfiles_hold_is_locked_at_the_same_versions():
    root = locked(ROOT / "Cargo.lock")
    binding = locked(ROOT / "python" / "Cargo.lock")
    root_names = {name for name, _ in root}
    differing = sorted((name, version) for name, version in binding - root if name in root_names)
    assert differing == [], (
        "python/Cargo.lock locks these at other versions than Cargo.lock; "
        "copy Cargo.lock over python/Cargo.lock and run `cargo metadata --manifest-path python/Cargo.toml`"
    )
    assert {"rand", "rand_xoshiro", "rand_distr"} <= {name for name, _ in binding}
