"""Training data from an NPZ file: arrays X and Y, one array per input and target, or Keras's
``mnist.npz`` layout (x_train, y_train, x_test, y_test).

In Keras's layout the inputs may be images, (rows, height, width) or (rows, height, width,
channels), and are flattened row by row; uint8 pixels are scaled to [0, 1] (divided by 255),
other numbers taken as they are. Labels (one whole number per row) become one-hot rows for a
classifier of several outputs (:mod:`codegen.training.labels`), in the X/Y layout as well; the
x_test/y_test pair is the held-out set (``Dataset.test``).

Read defensively: every needed array's declared size is checked against the size limit and
the available memory (:mod:`codegen.training.data_limits`) before anything inflates, and
every value checked to be a finite number; an error names the file, the array, the row and
the column.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from codegen.training.data_limits import check_size
from codegen.training.dataset import Dataset, checked_dataset, counted
from codegen.training.labels import class_rows, is_label_column
from derive.errors import DataError
from derive.files import open_regular

#: The most members of an NPZ archive: zipfile reads the whole directory into memory.
MAX_NPZ_ARRAYS = 10_000


#: dtype kinds that are numbers a float64 holds: booleans, integers, floats
_NUMERIC_KINDS = "biuf"

#: Keras's ``mnist.npz`` layout: the training split, and the test split (the held-out rows)
KERAS_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
#: how many dimensions an input array of Keras's layout may have: rows, then an image's
#: height, width and channels
_MAX_IMAGE_DIMS = 4


def read_npz(path: Path, module) -> Dataset:
    """Rows of an NPZ file: arrays X and Y, or one array per input and target.

    Each needed array's .npy header is read first (a few hundred bytes) and its declared size
    checked against the limit and the available memory, then against the size the zip
    directory states, so a zip bomb or a lying header is refused before anything inflates.
    """
    handle, size = open_regular(path, DataError, "data file")
    with handle:
        check_size(size, "the file", str(path))
        _check_members(handle, size, path)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            raise DataError("not an npz file (a zip archive of .npy arrays), or a truncated one",
                            file=str(path), hint="write it with numpy.savez") from None
        with archive:
            return _npz_arrays(archive, path, module)


def _check_members(handle, size: int, path: Path) -> None:
    """Refuse an archive of more than :data:`MAX_NPZ_ARRAYS` members from the count its end
    record states, before zipfile reads the directory (a record that is not found is left
    to zipfile, which refuses the file). 0xFFFF means "see the zip64 record": more than
    65,534 members."""
    tail = min(size, 22 + 65_535)  # the end record, after at most a 64 kB comment
    handle.seek(size - tail)
    data = handle.read(tail)
    handle.seek(0)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return
    members = struct.unpack("<H", data[at + 10:at + 12])[0]
    if members > MAX_NPZ_ARRAYS:
        count = "more than 65,534" if members == 0xFFFF else f"{members:,}"
        raise DataError(f"the archive holds {count} members, over the limit of "
                        f"{MAX_NPZ_ARRAYS:,}", file=str(path),
                        hint="save only the arrays to train on")


def _npz_arrays(archive: zipfile.ZipFile, path: Path, module) -> Dataset:
    members = {info.filename[:-4]: info for info in archive.infolist()
               if info.filename.endswith(".npy")}
    names = [*module.INPUT_NAMES, *module.TARGET_NAMES]
    if "x_train" in members or "y_train" in members:
        return _keras(archive, members, path, module)
    wanted = ["X", "Y"] if "X" in members and "Y" in members else names
    _require(members, wanted, path, "expected arrays X and Y, or one array per input and "
                                    "target: " + ", ".join(names))
    arrays = _arrays(archive, members, wanted, path)
    if wanted == ["X", "Y"]:
        return _xy(arrays["X"], arrays["Y"], path, module)
    return _named(arrays, names, path, module)


def _require(members, wanted: list[str], path: Path, hint: str) -> None:
    missing = [n for n in wanted if n not in members]
    if missing:
        raise DataError(f"no array {missing[0]!r}", file=str(path), hint=hint)


def _arrays(archive: zipfile.ZipFile, members, wanted: list[str], path: Path,
            images: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """The arrays ``wanted`` as float64 (``images``: those that may have up to
    :data:`_MAX_IMAGE_DIMS` dimensions), every header checked before any data is read;
    uint8 arrays of ``images`` are scaled to [0, 1]."""
    headers = {name: _npy_header(archive, members[name], name, path,
                                 _MAX_IMAGE_DIMS if name in images else 2) for name in wanted}
    for name, (shape, _, _, _) in headers.items():
        check_size(math.prod(shape) * 8, f"array {name!r}", str(path), numbers=math.prod(shape))
    total = sum(math.prod(shape) for shape, _, _, _ in headers.values())
    check_size(total * 8, "the arrays " + ", ".join(wanted), str(path), numbers=total,
               verb="hold")
    for name, (shape, dtype, _, offset) in headers.items():
        if offset + math.prod(shape) * dtype.itemsize > members[name].file_size:
            raise DataError(f"array {name!r} declares {math.prod(shape):,} values but holds "
                            f"{max(members[name].file_size - offset, 0):,} bytes of data "
                            "(damaged or truncated)", file=str(path))
    arrays = {name: _npy_data(archive, members[name], headers[name], name, path)
              for name in wanted}
    for name in (n for n in images if n in arrays):
        if headers[name][1] == np.uint8:  # pixels 0 to 255, as Keras's data sets hold them
            arrays[name] /= 255.0
    return arrays


def _npy_header(archive, info, name: str, path: Path, dims: int = 2):
    """(shape, dtype, fortran order, data offset) of a member, from its .npy header alone;
    refuses arrays that are not numbers or have more than ``dims`` dimensions."""
    try:
        with archive.open(info) as member:
            shape, fortran, dtype = _read_header(member)
            offset = member.tell()
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise _damaged(name, path) from None
    except (ValueError, OSError, SyntaxError, TypeError, NotImplementedError, RuntimeError):
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise DataError(f"array {name!r} is not a readable .npy array", file=str(path),
                        hint="write the file with numpy.savez") from None
    _check_dtype(dtype, name, path)
    if len(shape) == 0:
        raise DataError(f"array {name!r} is a single number", file=str(path),
                        hint="expected one row per sample")
    if len(shape) > dims:
        expected = ("expected rows × columns (2-D) or one value per row (1-D)" if dims == 2
                    else f"expected rows of values or of images, at most {dims}-D")
        raise DataError(f"array {name!r} is {len(shape)}-D (shape {shape})", file=str(path),
                        hint=expected)
    return shape, dtype, fortran, offset


def _read_header(member) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran order, dtype) from the start of a .npy stream (numpy's own reader,
    which refuses headers over 10,000 bytes and evaluates nothing)."""
    version = np.lib.format.read_magic(member)
    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
            else np.lib.format.read_array_header_2_0)
    return read(member)


def _check_dtype(dtype: np.dtype, name: str, path: Path) -> None:
    if dtype.hasobject:
        raise DataError(f"array {name!r} holds Python objects (an object array), not numbers",
                        file=str(path), hint="save a numeric array, e.g. X.astype(float)")
    if dtype.kind in _NUMERIC_KINDS and dtype.fields is None and dtype.subdtype is None:
        return
    kind = {"U": "text", "S": "text", "c": "complex numbers", "M": "dates", "m": "time spans",
            "V": "records"}.get(dtype.kind, f"values of type {dtype}")
    raise DataError(f"array {name!r} holds {kind}, not real numbers", file=str(path),
                    hint="save a numeric array, e.g. X.astype(float)")


def _npy_data(archive, info, header, name: str, path: Path) -> np.ndarray:
    """A member's values as float64, reading exactly the bytes its checked header declares
    (then to the member's end, so that zipfile checks the CRC)."""
    shape, dtype, fortran, _ = header
    nbytes = math.prod(shape) * dtype.itemsize
    try:
        with archive.open(info) as member:
            _read_header(member)
            data = member.read(nbytes)
            member.read()  # nothing left in a well-formed file; reaching the end checks the CRC
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error):
        raise _damaged(name, path) from None
    if len(data) < nbytes:
        raise _damaged(name, path)
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    with np.errstate(over="ignore", invalid="ignore"):
        return array.astype(float)


def _damaged(name: str, path: Path) -> DataError:
    return DataError(f"array {name!r} is damaged (its data does not match its checksum or "
                     "ends early)", file=str(path))


def _xy(X: np.ndarray, Y: np.ndarray, path: Path, module) -> Dataset:
    """Arrays X (rows × inputs) and Y (rows × targets; 1-D for one target)."""
    if X.ndim == 1:  # one input per row, or (as before) a single row of all inputs
        X = X[:, None] if len(module.INPUT_NAMES) == 1 else X[None, :]
    Y = Y[:, None] if Y.ndim == 1 else Y
    _same_rows(X, Y, "X", "Y", path)
    _finite({"X": X, "Y": Y}, path, {"X": module.INPUT_NAMES, "Y": module.TARGET_NAMES})
    if is_label_column(module, Y):
        Y = class_rows(Y, module, "Y", str(path))
    return checked_dataset(path.name, X, Y, module, file=str(path))


def _same_rows(X: np.ndarray, Y: np.ndarray, x: str, y: str, path: Path) -> None:
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"{x} has {counted(X.shape[0], 'row')} but {y} has "
                        f"{counted(Y.shape[0], 'row')}", file=str(path),
                        hint=f"each row of {x} needs its row of {y}")


def _keras(archive: zipfile.ZipFile, members, path: Path, module) -> Dataset:
    """Keras's layout: x_train and y_train, and the held-out x_test and y_test (both or
    neither)."""
    test = "x_test" in members or "y_test" in members
    wanted = list(KERAS_ARRAYS if test else KERAS_ARRAYS[:2])
    _require(members, wanted, path, "Keras's layout is x_train and y_train, with x_test and "
                                    "y_test (both or neither) as the held-out rows")
    arrays = _arrays(archive, members, wanted, path, images=("x_train", "x_test"))
    train = _keras_split(arrays, "train", path, module)
    if not test:
        return train
    return Dataset(train.name, train.X, train.Y, test=_keras_split(arrays, "test", path, module))


def _keras_split(arrays: dict[str, np.ndarray], split: str, path: Path, module) -> Dataset:
    """The rows of x_<split> (images flattened row by row) and y_<split> (labels, or one row
    of targets per row)."""
    x, y = f"x_{split}", f"y_{split}"
    X, Y = arrays[x], arrays[y]
    _same_rows(X, Y, x, y, path)
    _finite({x: X, y: Y}, path, {})
    inputs = len(module.INPUT_NAMES)
    X = X.reshape(len(X), -1) if X.ndim > 1 else X[:, None]
    if X.shape[1] != inputs:
        image = "×".join(map(str, arrays[x].shape[1:])) or "1"
        raise DataError(f"{x} holds {counted(X.shape[1], 'value')} per row ({image}), but the "
                        f"spec has {counted(inputs, 'input')}", file=str(path),
                        hint=f"use a spec with {X.shape[1]:,} inputs")
    if is_label_column(module, Y):
        Y = class_rows(Y, module, y, str(path))
    elif Y.ndim == 1:
        Y = Y[:, None]
    return checked_dataset(f"{path.name} ({split})", X, Y, module, file=str(path))


def _named(arrays: dict[str, np.ndarray], names: list[str], path: Path, module) -> Dataset:
    """One array per input and target, each one value per row."""
    first = names[0]
    for name in names:
        array = arrays[name]
        if array.ndim == 2 and array.shape[1] == 1:
            arrays[name] = array = array[:, 0]
        if array.ndim != 1:
            raise DataError(f"array {name!r} has shape {array.shape}; expected one value per "
                            "row", file=str(path))
        if len(array) != len(arrays[first]):
            raise DataError(f"array {name!r} has {counted(len(array), 'row')}, but {first!r} "
                            f"has {len(arrays[first]):,}", file=str(path),
                            hint="every input and target needs one value per row")
    _finite({name: arrays[name] for name in names}, path, {})
    table = np.column_stack([arrays[n] for n in names])
    k = len(module.INPUT_NAMES)
    return checked_dataset(path.name, table[:, :k], table[:, k:], module, file=str(path))


def _finite(arrays: dict[str, np.ndarray], path: Path, columns: dict[str, tuple]) -> None:
    """An error at the first value that is NaN or infinite: the array, index, row, column."""
    for name, array in arrays.items():
        bad = ~np.isfinite(array)
        if not bad.any():
            continue
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"row {at[0] + 1}"
        if len(at) == 2:
            column = columns.get(name)
            known = column and at[1] < len(column)
            where += f", {column[at[1]]}" if known else f", column {at[1] + 1}"
        elif len(at) == 1:
            where += f", {name}"
        raise DataError(f"{name}[{', '.join(map(str, at))}] is {array[at]} ({where}), not a "
                        "finite number", file=str(path),
                        hint="training needs finite values: drop or fill in the row")
