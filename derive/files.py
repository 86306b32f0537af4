"""Files from and for the user: written so that they are never half-written (a crash or
Ctrl-C leaves the old one), read only when they are regular files (a FIFO or a device would
hang or never end)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from derive.errors import ChainruleError

#: Prefix of the temporary file beside a file being written: short, so that a file name near
#: the system's limit (255 bytes) still leaves room for it.
_TEMP_PREFIX = ".chainrule-"


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``path`` through a temporary file in its folder, then rename it into place.

    The file gets the mode a new file gets under the user's umask (mkstemp's is 0600).

    Raises:
        ChainruleError: ``path`` is a folder, or cannot be written (naming why).
    """
    path = writable_target(Path(path))
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        make_folder(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=".tmp")
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


def writable_target(path: Path) -> Path:
    """The file that writing ``path`` replaces: the file a symbolic link points to (so the
    link stays a link), and only ever a regular file — renaming onto ``/dev/stdout`` or a
    FIFO would replace the device or the pipe itself.

    Raises:
        ChainruleError: ``path`` is a folder, a device, a FIFO or a socket.
    """
    if is_folder(path):
        raise ChainruleError(f"cannot write {path}: it is a folder",
                             hint="give the name of a file to write")
    try:
        mode = os.stat(path).st_mode
    except OSError:                       # not there (yet): a new file, or a dangling link
        return Path(os.path.realpath(path)) if os.path.islink(path) else path
    if not stat.S_ISREG(mode):
        raise ChainruleError(f"cannot write {path}: it is not a regular file but "
                             f"{_special_kind(mode)}",
                             hint="give a file's name, or leave out -o for standard output")
    return Path(os.path.realpath(path))


def is_folder(path: str | Path) -> bool:
    """Whether ``path`` is an existing folder (False for a name the system cannot even look
    up, such as one over 255 bytes: writing it gives the clear error)."""
    try:
        return Path(path).is_dir()
    except OSError:
        return False


def make_folder(folder: str | Path) -> None:
    """Create ``folder`` and its parents; a clear error when that is impossible."""
    folder = Path(folder)
    if not is_folder(folder) and os.path.lexists(folder):
        raise ChainruleError(f"cannot write {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ChainruleError(f"cannot write {folder}: {err.strerror or err}") from None


def open_regular(path: str | Path, error: type[ChainruleError] = ChainruleError,
                 what: str = "file", missing_hint: str | None = None) -> tuple[BinaryIO, int]:
    """Open ``path`` for reading in binary, refusing anything but a regular file.

    The file is opened without blocking and checked on its descriptor, so a FIFO (which would
    wait for a writer forever), a device such as /dev/zero (which never ends) or a folder is
    refused before a byte is read, and swapping the file in between changes nothing.

    Args:
        path: the file.
        error: the :class:`ChainruleError` subclass to raise (SpecError, DataError …).
        what: what the file is, for the message (e.g. "data file").
        missing_hint: the hint for a file that does not exist.

    Returns:
        The open file (the caller closes it) and its size in bytes.

    Raises:
        error: the file is missing, unreadable or not a regular file.
    """
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"no such {what}", file=file, hint=missing_hint) from None
    except IsADirectoryError:
        raise _folder(error, what, file) from None
    except OSError as err:
        raise error(f"cannot read the {what}: {(err.strerror or str(err)).lower()}",
                    file=file) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _folder(error, what, file)
        raise error(f"is not a regular file but {_special_kind(info.st_mode)}; only regular "
                    f"files are read", file=file)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb"), info.st_size


def read_regular(path: str | Path, limit: int, error: type[ChainruleError] = ChainruleError,
                 what: str = "file", missing_hint: str | None = None) -> bytes:
    """The bytes of ``path``, a regular file (see :func:`open_regular`) of at most ``limit``
    bytes, never read past the limit.

    Raises:
        error: as :func:`open_regular`, or the file is larger than ``limit``.
    """
    handle, _size = open_regular(path, error, what, missing_hint)
    with handle:
        try:
            data = handle.read(limit + 1)
        except OSError as err:
            raise error(f"cannot read the {what}: {err.strerror or err}", file=str(path)) from None
    if len(data) > limit:
        raise error(f"the {what} is larger than the limit of {size_text(limit)}", file=str(path))
    return data


def decode_text(data: bytes, file: str, error: type[ChainruleError] = ChainruleError,
                what: str = "file") -> str:
    """The UTF-8 text of a file from outside (a byte-order mark before it is dropped).

    Raises:
        error: UTF-16 text, binary data (a NUL byte), or a byte that is not UTF-8 (naming its
            line and column).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"the {what} is UTF-16 text, not UTF-8", file=file,
                    hint="save it as UTF-8, e.g. with iconv -f utf-16 -t utf-8")
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise error(f"the {what} holds NUL bytes: binary data, not UTF-8 text", file=file,
                    line=data.count(b"\n", 0, at) + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        raise error(f"byte {data[err.start]:#04x} in column {err.start - line_start + 1} is not "
                    "UTF-8", file=file, line=data.count(b"\n", 0, err.start) + 1,
                    hint="save it as UTF-8, e.g. with iconv -f latin1 -t utf-8") from None


def size_text(size: int) -> str:
    """A size in bytes as a limit is written: ``4 MiB``, else ``1,234 bytes``."""
    return f"{size // 2**20} MiB" if size % 2**20 == 0 else f"{size:,} bytes"


def _folder(error: type[ChainruleError], what: str, file: str) -> ChainruleError:
    return error("is a folder, not a regular file", file=file,
                 hint=f"give the path of a {what} inside it")


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
