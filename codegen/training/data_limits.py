"""How much training data may be read: a size limit and the available memory, checked first.

Data files come from anywhere, so their sizes are checked against :data:`MAX_DATA_BYTES` (or
``CHAINRULE_MAX_DATA_MB``) and against the memory this process can still take before anything
is read or inflated (:func:`check_size`).
"""

from __future__ import annotations

import os

from derive.errors import DataError, shown

#: The largest data set read: a CSV file of this many bytes, or NPZ arrays (or synthetic rows)
#: holding this many bytes of float64 values. Guards against files that would take the
#: machine's memory (a zip bomb inflates 1 MB into 1 GB). The environment variable
#: CHAINRULE_MAX_DATA_MB sets another limit; the memory check below applies all the same.
MAX_DATA_BYTES = 512 * 2 ** 20
#: A data set is held a few times over while it is read, split, standardised and converted;
#: it must fit into the available memory this many times.
MEMORY_FACTOR = 4


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
