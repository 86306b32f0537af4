"""One exception family for everything a user can get wrong: specs, claims, data."""

from __future__ import annotations

import reprlib
from typing import Any

#: A file name longer than this is shown shortened in an error (its start and its end), so
#: that the error stays one readable line.
MAX_SHOWN_FILE = 160

#: How much of a found text an error shows (a value can be thousands of characters long).
MAX_SHOWN_TEXT = 60

#: What shows any other found value in an error: short, on one line, safe for any nesting.
_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlong, _SHOW.maxlevel = MAX_SHOWN_TEXT, 60, 40, 3


class ChainruleError(Exception):
    """An error in user input, carrying where it is and what was expected."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        self.hint = hint

    def located(self, *, file: str | None = None, line: int | None = None,
                key: str | None = None) -> "ChainruleError":
        """Fill in the location where it is not known yet, and return self."""
        self.file = self.file or file
        self.line = self.line or line
        self.key = self.key or key
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = shown_file(self.file) + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        key = f"{self.key}: " if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{key}{self.message}{hint}"


def printable(text: object) -> str:
    """``text`` (a str, or a path or an error shown as one) on one printable line: every
    character that is not printable is written as its escape, as ``repr`` writes it (``\\n``,
    ``\\r``, ``\\x0c``, ``\\x85``, ``\\u2028``, ``\\x1b`` …), so no line break that Python's
    tokenizer or ``str.splitlines`` honours splits it and no terminal control sequence reaches
    a terminal. The one escaping function for messages and generated comments alike."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def shown_file(file: object) -> str:
    """A file name as an error shows it: :func:`printable`, and at most about
    ``MAX_SHOWN_FILE`` long."""
    text = printable(file)
    if len(text) > MAX_SHOWN_FILE:
        keep = MAX_SHOWN_FILE // 2
        text = f"{text[:keep]}…{text[-keep:]}"
    return text


class SpecError(ChainruleError):
    """A network spec that cannot be read or does not describe a valid network."""


class ClaimError(ChainruleError):
    """A claim that cannot be read."""


class DataError(ChainruleError):
    """Training data that cannot be loaded or does not fit the network."""


def shown(value: Any) -> str:
    """``value`` as an error shows it, on one line: a text quoted, cut short when long (with
    its length), anything else its repr, shortened."""
    if isinstance(value, str):
        if len(value) <= MAX_SHOWN_TEXT:
            return repr(value)
        return repr(value[:MAX_SHOWN_TEXT]) + f"… ({len(value):,} characters)"
    return _SHOW.repr(value)
