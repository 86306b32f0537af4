r"""The LaTeX claim reader: LaTeX math (``\frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y)\,
a^2_1``) turned into the plain claim syntax, each piece remembering its source column, and
each symbol looked up among the network's LaTeX spellings."""

from __future__ import annotations

import re

from derive.claims.latex_scan import LatexScanner, identifier
from derive.claims.names import ETA, LEARNING_RATE_NAMES, PRIMED, Names
from derive.claims.read_plain import ClaimText
from derive.spec import expr as ex

_LATEX_SKIP = {",", ";", "!", " ", ":", "quad", "qquad", "Large", "large", "LARGE", "huge",
               "Huge", "displaystyle", "textstyle", "big", "Big", "bigg", "Bigg", "left",
               "right", "nonumber", "limits"}
_LATEX_FUNCS = {"sigma": "sigmoid", "exp": "exp", "log": "log", "ln": "log", "tanh": "tanh"}
_LATEX_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_LATEX_PRIME = re.compile(r"\s*(?:'|\^\s*\{?\s*\\prime\s*\}?)")
_LATEX_RATE = re.compile("(?:" + "|".join(sorted(LEARNING_RATE_NAMES, key=len, reverse=True))
                         + r")(?![A-Za-z])")
#: the d of a derivative's numerator or denominator: \partial, \mathrm{d}, d, then spacing
_LATEX_D = re.compile(r"(?:\s|\\[,;:! ])*(\\partial|\\mathrm\{d\}|d(?=(?:\s|\\[,;:! ])*[\\A-Za-z]))"
                      r"(?:\s|\\[,;:! ])*")


class LatexReader(LatexScanner):
    """Turns LaTeX math into the plain claim syntax, remembering source columns."""

    def __init__(self, src: str, names: Names, offset: int = 0, depth: int = 0):
        super().__init__(src, offset, names.known)
        self.names = names
        self.depth = depth  # groups ({...}, \frac, ^{...}) around this text
        self.out = ClaimText()
        self.last = "start"  # kind of the last piece: start | operand | op | open | func
        self.display: dict[str, str] = {}

    def emit(self, kind: str, text: str, col: int) -> None:
        if kind in ("operand", "open", "func") and self.last in ("operand", "close"):
            self.out.add(" * ", col + self.offset + 1)  # juxtaposition is multiplication
        self.out.add(f" {text} " if kind != "func" else f" {text}", col + self.offset + 1)
        self.last = kind

    # ---- symbols
    def symbol(self) -> None:
        key, start = self.symbol_key()
        base, sup, sub = key
        updated = re.search(r"(\\prime|'|\+|\(new\)|new)$", sup)
        if updated:  # w^{2+}_{11}, w^{1\prime}: the value after the update step
            sup = sup[:updated.start()]
            key = (base, sup, sub)
        spelling = self.src[start:self.i].strip()
        name = self.names.latex.get(key)
        if name is None and base == "\\delta":
            node = self._delta_node(sup, sub)
            if node:
                name = f"delta_{node}"
        power = None
        if name is None and sup:
            plain = self.names.latex.get((base, "", sub))
            if plain and re.fullmatch(r"\d+", sup):
                name, power = plain, sup
        if name is None and not sup and not sub and base.lstrip("\\") in LEARNING_RATE_NAMES:
            name = ETA
        if name is None:
            name = identifier(key)
            if name in self.names.known:
                name += "_"
        self.display[name] = spelling if power is None else spelling.rsplit("^", 1)[0]
        self.emit("operand", name, start)
        if updated:
            self.out.add("'", start + self.offset + 1)
        if power:
            self.out.add(f"**{power} ", start + self.offset + 1)

    # ---- structure
    def convert(self, end: str | None = None) -> None:
        while True:
            self.skip_space()
            ch = self.peek()
            if not ch:
                if end:
                    raise self.error(f"expected {end!r}, found the end of the text")
                return
            if end and ch == end:
                return
            self.step(ch)

    def step(self, ch: str) -> None:
        start = self.i
        if ch == "\\":
            self.backslash()
        elif ch.isalpha() and (word := _LATEX_RATE.match(self.src, self.i)):
            self.i = word.end()  # learningRate: one word, not a product of letters
            self.display[ETA] = word.group()
            self.emit("operand", ETA, start)
        elif ch == "e" and self._exponential():
            self.emit("func", "exp", start)  # e^{...}: the exponential function
            body, at = self.group()
            self.sub_expression(body, at)
        elif ch.isalpha():
            self.symbol()
        elif ch.isdigit() or ch == ".":
            m = re.compile(r"\d*\.?\d+|\d+\.").match(self.src, self.i)
            if not m:
                raise self.error(f"unexpected character {ch!r}")
            self.i = m.end()
            self.emit("operand", m.group(), start)
        elif ch in "+-–−*/":
            self.i += 1
            self.emit("op", "-" if ch in "–−" else ch, start)
        elif ch in "([":
            self.i += 1
            self.emit("open", "(", start)
        elif ch in ")]":
            self.i += 1
            self.emit("close", ")", start)
            self.last = "close"
        elif ch == "{":
            self.i += 1
            self.emit("open", "(", start)
            self.deeper(start)
            self.convert("}")
            self.depth -= 1
            self.i += 1
            self.emit("close", ")", self.i - 1)
            self.last = "close"
        elif ch == "^":
            self.i += 1
            body, at = self.group()
            self.out.add(" ** ", start + self.offset + 1)
            self.sub_expression(body, at)
        elif ch == "=":
            self.i += 1
            self.out.add(" = ", start + self.offset + 1)
            self.last = "start"
        elif ch in "'":
            self.i += 1
            self.out.add("'", start + self.offset + 1)
        else:
            raise self.error(f"unexpected character {ch!r}")

    def deeper(self, at: int) -> None:
        """Enter a group, refusing more than :data:`MAX_DEPTH` of them around each other."""
        if self.depth >= ex.MAX_DEPTH:
            raise self.error(f"the claim nests deeper than {ex.MAX_DEPTH} levels of groups", at)
        self.depth += 1

    def sub_expression(self, body: str, at: int) -> None:
        inner = LatexReader(body, self.names, self.offset + at, self.depth)
        inner.deeper(0)
        inner.convert()
        self.display.update(inner.display)
        self.out.add(" (", at + self.offset + 1)
        self.out.chars += inner.out.chars
        self.out.cols += inner.out.cols
        self.out.add(") ", at + self.offset + 1)
        self.last = "close"

    def backslash(self) -> None:
        start = self.i
        save = self.i
        name = self.command()
        if name in _LATEX_SKIP:
            return
        if name in _LATEX_OPS:
            self.emit("op", _LATEX_OPS[name], start)
        elif name in ("frac", "dfrac", "tfrac"):
            self.fraction(start)
        elif name == "sqrt":  # \sqrt{x}: its argument is a group
            self.emit("func", "sqrt", start)
            body, at = self.group()
            self.sub_expression(body, at)
        elif name in _LATEX_FUNCS and self._call_follows():
            self.emit("func", _LATEX_FUNCS[name], start)
        elif _LATEX_FUNCS.get(name) in PRIMED and _LATEX_PRIME.match(self.src, self.i):
            self.i = _LATEX_PRIME.match(self.src, self.i).end()  # \sigma'(z): the derivative
            if not self._call_follows():
                raise self.error("expected '(' after the derivative of a function")
            self.emit("func", _LATEX_FUNCS[name] + "_prime", start)
        elif name in ("{", "}"):
            self.emit("open" if name == "{" else "close", "(" if name == "{" else ")", start)
        else:
            self.i = save
            self.symbol()

    def _delta_node(self, sup: str, sub: str) -> str | None:
        """The node of ``\\delta^l_j``: the pre-activation z^l_j of a layered network, else
        the only node written with these indices (``\\delta_{o1}`` is δ of o1)."""
        layers = self.names.network.layers
        if layers is not None:
            node = self.names.latex.get((layers.notation.preactivation, sup, sub))
            if node:
                return node
        if not sup:
            node = self.names.latex.get((sub, "", "")) or self.names.resolve(sub)
            if node in self.names.nodes:
                return node
        return None

    def _exponential(self) -> bool:
        """Whether the ``e`` at the cursor is Euler's number raised to a power."""
        if self.names.latex.get(("e", "", "")):
            return False
        rest = self.src[self.i + 1:].lstrip()
        if not rest.startswith("^"):
            return False
        self.i = self.src.index("^", self.i) + 1
        return True

    def _call_follows(self) -> bool:
        rest = self.src[self.i:].lstrip()
        return rest.startswith("(") or rest.startswith("\\left") or rest.startswith("[")

    def fraction(self, start: int) -> None:
        top, top_at = self.group()
        bottom, bottom_at = self.group()
        num = self._partial(top, top_at)
        den = self._partial(bottom, bottom_at)
        if num and den:
            self.emit("operand", f"d{num} / d{den}", start)
            return
        self.emit("open", "(", start)
        self.sub_expression(top, top_at)
        self.out.add(" / ", start + self.offset + 1)
        self.sub_expression(bottom, bottom_at)
        self.out.add(" ) ", start + self.offset + 1)
        self.last = "close"

    def _partial(self, text: str, at: int) -> str | None:
        """The identifier of ``\\partial X`` / ``dX`` / ``\\mathrm{d}X``, else None."""
        m = _LATEX_D.match(text)
        if not m:
            return None
        reader = LatexReader(text, self.names, self.offset + at, self.depth)
        reader.i = m.end()
        if not reader.peek():
            return None
        reader.symbol()
        reader.skip_space()
        if reader.i < len(text):
            return None  # e.g. \partial (a + b): not a single symbol
        name = reader.out.text.replace("*", "").split()
        self.display.update(reader.display)
        return name[0] if len(name) == 1 else None


def latex_to_plain(text: str, names: Names) -> tuple[ClaimText, dict[str, str]]:
    """A LaTeX claim in the plain syntax, and each identifier's spelling in it."""
    cleaned = re.sub(r"\[/?latex\]", lambda m: " " * len(m.group()), text)
    cleaned = cleaned.replace("$", " ")
    reader = LatexReader(cleaned, names)
    reader.convert()
    return reader.out, reader.display
