"""Reading what a spec's author wrote, as a hostile author may write it.

Two jobs, both before any work is done on a spec: reading the text (a regular file within
:data:`MAX_SPEC_BYTES`, UTF-8, TOML nested at most :data:`MAX_TOML_DEPTH` deep), and typed
accessors that turn each value into what its key expects or raise one :class:`SpecError`
naming the key (and through the spec's :class:`~derive.spec.source.Source`, its line), what was
expected and what was found. Every key of both spec forms, and every argument of the Python
API, goes through one of these accessors.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

from derive.errors import SpecError, shown
from derive.files import decode_text, read_regular, size_text

#: Spec files (and spec texts given in Python) larger than this are refused before they are
#: read: a layered spec that writes out every weight of a 784-128-10 network is about 1.5 MB.
MAX_SPEC_BYTES = 4 * 1024 * 1024

#: Brackets and braces nested deeper than this in a TOML spec are refused before it is parsed
#: (tomllib recurses once per level, so a deep nesting would end in a RecursionError; a spec
#: needs three levels, for its weight matrices).
MAX_TOML_DEPTH = 32

class _Locator(Protocol):
    """What turns a key and a message into a located error (a spec's Source)."""

    def error(self, key: str, message: str, hint: str | None = None) -> SpecError: ...


# --------------------------------------------------------------------------- reading files

def spec_path(path: Any) -> Path:
    """``path`` as a :class:`Path`, or a :class:`SpecError` saying why it cannot name a spec."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise SpecError(f"a spec is named by a path (a str or a Path), not {kind(path)}")
    if not path:
        raise SpecError("the spec's path is empty",
                        hint="give the path of a .toml spec, or see `chainrule examples`")
    if "\0" in path:
        raise SpecError("a path cannot hold a NUL character", file=path)
    return Path(path)


def read_spec_file(path: Path) -> str:
    """The text of the spec file ``path``: a regular file of at most :data:`MAX_SPEC_BYTES`,
    in UTF-8 (see :func:`derive.files.read_regular`)."""
    data = read_regular(path, MAX_SPEC_BYTES, SpecError, "spec file",
                        missing_hint="give the path of a .toml spec, or see `chainrule examples`")
    return decode_text(data, str(path), SpecError, "spec file")


def check_spec_size(size: int, file: str | None) -> None:
    """A :class:`SpecError` when a spec of ``size`` bytes is over :data:`MAX_SPEC_BYTES`."""
    if size > MAX_SPEC_BYTES:
        raise SpecError(f"the spec is larger than the limit of {size_text(MAX_SPEC_BYTES)}",
                        file=file, hint="a spec holds a network's description, not its data; "
                                        "training data goes in a CSV or NPZ file")


# --------------------------------------------------------------------------- parsing TOML

#: What the nesting scan looks at: strings and comments, skipped whole (brackets inside them
#: do not nest), and brackets and braces. Everything else is passed over.
_TOML_NESTING = re.compile(r'''
    """(?:[^"\\]|\\[\s\S]|"(?!""))*""""{0,2}   # multi-line basic string
  | \'\'\'[\s\S]*?\'\'\'\'{0,2}                # multi-line literal string
  | "(?:[^"\\\n]|\\.)*"                        # basic string
  | '[^'\n]*'                                  # literal string
  | \#[^\n]*                                   # comment
  | [\[\]{}]
''', re.VERBOSE)


def check_toml_depth(text: str, file: str | None) -> None:
    """A :class:`SpecError` at the line where brackets and braces nest past
    :data:`MAX_TOML_DEPTH` (a scan that reads strings and comments as TOML does)."""
    depth = 0
    for match in _TOML_NESTING.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                raise SpecError(f"arrays or tables nested more than {MAX_TOML_DEPTH} deep",
                                file=file, line=text.count("\n", 0, match.start()) + 1,
                                hint="a spec needs three levels at most, for weights[layer][to][from]")
        elif token in "]}":
            depth = max(depth - 1, 0)


def parse_toml(text: str, file: str | None) -> dict[str, Any]:
    """The tables of a TOML spec text, checked for size and nesting before it is parsed."""
    if not isinstance(text, str):
        raise SpecError(f"a spec's text is a str, not {kind(text)}", file=file)
    check_spec_size(len(text), file)
    check_toml_depth(text, file)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        line = int(found.group(1)) if found else None
        message = re.sub(r"\s*\(at line.*\)$", "", str(err))
        raise SpecError(f"not valid TOML: {message}", file=file, line=line,
                        hint="expected `key = value` lines under [tables]") from None
    except ValueError:  # Python refuses to convert a decimal integer of over 4,300 digits
        long = re.search(r"\d(?:_?\d){4300,}", text)
        raise SpecError("a whole number of more than 4,300 digits", file=file,
                        line=text.count("\n", 0, long.start()) + 1 if long else None,
                        hint="a number in a spec is a float64, at most about 1.8e308") from None
    except RecursionError:  # only if the nesting scan was fooled: still one clear line
        raise SpecError("nested too deeply for the TOML reader", file=file,
                        hint=f"keep arrays and tables at most {MAX_TOML_DEPTH} deep") from None


# --------------------------------------------------------------------------- typed values

def kind(value: Any) -> str:
    """What ``value`` is, in the words of a spec, with the value shown short: for errors."""
    text = shown(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {text}"
    if isinstance(value, numbers.Integral):
        return f"the whole number {text}"
    if isinstance(value, numbers.Real):
        return f"the number {text}"
    if isinstance(value, Mapping):
        return f"the table {text}"
    if isinstance(value, (list, tuple)):
        return f"the list {text}"
    return f"{type(value).__name__} {text}"


def wrong(value: Any, key: str, expected: str, source: _Locator, hint: str | None = None) -> SpecError:
    """The error for ``value`` at ``key`` when ``expected`` was expected."""
    return source.error(key, f"expected {expected}, got {kind(value)}", hint=hint)


def string(value: Any, key: str, source: _Locator, max_length: int | None = None) -> str:
    """``value`` if it is a string (of at most ``max_length`` characters)."""
    if not isinstance(value, str):
        raise wrong(value, key, "a string", source, hint=f'e.g. {key.rsplit(".", 1)[-1]} = "..."')
    if max_length is not None and len(value) > max_length:
        raise source.error(key, f"expected at most {max_length:,} characters, got {len(value):,}")
    return value


def number(value: Any, key: str, source: _Locator, expected: str = "a number") -> float:
    """``value`` as a finite float (an int or a float, not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise wrong(value, key, expected, source)
    try:
        out = float(value)
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise wrong(value, key, "a finite " + expected.removeprefix("a "), source)
    return out


def positive(value: Any, key: str, source: _Locator, hint: str | None = None) -> float:
    """``value`` as a finite float above 0."""
    out = number(value, key, source, "a positive number")
    if out <= 0:
        raise wrong(value, key, "a positive number", source, hint=hint)
    return out


def whole(value: Any, key: str, source: _Locator, low: int, high: int,
          expected: str | None = None) -> int:
    """``value`` as an int from ``low`` to ``high`` (a boolean or a float is not one)."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or not low <= value <= high):
        raise wrong(value, key, expected or f"a whole number from {low} to {high}", source)
    return int(value)


def names(value: Any, key: str, source: _Locator, example: str) -> list[str]:
    """``value`` as a list of strings (a TOML array or a Python list or tuple)."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise wrong(value, key, "a list of names", source, hint=f"e.g. {example}")
    return list(value)


def table(value: Any, key: str, source: _Locator, expected: str = "a table") -> dict[str, Any]:
    """``value`` as a dict whose keys are strings (a TOML table or a Python mapping)."""
    if not isinstance(value, Mapping):
        raise wrong(value, key, expected, source)
    for name in value:
        if not isinstance(name, str):
            raise source.error(key, f"expected names (strings) as keys, got {kind(name)}")
    return dict(value)


def choice(value: Any, key: str, source: _Locator, allowed: Sequence[str], what: str,
           listed: Sequence[str] | None = None) -> str:
    """``value`` if it is one of ``allowed``; ``what`` names the kind of choice for errors
    and ``listed`` (default: ``allowed``) is what the hint offers."""
    listed = list(listed or allowed)
    offer = "expected one of " + ", ".join(listed)
    if not isinstance(value, str):
        article = "an" if what[0] in "aeiou" else "a"
        raise wrong(value, key, f"the name of {article} {what}", source, hint=offer)
    if value not in allowed:
        raise source.error(key, f"unknown {what} {shown(value)}",
                           hint=closest(value, listed) or offer)
    return value


def closest(name: str, known: Sequence[str]) -> str | None:
    """'did you mean ...?' for the known names closest to ``name``, or None."""
    import difflib
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else None
