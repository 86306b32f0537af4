"""Reading textbook claims: a safe parser for plain math and LaTeX claims, and claims files.

Nothing a claim says is evaluated as Python: LaTeX is turned into the plain syntax, which
the parser of :mod:`derive.spec.expr` reads into trees, with :class:`Deriv` leaves for ``dE/dw5``.
"""

from __future__ import annotations

import bisect
import difflib
import math
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Iterable, Mapping

from derive.spec import expr as ex
from derive.errors import ClaimError
from derive.vocabulary import FUNCTIONS

if TYPE_CHECKING:
    from derive.spec.model import Network

#: how authors write the learning rate
LEARNING_RATE_NAMES = ("eta", "learning_rate", "learningRate", "lr", "alpha", "learningrate")
ETA = "eta"

#: Longest claim read (characters): a textbook's claims are a line or two; a longer text is
#: not checked (its names and aliases are looked up by passes over the whole text).
MAX_CLAIM_LENGTH = 10_000


# =========================================================================== reading claims

@dataclass(frozen=True)
class Deriv:
    """A derivative ``d num / d den`` written in a claim (names as the author wrote them)."""

    num: str
    den: str
    pos: int


@dataclass(frozen=True)
class Target:
    """The left side of a claim: a value, a value after the update step, or a derivative."""

    kind: str          # "value" | "after" | "deriv"
    name: str          # the quantity (numerator for a derivative)
    den: str | None = None
    pos: int = 0


@dataclass
class Claim:
    """A claim read into its left side and its right sides (``A = R1 = R2`` gives two)."""

    text: str
    target: Target
    sides: list          # parsed trees (ex.Node | Deriv)
    side_texts: list[str]
    latex: bool
    display: dict[str, str] = field(default_factory=dict)  # identifier → author's spelling
    prefix: str = "d"  # how the author writes a derivative's d: "d", "d_" or "∂"
    spelled: dict[str, str] = field(default_factory=dict)  # name → the alias this claim used
    indexed: bool = False  # plain text with TeX-style indices (w^1_{21}, O_1)


class _Text:
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


def _plain(text: str) -> _Text:
    out = _Text()
    for i, ch in enumerate(text):
        if ch in "'′" and out.text.endswith(PRIMED) and text[i + 1:].lstrip().startswith("("):
            out.add("_prime", i + 1)  # sigmoid'(z): the derivative, written with a prime
            continue
        out.add(_PLAIN_CHARS.get(ch, ch), i + 1)
    return out


class Names:
    """The names a claim may use: the network's, its aliases and LaTeX spellings."""

    def __init__(self, network: "Network", aliases: Mapping[str, str] | None = None):
        self.network = network
        self.nodes = list(network.equations)
        self.leaves = [*network.inputs, *network.targets, *network.parameters]
        self.known = set(self.nodes) | set(self.leaves)
        self.aliases = dict(aliases or {})
        for alias, name in self.aliases.items():
            if not isinstance(alias, str) or not isinstance(name, str) or not alias.strip():
                raise ClaimError(f"alias {alias!r} = {name!r}: an alias maps an author's "
                                 f"spelling (a non-empty text) to a network name",
                                 key=f"aliases.{alias}", hint='e.g. "out(h1)" = "H1"')
            if name not in self.known:
                raise ClaimError(f"alias {alias!r} names {name!r}, which is not in the network",
                                 key=f"aliases.{alias}", hint=_closest_hint(name, self.known))
            if alias in self.known and alias != name:
                raise ClaimError(f"alias {alias!r} = {name!r}: {alias!r} is already a name of "
                                 f"the network", key=f"aliases.{alias}",
                                 hint="an alias is an author's spelling of a name, not another "
                                      "name")
        self.latex = self._latex_table()
        #: name → the first author spelling given for it
        self.alias_of = {}
        for alias, name in self.aliases.items():
            self.alias_of.setdefault(name, alias)

    def _latex_table(self) -> dict[tuple, str]:
        table: dict[tuple, str] = {}
        for name in self.known:
            m = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
            if m:
                table[(m.group(1), "", m.group(2))] = name
            m = re.fullmatch(r"([A-Za-z]+)(\d+)_(\d+)", name)
            if m:
                table[(m.group(1), m.group(2), m.group(3))] = name
            table[(name, "", "")] = name
        for name, spelling in self.network.latex.items():
            key = _latex_key(spelling)
            if key is not None:
                table[key] = name
        return table

    def spelling(self, name: str, latex: bool) -> str:
        """How to show ``name``: the author's LaTeX spelling in a LaTeX claim."""
        if name == ETA and name not in self.known:
            return r"\eta" if latex else name
        if latex:
            return self.network.latex.get(name) or _default_latex(name)
        return name

    def delta_of(self, name: str) -> str | None:
        """The node whose δ (∂cost/∂node) ``delta_o1`` / ``deltao1`` / ``delta_`` + name names."""
        m = re.fullmatch(r"delta_?(\w+)", name)
        if m and name not in self.known and m.group(1).lstrip("_") in self.nodes:
            return m.group(1).lstrip("_")
        return None

    def resolve(self, name: str) -> str | None:
        """The network name written as ``name`` (learning rate words become ``eta``)."""
        if name in self.known:
            return name
        if name in LEARNING_RATE_NAMES:
            return ETA
        return None

    def closest(self, name: str) -> list[str]:
        """Up to three known names most like ``name`` (same first letter first)."""
        pool = sorted(self.known) + sorted(self.aliases)
        close = difflib.get_close_matches(name, pool, n=8, cutoff=0.4)
        score = lambda c: (difflib.SequenceMatcher(None, name, c).ratio()  # noqa: E731
                           + 0.2 * (c[:1] == name[:1]))
        return sorted(close, key=lambda c: -score(c))[:3]


def _default_latex(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z])(\d+)_(\d+)", name)
    if m:
        return f"{m.group(1)}^{{{m.group(2)}}}_{{{m.group(3)}}}"
    m = re.fullmatch(r"([A-Za-z])_?(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def _closest_hint(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.4)
    return ("closest known: " + ", ".join(close)) if close else None


# --------------------------------------------------------------------------- LaTeX

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
_LATEX_FONTS = {"mathrm", "text", "operatorname", "mathit", "textrm", "mathbf", "boldsymbol"}


def _latex_key(spelling: str) -> tuple | None:
    """(base, superscript, subscript) of a LaTeX symbol spelling, braces and spaces ignored."""
    try:
        reader = _LatexReader(spelling, None)
        reader.skip_space()
        key, _ = reader.symbol_key()
        reader.skip_space()
        return key if reader.i >= len(reader.src) else None
    except ClaimError:
        return None


class _LatexReader:
    """Turns LaTeX math into the plain claim syntax, remembering source columns."""

    def __init__(self, src: str, names: Names | None, offset: int = 0, depth: int = 0):
        self.src = src
        self.names = names
        self.offset = offset
        self.depth = depth  # groups ({...}, \frac, ^{...}) around this text
        self.i = 0
        self.out = _Text()
        self.last = "start"  # kind of the last piece: start | operand | op | open | func
        self.display: dict[str, str] = {}

    # ---- low level
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

    def emit(self, kind: str, text: str, col: int) -> None:
        if kind in ("operand", "open", "func") and self.last in ("operand", "close"):
            self.out.add(" * ", col + self.offset + 1)  # juxtaposition is multiplication
        self.out.add(f" {text} " if kind != "func" else f" {text}", col + self.offset + 1)
        self.last = kind

    # ---- symbols
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
        known = self.names.known if self.names else ()
        end = next((k for k in range(len(run), 1, -1) if run[:k] in known), 1)
        self.i += end
        return run[:end]

    def symbol(self) -> None:
        key, start = self.symbol_key()
        base, sup, sub = key
        updated = re.search(r"(\\prime|'|\+|\(new\)|new)$", sup)
        if updated:  # w^{2+}_{11}, w^{1\prime}: the value after the update step
            sup = sup[:updated.start()]
            key = (base, sup, sub)
        spelling = self.src[start:self.i].strip()
        name = self.names.latex.get(key) if self.names else None
        if name is None and base == "\\delta" and self.names:
            node = self._delta_node(sup, sub)
            if node:
                name = f"delta_{node}"
        power = None
        if name is None and sup and self.names:
            plain = self.names.latex.get((base, "", sub))
            if plain and re.fullmatch(r"\d+", sup):
                name, power = plain, sup
        if name is None and not sup and not sub and base.lstrip("\\") in LEARNING_RATE_NAMES:
            name = ETA
        if name is None:
            name = _identifier(key)
            if self.names and name in self.names.known:
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
        inner = _LatexReader(body, self.names, self.offset + at, self.depth)
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
        if self.names and self.names.latex.get(("e", "", "")):
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
        reader = _LatexReader(text, self.names, self.offset + at, self.depth)
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


def _identifier(key: tuple) -> str:
    base, sup, sub = key
    base = re.sub(r"\W", "", base) or "s"
    ident = base + re.sub(r"\W", "", sup) + ("_" + re.sub(r"\W", "", sub) if sub else "")
    return ident if re.fullmatch(r"[A-Za-z_]\w*", ident) else "s" + ident


def _latex_to_plain(text: str, names: Names) -> tuple[_Text, dict[str, str]]:
    cleaned = re.sub(r"\[/?latex\]", lambda m: " " * len(m.group()), text)
    cleaned = cleaned.replace("$", " ")
    reader = _LatexReader(cleaned, names)
    reader.convert()
    return reader.out, reader.display


# --------------------------------------------------------------------------- plain parsing

_DERIV_NAME = re.compile(r"d_?[A-Za-z_]\w*\Z")


#: functions a claim may call: the spec's, the step function of ReLU derivatives, and the
#: derivatives written with a prime (``sigmoid'(z)``, ``σ'(z)``, ``\sigma'(z)``)
PRIMED = ("sigmoid", "tanh", "relu", "softplus")
CLAIM_FUNCTIONS = (*FUNCTIONS, "Heaviside", "step", *(f"{f}_prime" for f in PRIMED))


def claim_function(name: str):
    """The SymPy function a claim calls as ``name``."""
    import sympy
    from derive.functions import function
    if name == "Heaviside":
        return sympy.Heaviside
    if name == "step":
        return lambda x: sympy.Heaviside(x, 0)
    if name.endswith("_prime"):
        f = function(name[:-len("_prime")])
        return lambda x: _derivative_of(f, x)
    return function(name)


def _derivative_of(f, x):
    """f'(x) for a registered function of one argument."""
    import sympy
    u = sympy.Symbol("_u", real=True)
    return sympy.diff(f(u), u).xreplace({u: x})


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


def tree_names(node) -> list[tuple[str, int]]:
    """(name, position) of every symbol a claim tree uses, derivative parts included."""
    names = []
    for leaf in _leaves(node, (Deriv, ex.Name)):
        names += ([(leaf.num, leaf.pos), (leaf.den, leaf.pos)] if isinstance(leaf, Deriv)
                  else [(leaf.id, leaf.pos)])
    return names


def _leaves(node, kind) -> list:
    """Every leaf of type ``kind`` (a type or a tuple of types) in a claim tree, in order."""
    return [n for n in ex.postorder(node) if isinstance(n, kind)]


def tree_derivs(node) -> list[Deriv]:
    """Every derivative atom in a claim tree."""
    return _leaves(node, Deriv)


def tree_numbers(node) -> list[ex.Num]:
    """Every number literal in a claim tree."""
    return _leaves(node, ex.Num)


_AFTER = [re.compile(r"new\s+(?P<n>[A-Za-z_]\w*)\Z"),
          re.compile(r"(?P<n>[A-Za-z_]\w*?)\s*"
                     r"(\+|'|\^\s*\+|\^\s*\(\s*\+\s*\)|\(\s*new\s*\)|_new|\s+after|\s+new)\Z")]


def _apply_aliases(text: str, aliases: Mapping[str, str], used: dict[str, str]) -> tuple[str, list[int]]:
    """Replace author spellings (``out(h1)``, also as ``dout(h1)``) by network names.

    Returns:
        The new text and, per character, its 0-based offset in ``text`` (for error columns);
        ``used`` receives name → the spelling this text used for it.
    """
    cols = list(range(len(text)))
    used.clear()
    for alias in sorted(aliases, key=len, reverse=True):
        pattern = re.escape(alias)
        if alias[:1].isalnum() or alias[:1] == "_":
            pattern = r"(?<![A-Za-z0-9_])(?:[d∂]_?)?" + pattern
        if alias[-1:].isalnum() or alias[-1:] == "_":
            pattern += r"(?![A-Za-z0-9_])"
        pieces, pos, out_cols = [], 0, []
        for m in re.finditer(pattern, text):
            prefix = m.group()[:len(m.group()) - len(alias)]  # "", "d", "d_" or "∂"
            used.setdefault(aliases[alias], alias)
            pieces += [text[pos:m.start()], prefix + aliases[alias]]
            out_cols += cols[pos:m.start()] + [cols[m.start()]] * (len(prefix) + len(aliases[alias]))
            pos = m.end()
        pieces.append(text[pos:])
        text, cols = "".join(pieces), out_cols + cols[pos:]
    return text, cols


def read_claim(text: str, names: Names) -> Claim:
    """Read one claim.

    Args:
        text: the claim, plain (``dE/dw5 = (O1 - y1)*H1``) or LaTeX (holds a backslash).
        names: the network's names and aliases.

    Raises:
        ClaimError: malformed text (with its column) or an unknown symbol (with the closest
            known names).
    """
    if not isinstance(text, str):
        raise ClaimError(f"a claim is a text, not {type(text).__name__} {text!r:.40}")
    if len(text) > MAX_CLAIM_LENGTH:
        raise ClaimError(f"the claim is {len(text):,} characters long, longer than the "
                         f"{MAX_CLAIM_LENGTH:,} read", hint="check its parts as separate claims")
    spelled: dict[str, str] = {}
    latex = "\\" in text
    indexed = {} if latex else _indexed_names(text, names)
    source, offsets = _apply_aliases(text, {**indexed, **names.aliases}, spelled)
    if latex:
        normal, display = _latex_to_plain(source, names)
    else:
        normal, display = _plain(source), {}
    normal.cols = [offsets[c - 1] + 1 if 0 < c <= len(offsets) else c for c in normal.cols]
    plain = normal.text
    parts = [m.start() for m in re.finditer("=", plain)]
    if not parts:
        raise ClaimError("a claim needs '=' (e.g. dE/dw5 = ... or o1 = 0.79)",
                         hint="write the claim as left side = right side")
    bounds = [-1] + parts + [len(plain)]
    pieces = [(plain[a + 1:b], a + 1) for a, b in zip(bounds, bounds[1:])]
    target = _read_target(*pieces[0], normal, names)
    sides, texts = [], []
    for piece, start in pieces[1:]:
        try:
            sides.append(ClaimParser(piece, names).parse())
        except ex.ExprError as err:
            column = normal.column(start + err.column - 1)
            message = re.sub(r" at column \d+$", "", err.message)
            hint = err.hint
            if message.startswith("unknown function"):
                hint = ("a node the author writes as a call, e.g. out(h1), needs an alias "
                        "(--alias 'out(h1)=H1' or [aliases] in a claims file); functions are "
                        + ", ".join(FUNCTIONS))
            raise ClaimError(f"{message} at column {column}", hint=hint) from None
        texts.append(piece.strip())
    prefix = "∂" if "∂" in text else ("d_" if re.search(r"(?<![A-Za-z0-9_])d_\w", plain) else "d")
    claim = Claim(text, target, sides, texts, latex, display, prefix, spelled, bool(indexed))
    _check_names(claim, names, normal, pieces)
    return claim


#: a name with TeX-style indices in plain text (w^1_{21}, O_1, a^3_1), after an optional d/∂
_INDEXED = re.compile(r"(?<![A-Za-z0-9_])[d∂]?([A-Za-z]+(?:\s*[\^_]\s*(?:\{[^{}]*\}|[A-Za-z0-9]))+)")


def _indexed_names(text: str, names: Names) -> dict[str, str]:
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
            key = _latex_key(spelling)
            if key is not None and key in names.latex:
                found[spelling] = names.latex[key]
                break
            power = re.search(r"\^\s*(?:\{\s*\d+\s*\}|\d)\s*\Z", spelling)
            spelling = spelling[:power.start()].rstrip() if power else ""
        else:
            if re.fullmatch(r"\w+", m.group(1)):
                continue  # maybe a plain name (d_w11, net_h1): the plain reader's business
            key = _latex_key(m.group(1))
            guess = _identifier(key) if key else m.group(1)
            hint = ", ".join(names.closest(guess))
            raise ClaimError(f"unknown symbol {m.group(1)!r} at column {m.start(1) + 1}"
                             + (f" (closest known: {hint})" if hint else ""))
    return found


def _read_target(piece: str, start: int, normal: _Text, names: Names) -> Target:
    lhs = re.sub(r"\s+", " ", piece.strip())
    col = normal.column(start + len(piece) - len(piece.lstrip()))
    if not lhs:
        raise ClaimError(f"nothing before '=' at column {col}", hint="expected a name or dA/dB")
    tokens = ClaimParser(lhs, names).tokens
    if len(tokens) == 2 and tokens[0].kind == "deriv":
        num, den = tokens[0].text.split("/")
        return Target("deriv", num, den, col)
    if len(tokens) == 2 and tokens[0].kind == "name" and names.delta_of(tokens[0].text):
        return Target("deriv", names.network.cost, names.delta_of(tokens[0].text), col)
    if len(tokens) == 2 and tokens[0].kind == "name":
        return Target("value", tokens[0].text, None, col)
    for pattern in _AFTER:
        m = pattern.match(lhs)
        if m:
            return Target("after", m.group("n"), None, col)
    raise ClaimError(f"cannot read the left side {lhs!r} at column {col}",
                     hint="expected a name (o1), a derivative (dE/dw5) or an updated "
                          "parameter (w1+, w1', new w1)")


def _check_names(claim: Claim, names: Names, normal: _Text, pieces) -> None:
    """Raise for the first unknown symbol outside chains (chains report their own)."""
    t = claim.target
    for name in [t.name] + ([t.den] if t.den else []):
        if not names.resolve(name):
            raise _unknown(name, t.pos, names, claim)
    chain_sides = {i for i, side in enumerate(claim.sides) if chain_terms(side) is not None}
    for i, side in enumerate(claim.sides):
        if i in chain_sides:
            continue
        for name, pos in tree_names(side):
            if not names.resolve(name):
                raise _unknown(name, normal.column(pieces[i + 1][1] + pos), names, claim)


def _unknown(name: str, column: int, names: Names, claim: Claim) -> ClaimError:
    shown = claim.display.get(name, name)
    close = names.closest(name)
    if claim.latex:
        close = [names.spelling(c, True) if c in names.known else c for c in close]
    hint = ("closest known: " + ", ".join(close)) if close else "not a symbol of this network"
    return ClaimError(f"unknown symbol '{shown}' at column {column}", hint=hint)


def chain_terms(node) -> list[list[Deriv]] | None:
    """A sum of products of derivatives as lists of factors; None if it is anything else
    (a lone derivative, ``dC/db = δ``, is a formula: only its value is claimed)."""
    if isinstance(node, Deriv):
        return None
    terms = []
    for term in _flatten(node, "+"):
        factors = _flatten(term, "*")
        if not factors or not all(isinstance(f, Deriv) for f in factors):
            return None
        terms.append(factors)
    return terms


def _flatten(node, op: str) -> list:
    """The operands of a chain of ``op`` (``a + b + c``: [a, b, c]), left to right."""
    out, todo = [], [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ex.Binary) and n.op == op:
            todo += [n.right, n.left]
        else:
            out.append(n)
    return out


# =========================================================================== numbers

def stated_digits(text: str) -> tuple[int, int]:
    """(significant digits, exponent of the last stated digit) of a decimal literal."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return 15, -15
    sign, digits, exponent = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[0] == 0:
        digits.pop(0)
    return max(1, len(digits)), int(exponent)


def agreement(claimed: float, true: float, last: int, n: int) -> tuple[bool, int]:
    """(within half a unit of the last stated digit, significant digits of agreement)."""
    diff = abs(claimed - true)
    half = 0.5 * 10.0 ** last
    if diff <= half * (1 + 1e-9) + 1e-15 * max(1.0, abs(true)):
        return True, n
    lead = math.floor(math.log10(abs(claimed))) if claimed else last + n - 1
    k = 0
    while k < n and diff <= 0.5 * 10.0 ** (lead - k) * (1 + 1e-9):
        k += 1
    return False, k


def fmt_number(value: float, digits: int = 10) -> str:
    return f"{value:.{digits}g}"


#: Largest claims file read (bytes): a post's claims fit in a few kilobytes.
MAX_CLAIMS_FILE_SIZE = 1_000_000
def load_claims(path: str) -> tuple[list[str], list[int], dict[str, str]]:
    """Read a claims file: TOML ``claims = [...]`` (with optional ``[aliases]``) or one per line.

    Returns:
        (claims, their line numbers, aliases).

    Raises:
        ClaimError: naming the file and line.
    """
    text = _read_claims_text(str(path))
    if str(path).endswith(".toml"):
        return _load_toml(text, str(path))
    return _load_lines(text, str(path))


def _read_claims_text(path: str) -> str:
    """The text of a claims file: a regular file of UTF-8 text, at most
    :data:`MAX_CLAIMS_FILE_SIZE` bytes (a FIFO or a device would block or never end)."""
    from derive.files import decode_text, read_regular
    data = read_regular(path, MAX_CLAIMS_FILE_SIZE, ClaimError, "claims file",
                        missing_hint="give a .toml file with claims = [...] or a text file")
    return decode_text(data, path, ClaimError, "claims file")


def _load_lines(text: str, file: str) -> tuple[list[str], list[int], dict[str, str]]:
    """One claim per line; '#' starts a comment (at the start of a line or after a space)."""
    claims, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        body = re.sub(r"\s+#.*$", "", line).strip()
        if body and not body.startswith("#"):
            claims.append(body)
            lines.append(number)
    if not claims:
        raise ClaimError("the claims file holds no claims", file=file,
                         hint="one claim per line; lines starting with '#' are comments")
    return claims, lines, {}


def _load_toml(text: str, file: str):
    import tomllib
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ClaimError("not valid TOML: arrays or tables nested too deeply", file=file,
                         hint="expected claims = [\"...\", ...]") from None
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        message = re.sub(r"\s*\(at (line|end).*\)$", "", str(err))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        raise ClaimError(f"not valid TOML: {message}", file=file, line=line,
                         hint="expected claims = [\"...\", ...]") from None
    claims = data.get("claims")
    line = _line_starting(text, "claims")
    if not isinstance(claims, list) or not claims:
        raise ClaimError("expected claims = [\"...\", ...], a non-empty list of strings",
                         file=file, line=line)
    for number, claim in enumerate(claims, start=1):
        if not isinstance(claim, str):
            raise ClaimError(f"claim {number} is {claim!r}, not a string", file=file, line=line,
                             hint="write each claim in quotes")
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise ClaimError("[aliases] must map author spellings to network names", file=file,
                         line=_line_starting(text, "[aliases"),
                         hint='expected [aliases] with lines such as "out(h1)" = "H1"')
    unknown = set(data) - {"claims", "aliases", "spec", "title"}
    if unknown:
        raise ClaimError(f"unknown key {sorted(unknown)[0]!r}", file=file,
                         hint="expected claims, aliases, spec or title")
    return claims, _claim_lines(text, claims), dict(aliases)


def _line_starting(text: str, start: str) -> int | None:
    """The first line of ``text`` that starts with ``start`` (spaces ignored)."""
    return next((i for i, line in enumerate(text.splitlines(), 1)
                 if line.strip().startswith(start)), None)


def _claim_lines(text: str, claims: list[str]) -> list[int | None]:
    """The line of each claim string in a TOML text (the first line not taken by an earlier
    claim nor a comment that holds the claim's start), by searches over the whole text: a
    loop over the lines for each claim would take minutes on a big file."""
    searchable = re.sub(r"(?m)^[ \t]*#.*$", lambda m: " " * len(m.group()), text)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out, used = [], set()
    for claim in claims:
        probe = claim[:24]
        found = [_first_free_line(searchable, starts, p, used)
                 for p in {probe, probe.replace("\\", "\\\\")} if p]
        line = min((f for f in found if f), default=None)
        if line:
            used.add(line)
        out.append(line)
    return out


def _first_free_line(text: str, starts: list[int], probe: str, used: set[int]) -> int | None:
    """The first line (1-based) holding ``probe`` that is not in ``used``."""
    pos = 0
    while (at := text.find(probe, pos)) >= 0:
        line = bisect.bisect_right(starts, at)
        if line not in used:
            return line
        pos = starts[line] if line < len(starts) else len(text)
    return None
