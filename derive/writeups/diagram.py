"""A network diagram: circles on a grid of columns and rows and the arrows between them,
drawn as TikZ (LaTeX), SVG (Markdown files) or Mermaid (GitHub Markdown).

The picture is the one textbooks draw: a neuron's pre-activation and activation in one circle
(``h1 | H1``), each weight written on the edge it scales, parameters that are not edge weights
(biases) as small dashed boxes. :mod:`derive.writeups.layout` places a graph's nodes on it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from derive.writeups.math_text import mermaid_text, plain_math, svg_math, xml_text

COLUMN_GAP = 3.2   # cm between columns (TikZ); the SVG scales it
ROW_GAP = 1.6      # cm between circles of one column
SVG_SCALE = 55     # px per cm
SVG_RADIUS = 20    # px


@dataclass
class Vertex:
    """A circle of the diagram: one node (or a neuron's two nodes), a leaf or a parameter."""

    id: str
    labels: list[str]          # LaTeX, one per line
    kind: str                  # input | target | parameter | node | cost
    column: int = 0
    row: float = 0.0


@dataclass
class Edge:
    """An arrow from one vertex to another, with the weight it carries (LaTeX) if any."""

    source: str
    target: str
    label: str | None = None
    dashed: bool = False


@dataclass
class Diagram:
    """Vertices placed on a grid of columns and rows, and the edges between them."""

    vertices: list[Vertex] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    note: str | None = None    # plain text shown under the picture, e.g. why labels are missing

    def vertex(self, id: str) -> Vertex:
        return next(v for v in self.vertices if v.id == id)

    def height_cm(self) -> float:
        """The height of the TikZ picture in cm (its circles' centres and a circle)."""
        return max((v.row for v in self.vertices), default=0.0) * ROW_GAP + 1.2

    # ---- TikZ -------------------------------------------------------------------------------

    def tikz(self) -> str:
        """A ``tikzpicture`` (needs ``\\usetikzlibrary{arrows.meta}``)."""
        lines = [r"\begin{tikzpicture}[>={Stealth[length=2mm]},",
                 r"  neuron/.style={circle, draw, minimum size=11mm, inner sep=1pt, "
                 r"align=center, font=\small},",
                 r"  leaf/.style={neuron, fill=black!6},",
                 r"  param/.style={rectangle, rounded corners, draw, dashed, font=\small},",
                 r"  weight/.style={font=\scriptsize, fill=white, inner sep=1pt}]"]
        for v in self.vertices:
            style = {"input": "leaf", "target": "leaf", "parameter": "param"}.get(v.kind, "neuron")
            label = r"\\".join(f"${line}$" for line in v.labels)
            lines.append(rf"\node[{style}] ({_tikz_id(v.id)}) at "
                         rf"({v.column * COLUMN_GAP:.2f},{-v.row * ROW_GAP:.2f}) {{{label}}};")
        for e in self.edges:
            style = "->, dashed" if e.dashed else "->"
            label = f" node[weight, pos=0.3] {{${e.label}$}}" if e.label else ""
            lines.append(rf"\draw[{style}] ({_tikz_id(e.source)}) --{label} "
                         rf"({_tikz_id(e.target)});")
        lines.append(r"\end{tikzpicture}")
        return "\n".join(lines)

    # ---- Mermaid ----------------------------------------------------------------------------

    def mermaid(self) -> str:
        """A Mermaid flowchart (GitHub renders it in a ```mermaid block, no file needed)."""
        ids = {v.id: f"n{i}" for i, v in enumerate(self.vertices)}
        lines = ["flowchart LR"]
        for v in self.vertices:
            label = " | ".join(mermaid_text(plain_math(line)) for line in v.labels)
            shape = ('["{}"]' if v.kind == "parameter" else '(("{}"))').format(label)
            lines.append(f"    {ids[v.id]}{shape}")
        for e in self.edges:
            label = f'|"{mermaid_text(plain_math(e.label))}"|' if e.label else ""
            arrow = "-.->" if e.dashed else "-->"
            lines.append(f"    {ids[e.source]} {arrow}{label} {ids[e.target]}")
        return "\n".join(lines)

    # ---- SVG --------------------------------------------------------------------------------

    def svg(self) -> str:
        """A standalone SVG image (renders on GitHub as an ``<img>``)."""
        margin = 40
        xs = {v.id: margin + v.column * COLUMN_GAP * SVG_SCALE for v in self.vertices}
        ys = {v.id: margin + v.row * ROW_GAP * SVG_SCALE for v in self.vertices}
        width = max(xs.values()) + margin
        height = max(ys.values()) + margin + (20 if self.note else 0)
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
               f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
               f'font-family="serif" font-size="14">',
               '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
               'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
               '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
               f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>']
        radii = {v.id: _radius(v) for v in self.vertices}
        for e in self.edges:
            out.extend(self._svg_edge(e, xs, ys, radii))
        for v in self.vertices:
            out.extend(self._svg_vertex(v, xs[v.id], ys[v.id], radii[v.id]))
        if self.note:
            out.append(f'<text x="{margin / 2:.0f}" y="{height - 12:.0f}" font-size="11" '
                       f'fill="#555">{xml_text(self.note)}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"

    @staticmethod
    def _svg_vertex(v: Vertex, x: float, y: float, radius: float) -> list[str]:
        fill = "#eeeeee" if v.kind in ("input", "target") else "white"
        if v.kind == "parameter":
            shape = (f'<rect x="{x - radius:.1f}" y="{y - 12:.1f}" width="{2 * radius:.0f}" '
                     f'height="24" rx="6" '
                     f'fill="white" stroke="#333" stroke-dasharray="4 2"/>')
        else:
            shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.0f}" fill="{fill}" '
                     f'stroke="#333"/>')
        out = [shape]
        first = y - 7 * (len(v.labels) - 1)
        for i, label in enumerate(v.labels):
            out.append(f'<text x="{x:.1f}" y="{first + 14 * i + 5:.1f}" text-anchor="middle" '
                       f'font-size="{13 if len(v.labels) > 1 else 14}">{svg_math(label)}</text>')
        return out

    @staticmethod
    def _svg_edge(e: Edge, xs: dict, ys: dict, radii: dict) -> list[str]:
        x1, y1, x2, y2 = xs[e.source], ys[e.source], xs[e.target], ys[e.target]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        start = (x1 + ux * radii[e.source], y1 + uy * radii[e.source])
        end = (x2 - ux * (radii[e.target] + 2), y2 - uy * (radii[e.target] + 2))
        dash = ' stroke-dasharray="5 3"' if e.dashed else ""
        out = [f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" '
               f'y2="{end[1]:.1f}" stroke="#333"{dash} marker-end="url(#arrow)"/>']
        if e.label:
            lx, ly = start[0] + 0.3 * (end[0] - start[0]), start[1] + 0.3 * (end[1] - start[1])
            out.append(f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" '
                       f'font-size="11" stroke="white" stroke-width="3" paint-order="stroke">'
                       f'{svg_math(e.label)}</text>')
        return out


def _radius(v: Vertex) -> float:
    """Wide enough for the longest label line (≈ 8 px per character at 14 px)."""
    longest = max(len(re.sub(r"<[^>]+>", "", svg_math(label))) for label in v.labels)
    return max(SVG_RADIUS, 4 + 4.2 * longest)


def _tikz_id(name: str) -> str:
    return "v-" + re.sub(r"[^A-Za-z0-9]", "-", name)
