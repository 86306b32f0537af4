"""The plain claim syntax: a claim text normalised with its source columns, the expression
parser with derivative atoms (``dE/dw5``, ``δ_o1``), and names written with TeX-style
indices outside LaTeX (``w^1_{21}``, ``O_1``).

A LaTeX claim is turned into this syntax (:mod:`derive.claims.read_latex`) and parsed here too.
"""

from __future__ import annotations

import re

from derive.claims.claim import Deriv
from derive.claims.latex_scan import identifier, latex_key
from derive.claims.names import CLAIM_FUNCTIONS, PRIMED, Names
from derive.errors import ClaimError
from derive.spec import expr as ex


class ClaimText:
    """A normalised claim text and, per character, its column in the original (1-based)."""

    def __init__(self):
        self.chars: list[str] = []
        self.cols: list[int] = []

    def add(self, text: str, col: int) -> None:
        for ch in text:
            self.chars.append(ch)
            self.cols.append(col)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def column(self, index: int) -> int:
        """Original column of normalised index ``index`` (0-based)."""
        if not self.cols:
            return 1
        return self.cols[min(index, len(self.cols) - 1)] + (1 if index >= len(self.cols) else 0)


_PLAIN_CHARS = {"δ": "delta_", "∂": "d", "−": "-", "–": "-", "—": "-",
                "·": "*", "×": "*", "⋅": "*",
                "σ": "sigmoid", "η": "eta", "α": "alpha", "²": "**2", "’": "'", "\u00a0": " "}


def plain_text(text: str) -> ClaimText:
    """A plain claim with its unicode math (δ, ∂, −, ·, σ, η, ², σ′) in the plain syntax."""
    out = ClaimText()
    for i, ch in enumerate(text):
        if ch in "'′" and out.text.endswith(PRIMED) and text[i + 1:].lstrip().startswith("("):
            out.add("_prime", i + 1)  # sigmoid'(z): the derivative, written with a prime
            continue
        out.add(_PLAIN_CHARS.get(ch, ch), i + 1)
    return out


_DERIV_NAME = re.compile(r"d_?[A-Za-z_]\w*\Z")


class ClaimParser(ex.Parser):
    """The expression parser with derivative atoms ``dA/dB`` (merged from three tokens)."""

    def __init__(self, text: str, names: Names):
        super().__init__(text, CLAIM_FUNCTIONS)
        self.names = names
        self.tokens = self._merge(self.tokens)

    def _strip(self, word: str) -> str:
        for cut in (2, 1) if word.startswith("d_") else (1,):
            if self.names.resolve(word[cut:]):
                return word[cut:]
        return word[2:] if word.startswith("d_") else word[1:]

    def _merge(self, tokens: list[ex.Token]) -> list[ex.Token]:
        out, i = [], 0
        while i < len(tokens):
            t = tokens[i]
            if (i + 2 < len(tokens) and t.kind == "name" and tokens[i + 1].text == "/"
                    and tokens[i + 2].kind == "name" and self._derivative_word(t.text)
                    and self._derivative_word(tokens[i + 2].text)):
                out.append(ex.Token("deriv", f"{self._strip(t.text)}/{self._strip(tokens[i + 2].text)}",
                                    t.pos))
                i += 3
                continue
            out.append(t)
            i += 1
        return out

    def _derivative_word(self, word: str) -> bool:
        return bool(_DERIV_NAME.match(word)) and self.names.resolve(word) is None and word != "d"

    def atom(self):
        tok = self.tok
        if tok.kind == "name" and self.names.delta_of(tok.text):
            self.advance()  # δ_o1 is ∂C/∂o1
            return Deriv(self.names.network.cost, self.names.delta_of(tok.text), tok.pos)
        if tok.kind == "deriv":
            self.advance()
            num, den = tok.text.split("/")
            return Deriv(num, den, tok.pos)
        if (tok.kind == "name" and tok.text not in self.functions and self.names.resolve(tok.text)
                and self.tokens[self.i + 1].text == "("):
            self.advance()  # O1(1 - O1): a symbol times a parenthesis, not a call
            return ex.Name(tok.text, tok.pos)
        return super().atom()

    def product(self):
        """Products, with juxtaposition as multiplication: ``(O1 - y1) O1 (1 - O1)``."""
        node = self.unary()
        while True:
            if self.tok.text in ("*", "/"):
                op = self.advance()
                node = ex.Binary(op.text, node, self.unary(), op.pos)
            elif self.tok.kind in ("num", "name", "deriv") or self.tok.text == "(":
                node = ex.Binary("*", node, self.power(), self.tok.pos)
            else:
                return node


#: a name with TeX-style indices in plain text (w^1_{21}, O_1, a^3_1), after an optional d/∂
_INDEXED = re.compile(r"(?<![A-Za-z0-9_])[d∂]?([A-Za-z]+(?:\s*[\^_]\s*(?:\{[^{}]*\}|[A-Za-z0-9]))+)")


def indexed_names(text: str, names: Names) -> dict[str, str]:
    """Plain claims may spell names with TeX-style indices, as authors do outside LaTeX:
    ``dC/dw^1_{21}``, ``O_1``. Each such spelling becomes an alias of the network name whose
    LaTeX spelling it is; a trailing ``^2`` that is not part of a name stays a power.

    Raises:
        ClaimError: an indexed spelling that names nothing in the network.
    """
    found = {}
    for m in _INDEXED.finditer(text):
        spelling = m.group(1)
        if spelling in names.known:
            continue
        while spelling:
            key = latex_key(spelling)
            if key is not None and key in names.latex:
                found[spelling] = names.latex[key]
                break
            power = re.search(r"\^\s*(?:\{\s*\d+\s*\}|\d)\s*\Z", spelling)
            spelling = spelling[:power.start()].rstrip() if power else ""
        else:
            if re.fullmatch(r"\w+", m.group(1)):
                continue  # maybe a plain name (d_w11, net_h1): the plain reader's business
            key = latex_key(m.group(1))
            guess = identifier(key) if key else m.group(1)
            hint = ", ".join(names.closest(guess))
            raise ClaimError(f"unknown symbol {m.group(1)!r} at column {m.start(1) + 1}"
                             + (f" (closest known: {hint})" if hint else ""))
    return found
