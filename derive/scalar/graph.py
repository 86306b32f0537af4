"""Network → Graph: ordered scalar nodes, each ``name = expr(parents)``, in SymPy."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy

from derive.spec import expr as ex
from derive.errors import ChainruleError
from derive.functions import function
from derive.spec.model import Network
from derive.errors import shown

#: Nodes more than this many levels above the leaves get no expression in leaves only
#: (:meth:`Graph.expanded`): SymPy recurses once per level of an expression, and more when it
#: simplifies, so a long chain's would end in a RecursionError. Their δ forms, values and
#: gradients do not need it.
MAX_EXPANDED_DEPTH = 64


@dataclass(frozen=True)
class Node:
    """One node of the graph: its symbol, its equation over its parents' symbols."""

    name: str
    symbol: sympy.Symbol
    expr: sympy.Expr
    parents: tuple[str, ...]


@dataclass
class Graph:
    """The scalar computation graph of a network, nodes in evaluation order."""

    network: Network
    symbols: dict[str, sympy.Symbol]
    nodes: list[Node]
    _by_name: dict[str, Node] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._by_name = {n.name: n for n in self.nodes}

    @property
    def inputs(self) -> list[str]:
        return list(self.network.inputs)

    @property
    def targets(self) -> list[str]:
        return list(self.network.targets)

    @property
    def parameters(self) -> list[str]:
        return list(self.network.parameters)

    @property
    def leaves(self) -> list[str]:
        """Inputs, targets and parameters, in that order."""
        return self.inputs + self.targets + self.parameters

    @property
    def cost(self) -> str:
        return self.network.cost

    def node(self, name: str) -> Node:
        """The node called ``name`` (KeyError for a leaf)."""
        return self._by_name[name]

    def is_node(self, name: str) -> bool:
        return name in self._by_name

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """For every name, the nodes whose equations use it, in evaluation order."""
        out: dict[str, list[str]] = {name: [] for name in self.symbols}
        for node in self.nodes:
            for parent in node.parents:
                out[parent].append(node.name)
        return out

    @cached_property
    def depth(self) -> dict[str, int]:
        """Every name's layer: 0 for leaves, else one more than its deepest parent's."""
        out = {name: 0 for name in self.symbols}
        for node in self.nodes:
            out[node.name] = 1 + max((out[p] for p in node.parents), default=0)
        return out

    @cached_property
    def backward_order(self) -> list[str]:
        """The nodes as backpropagation reads them: the deepest layer first, each layer in
        evaluation order (a node's children are all deeper, so this is a reverse topological
        order: every δ comes after the δ of the nodes it is accumulated from)."""
        position = {n.name: i for i, n in enumerate(self.nodes)}
        return sorted(position, key=lambda name: (-self.depth[name], position[name]))

    @cached_property
    def influences_cost(self) -> set[str]:
        """Names on some path to the cost (the cost itself included)."""
        reach = {self.cost}
        for node in reversed(self.nodes):
            if node.name in reach:
                reach.update(node.parents)
        return reach

    def expanded(self, name: str) -> sympy.Expr:
        """The expression of ``name`` in leaves only (swells fast: for small networks and tests).

        Raises:
            ChainruleError: for a node more than ``MAX_EXPANDED_DEPTH`` levels above the leaves.
        """
        if self.depth.get(name, 0) > MAX_EXPANDED_DEPTH:
            raise ChainruleError(f"{name} is {self.depth[name]} nodes above the leaves: too deep "
                                 f"to write in leaves only (the limit is {MAX_EXPANDED_DEPTH})",
                                 hint="its δ form and its values do not need it")
        return self._expanded[name]

    @cached_property
    def _expanded(self) -> dict[str, sympy.Expr]:
        full: dict[str, sympy.Expr] = {}
        for node in self.nodes:
            if self.depth[node.name] <= MAX_EXPANDED_DEPTH:
                full[node.name] = node.expr.xreplace(
                    {self.symbols[p]: full[p] for p in node.parents if p in full})
        return full

    def leaves_under(self, name: str) -> set[str]:
        """The leaves ``name`` depends on (itself, for a leaf), found without recursion and
        without building any expression."""
        found, todo, seen = set(), [name], {name}
        while todo:
            current = todo.pop()
            if not self.is_node(current):
                found.add(current)
                continue
            for parent in self.node(current).parents:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return found


def build_graph(network: Network) -> Graph:
    """Turn each equation of ``network`` into a SymPy node over real symbols.

    Raises:
        SpecError: for a network larger than the scalar level takes (``MAX_SCALAR_NAMES``
            of :mod:`derive.spec.limits`), before any SymPy is built.
    """
    network.require_scalar_size()
    symbols = {name: sympy.Symbol(name, real=True)
               for name in [*network.inputs, *network.targets, *network.parameters,
                            *network.equations]}
    nodes = []
    for name in network.nodes:
        equation = network.equations[name]
        try:
            expr = ex.to_sympy(equation.tree, lambda ref: symbols[ref.id], function)
        except ex.ExprError as err:      # log(x - x): located at the node's key and line
            raise network.source.error(f"equations.{name}", f"{err.message} of "
                                       f"{shown(equation.text)}", hint=err.hint) from None
        parents = tuple(dict.fromkeys(ref.id for ref in ex.names(equation.tree)))
        used = expr.free_symbols
        parents = tuple(p for p in parents if symbols[p] in used)
        nodes.append(Node(name, symbols[name], expr, parents))
    return Graph(network, symbols, nodes)
