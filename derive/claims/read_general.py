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
from derive.claims.general_scan import (FUNCTIONS, MINUS, OPS, PRIME, TRANSPOSE, WORDS,
                                        Scanner)
from derive.errors import ClaimError
from derive.spec import expr as ex
from derive.spec.expr_numbers import MAX_NUMBER_LENGTH

LOOKS_GENERAL = re.compile(
    r"\^\s*\{?\s*(?:[lLi]\s*(?:[-+−–]\s*\d+\s*)?\}?(?![A-Za-z0-9])|\\top(?![A-Za-z])|"
    r"\\intercal|T(?![A-Za-z])|\{\s*T\s*\}|pred|true)"
    r"|\\odot|⊙|\\nabla|∇|\\ell(?![A-Za-z])|ℓ|\\vec(?![A-Za-z])|\\Delta(?![A-Za-z])|Δ"
    r"|\(\s*t\s*(?:[-−–]\s*1\s*)?\)")


class Reader(Scanner):
    """Parses a general claim into trees (general_tree): sides, sums, products, functions."""

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
            if ch and (ch == "+" or ch in MINUS):
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
        if ch in OPS:
            self.i += 1
            return OPS[ch]
        w = self.word() if ch == "\\" else None
        if w and w[0] in OPS:
            self.i += w[1]
            return OPS[w[0]]
        return None

    def starts_atom(self) -> bool:
        ch = self.peek()
        if not ch or ch in "=)]}+^_'" or ch in MINUS:
            return False
        if ch == "\\":
            w = self.word()
            return bool(w) and w[0] not in OPS and w[0] not in ("right",)
        return ch.isalnum() or ch in "({[." or ch in WORDS

    def unary(self):
        signs, start = 0, self.i
        while True:
            self.skip()
            if self.peek() and self.peek() in MINUS + "+":
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
            if TRANSPOSE.match(body.strip()):
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
            if not m or len(m.group()) > MAX_NUMBER_LENGTH:
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
        kind = WORDS.get(w[0])
        if kind == "frac":
            self.i += w[1]
            return self.fraction(start)
        if kind == "sum":
            self.i += w[1]
            return self.summation(start)
        if kind in FUNCTIONS and self.call_follows(start + w[1]):
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
        m = PRIME.match(self.src, at)
        rest = self.src[m.end() if m else at:].lstrip()
        return rest.startswith(("(", "\\left", "["))

    def call(self, name: str, start: int):
        m = PRIME.match(self.src, self.i)
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
        if numerator and w and WORDS.get(w[0]) in FUNCTIONS:
            self.i += w[1]
            name = WORDS[w[0]]
        else:
            name = self.one()
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
            if w and WORDS.get(w[0]) in FUNCTIONS:
                self.i += w[1]
                num = WORDS[w[0]]
            else:
                num = self.one()
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
        den = self.one()
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
