r"""Check textbook claims (formulas, chains of partials, numbers, update rules) against a Derivation.

A claim is read by a safe parser (plain math, or LaTeX when it holds a backslash) into the
trees of :mod:`derive.expr` plus :class:`Deriv` leaves for ``dE/dw5``; nothing is evaluated
as Python. Each claim gets a :class:`Verdict`: holds, wrong, rounding (a number that agrees
with the truth to fewer digits than it states) or cannot read, with the truth beside it and,
when wrong, why.

Pipeline: text → :func:`read_claim` (author spellings mapped by aliases, LaTeX turned into
the plain syntax, split at ``=``, left side read, each right side parsed) → :class:`Checker`
(formula: numeric equivalence at seeded points, then symbolic with the network's relations;
chain: the paths its products cover; number: digits-aware comparison in dependency order,
with inheritance from earlier wrong numbers and single-value "typo" explanations) →
renderers (text, Markdown, JSON, and a write-up section).

What a claim may say, e.g. for seed 004's network::

    dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1              formula (also ∂E/∂w5, d_E/d_w5, δ_o1*H1)
    dE/dw1 = dE/dH1 * dH1/dh1 * dh1/dw1            chain of partials (sums of products)
    o1 = 0.794609,  dE/dw5 = 0.0851,  w1+ = 0.2499 numbers (w1', new w1, E after)
    w5+ = w5 - eta*dE/dw5                          update rule (η, lr, learning_rate, alpha)
    \frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y)\, a^2_1     LaTeX, in the spec's spellings
"""

from __future__ import annotations

import difflib
import json
import math
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from derive import expr as ex
from derive.errors import ClaimError
from derive.vocabulary import FUNCTIONS

if TYPE_CHECKING:  # heavy imports happen in Checker
    import sympy
    from derive.chain import Derivation
    from derive.spec import Network

HOLDS, WRONG, ROUNDING, UNREADABLE = "holds", "wrong", "rounding", "cannot read"
#: severity order used to combine the parts of one claim
_SEVERITY = {HOLDS: 0, ROUNDING: 1, WRONG: 2, UNREADABLE: 3}
#: how authors write the learning rate
LEARNING_RATE_NAMES = ("eta", "learning_rate", "learningRate", "lr", "alpha", "learningrate")
_ETA = "eta"


# =========================================================================== verdicts

@dataclass
class Verdict:
    """One claim's verdict, with the derived truth beside it and why it is wrong."""

    claim: str
    kind: str
    verdict: str
    expected: str = ""
    detail: str = ""
    digits: int | None = None
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == HOLDS

    def as_dict(self) -> dict:
        """The JSON form: claim, kind, verdict, expected, detail."""
        return {"claim": self.claim, "kind": self.kind, "verdict": self.verdict,
                "expected": self.expected, "detail": self.detail}


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
            if name not in self.known:
                raise ClaimError(f"alias {alias!r} names {name!r}, which is not in the network",
                                 key=f"aliases.{alias}", hint=_closest_hint(name, self.known))
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
        if name == _ETA and name not in self.known:
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
            return _ETA
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

    def __init__(self, src: str, names: Names | None, offset: int = 0):
        self.src = src
        self.names = names
        self.offset = offset
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
            base = self.peek()
            self.i += 1
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
            name = _ETA
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
            self.display[_ETA] = word.group()
            self.emit("operand", _ETA, start)
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
            self.convert("}")
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

    def sub_expression(self, body: str, at: int) -> None:
        inner = _LatexReader(body, self.names, self.offset + at)
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
        reader = _LatexReader(text, self.names, self.offset + at)
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
    if isinstance(node, Deriv):
        return [(node.num, node.pos), (node.den, node.pos)]
    if isinstance(node, ex.Name):
        return [(node.id, node.pos)]
    if isinstance(node, ex.Unary):
        return tree_names(node.operand)
    if isinstance(node, ex.Binary):
        return tree_names(node.left) + tree_names(node.right)
    if isinstance(node, ex.Call):
        return [n for a in node.args for n in tree_names(a)]
    return []


def tree_derivs(node) -> list[Deriv]:
    """Every derivative atom in a claim tree."""
    if isinstance(node, Deriv):
        return [node]
    if isinstance(node, ex.Unary):
        return tree_derivs(node.operand)
    if isinstance(node, ex.Binary):
        return tree_derivs(node.left) + tree_derivs(node.right)
    if isinstance(node, ex.Call):
        return [d for a in node.args for d in tree_derivs(a)]
    return []


def tree_numbers(node) -> list[ex.Num]:
    """Every number literal in a claim tree."""
    if isinstance(node, ex.Num):
        return [node]
    if isinstance(node, ex.Unary):
        return tree_numbers(node.operand)
    if isinstance(node, ex.Binary):
        return tree_numbers(node.left) + tree_numbers(node.right)
    if isinstance(node, ex.Call):
        return [n for a in node.args for n in tree_numbers(a)]
    return []


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
    spelled: dict[str, str] = {}
    source, offsets = _apply_aliases(text, names.aliases, spelled)
    latex = "\\" in source
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
    claim = Claim(text, target, sides, texts, latex, display, prefix, spelled)
    _check_names(claim, names, normal, pieces)
    return claim


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
    chain_sides = {i for i, side in enumerate(claim.sides) if _chain_terms(side) is not None}
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


def _chain_terms(node) -> list[list[Deriv]] | None:
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
    if isinstance(node, ex.Binary) and node.op == op:
        return _flatten(node.left, op) + _flatten(node.right, op)
    return [node]


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


def _fmt(value: float, digits: int = 10) -> str:
    return f"{value:.{digits}g}"


# =========================================================================== the checker

@dataclass
class _Part:
    """The verdict of one right side of a claim."""

    kind: str
    verdict: str
    expected: str
    detail: str
    digits: int | None = None
    claimed: float | None = None


class Checker:
    """Checks claims against one network's derivation; numbers in dependency order."""

    def __init__(self, network: "Network", aliases: Mapping[str, str] | None = None,
                 points: int = 6, seed: int = 0):
        import sympy
        from derive.chain import derive
        self.sp = sympy
        self.network = network
        self.names = Names(network, aliases)
        self.d: "Derivation" = derive(network)
        self.graph = self.d.graph
        self.eta = sympy.Symbol(_ETA, real=True)
        self.symbols = dict(self.graph.symbols, **{_ETA: self.eta})
        self.has_values = not network.missing_values()
        self.seed = seed
        self.points = self._points(points, seed)
        self._totals: dict = {}

    # ---- numeric points
    def _points(self, count: int, seed: int, worked_example: bool = True) -> list[dict[str, float]]:
        """The worked example's values (if any), then seeded random ones, nodes computed."""
        from derive.values import forward
        rng = random.Random(seed)
        out = []
        if self.has_values and worked_example:
            leaves = {**self.network.inputs, **self.network.targets, **self.network.parameters}
            out.append(dict(forward(self.d, leaves), eta=self.network.learning_rate))
        while len(out) < count:
            leaves = {}
            for n in self.network.inputs:
                leaves[n] = rng.uniform(-1, 1)
            for n in self.network.targets:
                leaves[n] = rng.uniform(0.05, 0.95)
            for n in self.network.parameters:
                leaves[n] = rng.uniform(-1, 1)
            try:
                values = forward(self.d, leaves)
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
            out.append(dict(values, eta=rng.uniform(0.1, 1.0)))
        return out

    def env(self, point: Mapping[str, float]) -> dict:
        return {self.symbols[k]: v for k, v in point.items() if k in self.symbols}

    def value(self, expr: "sympy.Expr", point: Mapping[str, float]) -> float:
        from derive.values import evaluate
        try:
            return evaluate(expr, self.env(point))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan

    # ---- symbolic truths
    def depends(self, a: str, b: str) -> bool:
        """Whether ``a``'s value depends on ``b`` (through any path)."""
        return b in self.ancestors(a)

    def ancestors(self, a: str) -> set[str]:
        """Every name ``a``'s value is computed from (``a`` excluded)."""
        key = ("ancestors", a)
        if key not in self._totals:
            out: set[str] = set()
            if self.graph.is_node(a):
                for parent in self.graph.node(a).parents:
                    out |= {parent} | self.ancestors(parent)
            self._totals[key] = out
        return self._totals[key]

    def paths_between(self, a: str, b: str) -> list[tuple[str, ...]]:
        """Every path from ``a`` down through parents to ``b``."""
        key = ("paths", a, b)
        if key not in self._totals:
            if a == b:
                out = [(a,)]
            elif not self.graph.is_node(a):
                out = []
            else:
                out = [(a,) + p for parent in self.graph.node(a).parents
                       for p in self.paths_between(parent, b)]
            self._totals[key] = out
        return self._totals[key]

    def total(self, a: str, b: str) -> "sympy.Expr":
        """∂a/∂b summed over all paths, in forward quantities (for ∂C/∂·, the closed form)."""
        key = ("total", a, b)
        if key not in self._totals:
            if a == self.graph.cost and b != a and b in self.graph.influences_cost and (
                    b in self.d.gradient or b in self.d.delta):
                out = self.d.closed_form(b)
            elif a == b:
                out = self.sp.S.One
            else:
                out = self.sp.Add(*[self.sp.Mul(*self.d.path_factors(p))
                                    for p in self.paths_between(a, b)])
            self._totals[key] = out
        return self._totals[key]

    def truth(self, target: Target) -> "sympy.Expr":
        """The true symbolic value of a claim's left side."""
        if target.kind == "deriv":
            return self.total(target.name, target.den)
        if target.kind == "after":
            p = target.name
            if p in self.network.parameters and p not in self.network.freeze:
                return self.symbols[p] - self.eta * self.total(self.graph.cost, p)
            return self.symbols[p]
        if self.graph.is_node(target.name):
            return self.graph.node(target.name).expr
        return self.symbols[self.names.resolve(target.name)]

    def claim_expr(self, tree) -> "sympy.Expr":
        """A claim tree in SymPy; derivative atoms become their true closed forms."""

        def build(n):
            if isinstance(n, Deriv):
                return self.total(self.names.resolve(n.num), self.names.resolve(n.den))
            if isinstance(n, ex.Num):
                return ex.number(n.text)
            if isinstance(n, ex.Name):
                return self.symbols[self.names.resolve(n.id)]
            if isinstance(n, ex.Unary):
                return -build(n.operand) if n.op == "-" else build(n.operand)
            if isinstance(n, ex.Call):
                return claim_function(n.func)(*[build(a) for a in n.args])
            left, right = build(n.left), build(n.right)
            if n.op == "**" and right.is_Number and abs(right) > 64:
                raise ClaimError(f"the power {right} is too large to check",
                                 hint="powers up to 64 are read")
            return {"+": lambda: left + right, "-": lambda: left - right,
                    "*": lambda: left * right, "/": lambda: left / right,
                    "**": lambda: left ** right}[n.op]()
        return build(tree)

    def spell(self, name: str, claim: Claim) -> str:
        """``name`` in the claim's notation: its LaTeX spelling, or the alias it used."""
        if claim.latex:
            return self.names.spelling(name, True)
        if name in claim.spelled or not claim.spelled:
            return claim.spelled.get(name, name)
        return self.names.alias_of.get(name, name)  # the claim uses the author's spellings

    def show(self, expr: "sympy.Expr", claim: Claim) -> str:
        """An expression in the claim's notation."""
        if claim.latex:
            names = {s: self.names.spelling(n, True) for n, s in self.symbols.items()}
            return self.sp.latex(expr, symbol_names=names)
        renamed = {s: self.sp.Symbol(self.spell(n, claim), real=True) for n, s in self.symbols.items()
                   if self.spell(n, claim) != n}
        return self.sp.sstr(expr.xreplace(renamed))

    @staticmethod
    def math(text: str, claim: Claim) -> str:
        """A LaTeX fragment inside a sentence, between dollars (plain claims: as it is)."""
        return f"${text}$" if claim.latex else text

    def show_deriv(self, a: str, b: str, claim: Claim) -> str:
        """∂a/∂b as the claim writes derivatives."""
        if claim.latex:
            return rf"\frac{{\partial {self.spell(a, claim)}}}{{\partial {self.spell(b, claim)}}}"
        return f"{claim.prefix}{self.spell(a, claim)}/{claim.prefix}{self.spell(b, claim)}"

    # ---- one claim
    def check(self, text: str, line: int | None = None) -> Verdict:
        """Check one claim on its own (numbers without inheritance)."""
        return self.check_all([text], [line])[0]

    def check_all(self, texts: Sequence[str],
                  lines: Sequence[int | None] | None = None) -> list[Verdict]:
        """Check claims; number claims in dependency order, each seeing the earlier claimed values."""
        lines = list(lines or [None] * len(texts))
        read: list[Claim | Verdict] = []
        for text, line in zip(texts, lines):
            try:
                read.append(read_claim(text, self.names))
            except ClaimError as err:
                read.append(Verdict(text, "unknown", UNREADABLE, "", str(err), line=line))
        order = sorted(range(len(texts)), key=lambda i: self._rank(read[i]))
        verdicts: dict[int, Verdict] = {}
        self._claimed: list[tuple[tuple, float, str, str]] = []  # (quantity, value, text, verdict)
        for i in order:
            item = read[i]
            verdicts[i] = item if isinstance(item, Verdict) else self._judge(item, lines[i])
        return [verdicts[i] for i in range(len(texts))]

    def _rank(self, item) -> tuple:
        """Dependency order: node values in evaluation order, then derivatives, updates, after."""
        if isinstance(item, Verdict):
            return (0, 0)
        t = item.target
        order = {n.name: i for i, n in enumerate(self.graph.nodes)}
        if t.kind == "value":
            return (1, order.get(self.names.resolve(t.name) or "", -1))
        if t.kind == "deriv":
            return (2, -order.get(self.names.resolve(t.name) or "", 0))
        return (3, order.get(self.names.resolve(t.name) or "", -1))

    def _judge(self, claim: Claim, line: int | None) -> Verdict:
        parts = []
        try:
            for tree in claim.sides:
                parts.append(self._judge_side(claim, tree))
        except ClaimError as err:
            return Verdict(claim.text, "unknown", UNREADABLE, "", str(err), line=line)
        worst = max(parts, key=lambda p: _SEVERITY[p.verdict])
        kinds = [p.kind for p in parts]
        kind = "chain" if "chain" in kinds else kinds[-1]
        numbers = [p for p in parts if p.claimed is not None]
        shown = [p for p in parts if p.claimed is None] + numbers[-1:]
        expected = "; ".join(dict.fromkeys(p.expected for p in shown if p.expected))
        if len(parts) == 1:
            detail = parts[0].detail
        else:
            detail = " ".join(f"[{k + 1}: {p.kind} {p.verdict}] {p.detail}".rstrip()
                              for k, p in enumerate(parts))
            if parts[0].kind == "chain":
                detail += " " + _chain_summary(parts)
        if numbers:
            self._claimed.append((self._quantity(claim.target), numbers[-1].claimed,
                                  claim.text, numbers[-1].verdict))
        return Verdict(claim.text, kind, worst.verdict, expected, detail.strip(),
                       digits=worst.digits, line=line)

    def _judge_side(self, claim: Claim, tree) -> _Part:
        terms = _chain_terms(tree)
        if terms is not None:
            return self._judge_chain(claim, terms)
        if not tree_names(tree):
            return self._judge_number(claim, tree)
        if claim.target.kind == "after" or (
                claim.target.kind == "value" and claim.target.name in self.network.parameters
                and tree_derivs(tree)):
            return self._judge_formula(claim, tree, kind="rule")
        return self._judge_formula(claim, tree, kind="formula")

    # ---- formulas
    def _judge_formula(self, claim: Claim, tree, kind: str) -> _Part:
        target = claim.target
        if kind == "rule" and target.kind == "value":
            target = Target("after", target.name, None, target.pos)
        truth = self.truth(target)
        written = self.claim_expr(tree)
        if self.eta not in written.free_symbols:
            truth = truth.xreplace({self.eta: self.sp.Float(self.network.learning_rate)})
        expected = self.show(truth, claim)
        if target.kind == "deriv":
            expected = f"{self.show_deriv(target.name, target.den, claim)} = {expected}"
        elif target.kind == "after":
            expected = f"{self.spell(target.name, claim)}+ = {expected}"
        found, tested = self._first_difference(written, truth, self.points)
        proven = found is None and self.sp.expand(written - truth) == 0
        if found is None and not proven:  # look much harder (e.g. ReLU steps) before simplifying
            found, more = self._first_difference(written, truth, self.extra_points)
            tested += more
            proven = found is None and self._symbolically_equal(written, truth)
        if found is not None:
            point, a, b = found
            where = ", ".join(self.math(f"{self.spell(n, claim)}={_fmt(point[n], 4)}", claim)
                              for n in self._leaves_of(written, truth) if n in point)
            substituted = self._at_worked_example(kind, tree, written, truth, expected)
            if substituted:
                return substituted
            note = self._why_formula(written, truth)
            if target.kind == "deriv":
                note += self._which_derivative(written, target, claim)
            if kind == "rule":
                note += self._rate_used(written, target)
            return _Part(kind, WRONG, expected,
                         f"differs at {where}: the claim gives {_fmt(a, 6)}, the truth "
                         f"{_fmt(b, 6)}.{note}")
        if not proven and tested < 2:
            raise ClaimError("the claim could not be evaluated at enough points to decide it")
        how = "equal symbolically and" if proven else "symbolic simplification inconclusive; equal"
        return _Part(kind, HOLDS, expected, f"{how} at {tested} points.")

    def _first_difference(self, written, truth, points) -> tuple:
        """((point, claim value, true value) where they first differ, or None; points tried)."""
        tested = 0
        for point in points:
            a, b = self.value(written, point), self.value(truth, point)
            if math.isnan(a) and math.isnan(b):
                continue  # outside both expressions' domain
            tested += 1
            if not _close(a, b):
                return (point, a, b), tested
        return None, tested

    @cached_property
    def extra_points(self) -> list[dict[str, float]]:
        """Many more seeded random points, for formulas SymPy cannot simplify to the truth."""
        return self._points(40, self.seed + 1, worked_example=False)

    def _which_derivative(self, written, target: Target, claim: Claim) -> str:
        """If a wrong derivative formula is the derivative with respect to another quantity
        (the post's ``dA = A - y`` is ∂L/∂Z), say which."""
        top = self.names.resolve(target.name)
        candidates = [n for n in [*(node.name for node in reversed(self.graph.nodes)),
                                  *self.network.parameters, *self.network.inputs]
                      if n not in (top, target.den)]
        if len(candidates) > 60:
            return ""
        for other in candidates:
            if not self.depends(top, other):
                continue
            truth = self.total(top, other)
            if all(_close(self.value(written, p), self.value(truth, p)) for p in self.points):
                return (f" It is {self.math(self.show_deriv(top, other, claim), claim)}: the "
                        f"derivative with respect to {self.math(self.spell(other, claim), claim)}, "
                        f"not {self.math(self.spell(target.den, claim), claim)}.")
        return ""

    def _at_worked_example(self, kind: str, tree, written, truth, expected: str) -> _Part | None:
        """A formula with decimals in it (``h1 = 0.25*x1 + 0.15*x2 + 0.45``) is the worked
        example with values put in: it holds if it agrees there within the rounding of its
        decimals (each moved by half a unit of its last digit)."""
        decimals = [x for x in tree_numbers(tree) if "." in x.text]
        if not decimals or not self.has_values:
            return None
        spec = self.points[0]
        a, b = self.value(written, spec), self.value(truth, spec)
        if math.isnan(a) or math.isnan(b):
            return None
        tolerance = 1e-12 * max(1.0, abs(b))
        for literal in decimals:
            half = 0.5 * 10.0 ** stated_digits(literal.text)[1]
            moved = _replace_number(tree, literal, repr(float(literal.text) + half))
            tolerance += abs(self.value(self.claim_expr(moved), spec) - a)
        if abs(a - b) > tolerance:
            return None
        return _Part(kind, HOLDS, expected,
                     f"not an identity, but its decimals are the worked example's values; "
                     f"there it gives {_fmt(a, 8)}, the truth {_fmt(b, 8)}, within the rounding "
                     f"of its decimals.")

    def _rate_used(self, written, target: Target) -> str:
        """For an update rule, the learning rate it uses if it is a gradient step at all."""
        p = self.symbols[target.name]
        grad = self.total(self.graph.cost, target.name)
        rates = []
        for point in self.points[:3]:
            g = self.value(grad, point)
            if g == 0 or math.isnan(g):
                return ""
            rates.append((point[target.name] - self.value(written, point)) / g)
        if all(_close(r, rates[0], 1e-7) for r in rates):
            return (f" It is a gradient step with learning rate {_fmt(rates[0], 6)}; the spec's "
                    f"is {_fmt(self.network.learning_rate, 6)}.")
        return ""

    def _leaves_of(self, *exprs) -> list[str]:
        names = {s.name for e in exprs for s in e.free_symbols}
        needed = set()
        for n in names:
            if self.graph.is_node(n):
                needed |= {s.name for s in self.graph.expanded(n).free_symbols}
            else:
                needed.add(n)
        order = [*self.network.inputs, *self.network.targets, *self.network.parameters, _ETA]
        return [n for n in order if n in needed]

    def _why_formula(self, written, truth) -> str:
        """A hint when claim and truth differ by a simple factor (a sign, a missing term)."""
        sp = self.sp
        ratios = [self.value(truth, p) / w for p in self.points[:3]
                  if (w := self.value(written, p)) and not math.isnan(w)]
        if len(ratios) >= 2 and all(_close(r, ratios[0], 1e-9) for r in ratios):
            if _close(ratios[0], -1.0):
                return " The sign is wrong."
            return f" The truth is the claim times {_fmt(ratios[0], 6)}."
        if sp.count_ops(truth) + sp.count_ops(written) > 80:
            return ""  # factoring big expressions costs more than the hint is worth
        try:
            ratio = sp.factor(sp.cancel(truth / written)) if written != 0 else None
        except Exception:  # noqa: BLE001 - a hint only
            return ""
        if ratio is None or ratio == 1 or ratio.atoms(sp.Function) or sp.count_ops(ratio) > 8:
            return ""
        return f" The truth is the claim times {sp.sstr(ratio)}."

    def _expand_leaves(self, expr):
        table = {self.graph.symbols[n.name]: self.graph.expanded(n.name) for n in self.graph.nodes
                 if self.graph.symbols[n.name] in expr.free_symbols}
        return expr.xreplace(table)

    def _symbolically_equal(self, a, b) -> bool:
        """Zero difference, first in the quantities as written, then with every node
        replaced by its equation (the network's relations, e.g. O1 = σ(o1))."""
        sp = self.sp
        if sp.expand(a - b) == 0:
            return True
        diff = self._expand_leaves(a) - self._expand_leaves(b)
        if sp.expand(diff) == 0:
            return True
        if sp.count_ops(diff) > 400:
            return False
        try:
            from derive.functions import sigmoid
            rewritten = diff.replace(lambda e: isinstance(e, sigmoid),
                                     lambda e: 1 / (1 + sp.exp(-e.args[0])))
            return sp.simplify(rewritten) == 0
        except Exception:  # noqa: BLE001 - inconclusive, the numeric check decides
            return False

    # ---- chains
    def _judge_chain(self, claim: Claim, terms: list[list[Deriv]]) -> _Part:
        t = claim.target
        latex = claim.latex
        top, bottom = self.names.resolve(t.name), self.names.resolve(t.den or "")
        if t.kind != "deriv":
            raise ClaimError("a chain of partials must follow a derivative, e.g. dE/dw5 = dE/dO1 * ...")
        problems: list[str] = []
        covered: dict[tuple, int] = {}
        for factors in terms:
            paths = self._term_paths(claim, factors, top, bottom, problems)
            for p in paths:
                covered[p] = covered.get(p, 0) + 1
        true_paths = self.paths_between(top, bottom)
        arrow = (" \\to " if latex else " → ").join
        show = lambda p: self.math(arrow(self.spell(n, claim) for n in p), claim)  # noqa: E731
        for p in true_paths:
            if covered.get(p, 0) == 0:
                problems.append(f"misses the path {show(p)}")
            elif covered[p] > 1:
                problems.append(f"counts the path {show(p)} {covered[p]} times")
        expected = " + ".join(
            (" \\cdot " if latex else " * ").join(self.show_deriv(a, b, claim) for a, b in zip(p, p[1:]))
            for p in true_paths) or "0"
        if problems:
            return _Part("chain", WRONG, expected, "; ".join(dict.fromkeys(problems)) + ".")
        sums = [f"{self.math(self.show_deriv(a, b, claim), claim)} sums "
                f"{len(self.paths_between(a, b))} paths"
                for factors in terms for a, b in ((self.names.resolve(f.num), self.names.resolve(f.den))
                                                  for f in factors)
                if len(self.paths_between(a, b)) > 1]
        note = f" ({'; '.join(dict.fromkeys(sums))})" if sums else ""
        return _Part("chain", HOLDS, expected, "every factor is a dependency of the graph and "
                                               f"every path is counted once{note}.")

    def _term_paths(self, claim, factors, top, bottom, problems) -> list[tuple]:
        latex = claim.latex
        show = lambda n: self.math(claim.display.get(n, n), claim) if latex else n  # noqa: E731
        ok = True
        for f in factors:
            for n in (f.num, f.den):
                if not self.names.resolve(n):
                    close = self.names.closest(n)
                    close = [self.math(self.names.spelling(c, latex), claim)
                             for c in close if c in self.names.known]
                    problems.append(f"{self._show_written(claim, f)} goes through {show(n)}, "
                                    f"which is not a node of the network"
                                    + (f" (closest: {', '.join(close)})" if close else ""))
                    ok = False
        if not ok:
            return []
        names = [(self.names.resolve(f.num), self.names.resolve(f.den)) for f in factors]
        for a, b in names:
            if a != b and not self.depends(a, b):
                problems.append(f"{self.math(self.show_deriv(a, b, claim), claim)} is zero: "
                                f"{self.math(self.spell(a, claim), claim)} does not depend on "
                                f"{self.math(self.spell(b, claim), claim)}")
                ok = False
        for written, wanted, end in ((names[0][0], top, "starts"), (names[-1][1], bottom, "ends")):
            if written != wanted:
                problems.append(f"the product {end} at {self.math(self.spell(written, claim), claim)}, "
                                f"not at {self.math(self.spell(wanted, claim), claim)}")
                ok = False
        for (a, b), (c, d) in zip(names, names[1:]):
            if b != c:
                first = self.math(self.show_deriv(a, b, claim), claim)
                second = self.math(self.show_deriv(c, d, claim), claim)
                problems.append(f"the chain breaks between {first} and {second}")
                ok = False
        if not ok:
            return []
        paths = [(names[0][0],)]
        for a, b in names:
            paths = [p + seg[1:] for p in paths for seg in self.paths_between(a, b)]
        return paths

    def _show_written(self, claim, f: Deriv) -> str:
        if claim.latex:
            n, d = claim.display.get(f.num, f.num), claim.display.get(f.den, f.den)
            return rf"$\frac{{\partial {n}}}{{\partial {d}}}$"
        return f"{claim.prefix}{f.num}/{claim.prefix}{f.den}"

    # ---- numbers
    def _quantity(self, target: Target) -> tuple:
        r = self.names.resolve
        if target.kind == "deriv":
            return ("deriv", r(target.name), r(target.den))
        return (target.kind, r(target.name))

    def quantity_value(self, quantity: tuple, overrides: Mapping[tuple, float] | None = None) -> float:
        """The value of a quantity with earlier claimed values substituted (NaN off its domain)."""
        try:
            return self.number_of(quantity, self.numbers(overrides, after=quantity[0] == "after"))
        except (ValueError, ZeroDivisionError, OverflowError):
            return math.nan

    def numbers(self, overrides: Mapping[tuple, float] | None = None, after: bool = True) -> dict:
        """Every quantity a number claim can name, with earlier claimed values substituted."""
        from derive.values import evaluate
        overrides = dict(overrides or {})
        net = self.network
        leaves = {**net.inputs, **net.targets, **net.parameters}
        for (kind, *names), v in overrides.items():
            if kind == "value" and names[0] in leaves:
                leaves[names[0]] = v
        env = {self.graph.symbols[n]: v for n, v in leaves.items()}
        for node in self.graph.nodes:
            key = ("value", node.name)
            env[node.symbol] = overrides[key] if key in overrides else evaluate(node.expr, env)
        values = {s.name: v for s, v in env.items()}
        eta = overrides.get(("value", _ETA), net.learning_rate)
        out = {("value", n): v for n, v in values.items()}
        out[("value", _ETA)] = eta

        def grad(p):
            key = ("deriv", self.graph.cost, p)
            if key in overrides:
                return overrides[key]
            return evaluate(self.total(self.graph.cost, p), env)
        out["_env"] = env
        out["_grad"] = grad
        if not after:
            return out
        updated = {}
        for p in net.parameters:
            key = ("after", p)
            if key in overrides:
                updated[p] = overrides[key]
            elif p in net.freeze:
                updated[p] = leaves[p]
            else:
                updated[p] = leaves[p] - eta * grad(p)
        out.update({("after", p): v for p, v in updated.items()})
        after = {**leaves, **updated}
        env2 = {self.graph.symbols[n]: v for n, v in after.items()}
        for node in self.graph.nodes:
            env2[node.symbol] = evaluate(node.expr, env2)
            out[("after", node.name)] = env2[node.symbol]
        return out

    def number_of(self, quantity: tuple, table: dict) -> float:
        if quantity[0] == "deriv":
            _, a, b = quantity
            if a == self.graph.cost and b in self.network.parameters:
                return table["_grad"](b)
            from derive.values import evaluate
            try:
                return evaluate(self.total(a, b), table["_env"])
            except (ValueError, ZeroDivisionError, OverflowError):
                return math.nan
        return table[quantity]

    def _judge_number(self, claim: Claim, tree) -> _Part:
        literals = tree_numbers(tree)
        if not self.has_values:
            raise ClaimError("the spec gives no values for "
                             + ", ".join(self.network.missing_values()[:3])
                             + " so numbers cannot be checked")
        exact_value = self.claim_expr(tree)
        if not (exact_value.is_real and exact_value.is_finite):
            raise ClaimError(f"the right side {exact_value} is not a finite real number")
        claimed = float(exact_value)
        if all(re.fullmatch(r"\d+", x.text) for x in literals):  # integers state exact values
            n = 15
            last = (math.floor(math.log10(abs(claimed))) if claimed else -12) - n + 1
        elif isinstance(tree, ex.Num) or (isinstance(tree, ex.Unary) and isinstance(tree.operand, ex.Num)):
            n, last = stated_digits(literals[0].text)
        else:  # arithmetic: as precise as its most precise literal
            n = max(stated_digits(x.text)[0] for x in literals)
            lead = math.floor(math.log10(abs(claimed))) if claimed else 0
            last = lead - n + 1
        quantity = self._quantity(claim.target)
        true = self.quantity_value(quantity)
        expected = _fmt(true, min(max(n + 2, 7), 12))
        exact, k = agreement(claimed, true, last, n)
        if exact:
            return _Part("number", HOLDS, expected, f"agrees to the {n} digits stated.",
                         claimed=claimed)
        trunc = _truncates(claimed, true, last)
        if k >= max(2, n - 2):
            why = " (truncated rather than rounded)" if trunc else ""
            detail = f"agrees to {k} of the {n} significant digits stated{why}."
            detail += self._inherited(quantity, claimed, last, n)
            return _Part("number", ROUNDING, expected, detail, digits=k, claimed=claimed)
        agree = (f"the claim agrees to {k} significant digit{'s' if k != 1 else ''}" if k
                 else "the claim differs already in its first digit")
        detail = f"the true value is {expected}; {agree}."
        inherited = self._inherited(quantity, claimed, last, n)
        if inherited:
            detail += inherited
        else:
            detail += " This is the first wrong value (not inherited from an earlier claim)."
            detail += self._typo(quantity, claimed, last, n, k)
        return _Part("number", WRONG, expected, detail, digits=k, claimed=claimed)

    def _inherited(self, quantity, claimed, last, n) -> str:
        """Whether the earlier claimed values explain this one, and which wrong ones do."""
        earlier = [c for c in self._claimed if c[0] != quantity]
        if not earlier:
            return ""
        overrides = {q: v for q, v, _, _ in earlier}
        again = self.quantity_value(quantity, overrides)
        if not agreement(claimed, again, last, n)[0]:
            return ""
        for q, _, _, _ in earlier:  # drop what is not needed to reproduce the claimed number
            trial = {k: v for k, v in overrides.items() if k != q}
            if agreement(claimed, self.quantity_value(quantity, trial), last, n)[0]:
                overrides = trial
        culprits = [f"{text.strip()} ({verdict})" for q, _, text, verdict in earlier
                    if q in overrides and verdict != HOLDS]
        if not culprits:
            return ""
        return (f" It follows from the earlier claim{'s' if len(culprits) > 1 else ''} "
                + "; ".join(culprits) + f" (recomputed from {'them' if len(culprits) > 1 else 'it'}:"
                f" {_fmt(again, n + 1)}).")

    def _typo(self, quantity, claimed, last, n, k_true: int) -> str:
        """Name a single leaf value that makes the claim (nearly) right, if a plausible one exists.

        A candidate must be a slip (another leaf's value, a sign flip, one keystroke away from
        the spec's value) and bring the number at least two digits closer than the truth.
        """
        if n < 3:
            return ""  # a number stated to one or two digits fits too many slips to name one
        best = None
        leaves = {**self.network.inputs, **self.network.targets, **self.network.parameters,
                  _ETA: self.network.learning_rate}
        for leaf, current in leaves.items():
            f = lambda v: self.quantity_value(quantity, {("value", leaf): v}) - claimed  # noqa: E731
            root = _solve(f, current)
            if root is None:
                continue
            for candidate, rank in _plausible(root, current, leaves):
                value = f(candidate) + claimed
                if math.isnan(value):
                    continue
                exact, k = agreement(claimed, value, last, n)
                if exact or (k >= min(n, 3) and k >= k_true + 2):
                    score = (not exact, rank, -k, len(repr(candidate)))
                    if best is None or score < best[0]:
                        best = (score, leaf, candidate, value, exact, k)
                    break
        if best is None:
            return ""
        _, leaf, candidate, value, exact, k = best
        same = sorted((n_ for n_, v in leaves.items() if n_ != leaf and v == candidate),
                      key=lambda n_: -difflib.SequenceMatcher(None, leaf, n_).ratio())
        note = f" (the value of {', '.join(same)})" if same else ""
        name = "the learning rate" if leaf == _ETA else leaf
        if exact:
            return f" It holds if {name} = {_fmt(candidate)}{note}."
        return (f" It nearly holds if {name} = {_fmt(candidate)}{note}: that gives "
                f"{_fmt(value, n + 1)}, agreeing to {k} digits.")


def _replace_number(node, literal: ex.Num, text: str):
    """A copy of a claim tree with one number literal written differently."""
    from dataclasses import replace
    if node is literal:
        return ex.Num(text, literal.pos)
    if isinstance(node, ex.Unary):
        return replace(node, operand=_replace_number(node.operand, literal, text))
    if isinstance(node, ex.Binary):
        return replace(node, left=_replace_number(node.left, literal, text),
                       right=_replace_number(node.right, literal, text))
    if isinstance(node, ex.Call):
        return replace(node, args=tuple(_replace_number(a, literal, text) for a in node.args))
    return node


def _chain_summary(parts: list[_Part]) -> str:
    chain, rest = parts[0], parts[1:]
    closed_ok = all(p.verdict == HOLDS for p in rest)
    if chain.verdict != HOLDS and closed_ok:
        return "The chain is wrong, but the result written after it is right."
    if chain.verdict == HOLDS and not closed_ok:
        return "The chain is right, but the result written after it is wrong."
    return ""


def _close(a: float, b: float, rel: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _truncates(claimed: float, true: float, last: int) -> bool:
    step = 10.0 ** last
    return abs(math.trunc(true / step) * step - claimed) < step * 1e-6


def _solve(f, start: float) -> float | None:
    """A root of ``f`` near ``start`` by the secant method (None if it does not converge)."""
    x0, x1 = start, start + (abs(start) * 1e-3 or 1e-3)
    try:
        f0, f1 = f(x0), f(x1)
        for _ in range(60):
            if f1 == f0 or math.isnan(f1):
                return None
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            f1 = f(x1)
            if abs(f1) < 1e-13 or abs(x1 - x0) < 1e-15:
                return x1 if abs(f1) < 1e-9 else None
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None


def _plausible(root: float, current: float, leaves: Mapping[str, float]) -> list[float]:
    """Values a slip could produce near ``root``: another leaf's value, a sign flip, or the
    current value with one digit changed, dropped, added or two swapped."""
    scale = 0.1 * max(abs(root), 1e-9)
    others = {v for v in leaves.values() if v is not None and v != current}
    edits = {v for v in _digit_edits(current) | {-current} if v != current}
    edits = {v for v in edits if abs(v - current) <= 0.5 * max(abs(current), 0.1)}
    near = [(v, 0 if v in others else 1) for v in others | edits if abs(v - root) <= scale]
    return sorted(near, key=lambda c: (c[1], abs(c[0] - root)))[:6]


def _digit_edits(value: float) -> set[float]:
    """Numbers one keystroke away from ``value`` as usually written (0.5 → 0.45, 0.05, 0.55 …)."""
    text = repr(value) if abs(value) >= 1e-4 else f"{value:.6f}"
    if "e" in text:
        return set()
    out = set()
    digits = "0123456789"
    for i, ch in enumerate(text):
        if ch.isdigit():
            out |= {text[:i] + d + text[i + 1:] for d in digits}
            out.add(text[:i] + text[i + 1:])
            if i + 1 < len(text) and text[i + 1].isdigit():
                out.add(text[:i] + text[i + 1] + ch + text[i + 2:])
        out |= {text[:i + 1] + d + text[i + 1:] for d in digits}
    values = set()
    for t in out:
        try:
            values.add(float(t))
        except ValueError:
            pass
    return values


# =========================================================================== public API

def check(network: "Network", claims: Sequence[str], aliases: Mapping[str, str] | None = None,
          lines: Sequence[int | None] | None = None) -> list[Verdict]:
    """Check claims against the network's derived truth.

    Args:
        network: the network the claims are about (names as in its spec, or LaTeX spellings).
        claims: claim texts, e.g. ``"dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1"``, ``"o1 = 0.794609"``.
        aliases: author spellings → network names, e.g. ``{"out(h1)": "H1"}``.
        lines: the file line of each claim, for reports.

    Returns:
        One :class:`Verdict` per claim, in the given order. Number claims are judged in
        dependency order so a wrong number can be traced to an earlier wrong claim.
    """
    return Checker(network, aliases).check_all(list(claims), lines)


def load_claims(path: str) -> tuple[list[str], list[int], dict[str, str]]:
    """Read a claims file: TOML ``claims = [...]`` (with optional ``[aliases]``) or one per line.

    Returns:
        (claims, their line numbers, aliases).

    Raises:
        ClaimError: naming the file and line.
    """
    from pathlib import Path
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClaimError("no such claims file", file=str(path),
                         hint="give a .toml file with claims = [...] or a text file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ClaimError(f"cannot read the claims file: {err}", file=str(path)) from None
    if file.suffix == ".toml":
        return _load_toml(text, str(path))
    claims, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        body = re.sub(r"\s+#.*$", "", line).strip()  # a '#' after a space starts a comment
        if body and not body.startswith("#"):
            claims.append(body)
            lines.append(number)
    if not claims:
        raise ClaimError("the claims file holds no claims", file=str(path),
                         hint="one claim per line; lines starting with '#' are comments")
    return claims, lines, {}


def _load_toml(text: str, file: str):
    import tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        message = re.sub(r"\s*\(at (line|end).*\)$", "", str(err))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        raise ClaimError(f"not valid TOML: {message}", file=file, line=line,
                         hint="expected claims = [\"...\", ...]") from None
    claims = data.get("claims")
    line = next((i for i, l in enumerate(text.splitlines(), 1) if l.strip().startswith("claims")), None)
    if not isinstance(claims, list) or not claims:
        raise ClaimError("expected claims = [\"...\", ...], a non-empty list of strings",
                         file=file, line=line)
    for number, claim in enumerate(claims, start=1):
        if not isinstance(claim, str):
            raise ClaimError(f"claim {number} is {claim!r}, not a string", file=file, line=line,
                             hint="write each claim in quotes")
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise ClaimError("[aliases] must map author spellings to network names", file=file)
    unknown = set(data) - {"claims", "aliases", "spec", "title"}
    if unknown:
        raise ClaimError(f"unknown key {sorted(unknown)[0]!r}", file=file,
                         hint="expected claims, aliases, spec or title")
    return claims, _claim_lines(text, claims), dict(aliases)


def _claim_lines(text: str, claims: list[str]) -> list[int | None]:
    """The line of each claim string in a TOML text (first unclaimed line holding its start)."""
    lines = text.splitlines()
    out, used = [], set()
    for claim in claims:
        probe = claim[:24]
        found = None
        for i, line in enumerate(lines, start=1):
            if i in used or line.lstrip().startswith("#"):
                continue
            if probe in line or probe.replace("\\", "\\\\") in line:
                found = i
                break
        if found:
            used.add(found)
        out.append(found)
    return out


# =========================================================================== reports

_MARK = {HOLDS: "✓", WRONG: "✗", ROUNDING: "≈", UNREADABLE: "?"}


def summary(verdicts: Sequence[Verdict]) -> str:
    """``3 hold, 1 wrong, 1 rounding, 0 cannot read``."""
    count = {v: sum(1 for x in verdicts if x.verdict == v) for v in _SEVERITY}
    return (f"{count[HOLDS]} hold, {count[WRONG]} wrong, {count[ROUNDING]} rounding, "
            f"{count[UNREADABLE]} cannot read")


def render(verdicts: Sequence[Verdict], format: str = "text") -> str:
    """A report of verdicts as ``text`` (✓/✗ lines), ``markdown`` (a table) or ``json``."""
    if format == "json":
        return json.dumps([v.as_dict() for v in verdicts], indent=2, ensure_ascii=False)
    if format == "markdown":
        return render_markdown(verdicts)
    return render_text(verdicts)


def render_text(verdicts: Sequence[Verdict]) -> str:
    """One block per claim: mark, verdict, the claim, the truth beside it, why."""
    out = []
    for v in verdicts:
        where = f"line {v.line}: " if v.line else ""
        out.append(f"{_MARK[v.verdict]} {v.verdict:<11} {where}{v.claim}")
        if v.expected:
            out.append(f"    truth: {v.expected}")
        if v.detail and v.verdict != HOLDS:
            out.append(f"    why:   {v.detail}")
    out.append(summary(verdicts))
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(verdicts: Sequence[Verdict]) -> str:
    """A Markdown table: verdict, claim, truth, why."""
    out = ["| | Claim | Truth | Verdict | Why |", "|---|---|---|---|---|"]
    for v in verdicts:
        why = v.detail if v.verdict != HOLDS else ""
        truth = f"`{_md_cell(v.expected)}`" if v.expected else "—"
        out.append(f"| {_MARK[v.verdict]} | `{_md_cell(v.claim)}` | {truth} "
                   f"| {v.verdict} | {_md_cell(why)} |")
    out.append("")
    out.append(summary(verdicts) + ".")
    return "\n".join(out)


_TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&",
             "%": r"\%", "$": r"\$", "#": r"\#", "^": r"\^{}", "~": r"\~{}",
             "→": r"$\to$", "∂": r"$\partial$", "σ": r"$\sigma$", "η": r"$\eta$",
             "·": r"$\cdot$", "−": "-", "–": "--", "—": "---", "’": "'", "×": r"$\times$",
             "≈": r"$\approx$", "′": "'"}
_TEX_MARK = {HOLDS: "holds", WRONG: "wrong", ROUNDING: "rounding", UNREADABLE: "cannot read"}


def _tex_text(text: str, math_spans: bool = False) -> str:
    """Plain text made safe for pdflatex (specials escaped, a few symbols as math); with
    ``math_spans``, ``$...$`` spans are kept as math."""
    if math_spans:
        pieces = re.split(r"(\$[^$]+\$)", text)
        return "".join(_tex_text_unicode(p) if p.startswith("$") and p.endswith("$") and len(p) > 1
                       else _tex_text(p) for p in pieces)
    return "".join(_TEX_TEXT.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


def _tex_math(text: str) -> str:
    """A LaTeX claim as inline math: without [latex] tags and size commands."""
    text = re.sub(r"\[/?latex\]", "", text)
    text = re.sub(r"\\(Large|large|LARGE|huge|Huge|displaystyle)\b", "", text)
    return r"\(" + _tex_text_unicode(text.strip()) + r"\)"


def _tex_text_unicode(text: str) -> str:
    table = {"–": "-", "−": "-", "—": "-", "’": "'", "′": "'", "·": r"\cdot ",
             "×": r"\times ", "σ": r"\sigma ", "η": r"\eta ", "∂": r"\partial "}
    return "".join(table.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


def claims_section(network: "Network", claims: Sequence[str], format: str = "markdown",
                   aliases: Mapping[str, str] | None = None) -> str:
    """A "Checked claims" section for a write-up.

    Args:
        network: the network the write-up derives.
        claims: claim texts.
        format: ``"markdown"`` or ``"latex"`` (compiles with pdflatex, no extra packages).
        aliases: author spellings → network names.

    Returns:
        The section's text, heading included.
    """
    verdicts = check(network, claims, aliases)
    if format != "latex":
        return "## Checked claims\n\n" + render_markdown(verdicts) + "\n"
    rows = [r"\section*{Checked claims}", r"\begin{itemize}"]
    for v in verdicts:
        latex = "\\" in v.claim
        claim = _tex_math(v.claim) if latex else r"\texttt{" + _tex_text(v.claim) + "}"
        truth = (_tex_math(v.expected) if latex else r"\texttt{" + _tex_text(v.expected) + "}") \
            if v.expected else "---"
        why = f" {_tex_text(v.detail, math_spans=latex)}" if v.verdict != HOLDS else ""
        rows.append(rf"\item \textbf{{{_TEX_MARK[v.verdict]}}}: {claim}\\ truth: {truth}.{why}")
    rows += [r"\end{itemize}", _tex_text(summary(verdicts)) + "."]
    return "\n".join(rows) + "\n"
