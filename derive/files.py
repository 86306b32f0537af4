"""Writing files so that they are never half-written (a crash or Ctrl-C leaves the old one)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from derive.errors import ChainruleError


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``path`` through a temporary file in its folder, then rename it into place.

    The file gets the mode a new file gets under the user's umask (mkstemp's is 0600).
    """
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        make_folder(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise ChainruleError(f"cannot write {path}: {err.strerror or err}") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise ChainruleError(f"cannot write {path}: {err.strerror or err}") from None
        raise


def make_folder(folder: str | Path) -> None:
    """Create ``folder`` and its parents; a clear error when that is impossible."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ChainruleError(f"cannot write {folder}: {err.strerror or err}") from None


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
