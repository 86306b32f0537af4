"""Derivation (+ values) → the sections of a write-up, and :func:`writeup`, which makes the
:class:`~derive.writeups.document.Document`.

The sections are the ones a textbook walk-through has: the network, the starting values, the
forward pass, the cost, the backward pass (every δ), each parameter's chain with its numbers,
one gradient-descent step and the cost after it. Every number comes from
:func:`derive.scalar.values.compute`, rounded only for print.
"""

from __future__ import annotations

import difflib
import functools
from typing import Sequence

import sympy

from derive.errors import ChainruleError
from derive.scalar.chain import Derivation, derive
from derive.scalar.values import Values, compute, evaluate
from derive.spec.model import Network
from derive.writeups.diagram import Diagram
from derive.writeups.document import Document
from derive.writeups.layout import network_diagram
from derive.writeups.parts import Block, Display, Figure, Inline, Math, Paragraph, Section, Table
from derive.writeups.printing import DIGITS, SpellingPrinter, default_spelling, number, spelled

#: A chain with more paths than this is written in δ form (the paths would fill pages).
MAX_PATHS = 6
#: Closed forms with more operations than this are left out of the write-up.
MAX_CLOSED_FORM_OPS = 120


class _Builder:
    """Builds the sections of a write-up (and its diagram) from a derivation and its values."""

    def __init__(self, derivation: Derivation, values: Values, digits: int,
                 only: Sequence[str] | None = None):
        self.d = derivation
        self.g = derivation.graph
        self.v = values
        self.digits = digits
        self.only = None if only is None else set(only)
        network = derivation.network
        self.names = {name: network.latex_name(name) or default_spelling(symbol)
                      for name, symbol in self.g.symbols.items()}
        by_symbol = {self.g.symbols[n]: t for n, t in self.names.items()}
        by_symbol.update({s: r"\delta_{" + self.names[n] + "}"
                          for n, s in derivation.delta_symbols.items()})
        self.spelled = {n.name: spelled(network, self.g, n.name) for n in self.g.nodes}
        env = {**values.values, **{f"delta_{n}": x for n, x in values.deltas.items()}}
        numbers = {s: self._num_factor(env[s.name]) for s in [*by_symbol] if s.name in env}
        # (with numbers?, in the spec's order?) → printer; "none" keeps a spelled equation's order
        self.printers = {
            (numeric, spec_order): SpellingPrinter(numbers if numeric else by_symbol,
                                                   mul_symbol="dot" if numeric else None,
                                                   order="none" if spec_order else None)
            for numeric in (False, True) for spec_order in (False, True)}
        self.env = {s: env[s.name] for s in by_symbol if s.name in env}

    # ---- helpers ------------------------------------------------------------------------

    def num(self, value: float) -> str:
        return number(value, self.digits)

    def _num_factor(self, value: float) -> str:
        text = self.num(value)
        return rf"\left({text}\right)" if value < 0 or r"\times" in text else text

    def tex(self, expr: sympy.Expr, spec_order: bool = False) -> str:
        return self.printers[False, spec_order].doprint(expr)

    def with_numbers(self, expr: sympy.Expr, spec_order: bool = False) -> str:
        return self.printers[True, spec_order].doprint(expr)

    def value(self, expr: sympy.Expr) -> float:
        return evaluate(expr, self.env)

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {self.names[top]}}}{{\partial {self.names[bottom]}}}"

    def chain(self, lhs: str, expr: sympy.Expr, value: float, spec_order: bool = False,
              tidy: sympy.Expr | None = None) -> tuple[str, list]:
        """``lhs = expr = expr with numbers = value``, skipping steps that repeat; with
        ``tidy`` (a simpler equal form): ``lhs = expr = tidy = tidy with numbers = value``."""
        steps = [self.tex(expr, spec_order)]
        if tidy is not None:
            steps.append(self.tex(tidy))
            expr = tidy
        if expr.free_symbols and not expr.is_Symbol:
            steps.append(self.with_numbers(expr, spec_order))
        steps.append(self.num(value))
        unique = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
        return lhs, [("=", s) for s in unique]

    # ---- sections -----------------------------------------------------------------------

    def diagram(self) -> Diagram:
        """The network diagram, in the write-up's spellings."""
        return network_diagram(self.g, self.names)

    def sections(self) -> list[Section]:
        return [self.network(), self.start(), self.forward(), self.cost(), self.deltas(),
                *self.parameters(), self.update(), self.after()]

    def network(self) -> Section:
        network = self.d.network
        rows = [(self.names[n.name], [("=", self.tex(self.spelled[n.name], True))])
                for n in self.g.nodes]
        text = [f"{len(self.g.inputs)} inputs, {len(self.g.targets)} targets, "
                f"{len(self.g.parameters)} parameters and {len(self.g.nodes)} nodes; the cost is ",
                Math(self.names[self.g.cost]), "."]
        if network.freeze:
            text += [" Frozen (not updated by the step): ",
                     *_listing([Math(self.names[p]) for p in network.freeze]), "."]
        return Section(["The network"], [
            Figure(self.diagram(), network.title or network.name),
            Paragraph(text),
            Paragraph(["Every node is one equation of the spec, evaluated in this order:"]),
            Display(rows)])

    def start(self) -> Section:
        rows = [[kind, Math(self.names[n]), Math(self.num(self.v.values[n]))]
                for kind, table in (("input", self.g.inputs), ("target", self.g.targets),
                                    ("parameter", self.g.parameters)) for n in table]
        eta = Math(rf"\eta = {self.num(self.v.learning_rate)}")
        return Section(["Starting values"], [
            Table(["", "name", "value"], rows),
            Paragraph(["The learning rate is ", eta, "."])])

    def forward(self) -> Section:
        rows = [self.chain(self.names[n.name], self.spelled[n.name], self.v.values[n.name], True)
                for n in self.g.nodes if n.name != self.g.cost]
        return Section(["Forward pass"], [
            Paragraph(["Each node with its parents' values substituted:"]), Display(rows)])

    def cost(self) -> Section:
        cost = self.g.cost
        return Section(["Cost"], [Display([self.chain(self.names[cost], self.spelled[cost],
                                                      self.v.cost, True)])])

    def deltas(self) -> Section:
        rows = []
        for name in self.g.backward_order:
            if name == self.g.cost or name not in self.g.influences_cost:
                continue
            lhs = rf"\delta_{{{self.names[name]}}} = {self.partial(self.g.cost, name)}"
            rows.append(self.chain(lhs, self.d.delta[name], self.v.deltas[name],
                                   tidy=self._tidied_delta(name)))
        return Section(["Backward pass"], [
            Paragraph(["The adjoint ", Math(r"\delta_n = \partial " + self.names[self.g.cost]
                                            + r"/\partial n"),
                       " of every node, from the cost down: the sum over the node's children ",
                       Math("c"), " of ", Math(r"\delta_c \, \partial c/\partial n"), "."]),
            Display(rows), *self._selection()])

    def _selection(self) -> list[Block]:
        """When only some parameters' chains are written up, a sentence that says so."""
        if self.only is None:
            return []
        shown = [Math(self.names[p]) for p in self._parameter_order() if p in self.only]
        return [Paragraph([f"Below, the chains of {len(shown)} of the "
                           f"{len(self.g.parameters)} parameters: ", *_listing(shown),
                           "; the update step covers them all."])]

    def _tidied_delta(self, name: str) -> sympy.Expr | None:
        """δ of ``name`` in forward quantities when that is simpler than the δ form with its
        children's δ substituted (σ with cross-entropy: a(1 − a)·(−y/a + ...) is a − y)."""
        delta = self.d.delta[name]
        children = {self.d.delta_symbols[c]: self.d.closed_form(c)
                    for c in self.g.children[name] if c in self.d.delta_symbols}
        if not delta.free_symbols & set(children):
            return None  # written in forward quantities already
        closed = self.d.closed_form(name)
        raw = delta.xreplace(children)
        return closed if sympy.count_ops(closed) < sympy.count_ops(raw) else None

    def parameters(self) -> list[Section]:
        return [self.parameter(p) for p in self._parameter_order()
                if self.only is None or p in self.only]

    def _parameter_order(self) -> list[str]:
        return sorted(self.g.parameters, key=self._backprop_rank)

    def _backprop_rank(self, p: str) -> int:
        """Backpropagation's order: by the last node the parameter feeds in the graph's
        backward order (so a shared bias follows its layer's weights); ties keep the spec's
        order (the sort is stable)."""
        place = {name: i for i, name in enumerate(self.g.backward_order)}
        return max((place[c] for c in self.g.children[p]), default=len(place))

    def parameter(self, p: str) -> Section:
        title: list[Inline] = ["Parameter ", Math(self.names[p])]
        paths = self.d.paths(p)
        if not paths:
            return Section(title, [Paragraph(["No path leads from the cost to ",
                                              Math(self.names[p]), ", so its gradient is 0."])],
                           level=3)
        if len(paths) > MAX_PATHS:
            return Section(title, self._delta_form(p, len(paths)), level=3)
        return Section(title, [*self._paths(p, paths), *self._closed_form(p)], level=3)

    def _paths(self, p: str, paths: list[tuple[str, ...]]) -> list[Block]:
        """The chain over every path, each factor with its value, the products in numbers."""
        d, lhs = self.d, self.partial(self.g.cost, p)
        steps = [list(zip(path, path[1:])) for path in paths]
        edges = list(dict.fromkeys(edge for path in steps for edge in path))
        over = "the only path" if len(paths) == 1 else f"the {len(paths)} paths"
        products = [" ".join(self.partial(a, b) for a, b in path) for path in steps]
        numbers = [r" \cdot ".join(self._num_factor(self.value(d.partial(a, b))) for a, b in path)
                   for path in steps]
        return [
            Paragraph([f"The chain rule over {over} from the cost to ", Math(self.names[p]), ":"]),
            Display([(lhs, _sum_lines(products))]),
            Paragraph(["Each factor is the derivative of one node's equation:"]),
            Display([self.chain(self.partial(a, b), d.partial(a, b), self.value(d.partial(a, b)))
                     for a, b in edges]),
            Paragraph(["Multiplying along the path:" if len(paths) == 1
                       else "Multiplying along each path and adding:"]),
            Display([(lhs, [*_sum_lines(numbers), ("=", self.num(self.v.gradients[p]))])])]

    def _closed_form(self, p: str) -> list[Block]:
        """The gradient in forward quantities, when it is short enough to read."""
        closed = self.d.closed_form(p)
        if sympy.count_ops(closed) > MAX_CLOSED_FORM_OPS:
            return []
        return [Paragraph(["In closed form, with forward quantities:"]),
                Display([self.chain(self.partial(self.g.cost, p), closed,
                                    self.v.gradients[p])])]

    def _delta_form(self, p: str, count: int) -> list[Block]:
        """Too many paths to list: the gradient through the adjoints of the nodes ``p`` feeds."""
        return [Paragraph([f"{count} paths lead from the cost to ", Math(self.names[p]),
                           "; with the adjoints of the nodes it feeds, the chain rule reads:"]),
                Display([self.chain(self.partial(self.g.cost, p), self.d.gradient[p],
                                    self.v.gradients[p])])]

    def update(self) -> Section:
        network, eta = self.d.network, self.num(self.v.learning_rate)
        rows = []
        for p in self.g.parameters:
            old, new = self.v.values[p], self.v.updated[p]
            if p in network.freeze:
                rows.append((self.names[p], [(r"\leftarrow", self.num(old)
                                              + r" \quad \text{(frozen)}")]))
                continue
            steps = [rf"{self.names[p]} - \eta\, {self.partial(self.g.cost, p)}",
                     rf"{self.num(old)} - {eta} \cdot {self._num_factor(self.v.gradients[p])}",
                     self.num(new)]
            rows.append((self.names[p], [(r"\leftarrow", steps[0]), ("=", steps[1]),
                                         ("=", steps[2])]))
        return Section(["One gradient-descent step"], [
            Paragraph(["Every parameter moves against its gradient, ",
                       Math(rf"\theta \leftarrow \theta - \eta\, \partial "
                            rf"{self.names[self.g.cost]}/\partial\theta"),
                       ", with ", Math(rf"\eta = {eta}"), ":"]),
            Display(rows)])

    def after(self) -> Section:
        cost = self.names[self.g.cost]
        before, after = self.v.cost, self.v.cost_after
        change = "falls" if after < before else "rises" if after > before else "stays"
        return Section(["Cost after the step"], [
            Paragraph(["A forward pass with the updated parameters gives"]),
            Display([(cost, [("=", self.num(after))])]),
            Paragraph([f"The cost {change} from ", Math(self.num(before)), " to ",
                       Math(self.num(after)), " (a change of ",
                       Math(self.num(after - before)), ")."])])


def _sum_lines(terms: list[str]) -> list[tuple[str, str]]:
    """``= t1`` then ``+ t2``, ``+ t3`` … on lines of their own (long chains stay on the page)."""
    return [("=", terms[0]), *(("+", t) for t in terms[1:])]


def _listing(items: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for i, item in enumerate(items):
        if i:
            out.append(", ")
        out.append(item)
    return out


def writeup(spec: Network | Derivation, *, learning_rate: float | None = None,
            digits: int = DIGITS, claims: Sequence[str] = (),
            aliases: dict[str, str] | None = None,
            parameters: Sequence[str] | None = None) -> Document:
    """The write-up of a network's derivation.

    Args:
        spec: a :class:`~derive.spec.model.Network` (with values for every leaf) or its derivation.
        learning_rate: η of the update step; the spec's when omitted.
        digits: significant digits of printed numbers.
        claims: claim texts to check and append as a "Checked claims" section.
        aliases: author spellings → network names, for the claims.
        parameters: write up the chains of these parameters only (default: all).

    Returns:
        The :class:`Document`.

    Raises:
        ChainruleError: a name in ``parameters`` that is not a parameter of the network.
    """
    network = spec.network if isinstance(spec, Derivation) else spec
    network.require_values()   # check first, then work: a missing value needs no derivation
    for name in parameters or ():
        if name not in network.parameters:
            close = difflib.get_close_matches(name, list(network.parameters), n=3, cutoff=0.3)
            raise ChainruleError(f"unknown parameter {name!r}",
                                 hint=("closest: " + ", ".join(close)) if close else None)
    derivation = spec if isinstance(spec, Derivation) else derive(spec)
    values = compute(derivation, learning_rate)
    claims_section = None
    if claims:
        from derive.claims.check import claims_section as section
        claims_section = functools.partial(section, network, list(claims), aliases=aliases)
    return Document(network.title or network.name, values,
                    lambda: _Builder(derivation, values, digits, parameters),
                    claims=claims_section)
