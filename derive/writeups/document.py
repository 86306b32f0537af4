"""The write-up a user gets: a :class:`Document`, and the renderers of its formats.

A document holds the numbers of a derivation, computed when it is made, and a builder of its
text (:mod:`derive.writeups.build`), run only when a text form asks for it. The formats are a
registry (:data:`RENDERERS`): a new one is a module beside :mod:`derive.writeups.latex` and one
entry there.
"""

from __future__ import annotations

import functools
from typing import Callable, Protocol

from derive.errors import ChainruleError
from derive.scalar.values import Values
from derive.writeups import html as html_form
from derive.writeups import json as json_form
from derive.writeups import latex as latex_form
from derive.writeups import markdown as markdown_form
from derive.writeups.diagram import Diagram
from derive.writeups.parts import Display, Section


class Contents(Protocol):
    """What a document's text is made from, built on first use: its sections and its diagram."""

    def sections(self) -> list[Section]: ...

    def diagram(self) -> Diagram: ...


class Document:
    """A derivation write-up, renderable as LaTeX, Markdown, HTML or JSON.

    The numbers are computed when it is made; its text (sections, diagram, the checked
    claims) only when a text form asks for it, so the JSON form does no LaTeX work.
    """

    def __init__(self, title: str, values: Values | None, builder: Callable[[], Contents],
                 claims: Callable[[str], str] | None = None,
                 data: Callable[[], dict] | None = None):
        self.title = title
        self.values = values
        #: more of the JSON form, beside the values' (the general level, a big network's)
        self.data = data
        self._make_builder = builder
        self._claims = claims
        self._appendix: dict[str, str] = {}

    @functools.cached_property
    def _builder(self) -> Contents:
        return self._make_builder()

    @functools.cached_property
    def sections(self) -> list[Section]:
        """The sections of the write-up, built on first use."""
        return self._builder.sections()

    @functools.cached_property
    def diagram(self) -> Diagram:
        """The network diagram, laid out on first use."""
        return self._builder.diagram()

    def appendix(self, format: str) -> str | None:
        """The "Checked claims" section in ``format`` (markdown, latex or html), if there are
        claims."""
        if self._claims is None:
            return None
        if format not in self._appendix:
            self._appendix[format] = self._claims(format)
        return self._appendix[format]

    def latex(self) -> str:
        """A standalone LaTeX document (article class, amsmath, TikZ)."""
        return latex_form.render(self)

    def markdown(self, diagram_href: str | None = None, inline: str = "mermaid") -> str:
        """GitHub Markdown. The diagram is the SVG file ``diagram_href`` when given, else
        ``inline``: a Mermaid block (``"mermaid"``, rendered by GitHub) or the SVG as a data
        URI (``"data-uri"``, rendered by notebooks and editors)."""
        return markdown_form.render(self, diagram_href, inline)

    def html(self) -> str:
        """A self-contained HTML page: MathML math, the diagram as inline SVG, no script and
        nothing fetched when it is opened."""
        return html_form.render(self)

    def json(self) -> str:
        """Every number by name: values, cost, gradients, updated, cost_after (a value that
        overflowed is the string "inf", "-inf" or "nan": JSON has no such numbers)."""
        return json_form.render(self)

    def svg(self) -> str:
        """The network diagram as an SVG image."""
        return self.diagram.svg()

    def render(self, format: str, diagram_href: str | None = None) -> str:
        """The document in ``format``, a name of :data:`RENDERERS` (latex, markdown, html or json)."""
        if format not in RENDERERS:
            *others, last = RENDERERS
            raise ChainruleError(f"unknown format {format!r}",
                                 hint=f"expected {', '.join(others)} or {last}")
        return RENDERERS[format](self, diagram_href)

    def _repr_html_(self) -> str:
        return html_form.article(self)

    def _repr_markdown_(self) -> str:
        return self.markdown(inline="data-uri")

    def _repr_latex_(self) -> str:
        displays = [b for s in self.sections for b in s.blocks if isinstance(b, Display)]
        return "\n".join("$$" + latex_form.aligned(d) + "$$" for d in displays)


#: Format name → its renderer, ``render(document, diagram_href)`` → the text (``diagram_href``,
#: the SVG file a Markdown form points to, means nothing to the others). A new format is a
#: module beside :mod:`derive.writeups.latex` and one entry here.
RENDERERS: dict[str, Callable[[Document, str | None], str]] = {
    "latex": latex_form.render,
    "markdown": markdown_form.render,
    "html": html_form.render,
    "json": json_form.render,
}
