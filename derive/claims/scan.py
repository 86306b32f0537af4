r"""Finding the statements of a whole document: math spans (``$…$``, ``$$…$$``, ``\[…\]``,
``\(…\)``, ``equation``/``align`` environments, WordPress's ``[latex]…[/latex]``), lines of
code and equations written in prose (``h1 = 0.25 * 0.1 + 0.45 = 0.505``, ``dW = dA * X``),
each with its line and column; and the prose around them, for the numbers it states in words
(:mod:`derive.claims.prose`). Nothing here knows a network: a statement is a piece of text
with an ``=`` between two operands, judged (or skipped) later.

Every pass is linear in the text: one tokenizing regex whose alternatives are simple (no
nested unbounded repetition), delimiters found with ``str.find`` from a moving position (a
search that found no closer is remembered, so ``$$$$…`` does not restart it), brackets
matched with a stack, never by recursion.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from derive.claims.scan_formats import (LineIndex, blank, html_to_text, latex_comments_out,
                                        markdown_code)
from derive.claims.scan_lines import Skip, Statement, line_statements

#: Longest math span or statement read as a claim (characters; read_claim reads 10,000).
MAX_STATEMENT = 10_000

FORMATS = ("text", "markdown", "latex", "html")


@dataclass
class Paragraph:
    """Prose: consecutive lines joined by spaces (statements blanked out), with the offset of
    each line's start, for the numbers stated in words."""

    text: str
    lines: list[tuple[int, int]] = field(default_factory=list)  # (offset, line number)

    def where(self, offset: int) -> tuple[int, int]:
        """(line, column) of an offset in the joined text."""
        k = bisect.bisect_right(self.lines, (offset, float("inf"))) - 1
        start, line = self.lines[max(k, 0)]
        return line, offset - start + 1


@dataclass
class Scan:
    """What a document holds: statements, prose, and what was left unread."""

    statements: list[Statement]
    prose: list[Paragraph]
    skipped: list[Skip]


def format_of(name: str | None) -> str:
    """The format of a file from its name: markdown, latex, html or text."""
    suffix = (name or "").lower().rsplit(".", 1)[-1] if "." in (name or "") else ""
    return {"md": "markdown", "markdown": "markdown", "tex": "latex", "latex": "latex",
            "html": "html", "htm": "html", "xhtml": "html"}.get(suffix, "text")


def scan(text: str, format: str = "text") -> Scan:
    """Find the statements and the prose of a document.

    Args:
        text: the document.
        format: ``text``, ``markdown``, ``latex`` or ``html`` (see :func:`format_of`).

    Returns:
        Statements in document order, prose paragraphs, skipped pieces.
    """
    if format == "html":
        text = html_to_text(text)
    elif format == "latex":
        text = latex_comments_out(text)
    code = markdown_code(text) if format == "markdown" else set()
    skipped: list[Skip] = []
    index = LineIndex(text)
    spans = math_spans(text, index)
    statements = [s for span in spans for s in _math_statements(text, index, *span)]
    outside = blank(text, [(a, b) for a, b, _, _ in spans])
    lines = outside.split("\n")
    found, ranges = line_statements(lines, skipped)
    statements += found
    prose = _paragraphs(lines, ranges, code)
    statements.sort(key=lambda s: (s.line, s.column))
    skipped.sort(key=lambda s: (s.line, s.column))
    return Scan(statements, prose, skipped)


# =========================================================================== math spans

_ENVIRONMENTS = "equation|align|eqnarray|gather|multline|displaymath|math|flalign|alignat"
_OPENER = re.compile(r"\$\$|\$|\\\[|\\\(|\\begin\{(" + _ENVIRONMENTS + r")(\*?)\}|\[latex[^\]\n]{0,80}\]")


def math_spans(text: str, index: LineIndex) -> list[tuple[int, int, int, int]]:
    """(start, end, body start, body end) of every math span, in order, not nested.

    ``$…$`` and ``\\(…\\)`` close on their own line (a lone dollar is money, not math); the
    others may span lines. An opener without its closer is left as text.
    """
    spans, pos, failed = [], 0, {}
    while (m := _OPENER.search(text, pos)) is not None:
        start = m.start()
        if _escaped(text, start):
            pos = start + 1
            continue
        opener = m.group()
        closer = _closer(m)
        inline = opener in ("$", "\\(")
        limit = index.line_end(m.end()) if inline else len(text)
        at = -1
        known = failed.get(closer)
        if not (known and known[0] <= m.end() and limit <= known[1]):
            at = _find_unescaped(text, closer, m.end(), limit)
            if at < 0:
                failed[closer] = (m.end(), limit)  # none in here: never search it again
        if at < 0:
            pos = m.end()
            continue
        spans.append((start, at + len(closer), m.end(), at))
        pos = at + len(closer)
    return spans


def _closer(m: re.Match) -> str:
    opener = m.group()
    if opener.startswith("\\begin"):
        return "\\end{" + m.group(1) + m.group(2) + "}"
    if opener.startswith("[latex"):
        return "[/latex]"
    return {"$$": "$$", "$": "$", "\\[": "\\]", "\\(": "\\)"}[opener]


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd run of backslashes (``\\$``; ``\\\\[``
    is a LaTeX line break followed by a bracket)."""
    run, k = 0, at - 1
    while k >= 0 and text[k] == "\\" and run < 64:
        run, k = run + 1, k - 1
    return run % 2 == 1


def _find_unescaped(text: str, closer: str, start: int, limit: int) -> int:
    at = text.find(closer, start, limit)
    while at >= 0 and closer[0] == "$" and _escaped(text, at):
        at = text.find(closer, at + 1, limit)
    return at


_ROW_BREAK = re.compile(r"\\\\(?:\[[^\]\n]{0,20}\])?|\\newline(?![A-Za-z])")


def _math_statements(text: str, index: LineIndex, start: int, end: int, body: int,
                     body_end: int) -> list[Statement]:
    """The statements of one math span: its rows (``\\\\`` in align), alignment marks dropped,
    each row split at top-level commas between equalities."""
    out = []
    pos = body
    for row_end in [m.start() + body for m in _ROW_BREAK.finditer(text[body:body_end])] + [body_end]:
        row = text[pos:row_end]
        for piece, offset in _split_equalities(row):
            cleaned = re.sub(r"(?<!\\)&", " ", piece).replace("\\label", "\\nonumber").strip()
            cleaned = re.sub(r"\\nonumber\{[^{}]*\}", "", cleaned)
            cleaned = re.sub(r"\\(?:tag|label)\{[^{}]*\}", "", cleaned).strip(" ,.;")
            if "=" in cleaned and len(cleaned) <= MAX_STATEMENT:
                line, column = index.position(pos + offset + len(piece) - len(piece.lstrip()))
                out.append(Statement(line, column, cleaned, "math"))
        pos = row_end
        m = _ROW_BREAK.match(text, pos)
        pos = m.end() if m else pos
    return out


def _split_equalities(row: str) -> list[tuple[str, int]]:
    """A row cut at top-level commas and semicolons between equalities (``x_1 = 0.1, x_2 =
    0.2``); other commas (``f(a, b)``, ``a, b = 1``) stay. Returns (piece, offset) pairs."""
    cuts, depth = [], 0
    for i, ch in enumerate(row):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0:
            cuts.append(i)
    groups: list[list[int]] = []  # [start, end] of each group of segments
    last = 0
    for cut in cuts + [len(row)]:
        has = "=" in row[last:cut]
        if groups and not (has and "=" in row[groups[-1][0]:groups[-1][1]]):
            groups[-1][1] = cut
        else:
            groups.append([last, cut])
        last = cut + 1
    return [(row[a:b], a) for a, b in groups]


# =========================================================================== prose

def _paragraphs(lines: list[str], ranges: dict[int, list[tuple[int, int]]],
                code: set[int]) -> list[Paragraph]:
    """Prose paragraphs: blank lines and code end one; statements are blanked out."""
    out: list[Paragraph] = []
    parts: list[str] = []
    size = 0

    def close() -> None:
        nonlocal parts, size
        if parts:
            out[-1].text = " ".join(parts)
        parts, size = [], 0

    for number, line in enumerate(lines, start=1):
        if number in code or not line.strip():
            close()
            continue
        if not parts:
            out.append(Paragraph(""))
        else:
            size += 1  # the space joining the lines
        out[-1].lines.append((size, number))
        body = blank(line, ranges.get(number, []))
        parts.append(body)
        size += len(body)
    close()
    return out
