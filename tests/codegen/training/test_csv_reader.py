"""CSV files of training data: files that load (a byte-order mark, other line ends), errors
that name the file, the line and the column."""

from __future__ import annotations

import numpy as np
import pytest

import codegen
from codegen.training.data import load
from derive.errors import DataError


def test_csv_source(tmp_path):
    m = codegen.build("seed004_afteracademy")
    path = tmp_path / "rows.csv"
    path.write_text("y2,x1,x2,y1,note\n0.9,0.1,0.2,0.05,a\n0.8,0.3,0.4,0.1,b\n")
    data = load(f"csv:{path}", m)
    np.testing.assert_array_equal(data.X, [[0.1, 0.2], [0.3, 0.4]])
    np.testing.assert_array_equal(data.Y, [[0.05, 0.9], [0.1, 0.8]])


def test_csv_errors_name_file_and_line(tmp_path):
    m = codegen.build("seed004_afteracademy")
    path = tmp_path / "rows.csv"
    path.write_text("x1,x2,y1\n0.1,0.2,0.05\n")
    with pytest.raises(DataError) as missing:
        load(f"csv:{path}", m)
    assert str(missing.value).startswith(f"{path}:1:") and "'y2'" in str(missing.value)
    path.write_text("x1,x2,y1,y2\n0.1,0.2,0.05,0.9\n0.1,oops,0.05,0.9\n")
    with pytest.raises(DataError) as bad:
        load(f"csv:{path}", m)
    assert str(bad.value).startswith(f"{path}:3:")


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
