"""The write-up of a layered network too big to unroll: per layer, not per connection.

Above :data:`BIG_WRITEUP_ABOVE` parameters a scalar write-up would print a chain for every
weight (784-64-10 has 50,890: tens of thousands of formulas). This one has a few pages: the
diagram drawn per layer (a box per layer with its size, an arrow per weight matrix), the
general equations (:mod:`derive.writeups.general`), the forward pass summarised per layer,
the cost, and for a sample of parameters (``--params``; by default the first weight and the
first bias of each layer) the rule at their entry, their δ, the closed form and the value,
their update and the cost after the step. Every number is the layer rules evaluated
(:mod:`derive.writeups.layer_values`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy

from derive.errors import ChainruleError
from derive.layer import LayerDerivation
from derive.layer.template import i, j, k, m
from derive.layer.updates import eta, update_rules
from derive.writeups.diagram import Diagram, Edge, Vertex
from derive.writeups.layer_printing import LayerPrinter, leading
from derive.writeups.limits import BIG_WRITEUP_ABOVE
from derive.writeups.layer_values import LayerValues, cost_name, evaluate
from derive.writeups.parts import Display, Figure, Math, Paragraph, Section, Table
from derive.writeups.printing import number

#: A sum with at most this many terms is written out with its numbers; a longer one is
#: given with its value only.
MAX_TERMS = 12
#: Entries of a vector a table lists (the rest are summarised by the norm).
SHOWN_ENTRIES = 3
#: A closed form with more operations than this is left out (its δ form is given).
MAX_CLOSED_OPS = 200
#: Fresh names for the summed indices of a closed form (each δ substituted brings a sum).
_FRESH = sympy.symbols("p q r s u v", integer=True, positive=True)


def parameter_count(network) -> int:
    """The number of parameters of a network (its unrolled names)."""
    return len(network.parameters)


def is_big(network) -> bool:
    """Whether a network gets the per-layer write-up: layered, above :data:`BIG_WRITEUP_ABOVE`."""
    return network.layers is not None and parameter_count(network) > BIG_WRITEUP_ABOVE


def locate(derivation: LayerDerivation, name: str):
    """A parameter's place: (layer rules, "weight" or "bias", {index: value})."""
    layers = derivation.network.layers
    for rules in derivation.layers:
        at = rules.position - 1
        for (jv, row) in enumerate(layers.weight_names[at], start=1):
            for kv, weight in enumerate(row, start=1):
                if weight == name:
                    return rules, "weight", {j: jv, k: kv}
        for jv, bias in enumerate(layers.bias_names[at], start=1):
            if bias == name:
                return rules, "bias", {} if rules.bias == "shared" else {j: jv}
    raise ChainruleError(f"unknown parameter {name!r}")


def default_sample(derivation: LayerDerivation) -> list[str]:
    """The first weight and the first bias of each layer, output layer first."""
    layers, out = derivation.network.layers, []
    for rules in reversed(derivation.layers):
        out.append(layers.weight_names[rules.position - 1][0][0])
        bias = layers.bias_names[rules.position - 1][0]
        if bias is not None:
            out.append(bias)
    return out


class BigBuilder:
    """Builds the per-layer write-up from a layer derivation and its evaluated rules."""

    def __init__(self, derivation: LayerDerivation, values: LayerValues, digits: int,
                 sample: Sequence[str], general: list[Section]):
        self.d, self.v, self.digits = derivation, values, digits
        self.network, self.template = derivation.network, derivation.template
        self.sample, self.general = list(sample), general
        self.printer = LayerPrinter(wide=max(self.network.layers.sizes) >= 10)

    # ---- numbers ------------------------------------------------------------------------

    def num(self, value: float) -> str:
        return number(float(value), self.digits)

    def factor(self, value: float) -> str:
        text = self.num(value)
        return rf"\left({text}\right)" if value < 0 or r"\times" in text else text

    def tex(self, expr) -> str:
        return self.printer.doprint(expr)

    def value(self, expr) -> float:
        return float(evaluate(expr, self.v.env))

    def with_numbers(self, expr, ordered: bool = False) -> str | None:
        """``expr`` with every entry's and symbol's number in its place, sums written out;
        None when a sum has more than :data:`MAX_TERMS` terms."""
        sums = expr.atoms(sympy.Sum)
        if any(int(high) - int(low) + 1 > MAX_TERMS for s in sums for _, low, high in s.limits):
            return None
        expanded = expr.doit() if sums else expr
        leaves = sorted(expanded.atoms(sympy.Indexed),
                        key=lambda e: (str(e.base), [int(x) for x in e.indices])) + [
            s for s in sorted(expanded.free_symbols, key=sympy.default_sort_key)
            if not isinstance(s, sympy.Indexed) and (s in self.v.env or s == eta)]
        names = {}
        stand_ins = {}
        for leaf in leaves:
            stand_ins[leaf] = sympy.Dummy()
            names[stand_ins[leaf]] = self.factor(self.value(leaf) if leaf != eta
                                                 else self.v.learning_rate)
        printer = LayerPrinter(names, mul_symbol="dot", wide=self.printer.wide,
                               order="none" if ordered else None)
        with sympy.evaluate(not ordered):  # an update keeps θ first: θ − η g
            shown = expanded.xreplace(stand_ins)
        return printer.doprint(shown)

    def chain(self, lhs, expr, value: float, relation: str = "=") -> tuple[str, list]:
        steps = [(relation, self.tex(expr))]
        numbers = self.with_numbers(expr) if expr.free_symbols or expr.atoms(
            sympy.Indexed) else None
        if numbers is not None and numbers not in (steps[0][1], self.num(value)):
            steps.append(("=", numbers))
        steps.append(("=", self.num(value)))
        return self.tex(lhs), steps

    # ---- sections ------------------------------------------------------------------------

    def diagram(self) -> Diagram:
        """One box per layer with its size and activation, an arrow per weight matrix."""
        layers, template = self.network.layers, self.template
        first = layers.notation.first_layer
        vertices = [Vertex("layer0", [self.tex(template.a(first)), str(layers.sizes[0])],
                           "input", 0, 0.0)]
        edges = []
        for rules in self.d.layers:
            number_ = rules.number
            labels = [f"{self.tex(template.z(number_))}, {self.tex(template.a(number_))}",
                      str(layers.sizes[rules.position]), rf"\mathrm{{{rules.activation}}}"]
            vertices.append(Vertex(f"layer{rules.position}", labels, "node", rules.position))
            shape = layers.sizes[rules.position], layers.sizes[rules.position - 1]
            edges.append(Edge(f"layer{rules.position - 1}", f"layer{rules.position}",
                              rf"{self.tex(template.weights(number_))}: "
                              rf"{shape[0]} \times {shape[1]}"))
        last = len(self.d.layers)
        cost = self.network.layers.notation.cost
        vertices += [Vertex("cost", [cost], "cost", last + 1, 0.0),
                     Vertex("target", [self.tex(template.y())], "target", last, 1.0)]
        edges += [Edge(f"layer{last}", "cost"), Edge("target", "cost", dashed=True)]
        return Diagram(vertices, edges, note="one box per layer, one arrow per weight matrix "
                                             "(biases not drawn)")

    def sections(self) -> list[Section]:
        return [self.network_section(), *self.general, self.forward(), self.cost(),
                self.backward(), *[self.parameter(p) for p in self.sample], self.update(),
                self.after()]

    def network_section(self) -> Section:
        figure, table = self.overview()
        count = parameter_count(self.network)
        return Section(["The network"], [
            figure,
            Paragraph([f"Layers of {', '.join(map(str, self.network.layers.sizes))} neurons: "
                       f"{count:,} parameters, more than the {BIG_WRITEUP_ABOVE} a write-up "
                       "unrolls into a chain per parameter, so this one works per layer: the "
                       "general equations, then the numbers of a few parameters."]),
            table])

    def overview(self) -> tuple[Figure, Table]:
        """The per-layer diagram and the table of layers."""
        layers = self.network.layers
        rows = [[str(r.number), str(layers.sizes[r.position]), r.activation, r.bias,
                 Math(rf"{layers.sizes[r.position]} \times {layers.sizes[r.position - 1]}")]
                for r in self.d.layers]
        return (Figure(self.diagram(), self.network.title or self.network.name),
                Table(["layer", "neurons", "activation", "bias", "weights"], rows))

    def _entries(self, array: np.ndarray) -> Math:
        flat = np.ravel(array)
        shown = ", ".join(self.num(x) for x in flat[:SHOWN_ENTRIES])
        return Math(shown + (r", \ldots" if flat.size > SHOWN_ENTRIES else ""))

    def forward(self) -> Section:
        rows = [[str(r.number), str(z.size), r.activation, Math(self.num(np.linalg.norm(z))),
                 Math(self.num(np.linalg.norm(a))), self._entries(a)]
                for r, z, a in zip(self.d.layers, self.v.z, self.v.a)]
        out = self.d.output
        size = self.network.layers.sizes[-1]
        blocks = [Paragraph(["Each layer's equations of the general section, evaluated in order "
                             "from the inputs (norms are Euclidean):"]),
                  Table(["layer", "neurons", "activation", "norm of z", "norm of a",
                         "first entries of a"], rows)]
        if size <= 4 * MAX_TERMS:
            a, y = self.template.a(out.number), self.template.y()
            blocks += [Paragraph(["The output layer and the targets:"]),
                       Table(["j", "output", "target"],
                             [[Math(str(n)), Math(f"{self.tex(a[n])} = {self.num(self.v.a[-1][n - 1])}"),
                               Math(f"{self.tex(y[n])} = {self.num(self.v.env[y][n - 1])}")]
                              for n in range(1, size + 1)])]
        return Section(["Forward pass"], blocks)

    def cost(self) -> Section:
        loss = self.template.loss(self.d.output.number, self.network.layers.loss)
        return Section(["Cost"], [Display([self.chain(cost_name(self.d), loss, self.v.cost)])])

    def backward(self) -> Section:
        rows = [[str(r.number), Math(self.num(np.linalg.norm(delta))), self._entries(delta)]
                for r, delta in zip(self.d.layers, self.v.deltas)]
        return Section(["Backward pass"], [
            Paragraph(["The δ rules of the general section, from the output layer down:"]),
            Table(["layer", "norm of δ", "first entries of δ"], rows)])

    def parameter(self, name: str) -> Section:
        rules, kind, fix = locate(self.d, name)
        rule = rules.weight if kind == "weight" else rules.bias_gradient
        lhs, expr = rule.lhs.xreplace(fix), rule.index.xreplace(fix)
        blocks = [Paragraph(["The gradient rule at this entry:"]),
                  Display([self.chain(lhs, expr, self.value(expr))])]
        for delta in sorted(expr.atoms(sympy.Indexed), key=str):
            if delta.base == self.template.delta(rules.number):
                at = rules.delta.index.xreplace({rules.delta.free[0]: delta.indices[0]})
                blocks += [Paragraph(["Its δ, from the rule of its layer:"]),
                           Display([self.chain(delta, at, self.value(at))])]
        closed = self.closed_form(expr)
        if closed is not None and closed != expr:
            blocks += [Paragraph(["In closed form, every δ written with forward quantities:"]),
                       Display([(self.tex(lhs), [("=", self.tex(closed)),
                                                 ("=", self.num(self.value(closed)))])])]
        title = self.network.latex_name(name) or self.tex(lhs.variables[0])
        return Section(["Parameter ", Math(title)], blocks, level=3)

    def closed_form(self, expr) -> sympy.Expr | None:
        """``expr`` with each δ entry replaced by its layer's rule, down to the output."""
        by_base = {self.template.delta(r.number): r.delta for r in self.d.layers}
        fresh = iter(_FRESH)
        for _ in self.d.layers:
            entries = [e for e in expr.atoms(sympy.Indexed) if e.base in by_base]
            if not entries:
                break
            replaced = {}
            for entry in entries:
                rule = by_base[entry.base]
                body = rule.index
                try:
                    renames = {bound: next(fresh) for s in body.atoms(sympy.Sum)
                               for bound, _, _ in s.limits if bound in (i, j, k, m)}
                except StopIteration:
                    return None
                body = body.xreplace(renames).xreplace({rule.free[0]: entry.indices[0]})
                replaced[entry] = body
            expr = expr.xreplace(replaced)
        if sympy.count_ops(expr) > MAX_CLOSED_OPS:
            return None
        return expr

    def update(self) -> Section:
        rows = []
        for name in self.sample:
            rules, kind, fix = locate(self.d, name)
            for rule in update_rules(self.template, rules.number, rules.bias)["sgd"]:
                if rule.parameter != kind:
                    continue
                gradient = rules.weight if kind == "weight" else rules.bias_gradient
                lhs = rule.lhs.xreplace(fix)
                rhs = rule.rhs.xreplace(fix)
                derivative = next(iter(rhs.atoms(sympy.Derivative)))
                g = gradient.index.xreplace(fix)
                ordered = leading(lhs, rhs)
                with sympy.evaluate(False):  # θ stays first
                    numbers = ordered.xreplace({derivative: g})
                new = self.v.updated[lhs.base if isinstance(lhs, sympy.Indexed) else lhs]
                new = new[tuple(int(x) - 1 for x in lhs.indices)] if isinstance(
                    lhs, sympy.Indexed) else new
                shown = LayerPrinter(order="none", wide=self.printer.wide)
                rows.append((self.tex(lhs), [(r"\leftarrow", shown.doprint(ordered)),
                                             ("=", self.with_numbers(numbers, True) or ""),
                                             ("=", self.num(new))]))
        rate = self.num(self.v.learning_rate)
        return Section(["One gradient-descent step"], [
            Paragraph(["The update rule of the general section, with ", Math(rf"\eta = {rate}"),
                       " and one row (so the batch mean is the cost itself), moves every "
                       "parameter; for the parameters above:"]),
            Display([(lhs, [s for s in steps if s[1]]) for lhs, steps in rows])])

    def after(self) -> Section:
        before, after = self.v.cost, self.v.cost_after
        change = "falls" if after < before else "rises" if after > before else "stays"
        cost = self.network.layers.notation.cost
        return Section(["Cost after the step"], [
            Paragraph(["A forward pass with every parameter updated gives"]),
            Display([(cost, [("=", self.num(after))])]),
            Paragraph([f"The cost {change} from ", Math(self.num(before)), " to ",
                       Math(self.num(after)), " (a change of ", Math(self.num(after - before)),
                       ")."])])


def big_json(derivation: LayerDerivation, values: LayerValues, sample: Sequence[str]) -> dict:
    """The numbers of the per-layer write-up, at full precision."""
    gradients, updated = {}, {}
    for name in sample:
        rules, kind, fix = locate(derivation, name)
        rule = rules.weight if kind == "weight" else rules.bias_gradient
        gradients[name] = float(evaluate(rule.index.xreplace(fix), values.env))
        entry = rule.lhs.variables[0].xreplace(fix)
        new = values.updated[entry.base if isinstance(entry, sympy.Indexed) else entry]
        updated[name] = float(new[tuple(int(x) - 1 for x in entry.indices)]
                              if isinstance(entry, sympy.Indexed) else new)
    layers = [{"number": r.number, "neurons": int(z.size), "activation": r.activation,
               "bias": r.bias, "z_norm": float(np.linalg.norm(z)),
               "a_norm": float(np.linalg.norm(a)), "delta_norm": float(np.linalg.norm(dl))}
              for r, z, a, dl in zip(derivation.layers, values.z, values.a, values.deltas)]
    return {"level": "layers", "parameters": parameter_count(derivation.network),
            "layers": layers, "output": [float(x) for x in values.a[-1]],
            "cost": values.cost, "gradients": gradients, "updated": updated,
            "cost_after": values.cost_after}

