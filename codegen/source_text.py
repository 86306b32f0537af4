"""Everything from outside that reaches a generated module's source, made safe in one place.

Spec names, titles, file paths and the command that regenerates a module come from the user.
Printed raw, a newline in a title ends a ``#`` comment and starts a statement that runs when
the module is imported, and two spec names that print alike (``lambda`` made ``lambda_`` next
to a spec's own ``lambda_``) silently compute another network. Outside text therefore reaches
generated source only through this module:

- :func:`literal`: a Python string literal that evaluates to exactly the text;
- :func:`comment`: text for the inside of one ``#`` comment line, every line break and other
  unprintable character shown as its escape;
- :func:`number`: a float literal (``math.inf`` and ``math.nan`` where repr gives a bare name);
- :class:`Identifiers`: the names of one module's symbols, handed out once, injectively, none
  equal to a name Python, Numba or the module itself already uses.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import math
import re
from typing import Hashable, Iterable

from derive.errors import ChainruleError, printable

#: what a name may look like to be printed as an identifier (the spec's own rule: ASCII, a
#: letter first); names with a leading underscore are chainrule's (_t0, _max1, _sigmoid)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

#: names the generated modules import or that Numba resolves in them
MODULE_IMPORTS = ("math", "np", "numpy", "numba", "njit", "jit", "prange")

#: the module-level constants every generated module defines
MODULE_CONSTANTS = ("SPEC_NAME", "SPEC_HASH", "CHAINRULE_VERSION", "PARAM_NAMES", "INPUT_NAMES",
                    "TARGET_NAMES", "OUTPUT_NAMES", "NODE_NAMES", "LOSS", "IS_CLASSIFIER",
                    "DTYPE", "INITIAL_PARAMS", "FROZEN", "OPTIMIZERS", "HYPER_NAMES",
                    "DEFAULT_HYPER")


class CodegenError(ChainruleError):
    """Something chainrule cannot print as a generated module (or that did not compile)."""


def literal(text: str) -> str:
    """``text`` as a one-line Python string literal that evaluates to exactly ``text``.

    ``repr`` escapes every character that is not printable (line breaks of every kind, NUL,
    lone surrogates, bidirectional controls) and the quote that would end the literal, and
    leaves a backslash doubled, so ``\\u`` or ``\\N`` cannot start an escape.
    """
    if not isinstance(text, str):
        raise TypeError(f"literal() takes a str, not {type(text).__name__}")
    printed = repr(text)
    # held to it on every call, not by trust in repr: one printable line that reads back
    if not printed.isprintable() or ast.literal_eval(printed) != text:
        raise CodegenError(f"cannot print {printed[:60]} as a Python literal")
    return printed


def comment(text: object) -> str:
    """``text`` for the inside of one ``#`` comment line or one line of a message: it is
    :func:`derive.errors.printable`, so no line break ends the comment early."""
    return printable(text)


def number(value: float) -> str:
    """A float as a Python expression that evaluates to it (the module imports math)."""
    value = float(value)
    if math.isnan(value):
        return "math.nan"
    if math.isinf(value):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(value)


def reserved_names(*more: Iterable[str]) -> frozenset[str]:
    """Names no spec symbol may be printed as: Python's keywords, soft keywords and builtins,
    the names the generated modules import, their constants, and ``more`` (a module's own
    functions, arguments and locals)."""
    names = {*keyword.kwlist, *keyword.softkwlist, *dir(builtins), *MODULE_IMPORTS,
             *MODULE_CONSTANTS}
    for group in more:
        names.update(group)
    return frozenset(names)


def names_in(source: str) -> set[str]:
    """Every identifier a piece of (template) source uses: its functions, arguments, locals."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


class Identifiers:
    """The identifiers of one generated module's symbols: injective, none a reserved name."""

    def __init__(self, wanted: Iterable[tuple[Hashable, str]], reserved: frozenset[str]):
        """Give each key the identifier it wants where that is free, else the wanted name
        with underscores appended until it is free.

        Names that are free keep their spelling before any other name is mangled, so a
        spec's own ``lambda_`` stays ``lambda_`` and its ``lambda`` becomes ``lambda__``;
        keys are taken in the order given, so the same spec prints the same names.

        Args:
            wanted: (key, name) pairs; a key is a SymPy symbol (or anything hashable).
            reserved: names no key may get (see :func:`reserved_names`).

        Raises:
            CodegenError: a wanted name that is not an ASCII identifier starting with a
                letter (the spec reader refuses those; a Network built around it is not
                printed).
        """
        self.reserved = reserved
        self.table: dict[Hashable, str] = {}
        taken: set[str] = set()
        pending, seen = [], set()
        for key, name in wanted:
            if key in seen:
                continue
            seen.add(key)
            if not isinstance(name, str) or not _NAME.match(name):
                raise CodegenError(f"{name!r} is not a usable name in generated code",
                                     hint="expected letters, digits and _, starting with a letter")
            if name in reserved or name in taken:
                pending.append((key, name))
            else:
                self.table[key] = name
                taken.add(name)
        for key, name in pending:
            candidate = name + "_"
            while candidate in reserved or candidate in taken:
                candidate += "_"
            self.table[key] = candidate
            taken.add(candidate)

    def __getitem__(self, key: Hashable) -> str:
        return self.table[key]
