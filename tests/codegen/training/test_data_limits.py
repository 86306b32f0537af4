"""Limits checked before anything is read or inflated: a zip bomb, arrays together, the
available memory, the limit in the environment, synthetic rows."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from codegen.training import data_limits
from codegen.training.data import load
from derive.errors import DataError
from tests.hostile.cases_data import zip_bomb


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path, xor, monkeypatch):
    """16 MB of zeros in 17 kB: the declared size is over the (lowered) limit, so nothing is
    inflated; the memory the refusal takes is a small fraction of the inflated size."""
    path = tmp_path / "bomb.npz"
    zip_bomb(1_000_000)(path)
    assert path.stat().st_size < 100_000
    monkeypatch.setenv("CHAINRULE_MAX_DATA_MB", "4")
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as caught:
            load(f"npz:{path}", xor)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "array 'X' holds 2,000,000 numbers (15.3 MB), over the limit of 4.0 MB" in str(
        caught.value)
    assert peak < 2_000_000, peak
    monkeypatch.setenv("CHAINRULE_MAX_DATA_MB", "64")  # raised past it, the bomb is just data
    with pytest.raises(DataError, match="X has 1,000,000 rows but Y has 4"):  # read in full
        load(f"npz:{path}", xor)


def test_the_arrays_together_meet_the_limit(tmp_path, xor, monkeypatch):
    path = tmp_path / "d.npz"
    np.savez_compressed(path, x1=np.zeros(50_000), x2=np.zeros(50_000), y=np.zeros(50_000))
    monkeypatch.setattr(data_limits, "MAX_DATA_BYTES", 1_000_000)  # each is 400 kB, all 1.2 MB
    with pytest.raises(DataError, match="the arrays x1, x2, y hold 150,000 numbers"):
        load(f"npz:{path}", xor)


def test_data_must_fit_in_the_available_memory(tmp_path, xor, monkeypatch):
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,y\n" + "0,1,1\n" * 1000)
    monkeypatch.setattr(data_limits, "available_memory", lambda: 10_000)
    with pytest.raises(DataError,
                       match=r"needs about 23\.5 kB of memory, but 9\.8 kB is available"):
        load(f"csv:{path}", xor)
    with pytest.raises(DataError, match="available"):
        load("synthetic", xor, samples=1000)


def test_available_memory_is_known_here():
    free = data_limits.available_memory()
    assert free is None or free > 0


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1e3"])
def test_a_bad_limit_in_the_environment_is_a_clear_error(tmp_path, xor, monkeypatch, value):
    path = tmp_path / "d.csv"
    path.write_text("x1,x2,y\n0,1,1\n")
    monkeypatch.setenv("CHAINRULE_MAX_DATA_MB", value)
    with pytest.raises(DataError, match="CHAINRULE_MAX_DATA_MB must be a whole number"):
        load(f"csv:{path}", xor)


def test_synthetic_rows_have_a_limit(xor):
    with pytest.raises(DataError, match="from 1 to 10,000,000 rows"):
        load("synthetic", xor, samples=10 ** 10)
