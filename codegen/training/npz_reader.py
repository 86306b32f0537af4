"""Training data from an NPZ file: arrays X and Y, or one array per input and target.

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
from derive.errors import DataError
from derive.files import open_regular

#: The most members of an NPZ archive: zipfile reads the whole directory into memory.
MAX_NPZ_ARRAYS = 10_000


#: dtype kinds that are numbers a float64 holds: booleans, integers, floats
_NUMERIC_KINDS = "biuf"


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
    wanted = ["X", "Y"] if "X" in members and "Y" in members else names
    missing = [n for n in wanted if n not in members]
    if missing:
        raise DataError(f"no array {missing[0]!r}", file=str(path),
                        hint="expected arrays X and Y, or one array per input and target: "
                             + ", ".join(names))
    headers = {name: _npy_header(archive, members[name], name, path) for name in wanted}
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
    if wanted == ["X", "Y"]:
        return _xy(arrays["X"], arrays["Y"], path, module)
    return _named(arrays, names, path, module)


def _npy_header(archive, info, name: str, path: Path):
    """(shape, dtype, fortran order, data offset) of a member, from its .npy header alone;
    refuses arrays that are not numbers or not 1-D or 2-D."""
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
    if len(shape) > 2:
        raise DataError(f"array {name!r} is {len(shape)}-D (shape {shape})", file=str(path),
                        hint="expected rows × columns (2-D) or one value per row (1-D)")
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
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"X has {counted(X.shape[0], 'row')} but Y has "
                        f"{counted(Y.shape[0], 'row')}", file=str(path),
                        hint="each row of X needs its row of Y")
    _finite({"X": X, "Y": Y}, path, {"X": module.INPUT_NAMES, "Y": module.TARGET_NAMES})
    return checked_dataset(path.name, X, Y, module, file=str(path))


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
        else:
            where += f", {name}"
        raise DataError(f"{name}[{', '.join(map(str, at))}] is {array[at]} ({where}), not a "
                        "finite number", file=str(path),
                        hint="training needs finite values: drop or fill in the row")
