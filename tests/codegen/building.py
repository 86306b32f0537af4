"""The corpus networks' generated modules for the codegen tests, built once into a cache of
the tests' own, and rows to feed them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

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
    suffix = ("_f32" if dtype == "float32" else "") + ("_index" if form == "index" else "")
    return codegen.build(CORPUS[name], dtype=dtype, form=form,
                         out=CACHE / f"{name.replace('-', '_')}{suffix}.py")


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
