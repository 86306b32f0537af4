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


@pytest.fixture(scope="module")
def iris():
    """A classifier of 4 inputs and 3 outputs: 2×2 images, labels 0 to 2."""
    return codegen.build("iris_softmax")


def test_keras_layout_flattens_scales_and_holds_out_its_test_split(tmp_path, iris):
    x_train = np.arange(5 * 4, dtype=np.uint8).reshape(5, 2, 2) * 12
    y_train = np.array([0, 2, 1, 1, 0], dtype=np.uint8)
    x_test = np.full((2, 2, 2, 1), 255, dtype=np.uint8)   # (rows, height, width, channels)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=[2, 0])
    data = load(f"npz:{path}", iris)
    np.testing.assert_array_equal(data.X, x_train.reshape(5, 4) / 255.0)
    np.testing.assert_array_equal(data.Y, np.eye(3)[y_train])
    np.testing.assert_array_equal(data.test.X, np.ones((2, 4)))
    np.testing.assert_array_equal(data.test.Y, [[0, 0, 1], [1, 0, 0]])
    train, test = data.split(0.5, 0)          # the file's own split, whatever the fraction
    assert len(train) == 5 and len(test) == 2 and train.test is None


def test_keras_layout_without_a_test_split_and_with_one_hot_or_float_labels(tmp_path, iris):
    path = tmp_path / "d.npz"
    x = np.array([[0.5, 2.0, -1.0, 3.0], [1.0, 1.0, 1.0, 1.0]])   # floats: taken as they are
    np.savez(path, x_train=x, y_train=np.array([[0, 1, 0], [0, 0, 1]]))
    data = load(f"npz:{path}", iris)
    np.testing.assert_array_equal(data.X, x)
    np.testing.assert_array_equal(data.Y, [[0, 1, 0], [0, 0, 1]])
    assert data.test is None            # held-out rows are then split off as for any data
    np.savez(path, x_train=x, y_train=np.array([2.0, 1.0]))       # whole numbers as floats
    np.testing.assert_array_equal(load(f"npz:{path}", iris).Y, [[0, 0, 1], [0, 1, 0]])


def test_labels_in_the_xy_layout_are_one_hot_rows(tmp_path, iris, xor):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.zeros((3, 4)), Y=np.array([2, 0, 1], dtype=np.int64))
    np.testing.assert_array_equal(load(f"npz:{path}", iris).Y, np.eye(3)[[2, 0, 1]])
    np.savez(path, X=np.zeros((3, 2)), Y=np.array([1, 0, 1]))   # one output: labels are targets
    np.testing.assert_array_equal(load(f"npz:{path}", xor).Y, [[1], [0], [1]])


@pytest.mark.parametrize("labels, words", [
    ([0, 3, 1], ["y_train[1] (row 2) is 3", "not one of the 3 classes", "0 to 2"]),
    ([0, -1, 1], ["y_train[1] (row 2) is -1", "0 to 2"]),
    ([0, 1, 1.5], ["y_train[2] (row 3) is 1.5", "not a class label", "0 to 2"]),
])
def test_a_bad_label_names_the_file_row_and_range(tmp_path, iris, labels, words):
    path = tmp_path / "labels.npz"
    np.savez(path, x_train=np.zeros((3, 2, 2), dtype=np.uint8), y_train=np.array(labels))
    with pytest.raises(DataError) as caught:
        load(f"npz:{path}", iris)
    message = str(caught.value)
    assert message.startswith(str(path)) and all(w in message for w in words), message
