"""Training data from a CSV file: a header naming the spec's inputs and targets, rows of numbers.

Read defensively: only a regular file within the size limit (:mod:`codegen.training.data_limits`),
lines no longer than :data:`MAX_CSV_LINE`, and every cell a finite decimal number; an error
names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np

from codegen.training.data_limits import check_size, max_data_bytes
from codegen.training.dataset import Dataset, counted
from derive.errors import DataError, shown
from derive.files import decode_text, open_regular

#: The longest line of a CSV file, in characters: Python's csv module holds a whole row's
#: fields at once (some 30 bytes each), so a line of millions of empty fields would take
#: gigabytes however small the file.
MAX_CSV_LINE = 1_000_000


def read_csv(path: Path, module) -> Dataset:
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
                raise DataError(f"this line has {counted(len(row), 'field')}, the header "
                                f"{len(header)}", file=str(path), line=reader.line_num)
            table[count] = [_number(row[c], name, path, reader.line_num)
                            for c, name in zip(columns, names)]
            count += 1
    except csv.Error as err:
        raise DataError(f"not valid CSV: {err}", file=str(path), line=reader.line_num) from None
    if not count:
        raise DataError("no data rows", file=str(path), line=2)
    k = len(module.INPUT_NAMES)
    return Dataset(path.name, table[:count, :k], table[:count, k:], file=str(path))


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
