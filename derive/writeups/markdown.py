"""Document → GitHub Markdown: ``$`` math, the diagram as a Mermaid block or an SVG image."""

from __future__ import annotations

import base64
import urllib.parse

from derive.latex_text import md_text
from derive.writeups.latex import aligned
from derive.writeups.parts import Block, Display, Figure, Inline, Math, Paragraph, Section, Table


def render(doc, diagram_href: str | None = None, inline: str = "mermaid") -> str:
    """A :class:`~derive.writeups.document.Document` as GitHub Markdown.

    Args:
        doc: the document.
        diagram_href: the SVG file the diagram is shown from (written beside the Markdown).
        inline: without ``diagram_href``, the diagram as a Mermaid block (``"mermaid"``,
            rendered by GitHub) or the SVG as a data URI (``"data-uri"``, for notebooks).
    """
    return _MarkdownRenderer(diagram_href, inline).document(doc)


class _MarkdownRenderer:
    """Document → GitHub Markdown (``$`` math, the diagram as an SVG image)."""

    def __init__(self, diagram_href: str | None, inline: str = "mermaid"):
        self.diagram_href = diagram_href
        self.inline_diagram = inline

    def document(self, doc) -> str:
        parts = [f"# {md_text(doc.title)}",
                 "Derived by chainrule: every number below is computed from the spec, in "
                 "float64, and rounded only for printing."]
        parts += [self.section(s) for s in doc.sections]
        claims = doc.appendix("markdown")
        if claims:
            parts.append(claims.rstrip("\n"))
        return "\n\n".join(parts) + "\n"

    @staticmethod
    def inline(parts: list[Inline], cell: bool = False) -> str:
        """Text and ``$math$``; in a table ``cell``, ``|`` escaped (GitHub splits cells at
        every unescaped ``|``, inside math too)."""
        text = "".join(f"${p.tex}$" if isinstance(p, Math) else p for p in parts)
        return text.replace("|", "\\|") if cell else text

    def section(self, s: Section) -> str:
        return "\n\n".join(["#" * s.level + " " + self.inline(s.title),
                            *(self.block(b) for b in s.blocks)])

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            return self.inline(b.parts)
        if isinstance(b, Display):
            return "$$\n" + aligned(b) + "\n$$"
        if isinstance(b, Table):
            rows = ["| " + " | ".join(self.inline([h], cell=True) for h in b.header) + " |",
                    "|" + "---|" * len(b.header)]
            rows += ["| " + " | ".join(self.inline([c], cell=True) for c in row) + " |"
                     for row in b.rows]
            return "\n".join(rows)
        if isinstance(b, Figure):
            caption = md_text(b.caption).strip()
            note = f"\n\n*{md_text(b.diagram.note)}*" if b.diagram.note else ""
            if self.diagram_href is None and self.inline_diagram == "mermaid":
                picture = "```mermaid\n" + b.diagram.mermaid() + "\n```"
            else:
                href = (urllib.parse.quote(self.diagram_href) if self.diagram_href
                        else _data_uri(b.diagram.svg()))
                picture = f"![{caption}]({href})"
            return f"{picture}\n\n*{caption}*{note}"
        raise TypeError(b)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
