"""Document → a standalone LaTeX file (article class, amsmath, a TikZ diagram; compiles with
pdflatex); and the ``aligned`` LaTeX of a display, which the Markdown form writes too."""

from __future__ import annotations

from derive.latex_text import tex_text
from derive.writeups.breaks import aligned_lines
from derive.writeups.diagram import Diagram
from derive.writeups.parts import Block, Display, Figure, Inline, Math, Paragraph, Section, Table


def _align_lines(display: Display) -> str:
    """The rows of a display as ``&``-aligned lines, one relation per line (a step too wide
    for the page broken over continuation lines)."""
    return " \\\\\n".join(aligned_lines(display.rows))


def aligned(display: Display) -> str:
    """A display as an ``aligned`` environment (for math that sits inside ``$$``)."""
    return "\\begin{aligned}\n" + _align_lines(display) + "\n\\end{aligned}"


#: Rows of one LaTeX table: a tabular cannot break across pages, so longer tables are set
#: as several tabulars one after another.
MAX_TABLE_ROWS = 40
#: The diagram is scaled down to the text width, and to this share of the text height.
_FIGURE_HEIGHT = r"0.75\textheight"
#: A diagram at most this tall (cm) fits any page as it is.
_SHORT_FIGURE_CM = 12.0


def render(doc, diagram_href: str | None = None) -> str:
    """A :class:`~derive.writeups.document.Document` as a standalone LaTeX file (the diagram is
    drawn in it with TikZ, so ``diagram_href`` is not used)."""
    return _LatexRenderer().document(doc)


class _LatexRenderer:
    """Document → standalone LaTeX."""

    def document(self, doc) -> str:
        head = [r"\documentclass[11pt]{article}",
                r"\usepackage[margin=2cm]{geometry}",
                r"\usepackage{amsmath,amssymb}",
                r"\usepackage{tikz}",
                r"\usetikzlibrary{arrows.meta}",
                r"\allowdisplaybreaks",
                r"\setlength{\parindent}{0pt}",
                r"\setlength{\parskip}{0.6em}",
                r"\begin{document}",
                rf"\section*{{{tex_text(doc.title)}}}",
                r"Derived by chainrule: every number below is computed from the spec, "
                r"in float64, and rounded only for printing."]
        body = [self.section(s) for s in doc.sections]
        claims = doc.appendix("latex")
        tail = [claims] if claims else []
        return "\n\n".join([*head, *body, *tail, r"\end{document}"]) + "\n"

    def inline(self, parts: list[Inline]) -> str:
        return "".join(f"${p.tex}$" if isinstance(p, Math) else tex_text(p) for p in parts)

    def section(self, s: Section) -> str:
        command = r"\subsection*" if s.level >= 3 else r"\section*"
        return "\n\n".join([f"{command}{{{self.inline(s.title)}}}",
                            *(self.block(b) for b in s.blocks)])

    def block(self, b: Block) -> str:
        if isinstance(b, Paragraph):
            return self.inline(b.parts)
        if isinstance(b, Display):
            return self.display(b)
        if isinstance(b, Table):
            return "\n\n".join(self.table(b.header, b.rows[i:i + MAX_TABLE_ROWS])
                               for i in range(0, max(len(b.rows), 1), MAX_TABLE_ROWS))
        if isinstance(b, Figure):
            note = f"\n\n{{\\small {tex_text(b.diagram.note)}}}" if b.diagram.note else ""
            return ("\\begin{center}\n" + self.fitted(b.diagram) + "\n\n"
                    + tex_text(b.caption) + note + "\n\\end{center}")
        raise TypeError(b)

    def table(self, header: list[str], rows: list[list[Inline]]) -> str:
        lines = [" & ".join(tex_text(h) for h in header) + r" \\ \hline"]
        lines += [" & ".join(self.inline([c]) for c in row) + r" \\" for row in rows]
        columns = "l" * len(header)
        return "\n".join([rf"\begin{{tabular}}{{{columns}}}", *lines, r"\end{tabular}"])

    @staticmethod
    def fitted(diagram: Diagram) -> str:
        """The diagram scaled down (never up) to the text width, then to the page's height."""
        wide = ("\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
                + diagram.tikz() + "}")
        if diagram.height_cm() < _SHORT_FIGURE_CM:
            return wide
        return (f"\\resizebox{{!}}{{\\ifdim\\height>{_FIGURE_HEIGHT}{_FIGURE_HEIGHT}"
                f"\\else\\height\\fi}}{{%\n{wide}}}")

    @staticmethod
    def display(d: Display) -> str:
        return "\\begin{align*}\n" + _align_lines(d) + "\n\\end{align*}"
