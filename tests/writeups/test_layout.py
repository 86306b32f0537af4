"""A graph laid out as a diagram (:mod:`derive.writeups.layout`)."""

from __future__ import annotations



from derive.spec.model import Network
from derive.writeups.build import writeup


def test_an_activation_of_an_activation_is_drawn_and_written_up():
    """σ(σ(w·x)): the first σ merges with its pre-activation, the second is a circle of its own
    (the diagram raised KeyError here)."""
    from derive.writeups.layout import network_diagram
    from derive.scalar.graph import build_graph

    net = Network.from_equations(
        equations={"n0": "w*x", "n1": "sigmoid(n0)", "n2": "sigmoid(n1)", "E": "(y - n2)**2"},
        inputs={"x": 0.5}, targets={"y": 1.0}, parameters={"w": 0.3})
    graph = build_graph(net)
    diagram = network_diagram(graph, {n: n for n in [*graph.symbols]})
    columns = {v.id: v.column for v in diagram.vertices}
    assert "n0" not in columns and columns["x"] < columns["n1"] < columns["n2"] < columns["E"]
    doc = writeup(net)
    for text in (doc.latex(), doc.markdown(), doc.svg(), doc.json()):
        assert text
