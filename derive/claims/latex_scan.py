r"""The cursor over LaTeX text that reads one symbol with its decorations (``w^{2}_{11}``,
``\mathrm{error}``), and the keys and identifiers made from such symbols.

Both readers need it: the LaTeX reader for every symbol, the plain reader for names written
with TeX-style indices, and the table of a network's LaTeX spellings for its keys.
"""

from __future__ import annotations

import re
from typing import Collection

from derive.errors import ClaimError

_LATEX_FONTS = {"mathrm", "text", "operatorname", "mathit", "textrm", "mathbf", "boldsymbol"}


def latex_key(spelling: str) -> tuple | None:
    """(base, superscript, subscript) of a LaTeX symbol spelling, braces and spaces ignored."""
    try:
        reader = LatexScanner(spelling)
        reader.skip_space()
        key, _ = reader.symbol_key()
        reader.skip_space()
        return key if reader.i >= len(reader.src) else None
    except ClaimError:
        return None


def identifier(key: tuple) -> str:
    """A Python identifier for a symbol key: ``("w", "2", "11")`` → ``w2_11``."""
    base, sup, sub = key
    base = re.sub(r"\W", "", base) or "s"
    ident = base + re.sub(r"\W", "", sup) + ("_" + re.sub(r"\W", "", sub) if sub else "")
    return ident if re.fullmatch(r"[A-Za-z_]\w*", ident) else "s" + ident


class LatexScanner:
    """A cursor over LaTeX text: commands, groups and symbols, with error columns."""

    def __init__(self, src: str, offset: int = 0, known: Collection[str] = ()):
        self.src = src
        self.offset = offset  # column of src[0] in the claim, less one
        self.known = known  # the network's names: a run of letters and digits may be one
        self.i = 0

    def error(self, message: str, at: int | None = None) -> ClaimError:
        col = (self.i if at is None else at) + self.offset + 1
        return ClaimError(f"{message} at column {col}")

    def peek(self) -> str:
        return self.src[self.i] if self.i < len(self.src) else ""

    def skip_space(self) -> None:
        while self.i < len(self.src) and self.src[self.i] in " \t\n":
            self.i += 1

    def command(self) -> str:
        """Read ``\\name`` (or ``\\,``) at the cursor; returns the name."""
        start = self.i
        self.i += 1
        m = re.compile(r"[A-Za-z]+").match(self.src, self.i)
        if m:
            self.i = m.end()
            return m.group()
        if self.i < len(self.src):
            self.i += 1
            return self.src[self.i - 1]
        raise self.error("a lone backslash", start)

    def group(self) -> tuple[str, int]:
        """Read ``{...}`` (balanced) or one token; returns (content, its start)."""
        self.skip_space()
        if self.peek() == "{":
            start, depth = self.i + 1, 0
            while self.i < len(self.src):
                ch = self.src[self.i]
                depth += ch == "{"
                depth -= ch == "}"
                self.i += 1
                if depth == 0:
                    return self.src[start:self.i - 1], start
            raise self.error("an unclosed '{'", start - 1)
        if self.peek() == "\\":
            start = self.i
            self.command()
            return self.src[start:self.i], start
        if not self.peek():
            raise self.error("expected a group, found the end of the text")
        self.i += 1
        return self.src[self.i - 1], self.i - 1

    def symbol_key(self) -> tuple[tuple, int]:
        """Read a symbol with its decorations: (base, sup, sub), primes kept in sup."""
        start = self.i
        if self.peek() == "\\":
            name = self.command()
            if name in _LATEX_FONTS:
                body, _ = self.group()
                base = re.sub(r"\s+", "", body)
            else:
                base = "\\" + name
        elif self.peek().isalpha():
            base = self._letters()
        else:
            raise self.error("expected a symbol")
        sup = sub = ""
        while True:
            self.skip_space()
            ch = self.peek()
            if ch and ch in "^_":
                self.i += 1
                body, _ = self.group()
                body = re.sub(r"[\s{}]", "", body)
                if ch == "^":
                    sup += body
                else:
                    sub += body
            else:
                break
        return (base, sup, sub), start

    def _letters(self) -> str:
        """One letter, as LaTeX reads ``xy`` (x·y) — or the longest run of letters and digits
        from here that is a name of the network: ``x1`` is the input x1 where the spec has one,
        not x·1 (which would judge the claim against another quantity)."""
        found = re.match(r"[A-Za-z][A-Za-z0-9]*", self.src[self.i:])
        run = found.group() if found else self.peek()    # a letter of another script: itself
        end = next((k for k in range(len(run), 1, -1) if run[:k] in self.known), 1)
        self.i += end
        return run[:end]
