"""Graph → Derivation: local partials, δ (adjoint) accumulation, chain-rule paths, closed forms.

Each local partial ∂child/∂parent is ``sympy.diff`` of one node's equation, rewritten with
forward quantities (σ'(h1) becomes H1(1 − H1) when a node H1 = σ(h1) exists). The adjoint
δ_n = ∂C/∂n is accumulated in reverse evaluation order as Σ_children δ_c ∂c/∂n, over δ
*symbols*, so every expression stays the size of one node's equation and the whole
derivation grows linearly with the number of connections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy

from derive.scalar.graph import Graph, build_graph
from derive.spec.model import Network


def delta_symbol(name: str) -> sympy.Symbol:
    """The symbol δ_name standing for ∂C/∂name."""
    return sympy.Symbol(f"delta_{name}", real=True)


@dataclass
class Derivation:
    """Everything the chain rule says about a graph's cost, per node and per parameter."""

    graph: Graph
    #: (child, parent) → ∂child/∂parent, in forward quantities
    local: dict[tuple[str, str], sympy.Expr]
    #: node → δ_node = Σ_c δ_c · ∂c/∂node over δ symbols (the cost's δ is 1)
    delta: dict[str, sympy.Expr]
    #: parameter → ∂C/∂parameter = Σ_c δ_c · ∂c/∂parameter over δ symbols
    gradient: dict[str, sympy.Expr]
    _closed: dict[str, sympy.Expr] = field(default_factory=dict, repr=False)

    @property
    def network(self) -> Network:
        return self.graph.network

    @property
    def parameters(self) -> list[str]:
        return self.graph.parameters

    @cached_property
    def delta_symbols(self) -> dict[str, sympy.Symbol]:
        """Node name → its δ symbol."""
        return {n.name: delta_symbol(n.name) for n in self.graph.nodes}

    def partial(self, child: str, parent: str) -> sympy.Expr:
        """∂child/∂parent for an edge of the graph (0 where ``child`` does not use ``parent``)."""
        return self.local.get((child, parent), sympy.S.Zero)

    def is_edge(self, child: str, parent: str) -> bool:
        """Whether ``child``'s equation uses ``parent`` directly."""
        return (child, parent) in self.local

    def paths(self, name: str) -> list[tuple[str, ...]]:
        """Every path from the cost down to ``name``, as node names (cost first, name last).

        There may be exponentially many (a deep, wide network): ask :meth:`path_count` first.
        Walked with a stack of its own, so a chain of thousands of nodes is no recursion.
        """
        graph = self.graph
        if name not in graph.influences_cost:
            return []
        out = []
        todo = [(name,)]  # partial paths, ``name`` first, the last node nearest the cost
        while todo:
            path = todo.pop()
            if path[-1] == graph.cost:
                out.append(path[::-1])
                continue
            todo.extend(path + (child,) for child in reversed(graph.children[path[-1]])
                        if child in graph.influences_cost)
        return out

    def path_count(self, name: str) -> int:
        """How many paths lead from the cost down to ``name`` (counted, not listed)."""
        return self._path_counts.get(name, 0)

    @cached_property
    def _path_counts(self) -> dict[str, int]:
        graph = self.graph
        counts = {graph.cost: 1}
        for above in graph.backward_order:  # every node after the nodes that use it
            if above != graph.cost:
                counts[above] = sum(counts.get(c, 0) for c in graph.children[above])
        for leaf in graph.leaves:
            counts[leaf] = sum(counts.get(c, 0) for c in graph.children[leaf])
        return counts

    def path_factors(self, path: tuple[str, ...]) -> list[sympy.Expr]:
        """The local partials along ``path``: ∂path[0]/∂path[1], ∂path[1]/∂path[2], ..."""
        return [self.partial(a, b) for a, b in zip(path, path[1:])]

    def closed_form(self, name: str) -> sympy.Expr:
        """∂C/∂name with every δ replaced by its own closed form, in forward quantities.

        The result is a sum over paths in factored form; it grows with the number of paths,
        so use it for write-ups of small networks (the δ form in ``delta``/``gradient`` is
        what scales). The closed forms it needs are made nearest the cost first, without
        recursion (a chain of thousands of nodes needs thousands of them).
        """
        if name not in self._closed:
            for above in self._unclosed_above(name):
                self._closed[above] = self._close(above)
        return self._closed[name]

    def _close(self, name: str) -> sympy.Expr:
        """The closed form of ``name``, once those of the nodes that use it are known."""
        own = self.gradient[name] if name in self.gradient else self.delta[name]
        replaced = own.xreplace({self.delta_symbols[c]: self._closed[c]
                                 for c in self.graph.children.get(name, [])
                                 if c in self.delta_symbols})
        return textbook(replaced, collect=True)

    def _unclosed_above(self, name: str) -> list[str]:
        """``name`` and the nodes on its way to the cost with no closed form yet, each after
        every node that uses it."""
        children = self.graph.children
        found, todo = {name}, [name]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found and child not in self._closed:
                    found.add(child)
                    todo.append(child)
        place = self._backward_place
        return sorted(found, key=lambda n: place.get(n, len(place)))

    @cached_property
    def _backward_place(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.graph.backward_order)}

    def size(self) -> int:
        """Operations in all δ and gradient expressions (grows with the connections)."""
        return sum(sympy.count_ops(e) for e in [*self.delta.values(), *self.gradient.values()])


#: Largest closed form (in SymPy operations) that :func:`textbook` tidies: cancelling grows
#: exponentially with nested fractions (σ(1/(1 + σ(1/(1 + …))))) and only changes how a form
#: reads, not its value; the textbook networks' forms have at most about 30.
MAX_TIDY_OPS = 100


def textbook(expr: sympy.Expr, collect: bool = False) -> sympy.Expr:
    """Tidy a closed form the way textbooks write it: cancel fractions, keep products factored.

    Fractions appear with log-losses: (−y/a + (1−y)/(1−a))·a(1−a) becomes a − y. With
    ``collect`` (for reading; generated code leaves sums flat for ``cse``) a sum is also
    collected: softmax with cross-entropy's a1*y1 + a1*y2 + a1*y3 - y1 becomes
    a1*(y1 + y2 + y3) - y1.
    """
    if any(p.exp.is_negative for p in expr.atoms(sympy.Pow)) and (
            sympy.count_ops(expr) <= MAX_TIDY_OPS):
        cancelled = sympy.factor_terms(sympy.cancel(sympy.together(expr)))
        forms = [cancelled, expr]
        if collect:
            forms.insert(1, sympy.collect(cancelled, sorted(cancelled.free_symbols, key=str)))
        return min(forms, key=sympy.count_ops)  # the first of the shortest
    return expr


def _forward_form(partial: sympy.Expr, graph: Graph, child: str) -> sympy.Expr:
    """Write a derivative with node symbols where it contains a node's own expression."""
    node = graph.node(child)
    if node.expr.is_Symbol or node.expr.is_Add or not partial.free_symbols:
        return partial
    if isinstance(node.expr, sympy.Function):
        return partial.xreplace({node.expr: node.symbol})
    # products (e.g. softmax e^z / Σe^z): the node and its siblings may appear inside products
    siblings = {graph.node(c) for p in node.parents for c in graph.children[p]
                if not graph.node(c).expr.is_Add and not graph.node(c).expr.is_Symbol}
    siblings = sorted(siblings, key=lambda s: s.name)
    rewritten = _over_denominators(partial, siblings)
    if rewritten is None:
        rewritten = partial.subs([(s.expr, s.symbol) for s in siblings])
    return rewritten if sympy.count_ops(rewritten) <= sympy.count_ops(partial) else partial


def _over_denominators(partial: sympy.Expr, siblings) -> sympy.Expr | None:
    """The quick rewrite for nodes that are fractions n/d (softmax: e^z_j / Σ e^z): with d
    named D, put a·D for each numerator n and cancel. Exact (n = a·d by the node's equation)
    and cheap, where ``subs`` of the whole fractions takes seconds for ten classes. None when
    the nodes are not such fractions or D or a numerator is left over."""
    named, table = {}, {}
    for s in siblings:
        numerator, denominator = sympy.fraction(s.expr)
        if denominator == 1 or numerator.is_Number:
            return None
        named.setdefault(denominator, sympy.Dummy("D"))
        table[numerator] = s.symbol * named[denominator]
    rewritten = sympy.cancel(partial.xreplace(named).xreplace(table))
    left = set(named.values()) | set(table)
    return None if any(rewritten.has(x) for x in left) else rewritten


def _node_partials(expr: sympy.Expr, parents: list[sympy.Symbol]):
    """(parent, sympy.diff(expr, parent)) for each parent.

    A sum is differentiated term by term over only the terms that contain the parent, which
    is the same derivative but keeps a node with fan-in n at O(n) work instead of O(n²).
    """
    if not expr.is_Add:
        return [(p, sympy.diff(expr, p)) for p in parents]
    terms: dict[sympy.Symbol, list[sympy.Expr]] = {p: [] for p in parents}
    for term in expr.args:
        for symbol in term.free_symbols:
            if symbol in terms:
                terms[symbol].append(term)
    return [(p, sympy.Add(*[sympy.diff(t, p) for t in terms[p]])) for p in parents]


def derive_graph(graph: Graph) -> Derivation:
    """Differentiate every node equation and accumulate the adjoints in reverse order."""
    local = {}
    for node in graph.nodes:
        for parent, raw in _node_partials(node.expr, [graph.symbols[p] for p in node.parents]):
            local[(node.name, parent.name)] = _forward_form(raw, graph, node.name)
    relevant = graph.influences_cost
    delta: dict[str, sympy.Expr] = {}
    for node in reversed(graph.nodes):
        if node.name == graph.cost:
            delta[node.name] = sympy.S.One
        else:
            delta[node.name] = _accumulate(node.name, graph, local, relevant)
    gradient = {p: _accumulate(p, graph, local, relevant) for p in graph.parameters}
    return Derivation(graph, local, delta, gradient)


def _accumulate(name: str, graph: Graph, local, relevant: set[str]) -> sympy.Expr:
    """Σ over the children c of ``name`` on a path to the cost of δ_c · ∂c/∂name."""
    terms = [(sympy.S.One if c == graph.cost else delta_symbol(c)) * local[(c, name)]
             for c in graph.children[name] if c in relevant]
    return sympy.Add(*terms)


def derive(network: Network) -> Derivation:
    """Build the graph of ``network`` and derive every ∂C/∂θ by reverse accumulation."""
    return derive_graph(build_graph(network))
