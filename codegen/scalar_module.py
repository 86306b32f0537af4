"""Derivation → the row functions of a scalar-form module: one statement per node and connection.

The arithmetic is printed from SymPy, from the derivation's :class:`~codegen.plan.Plan`: node
equations for the forward pass, the δ and ∂C/∂θ expressions (``cse``'d, under the spec's own
names) for the backward pass, and, for per-sample SGD fused into the backward pass (an epoch
that keeps the parameters in locals across the rows), the SGD rule of
:mod:`derive.optimizers`. Everything around the row functions (the optimizer steps, the loops
over rows and mini-batches) is :mod:`codegen.scaffold`'s; :mod:`codegen.emit` puts
the module together.
"""

from __future__ import annotations

import sympy
from sympy.codegen.ast import AddAugmentedAssignment, Assignment, CodeBlock, Element, Return

from derive.optimizers import optimizer_rules
from codegen.plan import Plan, Statement, apply_rules, scalar_reserved, spec_identifiers
from codegen.printer import NumbaPrinter
from codegen.scaffold import BATCH_OF_ROWS, SGD_OF_GRADIENT, epoch_of_rows, row_function
from derive.scalar.chain import Derivation


class ScalarModule:
    """Prints the row functions of one scalar-form module."""

    #: what the module's section of row functions says of itself
    KIND = "printed from the derivation"

    def __init__(self, derivation: Derivation):
        self.plan = Plan(derivation)
        self.d = derivation
        self.g = derivation.graph
        self.printer = NumbaPrinter(spec_identifiers(derivation, scalar_reserved()).table)
        #: what ``predict`` returns (OUTPUT_NAMES) and ``forward`` (NODE_NAMES)
        self.outputs, self.nodes = self.plan.outputs, self.plan.free_of_targets

    def functions(self) -> list[str]:
        """_row_nodes, _row_outputs, _row_cost, _row_gradient, _batch_gradient, _epoch_sgd
        (no ``_row_sgd``: the epoch updates the parameters in locals, see :meth:`epoch_sgd`)."""
        return [self.row_nodes(), self.row_outputs(), self.row_cost(), self.row_gradient(),
                BATCH_OF_ROWS, self.epoch_sgd(), SGD_OF_GRADIENT]

    # ---- pieces -------------------------------------------------------------------------

    def loads(self, inputs: bool = True, targets: bool = True, parameters: bool = True) -> list:
        """Locals for the parameters, the row's inputs and its targets."""
        s = self.g.symbols
        out = [Assignment(s[p], Element("params", [k])) for k, p in enumerate(self.g.parameters)
               if parameters]
        if inputs:
            out += [Assignment(s[x], Element("X", ["i", k])) for k, x in enumerate(self.g.inputs)]
        if targets:
            out += [Assignment(s[y], Element("Y", ["i", k])) for k, y in enumerate(self.g.targets)]
        return out

    def statements(self, statements: list[Statement]) -> list:
        out = []
        for st in statements:
            if isinstance(st.target, int):
                out.append(AddAugmentedAssignment(Element("grad", [st.target]), st.expr))
            else:
                out.append(Assignment(st.target, st.expr))
        return out

    def printed(self, statements: list) -> list[str]:
        """The lines of ``statements`` printed as one CodeBlock."""
        return self.printer.doprint(CodeBlock(*statements)).splitlines()

    def function(self, name: str, body: list) -> str:
        """Row function ``name`` (its arguments and docstring from the scaffolding's table),
        the printed CodeBlock inside."""
        return row_function(name, "\n".join("    " + line for line in self.printed(body)))

    # ---- the printed functions ----------------------------------------------------------

    def row_nodes(self) -> str:
        return self._row_values("_row_nodes", self.plan.free_of_targets)

    def row_outputs(self) -> str:
        return self._row_values("_row_outputs", self.plan.outputs)

    def _row_values(self, function: str, names: list[str]) -> str:
        """A function writing the values of ``names`` for row i into ``out``."""
        body = self.loads(targets=False) + self.statements(self.plan.forward(names))
        body += [Assignment(Element("out", [k]), self.g.symbols[n]) for k, n in enumerate(names)]
        return self.function(function, body)

    def _forward_and_cost(self, parameters: bool = True) -> list:
        """Loads (of the parameters too, unless told not), every node, and the cost of row i
        in its safe form."""
        plan = self.plan
        body = self.loads(parameters=parameters) + self.statements(
            plan.forward([n.name for n in plan.nodes]))
        return body + [Assignment(self.g.symbols[self.g.cost], plan.cost())]

    def row_cost(self) -> str:
        return self.function("_row_cost",
                             self._forward_and_cost() + [Return(self.g.symbols[self.g.cost])])

    def row_gradient(self) -> str:
        body = self._forward_and_cost() + self.statements(self.plan.backward())
        body.append(Return(self.g.symbols[self.g.cost]))
        return self.function("_row_gradient", body)

    def epoch_sgd(self) -> str:
        """Per-sample SGD over the rows in ``order`` with the parameters in locals across the
        rows: loaded once; per row its forward pass, cost and δs, then each parameter that is
        not frozen updated from its gradient expression by the SGD rule (no gradient array);
        written back once after the last row (a frozen one is never written)."""
        s = self.g.symbols
        backward = self.plan.backward()
        gradient = {st.target: st.expr for st in backward if isinstance(st.target, int)}
        row = self._forward_and_cost(parameters=False)
        row.append(AddAugmentedAssignment(sympy.Symbol("total"), s[self.g.cost]))
        row += self.statements([st for st in backward if not isinstance(st.target, int)])
        row += self.sgd_updates(gradient)
        writes = [Assignment(Element("params", [k]), s[p])
                  for k, p in enumerate(self.g.parameters) if p not in self.d.network.freeze]
        return epoch_of_rows(self.printed(self.loads(inputs=False, targets=False)),
                             self.printed(row), self.printed(writes))

    def sgd_updates(self, gradient: dict[int, sympy.Expr]) -> list:
        """Each parameter that is not frozen set to its SGD update (:mod:`derive.optimizers`)
        from its gradient expression. A parameter a later update reads (∂C/∂w1 may hold w2)
        takes its new value from a temporary after the last update, so every update sees the
        row's own parameters."""
        s = self.g.symbols
        trainable = [(k, s[p]) for k, p in enumerate(self.g.parameters)
                     if p not in self.d.network.freeze]
        rule = optimizer_rules()["sgd"]
        updated = [apply_rules(rule, {sympy.Symbol("w"): symbol,
                                      sympy.Symbol("g"): gradient.get(k, sympy.S.Zero)})
                   for k, symbol in trainable]
        now, after = [], []
        for n, (k, symbol) in enumerate(trainable):
            if any(symbol in later.free_symbols for later in updated[n + 1:]):
                new = sympy.Symbol(f"_new{k}")
                now.append(Assignment(new, updated[n]))
                after.append(Assignment(symbol, new))
            else:
                now.append(Assignment(symbol, updated[n]))
        return now + after
