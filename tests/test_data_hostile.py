"""Data from the user's side, beyond the one-line cases of tests/hostile/cases_data.py: files
that must load (a byte-order mark, other line ends, other array kinds), limits checked before
anything is read or inflated, and the Python API refusing rows that do not fit."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import codegen
from codegen.training import data_limits
from codegen.training.data import load
from codegen.training.estimator import Trainer
from codegen.training.loop import Settings, train
from derive.errors import ChainruleError, DataError
from tests.hostile.cases_data import zip_bomb


@pytest.fixture(scope="module")
def xor():
    return codegen.build("xor")


# --------------------------------------------------------------------------- CSV that loads

@pytest.mark.parametrize("text", [
    "\ufeffx1,x2,y\n0,1,1\n1,1,0\n",          # the mark Excel puts before a UTF-8 header
    "x1,x2,y\r\n0,1,1\r\n1,1,0\r\n",          # Windows line ends
    "x1,x2,y\r0,1,1\r1,1,0\r",                # old Mac line ends
    " x1 , x2 ,y,note\n 0 , 1 ,1,café\n\n1,1,0,\"a, b\"\n",  # spaces, a blank line, quotes
])
def test_csv_variants_load(tmp_path, xor, text):
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    data = load(f"csv:{path}", xor)
    np.testing.assert_array_equal(data.X, [[0, 1], [1, 1]])
    np.testing.assert_array_equal(data.Y, [[1], [0]])


def test_csv_error_names_the_column_of_a_bad_byte(tmp_path, xor):
    path = tmp_path / "d.csv"
    path.write_bytes(b"x1,x2,y\n0,1,1\n1,\xff,0\n")
    with pytest.raises(DataError) as caught:
        load(f"csv:{path}", xor)
    assert str(caught.value).startswith(f"{path}:3: byte 0xff in column 3 is not UTF-8")


# --------------------------------------------------------------------------- NPZ that loads

def test_npz_array_kinds_load(tmp_path, xor):
    """Integers, booleans, big-endian and Fortran-ordered arrays, compressed or not."""
    X = np.asfortranarray(np.array([[0, 1], [1, 1], [1, 0]], dtype=">i4"))
    Y = np.array([[True], [False], [True]])
    for save in (np.savez, np.savez_compressed):
        path = tmp_path / f"{save.__name__}.npz"
        save(path, X=X, Y=Y, unused=np.array(["text", "is fine where it is not read"]))
        data = load(f"npz:{path}", xor)
        np.testing.assert_array_equal(data.X, [[0, 1], [1, 1], [1, 0]])
        np.testing.assert_array_equal(data.Y, [[1], [0], [1]])
        assert data.X.dtype == np.float64


def test_npz_damaged_data_is_caught_by_its_checksum(tmp_path, xor):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.full((8, 2), 1.0), Y=np.zeros((8, 1)))
    raw = bytearray(path.read_bytes())
    at = raw.index(np.float64(1.0).tobytes())
    raw[at + 7] ^= 0x01  # one bit of one value: only the CRC can tell
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"array 'X' is damaged"):
        load(f"npz:{path}", xor)


# --------------------------------------------------------------------------- limits

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


# --------------------------------------------------------------------------- the Python API

@pytest.mark.parametrize("X, Y, words", [
    (np.zeros((3, 2)), np.zeros((4, 1)), "X has 3 rows but Y has 4"),
    (np.zeros((4, 2)), np.zeros((3, 1)), "X has 4 rows but Y has 3"),
    (np.zeros((4, 2, 2)), np.zeros((4, 1)), "shape (4, 2, 2)"),
    (np.zeros(4), np.zeros((4, 1)), "shape (4,)"),
    (np.zeros((4, 3)), np.zeros((4, 1)), "expected rows × 2 (x1, x2)"),
    (np.zeros((4, 2)), np.zeros((4, 2)), "expected rows × 1 (y)"),
    (np.array([[0, 1], [np.nan, 0]]), np.zeros((2, 1)), "X[1, 0] is nan"),
    (np.zeros((2, 2)), np.array([[0], [np.inf]]), "Y[1, 0] is inf"),
    ([["a", "b"]], [[0]], "not arrays of numbers"),
])
def test_train_refuses_rows_that_do_not_fit(xor, X, Y, words):
    with pytest.raises(DataError) as caught:
        train(xor, X, Y, Settings(epochs=1))
    assert words in str(caught.value)


def test_train_refuses_held_out_rows_that_do_not_fit(xor):
    with pytest.raises(DataError, match="held-out rows: X has 2 rows but Y has 3"):
        train(xor, np.zeros((4, 2)), np.zeros((4, 1)), Settings(epochs=1),
              test=(np.zeros((2, 2)), np.zeros((3, 1))))


@pytest.mark.parametrize("settings, words", [
    (Settings(seed=-1), "the seed must be a whole number from 0 to 2147483647"),
    (Settings(seed=2 ** 63), "the seed must be"),
    (Settings(batch_size=0), "the batch size must be"),
    (Settings(batch_size=2 ** 64), "the batch size must be"),
    (Settings(batch_size=2.5), "the batch size must be"),
    (Settings(epochs=10 ** 12), "epochs must be a whole number from 1 to 1000000"),
    (Settings(momentum=float("nan")), "momentum must be in [0, 1) (got nan)"),
    (Settings(lr="0.1"), "the learning rate must be positive (got '0.1')"),
    (Settings(weight_decay=float("inf")), "weight decay must be at least 0 and finite"),
    (Settings(optimizer="lbfgs"), "unknown optimizer 'lbfgs'"),
])
def test_settings_that_cannot_train_are_clear_errors(xor, settings, words):
    with pytest.raises(ChainruleError) as caught:
        train(xor, np.zeros((4, 2)), np.zeros((4, 1)), settings)
    assert words in str(caught.value)


def test_the_estimator_refuses_mismatched_or_missing_values():
    model = Trainer("xor", epochs=1)
    with pytest.raises(DataError, match="X has 4 rows but Y has 3"):
        model.fit(np.zeros((4, 2)), np.array([0, 1, 0]))
    with pytest.raises(DataError, match=r"X\[0, 1\] is nan"):
        model.fit(np.array([[0, np.nan], [1, 1]]), np.array([0, 1]))


@pytest.mark.parametrize("params", [np.zeros(3), np.full(17, np.nan), [["a"]]])
def test_train_refuses_starting_parameters_that_do_not_fit(xor, params):
    with pytest.raises(DataError, match="starting parameters"):
        train(xor, np.zeros((4, 2)), np.zeros((4, 1)), Settings(epochs=1), params=params)


def test_train_leaves_the_starting_parameters_alone(xor):
    start = np.array(xor.INITIAL_PARAMS)
    result = train(xor, np.zeros((4, 2)), np.ones((4, 1)), Settings(epochs=2), params=start)
    np.testing.assert_array_equal(start, xor.INITIAL_PARAMS)
    assert not np.array_equal(result.params, start)
