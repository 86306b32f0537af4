"""Graph → a network diagram laid out as textbooks draw it: inputs on the left, one column
per depth, a neuron's pre-activation merged into its activation's circle, each weight on the
edge it scales, and biases as small nodes feeding their neurons (or left out, when many)."""

from __future__ import annotations

import sympy

from derive.scalar.graph import Graph
from derive.writeups.diagram import Diagram, Edge, Vertex

#: Above this many edges, weight labels would cover the picture; they are left off.
MAX_LABELLED_EDGES = 30


def network_diagram(graph: Graph, names: dict[str, str]) -> Diagram:
    """Lay out ``graph`` as a textbook network picture.

    Args:
        graph: the network's graph.
        names: every name's LaTeX spelling.
    """
    merged = _merged_neurons(graph)               # pre-activation → its activation node
    shown = {m: a for m, a in merged.items()}
    represent = lambda name: shown.get(name, name)  # noqa: E731 - a name's circle
    weights = _edge_weights(graph)                # (node, partner) → parameter on that edge
    weight_params = {p for p in graph.parameters
                     if all(any(w == p for (n, _), w in weights.items() if n == child)
                            for child in graph.children[p])
                     and graph.children[p]}
    own_biases = {p for p in graph.parameters if p not in weight_params
                  and len(graph.children[p]) == 1 and len(graph.parameters) > 12
                  and graph.symbols[p] in graph.node(graph.children[p][0]).expr.args}
    diagram = Diagram()
    vertices: dict[str, Vertex] = {}
    for name in graph.inputs:
        vertices[name] = Vertex(name, [names[name]], "input")
    for node in graph.nodes:
        if node.name in merged:
            continue
        inner = [m for m, a in merged.items() if a == node.name]
        labels = [names[inner[0]], names[node.name]] if inner else [names[node.name]]
        kind = "cost" if node.name == graph.cost else "node"
        vertices[node.name] = Vertex(node.name, labels, kind)
    for name in graph.targets:
        vertices[name] = Vertex(name, [names[name]], "target")
    for p in graph.parameters:
        if p not in weight_params and p not in own_biases and graph.children[p]:
            vertices[p] = Vertex(p, [names[p]], "parameter")
    edges: dict[tuple[str, str], Edge] = {}
    for node in graph.nodes:
        target = represent(node.name)
        for parent in node.parents:
            if parent in weight_params or parent in own_biases:
                continue
            source = represent(parent)
            if source == target or source not in vertices:
                continue
            label = weights.get((node.name, parent))
            label = names[label] if label in weight_params else None
            edges.setdefault((source, target), Edge(source, target, label,
                                                    dashed=parent in graph.targets))
    diagram.edges = list(edges.values())
    _place(graph, vertices, diagram.edges)
    diagram.vertices = sorted(vertices.values(), key=lambda v: (v.column, v.row))
    notes = []
    labelled = [e for e in diagram.edges if e.label]
    if len(labelled) > MAX_LABELLED_EDGES:
        for e in labelled:
            e.label = None
        notes.append(f"weight labels left off the {len(labelled)} edges")
    if own_biases:
        notes.append(f"the {len(own_biases)} per-neuron biases are not drawn")
    diagram.note = "; ".join(notes) or None
    return diagram


def _merged_neurons(graph: Graph) -> dict[str, str]:
    """Pre-activation → activation, where a node is one function of a node used nowhere else."""
    out = {}
    for node in graph.nodes:  # evaluation order: a node's pre-activation is seen first
        expr = node.expr
        if (isinstance(expr, sympy.Function) and len(node.parents) == 1
                and graph.is_node(node.parents[0])
                and graph.children[node.parents[0]] == [node.name]
                and node.parents[0] != graph.cost
                and node.parents[0] not in out.values()):  # σ(σ(z)): one merge per circle
            out[node.parents[0]] = node.name
    return out


def _edge_weights(graph: Graph) -> dict[tuple[str, str], str]:
    """(node, source) → the parameter p in a term ``p·source`` of the node's sum."""
    params = set(graph.parameters)
    out = {}
    for node in graph.nodes:
        body = node.expr
        if isinstance(body, sympy.Function) and len(body.args) == 1:
            body = body.args[0]          # σ(w·x + …): the weights sit inside the activation
        terms = body.args if body.is_Add else (body,)
        for term in terms:
            if not term.is_Mul or len(term.args) != 2:
                continue
            a, b = term.args
            if not (a.is_Symbol and b.is_Symbol):
                continue
            for p, s in ((a, b), (b, a)):
                if p.name in params and s.name not in params:
                    out[(node.name, s.name)] = p.name
    return out


def _place(graph: Graph, vertices: dict[str, Vertex], edges: list[Edge]) -> None:
    """Columns by longest path from the inputs; side leaves one column before their users."""
    parents: dict[str, list[str]] = {v: [] for v in vertices}
    for e in edges:
        parents[e.target].append(e.source)
    side = {v.id for v in vertices.values() if v.kind in ("target", "parameter")}
    column: dict[str, int] = {}
    for v in vertices:  # inputs, then nodes in evaluation order: every source comes first
        if v not in side:
            column[v] = 1 + max((column[p] for p in parents[v] if p not in side), default=-1)
    children: dict[str, list[str]] = {v: [] for v in vertices}
    for e in edges:
        children[e.source].append(e.target)
    for v in side:
        column[v] = max(0, min((column[c] for c in children[v]), default=1) - 1)
    by_column: dict[int, list[str]] = {}
    for v in vertices:  # insertion order: inputs, nodes in evaluation order, targets, parameters
        by_column.setdefault(column[v], []).append(v)
    tallest = max(len([v for v in vs if v not in side]) for vs in by_column.values())
    for col, vs in by_column.items():
        main = [v for v in vs if v not in side]
        extra = [v for v in vs if v in side]
        offset = (tallest - len(main)) / 2
        for i, v in enumerate(main):
            vertices[v].column, vertices[v].row = col, offset + i
        for i, v in enumerate(extra):
            vertices[v].column, vertices[v].row = col, offset + len(main) + i
