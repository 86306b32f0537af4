"""The symbols of general claims: a cursor over a claim's text (plain math or LaTeX) that
reads one quantity with its decorations (``w^{l+1}_{jk}``, ``\\vec{y}^{i-1}``, ``Δw(t−1)``,
``\\nabla_a C``, ``\\bar{C}``) into :class:`~derive.claims.general_tree.Quantity`, and the
words and marks both this and the structure reader (:mod:`derive.claims.read_general`) know.
"""

from __future__ import annotations

import re

from derive.claims import general_tree as G
from derive.errors import ClaimError
from derive.spec import expr as ex

SKIP = {",", ";", "!", " ", ":", "quad", "qquad", "Large", "large", "LARGE", "huge", "Huge",
        "displaystyle", "textstyle", "big", "Big", "bigg", "Bigg", "left", "right",
        "nonumber", "limits"}
OPS = {"*": "star", "⊙": "hadamard", "∘": "hadamard", "·": "dot", "⋅": "dot", "×": "product",
       "/": "div", "cdot": "dot", "times": "product", "odot": "hadamard", "circ": "hadamard",
       "ast": "star", "div": "div"}
MINUS = "-−–—"
RATE = ("learningRate", "learning_rate", "learningrate", "lr", "eta", "epsilon", "varepsilon")
WORDS = {**{w: "eta" for w in RATE}, "η": "eta", "ε": "eta", "alpha": "alpha", "α": "alpha",
         "delta": "delta", "δ": "delta", "ell": "cost", "ℓ": "cost", "nabla": "grad",
         "∇": "grad", "Delta": "velocity", "Δ": "velocity", "sum": "sum", "Σ": "sum",
         "∑": "sum", "sigma": "sigmoid", "σ": "sigmoid", "tanh": "tanh", "exp": "exp",
         "log": "log", "ln": "log", "f": "f", "partial": "partial", "∂": "partial",
         "vec": "vec", "mathbf": "vec", "boldsymbol": "vec", "bar": "bar", "overline": "bar",
         "frac": "frac", "dfrac": "frac", "tfrac": "frac", "N": "count"}
FUNCTIONS = ("sigmoid", "tanh", "exp", "log", "f")
PRIME = re.compile(r"\s*(?:'|′|’|\^\s*\{?\s*\\prime\s*\}?)")
TRANSPOSE = re.compile(r"\{?\s*(?:T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\})\s*\}?\Z")
_TIME = re.compile(r"\(\s*t\s*(?:([-−–])\s*1\s*)?\)")
_LAYER = re.compile(r"(?P<var>[lLi])(?:(?P<sign>[-+−–])(?P<off>\d{1,3}))?\Z|(?P<num>\d+)\Z")
#: digits of a layer number read (a network has at most 101 layers, numbered from ≤ 9)
MAX_LAYER_DIGITS = 6


class Scanner:
    """A cursor over a general claim's text; reads quantities (the structure: read_general)."""

    def __init__(self, src: str, notation, offset: int = 0, depth: int = 0, state=None):
        self.src, self.i, self.offset, self.depth = src, 0, offset, depth
        self.notation = notation
        self.state = state if state is not None else {"vars": [], "cost": "", "batch": False,
                                                      "latex": "\\" in src}
        letters = {getattr(notation, k): k for k in
                   ("weight", "bias", "preactivation", "activation", "input", "target", "cost")}
        self.letters = {letter: {"weight": "weight", "bias": "bias", "preactivation": "pre",
                                 "activation": "act", "input": "input", "target": "target",
                                 "cost": "cost"}[key] for letter, key in letters.items()}

    # ---- the cursor
    def col(self, at: int | None = None) -> int:
        return (self.i if at is None else at) + self.offset + 1

    def error(self, message: str, at: int | None = None, expected: str = "") -> ClaimError:
        return ClaimError(f"{message} at column {self.col(at)}", hint=expected or None)

    def peek(self) -> str:
        return self.src[self.i] if self.i < len(self.src) else ""

    def skip(self) -> None:
        """Spaces, and LaTeX spacing and sizing commands (\\, \\Large \\left …)."""
        while self.i < len(self.src):
            if self.src[self.i] in " \t\n\u00a0$":
                self.i += 1
                continue
            m = re.compile(r"\\([A-Za-z]+|[,;:! ])").match(self.src, self.i)
            if m and m.group(1) in SKIP:
                self.i = m.end()
                continue
            return

    def word(self) -> tuple[str, int] | None:
        """The word at the cursor (a command's name, a Greek letter or a run of letters),
        without moving: (word, its length in the text)."""
        ch = self.peek()
        if ch == "\\":
            m = re.compile(r"\\([A-Za-z]+)").match(self.src, self.i)
            return (m.group(1), m.end() - self.i) if m else None
        if ch in WORDS:
            return ch, 1
        m = re.compile(r"learning_rate|[A-Za-z]+").match(self.src, self.i)
        if not m:
            return None
        run = m.group()
        if run in WORDS or run in self.letters or not self.state["latex"]:
            return run, len(run)  # plain text: a run of letters is one word
        known = [w for w in (*WORDS, *self.letters) if w.isascii() and run.startswith(w)]
        best = max(known, key=len) if known else run[0]  # LaTeX reads letter by letter
        return best, len(best)

    def group(self) -> tuple[str, int]:
        """A {...} group (balanced) or one character or command; (content, its start)."""
        self.skip()
        if self.peek() == "{":
            start, depth = self.i + 1, 0
            while self.i < len(self.src):
                depth += {"{": 1, "}": -1}.get(self.src[self.i], 0)
                self.i += 1
                if depth == 0:
                    return self.src[start:self.i - 1], start
            raise self.error("an unclosed '{'", start - 1, "close every { with }")
        if self.peek() == "\\":
            m = re.compile(r"\\([A-Za-z]+|.)").match(self.src, self.i)
            self.i = m.end()
            return m.group(), m.start()
        if not self.peek():
            raise self.error("expected a superscript or subscript, found the end of the text")
        self.i += 1
        return self.src[self.i - 1], self.i - 1

    def sub(self, text: str, at: int) -> "Scanner":
        if self.depth >= ex.MAX_DEPTH:
            raise self.error(f"the claim nests deeper than {ex.MAX_DEPTH} levels", at,
                             "write it with fewer groups inside one another")
        return type(self)(text, self.notation, self.offset + at, self.depth + 1, self.state)

    # ---- structure
    def quantity(self) -> G.Quantity:
        self.skip()
        start = self.i
        w = self.word()
        if w is None:
            raise self.error(f"unexpected {self.peek()!r}", expected="a quantity of the network")
        name, length = w
        kind = WORDS.get(name) if name not in self.letters else self.letters[name]
        vector = False
        if kind == "vec":
            self.i += length
            body, at = self.group()
            inner = self.sub(body, at).one()
            return self.scripts(inner.kind, start, vector=True, inner=inner)
        if kind == "bar":
            self.i += length
            body, at = self.group()
            inner = self.sub(body, at).one()
            if inner.kind != "cost":
                raise self.error("a bar is for the mean cost only", start, "\\bar{C}")
            return G.Quantity("mean", None, (), self.col(start), self.src[start:self.i])
        if kind == "velocity":
            self.i += length
            inner = self.one()
            if inner.kind not in ("weight", "bias"):
                raise self.error("Δ is the step of a weight or a bias", start, "Δw, Δb^l_j")
            return G.Quantity("velocity", inner.layer, inner.indices, self.col(start),
                              self.src[start:self.i], inner.time, inner)
        if kind == "grad":
            self.i += length
            return self.gradient(start)
        if kind not in ("weight", "bias", "pre", "act", "input", "target", "cost", "delta",
                        "eta", "alpha", "count"):
            raise self.error(f"unknown symbol {self.src[start:start + length]!r}", start,
                             self.known())
        self.i += length
        if kind == "cost":
            self.state["cost"] = self.state["cost"] or self.src[start:self.i]
        if kind == "count":
            self.state["batch"] = True
        return self.scripts(kind, start, vector)

    def one(self) -> G.Quantity:
        """A quantity that is not transposed (inside \\vec{…}, after Δ or ∇, in ∂X/∂Y)."""
        self.skip()
        start = self.i
        q = self.quantity()
        if not isinstance(q, G.Quantity):
            raise self.error("a transposed quantity here", start, "transpose the whole "
                             "derivative or product: (∂C/∂w^l)^T")
        return q

    def known(self) -> str:
        n = self.notation
        return (f"expected the spec's letters ({n.weight}, {n.bias}, {n.preactivation}, "
                f"{n.activation}, {n.input}, {n.target}, {n.cost}), δ, ∇_a C, Δw, ℓ, η, α or N")

    def gradient(self, start: int) -> G.Quantity:
        self.skip()
        if self.peek() == "_":
            self.i += 1
            self.group()
        cost = self.one()
        if cost.kind != "cost":
            raise self.error("∇ is the gradient of the cost", start, "∇_a C")
        return G.Quantity("grad_a", G.Layer("L"), (), self.col(start), self.src[start:self.i])

    def scripts(self, kind: str, start: int, vector: bool = False,
                inner: G.Quantity | None = None) -> G.Quantity:
        layer, indices = (inner.layer, inner.indices) if inner else (None, ())
        transpose = False
        while True:
            save = self.i
            self.skip()
            mark = self.peek()
            if mark not in ("^", "_") or kind in ("eta", "alpha", "count"):
                self.i = save
                break
            if mark == "^" and re.compile(r"\^\s*\{?\s*\\prime").match(self.src, self.i):
                self.i = save
                break
            self.i += 1
            body, at = self.group()
            if mark == "_":
                indices += self.index_list(body, at)
            elif TRANSPOSE.match(body.strip()):
                transpose = True
            elif layer is not None:
                raise self.error("a second layer superscript", at, "one layer per quantity")
            elif body.strip() == "true" and kind == "act":
                kind, layer = "target", None
            else:
                layer = self.layer(body, at)
        time = ""
        m = _TIME.match(self.src, self.i)
        if m and kind in ("weight", "bias"):
            self.i = m.end()
            time = "t-1" if m.group(1) else "t"
        q = G.Quantity(kind, layer, indices, self.col(start), self.src[start:self.i], time,
                       vector=vector)
        return G.Transpose(q, q.pos) if transpose else q

    def layer(self, body: str, at: int) -> G.Layer:
        text = re.sub(r"[\s{}]", "", body)
        if text == "pred":
            return G.Layer("L", 0, text)
        m = _LAYER.match(text)
        if not m or (m.group("num") and len(m.group("num")) > MAX_LAYER_DIGITS):
            raise self.error(f"cannot read the layer superscript {text!r}", at,
                             "a layer is l, l+1, l-1, L, i, i-1 or a number of at most "
                             f"{MAX_LAYER_DIGITS} digits (T transposes)")
        if m.group("num"):
            return G.Layer(None, int(m.group("num")), text)
        var = m.group("var")
        if var != "L" and var not in self.state["vars"]:
            self.state["vars"].append(var)
        sign = -1 if (m.group("sign") or "+") in MINUS else 1
        return G.Layer(var, sign * int(m.group("off") or 0), text)

    def index_list(self, body: str, at: int) -> tuple[G.Index, ...]:
        text = re.sub(r"[\s{}]", "", body)
        items = text.split(",") if "," in text else re.findall(r"[A-Za-z](?:[-+]\d)?|\d", text)
        if not text or "".join(items) != text.replace(",", ""):
            raise self.error(f"cannot read the subscript {text!r}", at,
                             "neuron indices: letters or numbers (jk, {j,k}, 1, n for a row)")
        out = []
        for item in items:
            m = re.fullmatch(r"([A-Za-z])(?:([-+])(\d))?|(\d{1,6})", item)
            if not m:
                raise self.error(f"cannot read the index {item!r}", at, "a letter or a number")
            if m.group(4):
                out.append(G.Index(None, int(m.group(4))))
            else:
                off = int(m.group(3) or 0) * (-1 if m.group(2) == "-" else 1)
                out.append(G.Index(m.group(1), off))
        return tuple(out)
