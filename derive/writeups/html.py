"""Document → one self-contained HTML page: the math as MathML (converted in Python by
:mod:`derive.mathml`, laid out by the browser), the diagram as inline SVG, the checked claims
with their ✓/✗ marks; no script, no font, no link, nothing fetched when it is opened.

Every part is rendered by its kind (:mod:`derive.writeups.parts`), so any section a builder
makes comes out here as it does in the LaTeX and Markdown forms. Outside text (titles,
names, captions, claims) goes through :func:`~derive.latex_text.html_text`; the page's
Content-Security-Policy forbids scripts and every load besides ``data:`` images, so even a
bug here could not run or fetch anything. The page is well-formed XML as well as HTML (void
elements closed with ``/>``), which lets a test check its whole structure with an XML parser.
"""

from __future__ import annotations

import dataclasses

from derive.latex_text import html_text
from derive.mathml import NotMathML, math_element, to_mathml
from derive.writeups.breaks import aligned_cells
from derive.writeups.parts import Block, Display, Figure, Inline, Math, Paragraph, Section, Table

#: Nothing may load or run: no script, no frame, no font, no fetch; styles only from the page
#: itself, images only as data: URIs; no <base>, no form target.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")

#: The page's style, scoped to the write-up so that it can sit inside a notebook's page.
STYLE = """
.chainrule { font-family: Georgia, "Times New Roman", serif; line-height: 1.5;
  max-width: 52em; margin: 0 auto; padding: 1em 1.5em; color: #1a1a1a; background: #fff; }
.chainrule h1 { font-size: 1.7em; margin: 0.4em 0; }
.chainrule h2 { font-size: 1.35em; margin: 1.4em 0 0.4em; border-bottom: 1px solid #ddd; }
.chainrule h3 { font-size: 1.1em; margin: 1.1em 0 0.3em; }
.chainrule math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math",
  "DejaVu Math TeX Gyre", math; font-size: 1.08em; }
.chainrule .display { overflow-x: auto; overflow-y: hidden; margin: 0.6em 0; }
.chainrule figure { margin: 1em 0; text-align: center; overflow-x: auto; }
.chainrule figure svg { max-width: 100%; height: auto; }
.chainrule figcaption { font-style: italic; }
.chainrule figcaption .note { display: block; font-size: 0.9em; color: #555; }
.chainrule .table { overflow-x: auto; }
.chainrule table { border-collapse: collapse; margin: 0.6em 0; }
.chainrule th, .chainrule td { border: 1px solid #ccc; padding: 0.25em 0.6em;
  text-align: left; vertical-align: top; }
.chainrule th { background: #f4f4f4; }
.chainrule table.aligned { margin: 0 auto; }
.chainrule table.aligned td { border: none; padding: 0.12em 0; vertical-align: baseline;
  white-space: nowrap; }
.chainrule table.aligned td.r { text-align: right; }
.chainrule code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 0.9em; overflow-wrap: anywhere; }
.chainrule .claims .mark { font-size: 1.2em; text-align: center; }
.chainrule .claims .holds .mark { color: #17803d; }
.chainrule .claims .wrong .mark { color: #c0262d; }
.chainrule .claims .rounding .mark { color: #a86500; }
.chainrule .claims .unreadable .mark { color: #666; }
"""

_INTRO = ("Derived by chainrule: every number below is computed from the spec, in float64, "
          "and rounded only for printing.")


def render(doc, diagram_href: str | None = None) -> str:
    """A :class:`~derive.writeups.document.Document` as a standalone HTML page (the diagram
    is drawn inside it, so ``diagram_href`` is not used)."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}"/>',
        '<meta name="referrer" content="no-referrer"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{html_text(doc.title)}</title>",
        "</head>",
        "<body>",
        article(doc),
        "</body>",
        "</html>",
        ""])


def article(doc) -> str:
    """The write-up as an ``<article>`` with its own style: the page's body, and what a
    notebook shows (``Document._repr_html_``)."""
    parts = [f"<style>{STYLE}</style>", f"<h1>{html_text(doc.title)}</h1>",
             f"<p>{html_text(_INTRO)}</p>"]
    parts += [_section(s) for s in doc.sections]
    claims = doc.appendix("html")
    if claims:
        parts.append(claims.rstrip("\n"))
    return '<article class="chainrule">\n' + "\n".join(parts) + "\n</article>"


def _math(tex: str) -> str:
    """Inline MathML; LaTeX the converter cannot read is shown as escaped code."""
    try:
        return math_element(to_mathml(tex))
    except NotMathML:
        return f'<code class="tex">{html_text(tex)}</code>'


def _inline(parts: list[Inline]) -> str:
    return "".join(_math(p.tex) if isinstance(p, Math) else html_text(p) for p in parts)


def _section(s: Section) -> str:
    level = min(max(s.level, 2), 6)
    heading = f"<h{level}>{_inline(s.title)}</h{level}>"
    return "\n".join(["<section>", heading, *(_block(b) for b in s.blocks), "</section>"])


def _block(b: Block) -> str:
    if isinstance(b, Paragraph):
        return f"<p>{_inline(b.parts)}</p>"
    if isinstance(b, Display):
        return f'<div class="display">{_display(b)}</div>'
    if isinstance(b, Table):
        head = "".join(f"<th>{html_text(h)}</th>" for h in b.header)
        rows = ["<tr>" + "".join(f"<td>{_inline([c])}</td>" for c in row) + "</tr>"
                for row in b.rows]
        return ('<div class="table"><table>\n'
                f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
                + "\n</tbody></table></div>")
    if isinstance(b, Figure):
        # the note goes in the caption, as text, rather than into the picture
        picture = dataclasses.replace(b.diagram, note=None).svg().strip()
        note = (f'<span class="note">{html_text(b.diagram.note)}</span>'
                if b.diagram.note else "")
        return (f"<figure>\n{picture}\n"
                f"<figcaption>{html_text(b.caption)}{note}</figcaption>\n</figure>")
    raise TypeError(b)


def _display(d: Display) -> str:
    """The rows aligned at their relations (a table of a right-aligned left side and the
    rest, each a formula in display style), broken over lines as the LaTeX form breaks
    them; a display the converter cannot read is shown as its escaped LaTeX."""
    lines = aligned_cells(d.rows)
    try:
        cells = [(to_mathml(left) if left else None, to_mathml(right)) for left, right in lines]
    except NotMathML:
        source = "\n".join(html_text(f"{left or ''} {right}") for left, right in lines)
        return f'<pre class="tex">{source}</pre>'
    rows = [f'<tr><td class="r">{math_element(left, display=True) if left else ""}</td>'
            f"<td>{math_element(right, display=True)}</td></tr>" for left, right in cells]
    return '<table class="aligned">\n' + "\n".join(rows) + "\n</table>"
