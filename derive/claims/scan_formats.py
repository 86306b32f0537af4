"""A document's format turned into text the scanner reads, line for line: HTML without its
tags (``<sub>1</sub>`` as ``_1``, entities decoded, scripts and styles dropped), LaTeX without
its comments, Markdown's fenced code found; and the helpers every pass shares (blanking
what one pass has taken, offsets to lines). Each is one linear pass; the line numbers of the
text stay those of the file."""

from __future__ import annotations

import bisect
import html
import re

#: tags whose content is not text a reader checks
_DROPPED = ("script", "style", "head", "svg", "template", "noscript")
#: tags that end a statement (a block, a line break, a cell)
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3",
          "h4", "h5", "h6", "pre", "blockquote", "section", "article", "hr", "dd", "dt"}
_TAG = re.compile(r"<(/?)((?>[A-Za-z][A-Za-z0-9-]{0,30}))[^<>]{0,2000}>|<!--|<!\[CDATA\[|<![^<>]{0,2000}>")
#: a mark the line scanner reads as the end of a statement (an HTML block tag's trace)
BREAK = "\u2029"


def html_to_text(text: str) -> str:
    """HTML as text with the same lines: tags removed (blocks leave a statement break),
    ``<sub>``/``<sup>`` as ``_``/``^``, entities decoded, comments, scripts and styles gone."""
    out, pos = [], 0
    while (m := _TAG.search(text, pos)) is not None:
        out.append(_entities(text[pos:m.start()]))
        token = m.group()
        if token == "<!--" or token == "<![CDATA[":
            end = text.find("-->" if token == "<!--" else "]]>", m.end())
            end = len(text) if end < 0 else end + 3
            out.append("\n" * text.count("\n", m.start(), end))
            pos = end
            continue
        closing, name = m.group(1), (m.group(2) or "").lower()
        out.append("\n" * token.count("\n"))
        if not closing and name in _DROPPED and not token.endswith("/>"):
            end = _find_ci(text, f"</{name}", m.end())
            out.append("\n" * text.count("\n", m.end(), end))
            close = text.find(">", end)
            pos = len(text) if close < 0 else close + 1
            continue
        if name in ("sub", "sup") and not closing:
            out.append("_" if name == "sub" else "^")
        elif name in _BLOCK:
            out.append(BREAK)
        pos = m.end()
    out.append(_entities(text[pos:]))
    return "".join(out)


def _find_ci(text: str, needle: str, start: int) -> int:
    """The first case-insensitive occurrence of ``needle`` from ``start`` (or the end)."""
    m = re.compile(re.escape(needle), re.IGNORECASE).search(text, start)
    return m.start() if m else len(text)


def _entities(text: str) -> str:
    """HTML entities decoded, line breaks kept as they are (``&#10;`` stays on its line)."""
    if "&" not in text:
        return text
    return "\n".join(html.unescape(part).replace("\r", " ").replace("\n", " ")
                     for part in text.split("\n"))


def latex_comments_out(text: str) -> str:
    """LaTeX with every comment (an unescaped ``%`` to the end of its line) blanked."""
    return re.sub(r"(?<!\\)%[^\n]*", lambda m: " " * len(m.group()), text)


def markdown_code(text: str) -> set[int]:
    """The lines (1-based) inside fenced code blocks of Markdown (fences included)."""
    code, fence = set(), None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            code.add(number)
        elif fence is not None:
            code.add(number)
            if stripped.startswith(fence):
                fence = None
    return code


def blank(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) range replaced by spaces, line breaks kept."""
    if not ranges:
        return text
    out, pos = [], 0
    for start, end in sorted(ranges):
        start = max(start, pos)
        if end <= start:
            continue
        out.append(text[pos:start])
        out.append(re.sub(r"[^\n]", " ", text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


class LineIndex:
    """Offsets of a text turned into (line, column), 1-based, by bisection."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.size = len(text)

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line of ``offset`` (or the text's end)."""
        line = bisect.bisect_right(self.starts, offset)
        return self.starts[line] - 1 if line < len(self.starts) else self.size

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1
