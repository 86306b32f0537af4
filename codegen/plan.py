"""What a module needs from a derivation: its plan, shared by both module printers.

:class:`Plan` turns a derivation into SymPy statements in evaluation order: the forward pass
with softmax made safe (its maximum subtracted), the cost with the log of a sigmoid or softmax
output as softplus / log-sum-exp, and the backward pass (δ, then ``grad[i] += ∂C/∂θ_i``),
``cse``'d, with a δ that divides by a forward value (−y/a from a log-loss) folded into the δ
below it, where the division cancels (σ + BCE gives a − y). :func:`apply_rules` applies an
optimizer's update rules to an expression; :func:`scalar_reserved` and
:func:`spec_identifiers` give a module's symbols their identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy

from derive.optimizers import HYPER, OPTIMIZERS, STATE
from codegen.printer import HELPERS, CodegenError
from codegen.scaffold import BATCH_OF_ROWS, EPOCH_OF_ROWS, LOOPS
from codegen.source_text import Identifiers, names_in, reserved_names
from derive.scalar.chain import Derivation, textbook
from derive.functions import sigmoid, softplus


@dataclass
class Statement:
    """``target = expr`` (a local variable) or ``grad[index] += expr``."""

    target: sympy.Symbol | int
    expr: sympy.Expr


class Plan:
    """What the module computes per row, as SymPy statements in evaluation order."""

    def __init__(self, derivation: Derivation):
        self.d = derivation
        self.g = derivation.graph
        self.network = derivation.network
        self.nodes = [n for n in self.g.nodes if n.name != self.g.cost]
        self.free_of_targets = self._free_of_targets()
        self.softmax: dict[str, tuple[sympy.Symbol, tuple, int]] = {}   # node → (z, zs, group)
        self.groups: list[tuple] = []
        for node in self.nodes:
            parts = _softmax_parts(node.expr)
            if parts:
                z, zs = parts
                if zs not in self.groups:
                    self.groups.append(zs)
                self.softmax[node.name] = (z, zs, self.groups.index(zs) + 1)

    def _free_of_targets(self) -> list[str]:
        """Nodes whose value needs no target: the network's forward pass proper."""
        tainted = set(self.g.targets)
        out = []
        for node in self.nodes:
            if tainted & set(node.parents):
                tainted.add(node.name)
            else:
                out.append(node.name)
        return out

    @property
    def outputs(self) -> list[str]:
        """The nodes the cost compares with the targets (what ``predict`` returns)."""
        cost = self.g.node(self.g.cost)
        return [p for p in cost.parents if p in self.free_of_targets] or self.free_of_targets[-1:]

    # ---- forward ------------------------------------------------------------------------

    def forward(self, names: list[str], ancestors: bool = True) -> list[Statement]:
        """Statements computing ``names`` (and what they need, unless ``ancestors`` is False),
        in evaluation order, softmax made safe."""
        needed = set(names)
        for node in reversed(self.nodes):
            if ancestors and node.name in needed:
                needed.update(node.parents)
        out, done = [], set()
        for node in self.nodes:
            if node.name not in needed:
                continue
            if node.name in self.softmax:
                z, zs, k = self.softmax[node.name]
                if k not in done:
                    done.add(k)
                    top, total = _group_symbols(k)
                    out.append(Statement(top, sympy.Max(*zs)))
                    out.append(Statement(total, sympy.Add(*[sympy.exp(s - top) for s in zs])))
                top, total = _group_symbols(k)
                out.append(Statement(node.symbol, sympy.exp(z - top) / total))
            else:
                out.append(Statement(node.symbol, node.expr))
        return out

    def cost(self) -> sympy.Expr:
        """The cost with the log of a sigmoid or softmax output in its overflow-free form."""
        expr = self.g.node(self.g.cost).expr
        replace = {}
        for log in expr.atoms(sympy.log):
            arg = log.args[0]
            safe = self._safe_log(arg)
            if safe is not None:
                replace[log] = safe
        return expr.xreplace(replace)

    def _safe_log(self, arg: sympy.Expr) -> sympy.Expr | None:
        sig = {self.g.symbols[n.name]: n.expr.args[0] for n in self.nodes
               if isinstance(n.expr, sigmoid)}
        if arg in sig:                                     # log σ(z) = −softplus(−z)
            return -softplus(-sig[arg])
        one_minus = (1 - arg)
        if one_minus in sig:                               # log(1 − σ(z)) = −softplus(z)
            return -softplus(sig[one_minus])
        if arg.is_Symbol and arg.name in self.softmax:     # log softmax = z − max − log Σ
            z, _zs, k = self.softmax[arg.name]
            top, total = _group_symbols(k)
            return z - top - sympy.log(total)
        return None

    # ---- backward -----------------------------------------------------------------------

    def backward(self) -> list[Statement]:
        """δ of every node on a path to the cost (reverse order), then grad[i] += ∂C/∂θ_i."""
        delta = {n.name: self.d.delta[n.name] for n in self.nodes
                 if n.name in self.g.influences_cost}
        gradient = dict(self.d.gradient)
        node_symbols = {self.g.symbols[n.name] for n in self.nodes}
        for node in reversed(self.nodes):
            if node.name in delta and _divides(delta[node.name], node_symbols):
                own = delta.pop(node.name)
                symbol = self.d.delta_symbols[node.name]
                for table in (delta, gradient):
                    for key, expr in table.items():
                        if symbol in expr.free_symbols:
                            table[key] = textbook(expr.xreplace({symbol: own}))
        statements = [Statement(self.d.delta_symbols[name], expr)
                      for name, expr in ((n.name, delta.get(n.name)) for n in reversed(self.nodes))
                      if expr is not None]
        for index, p in enumerate(self.g.parameters):
            if gradient[p] != 0:
                statements.append(Statement(index, gradient[p]))
        return _cse(statements)


def apply_rules(rules, env: dict) -> sympy.Expr:
    """The new ``w`` after applying an optimizer's rules in order to the values in ``env``."""
    env = dict(env)
    for target, rule in rules:
        env[sympy.Symbol(target)] = rule.xreplace(env)
    return env[sympy.Symbol("w")]


def _group_symbols(k: int) -> tuple[sympy.Symbol, sympy.Symbol]:
    """The maximum and the sum of exponentials of softmax group ``k`` (plain symbols, like
    every name the generator makes up, so they never equal a spec's real symbols)."""
    return sympy.Symbol(f"_max{k}"), sympy.Symbol(f"_sum{k}")


def _softmax_parts(expr: sympy.Expr):
    """(z_i, (z_1, …, z_n)) when ``expr`` is e^{z_i} / Σ_j e^{z_j}, else None."""
    if not expr.is_Mul or len(expr.args) != 2:
        return None
    num = next((a for a in expr.args if isinstance(a, sympy.exp)), None)
    den = next((a for a in expr.args if a.is_Pow and a.exp == -1 and a.base.is_Add), None)
    if num is None or den is None or not num.args[0].is_Symbol:
        return None
    terms = den.base.args
    if not all(isinstance(t, sympy.exp) and t.args[0].is_Symbol for t in terms):
        return None
    zs = tuple(sorted((t.args[0] for t in terms), key=lambda s: s.name))
    return (num.args[0], zs) if num.args[0] in zs else None


def _divides(expr: sympy.Expr, forward: set[sympy.Symbol]) -> bool:
    """Whether ``expr`` divides by a forward quantity (which may underflow to 0)."""
    return any(p.exp.is_negative and p.base.free_symbols & forward
               for p in expr.atoms(sympy.Pow))


def _cse(statements: list[Statement]) -> list[Statement]:
    """Common subexpressions as ``_t0, _t1, …``, each placed just before its first use."""
    temps = sympy.numbered_symbols("_t")
    replacements, reduced = sympy.cse([s.expr for s in statements], symbols=temps)
    definitions = dict(replacements)
    rank = {symbol: i for i, (symbol, _) in enumerate(replacements)}
    placed: set[sympy.Symbol] = set()
    out: list[Statement] = []

    def place(expr: sympy.Expr) -> None:
        for temp in sorted(expr.free_symbols & definitions.keys(), key=rank.get):
            if temp not in placed:
                place(definitions[temp])
                placed.add(temp)
                out.append(Statement(temp, definitions[temp]))

    for statement, expr in zip(statements, reduced):
        place(expr)
        out.append(Statement(statement.target, expr))
    return out


def needed_for(statements: list[Statement], wanted: set) -> list[Statement]:
    """The statements that define ``wanted`` symbols, with everything they use (gradient
    statements left out)."""
    defined = {st.target: st for st in statements if not isinstance(st.target, int)}
    keep, todo = set(), list(wanted)
    while todo:
        symbol = todo.pop()
        if symbol in keep or symbol not in defined:
            continue
        keep.add(symbol)
        todo.extend(defined[symbol].expr.free_symbols)
    return [st for st in statements if not isinstance(st.target, int) and st.target in keep]


# --------------------------------------------------------------------------- identifiers

#: the arguments and locals of the printed row and step functions (besides the spec's names)
_SCAFFOLD_LOCALS = ("params", "X", "Y", "i", "j", "out", "grad", "state", "t", "hyper", *HYPER,
                    *STATE, "w", "g")


@cache
def scalar_reserved() -> frozenset[str]:
    """Names no spec symbol may take in a scalar-form module: Python's and Numba's, the
    module's constants, functions and template locals, the row and step functions' own."""
    templates = "\n".join([LOOPS, BATCH_OF_ROWS, EPOCH_OF_ROWS, *HELPERS.values()])
    return reserved_names(names_in(templates), _SCAFFOLD_LOCALS,
                          [f"step_{name}" for name in OPTIMIZERS])


def spec_identifiers(derivation: Derivation, reserved: frozenset[str]) -> Identifiers:
    """The identifiers of a derivation's symbols (nodes and leaves, then their δ), assigned
    once for the whole module: two symbols never share one, none is a reserved name."""
    wanted = [(symbol, name) for name, symbol in derivation.graph.symbols.items()]
    wanted += [(symbol, symbol.name) for symbol in derivation.delta_symbols.values()]
    return Identifiers(wanted, reserved)


def layer_offsets(network) -> list[tuple[int, int | None]]:
    """Per layer transition of a layered network, (first weight, first bias) in the flat
    parameter array (None: no bias); each layer's weights must lie in [to][from] order and
    its biases one after another, as the spec reader lays them out."""
    layers = network.layers
    place = {name: index for index, name in enumerate(network.parameters)}
    out = []
    for t, names in enumerate(layers.weight_names):
        start, width = place[names[0][0]], len(names[0])
        if any(place[name] != start + j * width + k
               for j, row in enumerate(names) for k, name in enumerate(row)):
            raise CodegenError("a layered module needs each layer's weights in [to][from] order")
        biases = list(dict.fromkeys(b for b in layers.bias_names[t] if b is not None))
        if any(place[b] != place[biases[0]] + j for j, b in enumerate(biases)):
            raise CodegenError("a layered module needs each layer's biases in order")
        out.append((start, place[biases[0]] if biases else None))
    return out
