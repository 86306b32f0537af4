r"""The reader of general claims: layer-level statements with free layer and neuron indices,
in plain math or LaTeX, as the posts write them::

    dC/dw^l_{jk} = a^{l-1}_k delta^l_j
    \delta^L = \nabla_a C \odot \sigma'(z^L)
    delta^l = ((w^{l+1})^T delta^{l+1}) * sigma'(z^l)
    \partial\ell / \partial w^i = (\partial\ell / \partial z^i) y^{i-1}
    \Delta w(t) = -\epsilon\frac{1}{N}\frac{\partial\ell}{\partial w(t)} + \alpha\Delta w(t-1)
    w^l = w^l – learningRate * \frac{\partial C}{\partial w^l}

A superscript is a layer (``l``, ``l+1``, ``i-1``, ``L`` the output layer, ``pred``, a number)
or a transpose (``T``, ``\top``); a subscript lists neuron indices (``jk``, ``{j,k}``, ``n``
for a row of a batch). Letters are the spec's notation (``[notation]``) plus δ, ∇_a C, Δw,
ℓ (the cost), η/ε/learningRate (the learning rate), α (momentum) and N (rows of a batch).
The text is read by this parser, character by character: nothing is evaluated.
"""

from __future__ import annotations

import re

from derive.claims import general_tree as G
from derive.errors import ClaimError
from derive.spec import expr as ex

#: signs that a claim is general (a layer variable in a superscript, a transpose, ⊙, ∇, ℓ,
#: a vector, a time argument, a step Δ): only such claims are read here
LOOKS_GENERAL = re.compile(
    r"\^\s*\{?\s*(?:[lLi]\s*(?:[-+−–]\s*\d+\s*)?\}?(?![A-Za-z0-9])|\\top(?![A-Za-z])|"
    r"\\intercal|T(?![A-Za-z])|\{\s*T\s*\}|pred|true)"
    r"|\\odot|⊙|\\nabla|∇|\\ell(?![A-Za-z])|ℓ|\\vec(?![A-Za-z])|\\Delta(?![A-Za-z])|Δ"
    r"|\(\s*t\s*(?:[-−–]\s*1\s*)?\)")

_SKIP = {",", ";", "!", " ", ":", "quad", "qquad", "Large", "large", "LARGE", "huge", "Huge",
         "displaystyle", "textstyle", "big", "Big", "bigg", "Bigg", "left", "right",
         "nonumber", "limits"}
_OPS = {"*": "star", "⊙": "hadamard", "∘": "hadamard", "·": "dot", "⋅": "dot", "×": "product",
        "/": "div", "cdot": "dot", "times": "product", "odot": "hadamard", "circ": "hadamard",
        "ast": "star", "div": "div"}
_MINUS = "-−–—"
_RATE = ("learningRate", "learning_rate", "learningrate", "lr", "eta", "epsilon", "varepsilon")
_WORDS = {**{w: "eta" for w in _RATE}, "η": "eta", "ε": "eta", "alpha": "alpha", "α": "alpha",
          "delta": "delta", "δ": "delta", "ell": "cost", "ℓ": "cost", "nabla": "grad",
          "∇": "grad", "Delta": "velocity", "Δ": "velocity", "sum": "sum", "Σ": "sum",
          "∑": "sum", "sigma": "sigmoid", "σ": "sigmoid", "tanh": "tanh", "exp": "exp",
          "log": "log", "ln": "log", "f": "f", "partial": "partial", "∂": "partial",
          "vec": "vec", "mathbf": "vec", "boldsymbol": "vec", "bar": "bar", "overline": "bar",
          "frac": "frac", "dfrac": "frac", "tfrac": "frac", "N": "count"}
_FUNCTIONS = ("sigmoid", "tanh", "exp", "log", "f")
_PRIME = re.compile(r"\s*(?:'|′|’|\^\s*\{?\s*\\prime\s*\}?)")
_TRANSPOSE = re.compile(r"\{?\s*(?:T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\})\s*\}?\Z")
_TIME = re.compile(r"\(\s*t\s*(?:([-−–])\s*1\s*)?\)")
_LAYER = re.compile(r"(?P<var>[lLi])(?:(?P<sign>[-+−–])(?P<off>\d{1,3}))?\Z|(?P<num>\d+)\Z")
#: digits of a layer number read (a network has at most 101 layers, numbered from ≤ 9)
MAX_LAYER_DIGITS = 6


class Reader:
    """A cursor over a general claim's text that parses it into trees (general_tree)."""

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
            if m and m.group(1) in _SKIP:
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
        if ch in _WORDS:
            return ch, 1
        m = re.compile(r"learning_rate|[A-Za-z]+").match(self.src, self.i)
        if not m:
            return None
        run = m.group()
        if run in _WORDS or run in self.letters or not self.state["latex"]:
            return run, len(run)  # plain text: a run of letters is one word
        known = [w for w in (*_WORDS, *self.letters) if w.isascii() and run.startswith(w)]
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

    def sub(self, text: str, at: int) -> "Reader":
        if self.depth >= ex.MAX_DEPTH:
            raise self.error(f"the claim nests deeper than {ex.MAX_DEPTH} levels", at,
                             "write it with fewer groups inside one another")
        return Reader(text, self.notation, self.offset + at, self.depth + 1, self.state)

    # ---- structure
    def sides(self) -> list[tuple[object, str]]:
        """Every side of ``A = B = …``, each with its text."""
        out = []
        while True:
            self.skip()
            start = self.i
            if self.peek() in ("=", ""):
                raise self.error("nothing before '='" if not out and self.peek() else
                                 "a side is empty", expected="expected a quantity or formula")
            tree = self.expr()
            out.append((tree, self.src[start:self.i].strip()))
            self.skip()
            if not self.peek():
                return out
            if self.peek() != "=":
                raise self.error(f"unexpected {self.peek()!r}",
                                 expected="expected an operator, a quantity or '='")
            self.i += 1

    def expr(self):
        node = self.term()
        while True:
            self.skip()
            ch = self.peek()
            if ch and (ch == "+" or ch in _MINUS):
                self.i += 1
                node = G.Op("add" if ch == "+" else "sub", node, self.term(), self.col() - 1)
            else:
                return node

    def term(self):
        node = self.unary()
        while True:
            self.skip()
            op = self.operator()
            if op:
                node = G.Op(op, node, self.unary(), self.col())
            elif self.starts_atom():
                node = G.Op("product", node, self.unary(), self.col())
            else:
                return node

    def operator(self) -> str | None:
        ch = self.peek()
        if ch in _OPS:
            self.i += 1
            return _OPS[ch]
        w = self.word() if ch == "\\" else None
        if w and w[0] in _OPS:
            self.i += w[1]
            return _OPS[w[0]]
        return None

    def starts_atom(self) -> bool:
        ch = self.peek()
        if not ch or ch in "=)]}+^_'" or ch in _MINUS:
            return False
        if ch == "\\":
            w = self.word()
            return bool(w) and w[0] not in _OPS and w[0] not in ("right",)
        return ch.isalnum() or ch in "({[." or ch in _WORDS

    def unary(self):
        signs, start = 0, self.i
        while True:
            self.skip()
            if self.peek() and self.peek() in _MINUS + "+":
                signs += self.peek() != "+"
                self.i += 1
            else:
                break
        node = self.postfix()
        return G.Neg(node, self.col(start)) if signs % 2 else node

    def postfix(self):
        node = self.atom()
        while True:
            save = self.i
            self.skip()
            if self.peek() != "^":
                self.i = save
                return node
            self.i += 1
            body, at = self.group()
            if _TRANSPOSE.match(body.strip()):
                node = G.Transpose(node, self.col(at))
            elif re.fullmatch(r"\s*\d{1,3}\s*", body):
                node = G.Op("pow", node, G.Num(float(body), self.col(at), body.strip()), self.col(at))
            else:
                raise self.error(f"cannot read the superscript {body.strip()!r}", at,
                                 "after a group: T (transpose) or a small whole power")

    def atom(self):
        self.skip()
        ch, start = self.peek(), self.i
        if not ch:
            raise self.error("expected a quantity, found the end of the text")
        if ch.isdigit() or ch == ".":
            m = re.compile(r"\d*\.?\d+|\d+\.").match(self.src, self.i)
            if not m or len(m.group()) > ex.MAX_NUMBER_LENGTH:
                raise self.error("cannot read the number", expected="a decimal number")
            self.i = m.end()
            return G.Num(float(m.group()), self.col(start), m.group())
        if ch in "([{":
            return self.parenthesis(ch)
        derivative = self.try_derivative()
        if derivative is not None:
            return derivative
        w = self.word()
        if w is None:
            raise self.error(f"unexpected {ch!r}", expected="expected a quantity of the "
                             "network, a number or '('")
        kind = _WORDS.get(w[0])
        if kind == "frac":
            self.i += w[1]
            return self.fraction(start)
        if kind == "sum":
            self.i += w[1]
            return self.summation(start)
        if kind in _FUNCTIONS and self.call_follows(start + w[1]):
            self.i += w[1]
            return self.call(kind, start)
        return self.quantity()

    def parenthesis(self, ch: str):
        close = {"(": ")", "[": "]", "{": "}"}[ch]
        start = self.i
        if self.depth >= ex.MAX_DEPTH:
            raise self.error(f"the claim nests deeper than {ex.MAX_DEPTH} levels", start,
                             "write it with fewer groups inside one another")
        self.i += 1
        self.depth += 1
        node = self.expr()
        self.depth -= 1
        self.skip()
        if self.peek() != close:
            raise self.error(f"expected {close!r}", expected=f"close the {ch!r} at column "
                             f"{self.col(start)}")
        self.i += 1
        return node

    def call_follows(self, at: int) -> bool:
        m = _PRIME.match(self.src, at)
        rest = self.src[m.end() if m else at:].lstrip()
        return rest.startswith(("(", "\\left", "["))

    def call(self, name: str, start: int):
        m = _PRIME.match(self.src, self.i)
        if m:
            self.i = m.end()
        self.skip()
        arg = self.parenthesis(self.peek())
        return G.Call(name, bool(m), arg, self.col(start))

    def fraction(self, start: int):
        top, top_at = self.group()
        bottom, bottom_at = self.group()
        num = self.sub(top, top_at).partial_of(numerator=True)
        den = self.sub(bottom, bottom_at).partial_of(numerator=False)
        if num is not None and den is not None:
            return G.Deriv(num, den, self.col(start), self.src[start:self.i])
        if (num is None) != (den is None):
            raise self.error("half a derivative", start, "a derivative is \\frac{\\partial C}"
                             "{\\partial w^l}: ∂ in both the numerator and the denominator")
        return G.Op("div", self.sub(top, top_at).whole(), self.sub(bottom, bottom_at).whole(),
                    self.col(start))

    def whole(self):
        node = self.expr()
        self.skip()
        if self.peek():
            raise self.error(f"unexpected {self.peek()!r}", expected="an operator or the end "
                             "of the group")
        return node

    def partial_of(self, numerator: bool):
        """The X of a group that is ``∂X`` / ``dX`` (None if it is not one)."""
        self.skip()
        if not self.d_prefix():
            return None
        self.skip()
        w = self.word()
        if numerator and w and _WORDS.get(w[0]) in _FUNCTIONS:
            self.i += w[1]
            name = _WORDS[w[0]]
        else:
            name = self.quantity()
        self.skip()
        if self.peek():
            return None
        return name

    def d_prefix(self) -> bool:
        """Move past ``\\partial``, ``∂``, ``\\mathrm{d}`` or a ``d`` before a letter."""
        m = re.compile(r"\\partial(?![A-Za-z])|∂|\\mathrm\{d\}|d(?=\s*(?:[A-Za-z]|\\[A-Za-z]|ℓ|δ))"
                       ).match(self.src, self.i)
        if not m:
            return False
        self.i = m.end()
        return True

    def try_derivative(self):
        """``∂X/∂Y`` or ``dX/dY`` written inline, else None (the cursor unmoved); once the
        ``/ ∂`` is read it is a derivative, and its denominator's errors are the claim's."""
        start = self.i
        try:
            if not self.d_prefix():
                return None
            self.skip()
            w = self.word()
            if w and _WORDS.get(w[0]) in _FUNCTIONS:
                self.i += w[1]
                num = _WORDS[w[0]]
            else:
                num = self.quantity()
            self.skip()
            if self.peek() != "/":
                raise ClaimError("not a derivative")
            self.i += 1
            self.skip()
            if not self.d_prefix():
                raise ClaimError("not a derivative")
        except ClaimError:
            if re.compile(r"d?[A-Za-z]*\s*/\s*(?:d|∂|\\partial)").match(self.src, start) and \
                    self.src[start] in "d∂":
                self.i = start + 1  # d X / d Y with an unknown X: say so at X
                self.quantity()
            self.i = start
            return None
        den = self.quantity()
        return G.Deriv(num, den, self.col(start), self.src[start:self.i])

    def summation(self, start: int):
        index, rows = None, False
        for _ in range(2):
            self.skip()
            mark = self.peek()
            if mark not in ("_", "^"):
                break
            self.i += 1
            body, at = self.group()
            body = re.sub(r"[\s{}]", "", body)
            if mark == "_":
                m = re.fullmatch(r"([A-Za-z])(?:=\d+)?", body)
                if not m:
                    raise self.error(f"cannot read the sum's index {body!r}", at,
                                     "a sum runs over one letter: \\sum_j, \\sum_{n=1}^N")
                index = m.group(1)
            rows = rows or body == "N" or index == "n"
        if index is None and not rows:
            raise self.error("a sum without its index", start, "write \\sum_j … or \\sum^N …")
        if rows:
            self.state["batch"] = True
        if self.depth >= ex.MAX_DEPTH:
            raise self.error(f"the claim nests deeper than {ex.MAX_DEPTH} levels", start,
                             "write it with fewer sums inside one another")
        self.depth += 1
        body = self.term()
        self.depth -= 1
        return G.Sum(None if rows and index in (None, "n") else index, rows, body, self.col(start))

    # ---- quantities
    def quantity(self) -> G.Quantity:
        self.skip()
        start = self.i
        w = self.word()
        if w is None:
            raise self.error(f"unexpected {self.peek()!r}", expected="a quantity of the network")
        name, length = w
        kind = _WORDS.get(name) if name not in self.letters else self.letters[name]
        vector = False
        if kind == "vec":
            self.i += length
            body, at = self.group()
            inner = self.sub(body, at).quantity()
            return self.scripts(inner.kind, start, vector=True, inner=inner)
        if kind == "bar":
            self.i += length
            body, at = self.group()
            inner = self.sub(body, at).quantity()
            if inner.kind != "cost":
                raise self.error("a bar is for the mean cost only", start, "\\bar{C}")
            return G.Quantity("mean", None, (), self.col(start), self.src[start:self.i])
        if kind == "velocity":
            self.i += length
            inner = self.quantity()
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

    def known(self) -> str:
        n = self.notation
        return (f"expected the spec's letters ({n.weight}, {n.bias}, {n.preactivation}, "
                f"{n.activation}, {n.input}, {n.target}, {n.cost}), δ, ∇_a C, Δw, ℓ, η, α or N")

    def gradient(self, start: int) -> G.Quantity:
        self.skip()
        if self.peek() == "_":
            self.i += 1
            self.group()
        cost = self.quantity()
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
            elif _TRANSPOSE.match(body.strip()):
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
        sign = -1 if (m.group("sign") or "+") in _MINUS else 1
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


def read_general(text: str, notation) -> G.GeneralClaim:
    """Read a general claim against a layered network's notation.

    Raises:
        ClaimError: with the column and what was expected there.
    """
    cleaned = re.sub(r"\[/?latex\]", lambda m: " " * len(m.group()), text)
    reader = Reader(cleaned, notation)
    sides = reader.sides()
    if len(sides) < 2:
        raise ClaimError("a claim needs '=' (e.g. delta^l = ...)",
                         hint="write the claim as left side = right side")
    state = reader.state
    if len(state["vars"]) > 1:
        raise ClaimError(f"the claim uses two layer variables ({', '.join(state['vars'])})",
                         hint="write every layer relative to one: l, l+1, l-1")
    return G.GeneralClaim(text, [t for t, _ in sides], [s for _, s in sides], "\\" in text,
                          tuple(state["vars"]), state["cost"], state["batch"])
