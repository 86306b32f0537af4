"""Derivation (+ values) → a document model → LaTeX | Markdown | JSON.

A :class:`Document` is built once from the derivation and its numbers: sections of text,
display equations, tables and the network diagram. Two renderers turn the same model into a
standalone LaTeX file (TikZ diagram; compiles with pdflatex) and GitHub Markdown (``$`` math,
an SVG diagram). Every number comes from :func:`derive.scalar.values.compute`, rounded only here.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence, Union

import sympy
from sympy.printing.latex import LatexPrinter

from derive.scalar.chain import Derivation, derive
from derive.writeups.diagram import Diagram, network_diagram
from derive.errors import ChainruleError
from derive.files import write_atomic
from derive.writeups.breaks import aligned_lines
from derive.latex_text import UnsafeLatex, check_spelling, md_text, tex_text
from derive.spec.model import Network
from derive.scalar.values import Values, compute

#: A chain with more paths than this is written in δ form (the paths would fill pages).
MAX_PATHS = 6
#: Closed forms with more operations than this are left out of the write-up.
MAX_CLOSED_FORM_OPS = 120
#: Significant digits of printed numbers (the JSON form keeps full precision).
DIGITS = 6


# --------------------------------------------------------------------------- document model

@dataclass
class Math:
    """Inline math (LaTeX source)."""

    tex: str


Inline = Union[str, Math]


@dataclass
class Paragraph:
    """Running text with inline math."""

    parts: list[Inline]


@dataclass
class Display:
    """Aligned display equations: each row is a left side and its chain of (relation, right side)."""

    rows: list[tuple[str, list[tuple[str, str]]]]


@dataclass
class Table:
    """A table of inline cells."""

    header: list[str]
    rows: list[list[Inline]]


@dataclass
class Figure:
    """The network diagram."""

    diagram: Diagram
    caption: str


Block = Union[Paragraph, Display, Table, Figure]


@dataclass
class Section:
    """A titled run of blocks; level 2 for sections, 3 for subsections."""

    title: list[Inline]
    blocks: list[Block] = field(default_factory=list)
    level: int = 2


class Document:
    """A derivation write-up, renderable as LaTeX, Markdown or JSON.

    The numbers are computed when it is made; its text (sections, diagram, the checked
    claims) only when a text form asks for it, so the JSON form does no LaTeX work.
    """

    def __init__(self, title: str, values: Values, builder: Callable[[], "_Builder"],
                 claims: Callable[[str], str] | None = None):
        self.title = title
        self.values = values
        self._make_builder = builder
        self._claims = claims
        self._appendix: dict[str, str] = {}

    @functools.cached_property
    def _builder(self) -> "_Builder":
        return self._make_builder()

    @functools.cached_property
    def sections(self) -> list[Section]:
        """The sections of the write-up, built on first use."""
        return self._builder.sections()

    @functools.cached_property
    def diagram(self) -> Diagram:
        """The network diagram, laid out on first use."""
        return network_diagram(self._builder.g, self._builder.names)

    def appendix(self, format: str) -> str | None:
        """The "Checked claims" section in ``format`` (markdown or latex), if there are claims."""
        if self._claims is None:
            return None
        if format not in self._appendix:
            self._appendix[format] = self._claims(format)
        return self._appendix[format]

    def latex(self) -> str:
        """A standalone LaTeX document (article class, amsmath, TikZ)."""
        return _LatexRenderer().document(self)

    def markdown(self, diagram_href: str | None = None, inline: str = "mermaid") -> str:
        """GitHub Markdown. The diagram is the SVG file ``diagram_href`` when given, else
        ``inline``: a Mermaid block (``"mermaid"``, rendered by GitHub) or the SVG as a data
        URI (``"data-uri"``, rendered by notebooks and editors)."""
        return _MarkdownRenderer(diagram_href, inline).document(self)

    def json(self) -> str:
        """Every number by name: values, cost, gradients, updated, cost_after (a value that
        overflowed is the string "inf", "-inf" or "nan": JSON has no such numbers)."""
        return json.dumps(_json_safe(self.values.as_dict()), indent=2, allow_nan=False) + "\n"

    def svg(self) -> str:
        """The network diagram as an SVG image."""
        return self.diagram.svg()

    def render(self, format: str, diagram_href: str | None = None) -> str:
        """The document in ``format`` (latex, markdown or json)."""
        if format == "latex":
            return self.latex()
        if format == "markdown":
            return self.markdown(diagram_href)
        if format == "json":
            return self.json()
        raise ChainruleError(f"unknown format {format!r}", hint="expected latex, markdown or json")

    def _repr_markdown_(self) -> str:
        return self.markdown(inline="data-uri")

    def _repr_latex_(self) -> str:
        displays = [b for s in self.sections for b in s.blocks if isinstance(b, Display)]
        return "\n".join("$$" + _aligned(d) + "$$" for d in displays)


# --------------------------------------------------------------------------- building

_DOUBLE_BRACKETS = re.compile(r"\\left\(\\left\((-?[\d.]+(?: \\times 10\^\{-?\d+\})?)\\right\)"
                              r"\\right\)")


class _Printer(LatexPrinter):
    """LaTeX of an expression in the spec's own spellings, or with numbers in place of names."""

    def __init__(self, names: dict[sympy.Symbol, str], **settings):
        super().__init__(settings)
        self.names = names

    def _print_Symbol(self, expr, style="plain"):
        if expr in self.names:
            return self.names[expr]
        return super()._print_Symbol(expr, style)

    def doprint(self, expr):
        # a negative number as a function's only argument needs no second pair of brackets
        return _DOUBLE_BRACKETS.sub(r"\\left(\1\\right)", super().doprint(expr))

    def _print_Heaviside(self, expr, exp=None):
        """relu's derivative: 1 where the argument is positive, else 0 (H(0) = 0)."""
        return r"\mathbf{1}_{%s > 0}" % self._print(expr.args[0])

    def _print_Mul(self, expr):
        """Adjoints first, as textbooks write them: δ_O · O(1 − O), not O · δ_O · (1 − O)."""
        factors = expr.as_ordered_factors() if self.order not in ("old", "none") \
            else list(expr.args)
        if len(factors) == 2 and factors[0] == -1 and factors[1].is_Add:
            return r"- \left(%s\right)" % self._print(factors[1])  # as the spec writes it
        deltas = [f for f in factors if f.is_Symbol and f.name.startswith("delta_")]
        if not deltas or factors[:len(deltas)] == deltas:
            return super()._print_Mul(expr)
        numbers = [f for f in factors if f.is_Number]
        rest = [f for f in factors if f not in deltas and not f.is_Number]
        order, self._settings["order"] = self.order, "none"
        try:
            return super()._print_Mul(sympy.Mul(*numbers, *deltas, *rest, evaluate=False))
        finally:
            self._settings["order"] = order


def default_spelling(symbol: sympy.Symbol) -> str:
    """A name's spelling when the spec gives none: SymPy's (``w_1`` → ``w_{1}``, ``alpha`` →
    ``\\alpha``), or the name in roman type where SymPy's would need more than the allowed
    math (``xscr`` → ``\\mathscr{x}``, a package the write-up does not load)."""
    spelling = sympy.latex(symbol)
    try:
        check_spelling(spelling)
    except UnsafeLatex:
        return r"\mathrm{" + symbol.name.replace("_", r"\_") + "}"
    return spelling


def spelled(network: Network, graph, name: str) -> sympy.Expr:
    """A node's equation as the spec writes it: its terms and factors in the spec's order."""
    from derive.spec import expr as ex
    from derive.functions import function
    with sympy.evaluate(False):
        expr = ex.to_sympy(network.equations[name].tree, lambda ref: graph.symbols[ref.id],
                           function)
    return _flatten(expr)


def _flatten(expr: sympy.Expr) -> sympy.Expr:
    """Unevaluated a + (b + c) → a + b + c (and the same for products), keeping the order."""
    if not expr.args:
        return expr
    args = [_flatten(a) for a in expr.args]
    if expr.is_Add or expr.is_Mul:
        args = [b for a in args for b in (a.args if a.func is expr.func else [a])]
    return expr.func(*args, evaluate=False)


def number(value: float, digits: int = DIGITS) -> str:
    """``value`` rounded to ``digits`` significant digits, as LaTeX."""
    if value == 0:
        return "0"
    if value != value or value in (float("inf"), float("-inf")):
        return r"\text{" + str(value) + "}"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


class _Builder:
    """Builds the sections of a write-up from a derivation and its values."""

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
        self.printers = {(numeric, spec_order): _Printer(numbers if numeric else by_symbol,
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
        from derive.scalar.values import evaluate
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
            Figure(network_diagram(self.g, self.names), network.title or network.name),
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
        spec: a :class:`~derive.spec.network.Network` (with values for every leaf) or its derivation.
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
        from derive.claims.checker import claims_section as section
        claims_section = functools.partial(section, network, list(claims), aliases=aliases)
    return Document(network.title or network.name, values,
                    lambda: _Builder(derivation, values, digits, parameters),
                    claims=claims_section)


def _json_safe(data):
    """``data`` with non-finite floats as the strings "inf", "-inf", "nan"."""
    if isinstance(data, dict):
        return {key: _json_safe(value) for key, value in data.items()}
    if isinstance(data, float) and not math.isfinite(data):
        return str(data)
    return data


# --------------------------------------------------------------------------- rendering

def _align_lines(display: Display) -> str:
    """The rows of a display as ``&``-aligned lines, one relation per line (a step too wide
    for the page broken over continuation lines)."""
    return " \\\\\n".join(aligned_lines(display.rows))


def _aligned(display: Display) -> str:
    return "\\begin{aligned}\n" + _align_lines(display) + "\n\\end{aligned}"


#: Rows of one LaTeX table: a tabular cannot break across pages, so longer tables are set
#: as several tabulars one after another.
MAX_TABLE_ROWS = 40
#: The diagram is scaled down to the text width, and to this share of the text height.
_FIGURE_HEIGHT = r"0.75\textheight"
#: A diagram at most this tall (cm) fits any page as it is.
_SHORT_FIGURE_CM = 12.0


class _LatexRenderer:
    """Document → standalone LaTeX."""

    def document(self, doc: Document) -> str:
        head = [r"\documentclass[11pt]{article}",
                r"\usepackage[margin=2cm]{geometry}",
                r"\usepackage{amsmath,amssymb}",
                r"\usepackage{tikz}",
                r"\usetikzlibrary{arrows.meta}",
                r"\allowdisplaybreaks",
                r"\setlength{\parindent}{0pt}",
                r"\setlength{\parskip}{0.6em}",
                r"\begin{document}",
                rf"\section*{{{tex_text(doc.title)}}}",
                r"Derived by chainrule: every number below is computed from the spec, "
                r"in float64, and rounded only for printing."]
        body = [self.section(s) for s in doc.sections]
        claims = doc.appendix("latex")
        tail = [claims] if claims else []
        return "\n\n".join([*head, *body, *tail, r"\end{document}"]) + "\n"

    def inline(self, parts: list[Inline]) -> str:
        return "".join(f"${p.tex}$" if isinstance(p, Math) else tex_text(p) for p in parts)

    def section(self, s: Section) -> str:
        command = r"\subsection*" if s.level >= 3 else r"\section*"
        return "\n\n".join([f"{command}{{{self.inline(s.title)}}}",
                            *(self.block(b) for b in s.blocks)])

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            return self.inline(b.parts)
        if isinstance(b, Display):
            return self.display(b)
        if isinstance(b, Table):
            return "\n\n".join(self.table(b.header, b.rows[i:i + MAX_TABLE_ROWS])
                               for i in range(0, max(len(b.rows), 1), MAX_TABLE_ROWS))
        if isinstance(b, Figure):
            note = f"\n\n{{\\small {tex_text(b.diagram.note)}}}" if b.diagram.note else ""
            return ("\\begin{center}\n" + self.fitted(b.diagram) + "\n\n"
                    + tex_text(b.caption) + note + "\n\\end{center}")
        raise TypeError(b)

    def table(self, header: list[str], rows: list[list[Inline]]) -> str:
        lines = [" & ".join(tex_text(h) for h in header) + r" \\ \hline"]
        lines += [" & ".join(self.inline([c]) for c in row) + r" \\" for row in rows]
        columns = "l" * len(header)
        return "\n".join([rf"\begin{{tabular}}{{{columns}}}", *lines, r"\end{tabular}"])

    @staticmethod
    def fitted(diagram: Diagram) -> str:
        """The diagram scaled down (never up) to the text width, then to the page's height."""
        wide = ("\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
                + diagram.tikz() + "}")
        if diagram.height_cm() < _SHORT_FIGURE_CM:
            return wide
        return (f"\\resizebox{{!}}{{\\ifdim\\height>{_FIGURE_HEIGHT}{_FIGURE_HEIGHT}"
                f"\\else\\height\\fi}}{{%\n{wide}}}")

    @staticmethod
    def display(d: Display) -> str:
        return "\\begin{align*}\n" + _align_lines(d) + "\n\\end{align*}"


class _MarkdownRenderer:
    """Document → GitHub Markdown (``$`` math, the diagram as an SVG image)."""

    def __init__(self, diagram_href: str | None, inline: str = "mermaid"):
        self.diagram_href = diagram_href
        self.inline_diagram = inline

    def document(self, doc: Document) -> str:
        parts = [f"# {md_text(doc.title)}",
                 "Derived by chainrule: every number below is computed from the spec, in "
                 "float64, and rounded only for printing."]
        parts += [self.section(s) for s in doc.sections]
        claims = doc.appendix("markdown")
        if claims:
            parts.append(claims.rstrip("\n"))
        return "\n\n".join(parts) + "\n"

    @staticmethod
    def inline(parts: list[Inline], cell: bool = False) -> str:
        """Text and ``$math$``; in a table ``cell``, ``|`` escaped (GitHub splits cells at
        every unescaped ``|``, inside math too)."""
        text = "".join(f"${p.tex}$" if isinstance(p, Math) else p for p in parts)
        return text.replace("|", "\\|") if cell else text

    def section(self, s: Section) -> str:
        return "\n\n".join(["#" * s.level + " " + self.inline(s.title),
                            *(self.block(b) for b in s.blocks)])

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            return self.inline(b.parts)
        if isinstance(b, Display):
            return "$$\n" + _aligned(b) + "\n$$"
        if isinstance(b, Table):
            rows = ["| " + " | ".join(self.inline([h], cell=True) for h in b.header) + " |",
                    "|" + "---|" * len(b.header)]
            rows += ["| " + " | ".join(self.inline([c], cell=True) for c in row) + " |"
                     for row in b.rows]
            return "\n".join(rows)
        if isinstance(b, Figure):
            caption = md_text(b.caption).strip()
            note = f"\n\n*{md_text(b.diagram.note)}*" if b.diagram.note else ""
            if self.diagram_href is None and self.inline_diagram == "mermaid":
                picture = "```mermaid\n" + b.diagram.mermaid() + "\n```"
            else:
                href = (urllib.parse.quote(self.diagram_href) if self.diagram_href
                        else _data_uri(b.diagram.svg()))
                picture = f"![{caption}]({href})"
            return f"{picture}\n\n*{caption}*{note}"
        raise TypeError(b)


def _data_uri(svg: str) -> str:
    import base64
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# --------------------------------------------------------------------------- files and PDF

def tex_engine() -> str | None:
    """The path of pdflatex, if one is installed."""
    return shutil.which("pdflatex")


#: Longest a pdflatex run may take (the largest write-ups compile in a few seconds).
MAX_PDFLATEX_SECONDS = 120


def tex_environment(folder: str) -> dict[str, str]:
    """The environment pdflatex runs in: no shell escape, and paranoid file access (no
    reading or writing outside ``folder``: no absolute paths, no ``..``, no dot files),
    whatever the local texmf.cnf says."""
    env = dict(os.environ)
    env.update(shell_escape="f", openin_any="p", openout_any="p", TEXMFOUTPUT=folder)
    return env


def compile_pdf(latex: str, pdf_path: Path, log_path: Path | None = None) -> Path:
    """Compile a LaTeX document with pdflatex into ``pdf_path`` (and its log into
    ``log_path``, when given, whether it compiles or not).

    pdflatex runs in a temporary folder, without shell escape, allowed to read and write
    only inside that folder (and to read its own installed files), non-interactively, and
    for at most :data:`MAX_PDFLATEX_SECONDS`: even a hostile document cannot run commands
    or copy a local file into the PDF.

    Raises:
        ChainruleError: no TeX engine is installed, the document does not compile (with
            the first error line of the log), or pdflatex runs too long.
    """
    engine = tex_engine()
    if engine is None:
        raise ChainruleError("no TeX engine found (pdflatex is not on PATH)",
                             hint="install one, e.g. `apt-get install texlive-latex-recommended "
                                  "texlive-pictures`, or leave out --pdf")
    with tempfile.TemporaryDirectory(prefix="chainrule-tex-") as tmp:
        source = Path(tmp) / "writeup.tex"
        source.write_text(latex, encoding="utf-8")
        command = [engine, "-no-shell-escape", "-no-parse-first-line",
                   "-interaction=nonstopmode", "-halt-on-error", source.name]
        try:
            run = subprocess.run(command, cwd=tmp, env=tex_environment(tmp),
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 errors="replace", timeout=MAX_PDFLATEX_SECONDS)
        except subprocess.TimeoutExpired:
            raise ChainruleError(f"pdflatex ran past {MAX_PDFLATEX_SECONDS} s on the "
                                 "write-up", hint="leave out --pdf, or compile the .tex "
                                                  "yourself") from None
        pdf, log = Path(tmp) / "writeup.pdf", Path(tmp) / "writeup.log"
        if log_path is not None and log.exists():
            write_atomic(log_path, log.read_bytes())
        if run.returncode != 0 or not pdf.exists():
            lines = [ln for ln in run.stdout.splitlines() if ln.startswith("!")]
            raise ChainruleError("pdflatex could not compile the write-up: "
                                 + (lines[0] if lines else f"exit {run.returncode}"))
        write_atomic(pdf_path, pdf.read_bytes())
    return Path(pdf_path)

