"""The parts of a write-up: sections of paragraphs, display equations, tables and the figure.

What the builder (:mod:`derive.writeups.build`) makes and every renderer reads: plain
dataclasses whose math is LaTeX source. They sit below the renderers, and the renderers below
:class:`~derive.writeups.document.Document`, which calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from derive.writeups.diagram import Diagram


@dataclass
class Math:
    """Inline math (LaTeX source)."""

    tex: str


Inline = Union[str, Math]


@dataclass
class Paragraph:
    """Running text with inline math."""

    parts: list[Inline]


@dataclass
class Display:
    """Aligned display equations: each row is a left side and its chain of (relation, right side)."""

    rows: list[tuple[str, list[tuple[str, str]]]]


@dataclass
class Table:
    """A table of inline cells."""

    header: list[str]
    rows: list[list[Inline]]


@dataclass
class Figure:
    """The network diagram."""

    diagram: Diagram
    caption: str


Block = Union[Paragraph, Display, Table, Figure]


@dataclass
class Section:
    """A titled run of blocks; level 2 for sections, 3 for subsections."""

    title: list[Inline]
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
