"""Graph → a network diagram: laid-out circles and labelled arrows, drawn as TikZ or as SVG.

The picture is the one textbooks draw: inputs on the left, one column per depth, a neuron's
pre-activation and activation in one circle (``h1 | H1``), each weight written on the edge it
scales, and parameters that are not edge weights (biases) as small nodes feeding their neurons.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape

import sympy

from derive.scalar.graph import Graph
from derive.latex_text import one_line

#: Above this many edges, weight labels would cover the picture; they are left off.
MAX_LABELLED_EDGES = 30
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
                       f'fill="#555">{_xml(self.note)}</text>')
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


# --------------------------------------------------------------------------- LaTeX → SVG text

_GREEK = dict(zip(
    ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu "
     "nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma "
     "Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(),
    "αβγδεεζηθϑικλμνξπϖρϱσςτυφφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
#: the text of the other symbols a spelling may use (latex_text.SPELLING_COMMANDS)
_SYMBOL_TEXT = {**_GREEK, "prime": "′", "partial": "∂", "ell": "ℓ", "nabla": "∇", "infty": "∞",
                "cdot": "·", "times": "×", "star": "⋆", "ast": "∗", "circ": "∘", "bullet": "•",
                "dagger": "†", "ddagger": "‡", "top": "⊤", "intercal": "⊺", "hbar": "ℏ",
                "imath": "ı", "jmath": "ȷ", "aleph": "ℵ", "beth": "ℶ", "vert": "|", "Vert": "‖"}
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([_^])|([{}])|(.)", re.S)


def _math_pieces(latex: str) -> list[tuple[str, int]]:
    """(text, shift) runs of a LaTeX name: shift 0 on the line, -1 raised, +1 lowered; runs
    that Unicode can write as super- or subscripts (digits, some letters) come back on the line."""
    pieces: list[tuple[str, int]] = []
    shift_stack = [0]
    pending: int | None = None
    for command, symbol, script, brace, char in _TOKEN.findall(latex):
        if symbol:            # \{ \} \_ print as themselves; \, \; \! are spacing
            char = symbol if symbol in "{}_" else ""
        if script:
            pending = -1 if script == "^" else 1
            continue
        if brace == "{":
            shift_stack.append(pending if pending is not None else shift_stack[-1])
            pending = None
            continue
        if brace == "}":
            if len(shift_stack) > 1:
                shift_stack.pop()
            continue
        text = _SYMBOL_TEXT.get(command, "") if command else char
        if text.strip() == "" and text != " ":
            continue
        shift = pending if pending is not None else shift_stack[-1]
        pending = None
        pieces.append((text, shift))
    return [(_script(text, shift), 0) if _script(text, shift) else (text, shift)
            for text, shift in pieces]


def svg_math(latex: str) -> str:
    """A LaTeX name such as ``w^{1}_{21}`` or ``\\mathrm{net}_{h1}`` as SVG text with tspans."""
    out, baseline = [], 0
    for text, shift in _math_pieces(latex):
        target = {0: 0, -1: -5, 1: 4}[shift]
        size = ' font-size="70%"' if shift else ""
        dy = f' dy="{target - baseline}"' if target != baseline else ""
        out.append(f"<tspan{dy}{size}>{_xml(text)}</tspan>")
        baseline = target
    return "".join(out)


def _xml(text: str) -> str:
    """Text made safe for SVG: one line (control characters are not XML), ``<&>"'`` escaped."""
    return escape(one_line(text))


def mermaid_text(text: str) -> str:
    """Text made safe inside a quoted Mermaid label: every character but letters, digits
    and plain math punctuation written as a ``#code;`` entity, so no quote, bracket, ``|``,
    ``-->``, ``;``, ``%%``, backtick, HTML or line break can end the label or the block."""
    return "".join(ch if ch.isalnum() or ch in _MERMAID_PLAIN else f"#{ord(ch)};"
                   for ch in one_line(text))


#: besides letters and digits: plain math punctuation, and the symbols plain_math writes
_MERMAID_PLAIN = set(" _^'.,+-*/=()′·∂ℓ∇∞×⋆∗∘•†‡⊤⊺ℏıȷℵℶ‖⁽⁾₍₎⁺⁻⁼₊₋₌")


def plain_math(latex: str) -> str:
    """A LaTeX name as plain Unicode text: ``w^{1}_{21}`` → ``w¹₂₁`` (``^``/``_`` otherwise)."""
    return "".join(text if shift == 0 else ("^" if shift < 0 else "_") + text
                   for text, shift in _math_pieces(latex))


_SUPER = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


def _script(text: str, shift: int) -> str | None:
    """``text`` in Unicode super- or subscript characters, if all of them have one."""
    table = {-1: _SUPER, 1: _SUB}.get(shift)
    if table is None or not all(c in table for c in text):
        return None
    return "".join(table[c] for c in text)


def _tikz_id(name: str) -> str:
    return "v-" + re.sub(r"[^A-Za-z0-9]", "-", name)


# --------------------------------------------------------------------------- layout

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
