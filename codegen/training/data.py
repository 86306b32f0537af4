"""Training data for `chainrule train`: files, scikit-learn's bundled sets, XOR and a teacher.

A SOURCE is ``csv:PATH`` or ``npz:PATH`` (columns or arrays named after the spec's inputs and
targets), ``xor``, ``iris``, ``digits`` or ``synthetic`` (a fixed-seed teacher network of the
spec's own shape). Rows are 2-D float arrays in the module's INPUT_NAMES / TARGET_NAMES order.

Data files come from anywhere, so they are read defensively: only regular files, sizes checked
against :data:`MAX_DATA_BYTES` and the available memory before anything is read or inflated,
and every value checked to be a finite number. An error names the file, the line or row and
the column.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from derive.errors import shown
from derive.errors import DataError
from derive.files import decode_text, open_regular

SOURCES = ("csv:PATH", "npz:PATH", "xor", "iris", "digits", "synthetic")

#: The largest data set read: a CSV file of this many bytes, or NPZ arrays (or synthetic rows)
#: holding this many bytes of float64 values. Guards against files that would take the
#: machine's memory (a zip bomb inflates 1 MB into 1 GB). The environment variable
#: CHAINRULE_MAX_DATA_MB sets another limit; the memory check below applies all the same.
MAX_DATA_BYTES = 512 * 2 ** 20
#: A data set is held a few times over while it is read, split, standardised and converted;
#: it must fit into the available memory this many times.
MEMORY_FACTOR = 4
#: The most rows of synthetic data (--samples).
MAX_SAMPLES = 10_000_000
#: The longest line of a CSV file, in characters: Python's csv module holds a whole row's
#: fields at once (some 30 bytes each), so a line of millions of empty fields would take
#: gigabytes however small the file.
MAX_CSV_LINE = 1_000_000
#: The most members of an NPZ archive: zipfile reads the whole directory into memory.
MAX_NPZ_ARRAYS = 10_000


@dataclass
class Dataset:
    """Rows of inputs and targets, with what a report needs to know about them."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    #: standardise inputs with the training rows' mean and deviation (bundled feature sets)
    standardize: bool = False
    #: the same rows serve for training and testing (XOR has only four)
    reuse_for_test: bool = False

    def __len__(self) -> int:
        return self.X.shape[0]

    def split(self, test_fraction: float, seed: int) -> tuple["Dataset", "Dataset"]:
        """(train, test), shuffled with ``seed``; classes kept in proportion for one-hot Y."""
        if self.reuse_for_test or test_fraction <= 0:
            return self, self
        rng = np.random.default_rng(seed)
        if self.Y.shape[1] > 1 and set(np.unique(self.Y)) <= {0.0, 1.0}:
            test = []
            for label in range(self.Y.shape[1]):  # stratified: each class split alike
                rows = np.flatnonzero(self.Y[:, label] == 1.0)
                rng.shuffle(rows)
                test.extend(rows[:round(len(rows) * test_fraction)])
            test = np.array(sorted(test), dtype=np.int64)
        else:
            order = rng.permutation(len(self))
            test = np.sort(order[:max(1, round(len(self) * test_fraction))])
        train = np.setdiff1d(np.arange(len(self)), test)
        return self._rows(train), self._rows(test)

    def _rows(self, rows: np.ndarray) -> "Dataset":
        return replace(self, X=self.X[rows], Y=self.Y[rows])

    def scaled(self, mean: np.ndarray, std: np.ndarray) -> "Dataset":
        """The inputs standardised with given statistics."""
        return replace(self, X=(self.X - mean) / std)

    def astype(self, dtype) -> "Dataset":
        return replace(self, X=np.ascontiguousarray(self.X, dtype=dtype),
                       Y=np.ascontiguousarray(self.Y, dtype=dtype))


def prepare(train: Dataset, test: Dataset) -> tuple[Dataset, Dataset]:
    """Standardise both splits with the training split's statistics, where the data asks."""
    if not train.standardize:
        return train, test
    mean, std = train.X.mean(axis=0), train.X.std(axis=0)
    std[std == 0] = 1.0
    return train.scaled(mean, std), test.scaled(mean, std)


def load(source: str, module, samples: int = 2000, seed: int = 0) -> Dataset:
    """The data of ``source`` for the generated ``module`` (its INPUT_NAMES, TARGET_NAMES).

    Raises:
        DataError: an unknown source, a missing or special file, a file over the size limit
            or the available memory, a bad row or value (naming the file, line or row and
            column), or a dataset whose shape does not fit the spec (naming the sizes it needs).
    """
    kind, _, rest = source.partition(":")
    if kind in ("csv", "npz") and rest:
        return (_csv if kind == "csv" else _npz)(Path(rest), module)
    if source == "xor":
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return _fit("xor", X, np.array([[0.0], [1.0], [1.0], [0.0]]), module,
                    reuse_for_test=True)
    if source in ("iris", "digits"):
        return _bundled(source, module)
    if source == "synthetic":
        return _synthetic(module, samples, seed)
    raise DataError(f"unknown data source {shown(source)}",
                    hint="expected one of " + ", ".join(SOURCES))


def _fit(name: str, X: np.ndarray, Y: np.ndarray, module, file: str | None = None,
         **options) -> Dataset:
    """A dataset, after checking its rows, widths and values against the spec."""
    inputs, targets = len(module.INPUT_NAMES), len(module.TARGET_NAMES)
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"X has {_count(X.shape[0], 'row')} but Y has {_count(Y.shape[0], 'row')}",
                        file=file, hint="each row of X needs its row of Y")
    if X.shape[0] == 0:
        raise DataError("no data rows", file=file)
    if X.shape[1] != inputs or Y.shape[1] != targets:
        raise DataError(f"{'the data' if file else name} has {_count(X.shape[1], 'input')} and "
                        f"{_count(Y.shape[1], 'target')} per row, but the spec has "
                        f"{_count(inputs, 'input')} and {_count(targets, 'target')}",
                        file=file, hint=f"use a spec with {_count(X.shape[1], 'input')} and "
                                        f"{_count(Y.shape[1], 'target')}")
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    for label, array in (("X", X), ("Y", Y)):
        if not np.isfinite(array).all():
            row, column = np.argwhere(~np.isfinite(array))[0]
            raise DataError(f"{label}[{row}, {column}] is {array[row, column]}, not a finite "
                            "number", file=file)
    return Dataset(name, X, Y, **options)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def max_data_bytes() -> int:
    """:data:`MAX_DATA_BYTES`, or the limit CHAINRULE_MAX_DATA_MB sets (in MiB)."""
    text = os.environ.get("CHAINRULE_MAX_DATA_MB")
    if text is None:
        return MAX_DATA_BYTES
    try:
        megabytes = int(text)
    except ValueError:
        megabytes = -1
    if megabytes < 1:
        raise DataError(f"CHAINRULE_MAX_DATA_MB must be a whole number of megabytes, got "
                        f"{shown(text)}")
    return megabytes * 2 ** 20


def available_memory() -> int | None:
    """Bytes this process can still take: the system's available memory, and below an
    address-space limit (ulimit -v) what is left under it; None when unknown."""
    free = _meminfo("MemAvailable")
    try:
        import resource
        cap = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        cap = -1
    if cap not in (-1, getattr(resource, "RLIM_INFINITY", -1)):
        used = _status("VmSize")
        if used is not None:
            free = min(free, cap - used) if free is not None else cap - used
    return free


def _meminfo(key: str) -> int | None:
    return _proc_kilobytes("/proc/meminfo", key)


def _status(key: str) -> int | None:
    return _proc_kilobytes("/proc/self/status", key)


def _proc_kilobytes(path: str, key: str) -> int | None:
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_size(nbytes: int, what: str, file: str | None = None, numbers: int | None = None,
               advice: str = "use fewer rows", verb: str = "holds") -> None:
    """Refuse ``nbytes`` of data before reading them: over the limit or the free memory.

    Args:
        nbytes: the bytes the data takes (a CSV file's size, float64 values' bytes).
        what: what it is, for the message ("the file", "array 'X'").
        file: the file, for the message.
        numbers: how many numbers it holds, when known (the message says so).
        advice: how to make it smaller.
        verb: "holds", or "hold" after a plural ``what``.

    Raises:
        DataError: over :func:`max_data_bytes` or more than the available memory allows.
    """
    held = f"{numbers:,} numbers ({_size(nbytes)})" if numbers is not None else _size(nbytes)
    limit = max_data_bytes()
    if nbytes > limit:
        raise DataError(f"{what} {verb} {held}, over the limit of {_size(limit)}", file=file,
                        hint=f"{advice}, or set CHAINRULE_MAX_DATA_MB to raise the limit")
    free = available_memory()
    if free is not None and nbytes * MEMORY_FACTOR > free:
        raise DataError(f"{what} {verb} {held}; training on it needs about "
                        f"{_size(nbytes * MEMORY_FACTOR)} of memory, but {_size(max(free, 0))} "
                        "is available", file=file, hint=advice)


def _size(nbytes: int) -> str:
    for unit, scale in (("GB", 2 ** 30), ("MB", 2 ** 20), ("kB", 2 ** 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:,.1f} {unit}"
    return f"{nbytes} bytes"


def _bundled(name: str, module) -> Dataset:
    from sklearn import datasets
    data = datasets.load_iris() if name == "iris" else datasets.load_digits()
    classes = int(data.target.max()) + 1
    if len(module.TARGET_NAMES) == 1 and classes == 2:
        Y = data.target[:, None].astype(float)
    else:
        Y = np.eye(classes)[data.target]
    if Y.shape[1] != len(module.TARGET_NAMES):
        raise DataError(f"{name} has {classes} classes, but the spec has "
                        f"{len(module.TARGET_NAMES)} targets",
                        hint=f"use a spec with {data.data.shape[1]} inputs and {classes} outputs "
                             f"(softmax with categorical cross-entropy), e.g. "
                             f"examples/iris_softmax.toml for iris")
    return _fit(name, data.data, Y, module, standardize=True)


def _synthetic(module, samples: int, seed: int) -> Dataset:
    """Rows from a teacher: the same network with parameters drawn from a fixed seed."""
    if not module.OUTPUT_NAMES:
        raise DataError("the spec has no output node for a teacher to predict with",
                        hint='write the output as a node of its own (e.g. o = "w*x") and use '
                             "it in the cost")
    if not 1 <= samples <= MAX_SAMPLES:
        raise DataError(f"synthetic data has from 1 to {MAX_SAMPLES:,} rows, not {samples:,}")
    width = len(module.INPUT_NAMES) + len(module.TARGET_NAMES)
    check_size(samples * width * 8, f"synthetic data of {samples:,} rows",
               numbers=samples * width, advice="ask for fewer rows (--samples)")
    rng = np.random.default_rng(seed)
    teacher = rng.normal(0.0, 1.0, size=len(module.PARAM_NAMES))
    X = rng.normal(0.0, 1.0, size=(samples, len(module.INPUT_NAMES)))
    Y = module.predict(teacher.astype(module.DTYPE), X.astype(module.DTYPE)).astype(float)
    if Y.shape[1] != len(module.TARGET_NAMES):
        raise DataError("synthetic data needs as many outputs as targets",
                        hint=f"the spec has outputs {module.OUTPUT_NAMES} and targets "
                             f"{module.TARGET_NAMES}")
    if not np.isfinite(Y).all():
        raise DataError("the teacher network's outputs are not all finite numbers",
                        hint="its activations overflow at random parameters; train on a file")
    return Dataset("synthetic", X, Y)


# ---- CSV ----------------------------------------------------------------------------------

def _csv(path: Path, module) -> Dataset:
    """Rows of a CSV file with a header naming (at least) the spec's inputs and targets."""
    names = [*module.INPUT_NAMES, *module.TARGET_NAMES]
    text = decode_text(_read(path, "data file"), str(path), DataError, "data file")
    reader = csv.reader(_short_lines(text, path), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DataError("the file is empty", file=str(path), line=1,
                            hint="expected a header row naming " + ", ".join(names))
        columns = _columns([h.strip() for h in header], names, path)
        # at most one row per line break, and one per header's width of characters
        bound = min(text.count("\n") + text.count("\r"), len(text) // len(header)) + 1
        table = np.empty((bound, len(names)))
        count = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise DataError(f"this line has {_count(len(row), 'field')}, the header "
                                f"{len(header)}", file=str(path), line=reader.line_num)
            table[count] = [_number(row[c], name, path, reader.line_num)
                            for c, name in zip(columns, names)]
            count += 1
    except csv.Error as err:
        raise DataError(f"not valid CSV: {err}", file=str(path), line=reader.line_num) from None
    if not count:
        raise DataError("no data rows", file=str(path), line=2)
    k = len(module.INPUT_NAMES)
    return Dataset(path.name, table[:count, :k], table[:count, k:])


def _short_lines(text: str, path: Path):
    """The lines of ``text`` (any line end), each checked against :data:`MAX_CSV_LINE`."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_CSV_LINE:
            raise DataError(f"this line has {len(line):,} characters, over the limit of "
                            f"{MAX_CSV_LINE:,}", file=str(path), line=number,
                            hint="is it a CSV file of rows?")
        yield line


def _read(path: Path, what: str) -> bytes:
    """The bytes of a regular file within the size limit and the available memory."""
    handle, size = open_regular(path, DataError, what)
    with handle:
        check_size(size, "the file", str(path), advice="use fewer rows, or an NPZ file")
        try:
            data = handle.read(max_data_bytes() + 1)
        except OSError as err:
            raise DataError(f"cannot read the {what}: {err.strerror or err}",
                            file=str(path)) from None
    check_size(len(data), "the file", str(path), advice="use fewer rows, or an NPZ file")
    return data


def _columns(header: list[str], names: list[str], path: Path) -> list[int]:
    """Where each of ``names`` is in the header (each exactly once)."""
    for name in names:
        if name not in header:
            raise DataError(f"no column {name!r}", file=str(path), line=1,
                            hint="the header must name the spec's inputs and targets: "
                                 + ", ".join(names))
        if header.count(name) > 1:
            raise DataError(f"the header names column {name!r} twice", file=str(path), line=1,
                            hint="which one holds the data? rename the other")
    return [header.index(n) for n in names]


#: a number in a CSV cell: decimal, with an optional sign and exponent (ASCII digits only), or
#: a spelling of nan or infinity (refused as not finite, by name)
_CSV_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)",
                         re.IGNORECASE | re.ASCII)


def _number(cell: str, column: str, path: Path, line: int) -> float:
    """A cell as a finite float; an error names the column and shows the cell."""
    text = cell.strip()
    if not text:
        raise DataError(f"column {column!r} is empty", file=str(path), line=line,
                        hint="every row needs a number in every named column")
    # a decimal number as a CSV writes it: float() alone also takes "1_0" and other scripts'
    # digits ("１"), and nan/inf, which the check below names
    if not _CSV_NUMBER.fullmatch(text):
        raise DataError(f"column {column!r}: expected a number, got {shown(text)}",
                        file=str(path), line=line)
    value = float(text)
    if not math.isfinite(value):
        raise DataError(f"column {column!r}: {shown(text)} is not a finite number",
                        file=str(path), line=line,
                        hint="training needs finite values: drop or fill in the row")
    return value


# ---- NPZ ----------------------------------------------------------------------------------

#: dtype kinds that are numbers a float64 holds: booleans, integers, floats
_NUMERIC_KINDS = "biuf"


def _npz(path: Path, module) -> Dataset:
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
        raise DataError(f"X has {_count(X.shape[0], 'row')} but Y has "
                        f"{_count(Y.shape[0], 'row')}", file=str(path),
                        hint="each row of X needs its row of Y")
    _finite({"X": X, "Y": Y}, path, {"X": module.INPUT_NAMES, "Y": module.TARGET_NAMES})
    return _fit(path.name, X, Y, module, file=str(path))


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
            raise DataError(f"array {name!r} has {_count(len(array), 'row')}, but {first!r} "
                            f"has {len(arrays[first]):,}", file=str(path),
                            hint="every input and target needs one value per row")
    _finite({name: arrays[name] for name in names}, path, {})
    table = np.column_stack([arrays[n] for n in names])
    k = len(module.INPUT_NAMES)
    return _fit(path.name, table[:, :k], table[:, k:], module, file=str(path))


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
