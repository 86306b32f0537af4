"""The corpus networks' generated modules for the codegen tests, built once into a cache of
the tests' own, and rows to feed them.

The cache is shared by the test processes of one run (pytest-xdist's workers) and by runs
from two shells: a module is built under a lock on its file, so that one process writes it and
the others find it current (a second writer would not break anything, as modules are
written atomically, but it would give the file a new time and so stale Numba's cache of it).
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

import codegen
from derive.spec.model import Network
from tests.networks import ROOT, corpus


CORPUS = corpus()


def _generator_cache() -> Path:
    """Where generated modules of the corpus live between runs, so Numba's cache stays warm:
    a folder per version of the generator's source (a module printed by older code is never
    reused; a spec's hash alone would not notice), older folders removed."""
    digest = hashlib.sha256()
    for source in sorted([*ROOT.glob("derive/**/*.py"), *ROOT.glob("codegen/**/*.py")]):
        digest.update(source.read_bytes())
    base = ROOT / ".pytest_cache" / "generated"
    if base.is_dir():
        for old in base.iterdir():
            if old.is_dir() and old.name != digest.hexdigest()[:16]:
                shutil.rmtree(old, ignore_errors=True)
    return base / digest.hexdigest()[:16]


CACHE = _generator_cache()


def build(name: str, dtype: str = "float64", form: str = "auto"):
    """The generated module of corpus network ``name`` (rebuilt only when its spec changed)."""
    suffix = ("_f32" if dtype == "float32" else "") + ("" if form == "auto" else f"_{form}")
    return build_at(CORPUS[name], CACHE / f"{name.replace('-', '_')}{suffix}.py", dtype, form)


def build_at(network: Network, path: Path, dtype: str = "float64", form: str = "auto"):
    """The generated module of ``network`` at ``path`` in the tests' cache (one file per
    network, dtype and form: two forms at one path would rewrite it in turn), built by one
    process at a time."""
    with _locked(path):
        return codegen.build(network, dtype=dtype, form=form, out=path)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (through a ``.lock`` file beside it) while the body runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def spec_rows(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """The spec's worked example as one row of X and Y."""
    return (np.array([[network.inputs[x] for x in network.inputs]]),
            np.array([[network.targets[y] for y in network.targets]]))


def random_rows(module, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n rows of normal inputs and targets in (0.1, 0.9)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, len(module.INPUT_NAMES))),
            rng.uniform(0.1, 0.9, size=(n, len(module.TARGET_NAMES))))


def params_of(module, network: Network) -> np.ndarray:
    return np.array([network.parameters[p] for p in module.PARAM_NAMES])
