"""The diagram (:mod:`derive.writeups.diagram`): every weight and node labelled in TikZ,
Mermaid and SVG, and hostile labels that cannot inject nodes, leave the block or add SVG tags."""

from __future__ import annotations

import xml.etree.ElementTree as ET


from derive.writeups.build import writeup
from derive.writeups.diagram import Diagram, Edge, Vertex
from tests.networks import corpus
from tests.writeups.support import assert_mermaid_is_well_formed


def test_diagram_labels_every_weight_and_node():
    document = writeup(corpus()["seed004"])
    tikz = document.latex()
    for weight in range(1, 9):
        assert rf"{{$w_{{{weight}}}$}}" in tikz
    mermaid = document.diagram.mermaid()
    assert 'n0 -->|"w₁"| n3' in mermaid and '(("h₁ | H₁"))' in mermaid
    svg = ET.fromstring(document.svg())
    texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for label in ("h₁", "H₁", "o₂", "O₂", "E", "x₁", "y₂", "b₁", "w₅"):
        assert label in texts, f"{label} missing from the SVG"


HOSTILE_LABELS = ['a"] --> n0 ; click n0 "javascript:alert(1)"', "x]\nn9((y))", "a | b",
                  "```\n# heading", "<script>alert(1)</script>", "%%{init: {}}%%", "#quot; &amp;",
                  "w\u2028x\r\x0by", "(( ]) [[ }}"]


def hostile_diagram() -> Diagram:
    vertices = [Vertex(f"v{i}", [label], "parameter" if i % 2 else "node", column=i)
                for i, label in enumerate(HOSTILE_LABELS)]
    edges = [Edge(f"v{i}", f"v{i + 1}", label) for i, label in enumerate(HOSTILE_LABELS[:-1])]
    return Diagram(vertices, edges, note="<b>note</b> & \x01 more")


def test_mermaid_labels_cannot_inject_nodes_or_leave_the_block():
    diagram = hostile_diagram()
    assert_mermaid_is_well_formed(diagram.mermaid(), diagram)
    assert "#34;" in diagram.mermaid() and "#124;" in diagram.mermaid()


def test_svg_text_is_escaped():
    svg = hostile_diagram().svg()
    root = ET.fromstring(svg)
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert tags <= {"svg", "defs", "marker", "path", "rect", "circle", "line", "text", "tspan"}
    assert "<script>" not in svg and "<b>" not in svg
