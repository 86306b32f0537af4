"""NPZ files of training data: array kinds that load, damaged data caught by its checksum."""

from __future__ import annotations

import numpy as np
import pytest

import codegen
from codegen.training.data import load
from derive.errors import DataError


def test_npz_source(tmp_path):
    m = codegen.build("seed004_afteracademy")
    path = tmp_path / "rows.npz"
    np.savez(path, x1=[0.1, 0.3], x2=[0.2, 0.4], y1=[0.05, 0.1], y2=[0.9, 0.8])
    data = load(f"npz:{path}", m)
    np.testing.assert_array_equal(data.Y, [[0.05, 0.9], [0.1, 0.8]])
    np.savez(path, X=np.ones((3, 2)), Y=np.zeros((3, 2)))
    assert load(f"npz:{path}", m).X.shape == (3, 2)


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
