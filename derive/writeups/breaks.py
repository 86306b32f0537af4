"""Long display equations broken over lines, so that they stay on the page.

A write-up's displays are ``align*`` rows (``lhs &= step``, one step per line). A step wider
than the page is broken where a reader would break it: between the terms of a sum first,
then between the factors of a product, and when one factor is still too wide, inside its
brackets (``\\left( … \\right)`` becomes ``\\bigl( …`` on one line and ``… \\bigr)`` on a
later one, which TeX allows across lines) or its fraction (``a \\big/ \\bigl( … \\bigr)``).
Continuation lines start at the alignment point, indented by ``\\qquad``.

Widths are estimated from the LaTeX source (character widths of Computer Modern at 11 pt);
the estimate errs on the wide side, and the page budget keeps a margin for it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

#: Width (pt) a display line may take: the text width of the write-up (letter paper, 2 cm
#: margins: 500 pt) less a margin for the estimate's error.
LINE_WIDTH = 440.0
#: The indent of a continuation line (``\qquad`` at 11 pt).
CONTINUATION = r"\qquad"
_CONTINUATION_WIDTH = 22.0

# --------------------------------------------------------------------------- parsing


@dataclass
class _Node:
    """A piece of LaTeX math: a character, a command, a ``{group}`` or a ``\\left…\\right``
    pair; ``start``/``end`` are its place in the source."""

    kind: str                  # char | word | symbol | group | delim
    text: str
    start: int
    end: int = 0
    children: list["_Node"] = field(default_factory=list)
    close: str = ""            # a delim's closing delimiter


_TOKEN = re.compile(r"\\(left|right)(?![A-Za-z])\s*(\\[A-Za-z]+|\\.|.)"
                    r"|\\([A-Za-z]+)|\\(.)|(\s+)|(.)", re.S)


def parse(src: str) -> list[_Node]:
    """The top-level nodes of ``src`` (without recursion, so depth is no limit).

    Raises:
        ValueError: unbalanced braces or delimiters (the text is then left as it is).
    """
    root = _Node("group", "", 0)
    stack = [root]
    for m in _TOKEN.finditer(src):
        side, delimiter, word, symbol, space, char = m.groups()
        top = stack[-1]
        if side == "left" or char == "{":
            node = _Node("delim" if side else "group", delimiter or "{", m.start())
            top.children.append(node)
            stack.append(node)
        elif side == "right" or char == "}":
            if len(stack) == 1 or top.kind != ("delim" if side else "group"):
                raise ValueError("unbalanced")
            top.end, top.close = m.end(), delimiter or "}"
            stack.pop()
        elif space is None:
            kind = "word" if word else "symbol" if symbol is not None else "char"
            top.children.append(_Node(kind, word or symbol or char, m.start(), m.end()))
    if len(stack) > 1:
        raise ValueError("unbalanced")
    return root.children


# --------------------------------------------------------------------------- widths (pt)

_WORDS = {"cdot": 7.9, "times": 13.4, "leftarrow": 17.2, "rightarrow": 17.2, "to": 17.2,
          "quad": 11.0, "qquad": 22.0, "partial": 6.3, "delta": 5.4, "sigma": 6.6, "eta": 5.8,
          "theta": 5.6, "approx": 14.7, "prime": 3.0, "ell": 4.8, "log": 16.0, "ln": 12.0,
          "exp": 18.0, "tanh": 23.0, "sin": 15.0, "cos": 16.0}
_TRANSPARENT = {"mathrm", "mathit", "mathbf", "mathsf", "mathtt", "mathcal", "mathbb",
                "boldsymbol", "operatorname", "text", "textrm", "hat", "bar", "tilde", "vec",
                "dot", "ddot", "overline", "left", "right", "bigl", "bigr", "Bigl", "Bigr",
                "displaystyle"}
_SYMBOLS = {",": 1.9, ";": 3.1, ":": 2.5, "!": -1.9, " ": 3.7}
_CHARS = {".": 3.1, ",": 4.5, "+": 13.4, "-": 13.4, "=": 14.7, "<": 14.7, ">": 14.7,
          "(": 4.3, ")": 4.3, "[": 3.1, "]": 3.1, "'": 3.0, "/": 5.5, "|": 3.1,
          "m": 9.6, "w": 7.9, "M": 11.7, "W": 11.5}
_SCRIPT = 0.76   # \scriptstyle at 11 pt: 8 pt


def _char_width(c: str) -> float:
    if c in _CHARS:
        return _CHARS[c]
    if c.isdigit():
        return 5.5
    if c.isupper():
        return 9.0
    return 6.2


def width(nodes: list[_Node]) -> float:
    """The estimated width in points of nodes set in display math."""
    total, i, last_script = 0.0, 0, None
    while i < len(nodes):
        node = nodes[i]
        if node.kind == "char" and node.text in "^_" and i + 1 < len(nodes):
            w = _SCRIPT * width([nodes[i + 1]]) + 0.6
            # a sub- and a superscript on one atom stand over each other
            total += max(0.0, w - last_script) if last_script is not None else w
            last_script, i = (w if last_script is None else None), i + 2
            continue
        last_script = None
        if node.kind == "word" and node.text in ("frac", "dfrac", "tfrac") and i + 2 < len(nodes):
            total += max(width([nodes[i + 1]]), width([nodes[i + 2]])) + 2.4
            i += 3
            continue
        total += _node_width(node)
        i += 1
    return total


def _node_width(node: _Node) -> float:
    if node.kind == "group":
        return width(node.children)
    if node.kind == "delim":
        tall = any(n.kind == "word" and n.text == "frac" for n in _walk(node.children))
        return width(node.children) + (13.0 if tall else 8.6)
    if node.kind == "word":
        return 0.0 if node.text in _TRANSPARENT else _WORDS.get(node.text, 6.6)
    if node.kind == "symbol":
        return _SYMBOLS.get(node.text, 5.5)
    return _char_width(node.text)


def _walk(nodes: list[_Node]):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def _char_bound(c: str) -> float:
    """At least what one source character (outside commands) can add to :func:`width`."""
    return 14.7 if c in "+-=<>" else 11.7 if c.isupper() else 9.6 if c.isalpha() else 5.5


_CHAR_BOUND = {chr(i): _char_bound(chr(i)) for i in range(128)}
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.S)


def _command_bound(name: str) -> float:
    if name in ("left", "right"):
        return 13.0
    if name in ("frac", "dfrac", "tfrac"):
        return 2.4        # its arguments' characters count in full (their sum ≥ their max)
    if name in _TRANSPARENT:
        return 0.0
    return _WORDS.get(name, 6.6) if len(name) > 1 or name.isalpha() else _SYMBOLS.get(name, 5.5)


def _quick_bound(src: str) -> float:
    """An upper bound of ``width(parse(src))`` without parsing (most steps are short)."""
    rest = _COMMAND.sub("", src)
    return (sum(_CHAR_BOUND.get(c, 14.7) for c in rest)
            + sum(_command_bound(name) for name in _COMMAND.findall(src)))


@functools.lru_cache(maxsize=4096)
def text_width(src: str) -> float:
    """The estimated width of LaTeX math ``src`` in points."""
    try:
        return width(parse(src))
    except (ValueError, RecursionError):
        return 6.0 * len(src)


# --------------------------------------------------------------------------- breaking

def _is_operator(node: _Node) -> bool:
    return node.kind == "char" and node.text in "+-"


def _terms(nodes: list[_Node]) -> list[list[_Node]]:
    """The terms of a sum: split before each binary + or − (a leading sign stays)."""
    terms: list[list[_Node]] = [[]]
    for i, node in enumerate(nodes):
        binary = _is_operator(node) and terms[-1] and not _is_operator(nodes[i - 1]) \
            and not (nodes[i - 1].kind == "char" and nodes[i - 1].text in "^_")
        if binary:
            terms.append([])
        terms[-1].append(node)
    return [t for t in terms if t]


def _factors(nodes: list[_Node], src: str) -> list[list[_Node]]:
    """The factors of a product: split before ``\\cdot`` and at spaces between atoms."""
    factors: list[list[_Node]] = [[]]
    for i, node in enumerate(nodes):
        if i and factors[-1] and (_is_cdot(node) or _space_between(nodes[i - 1], node, src)):
            factors.append([])
        factors[-1].append(node)
    return [f for f in factors if f]


def _is_cdot(node: _Node) -> bool:
    return node.kind == "word" and node.text == "cdot"


def _space_between(before: _Node, after: _Node, src: str) -> bool:
    """Whether two nodes are separate factors: a space between them, the first ends an atom
    and the second starts one (``H_{1} x_{1}``, ``x \\left(…\\right)``)."""
    if not src[before.end:after.start].isspace() or before.end == after.start:
        return False
    ends = before.kind in ("group", "delim") or (before.kind == "char" and before.text.isalnum())
    starts = after.kind == "delim" or (after.kind == "char" and after.text.isalnum()) or (
        after.kind == "word" and after.text not in ("cdot", "times"))
    return ends and starts


class _Lines:
    """Lines being filled, the first with one budget, the others with another."""

    def __init__(self, src: str, first: float, rest: float):
        self.src = src
        self.budgets = (first, rest)
        self.lines: list[list[str]] = [[]]
        self.used = 0.0

    @property
    def room(self) -> float:
        return self.budgets[len(self.lines) > 1] - self.used

    def add(self, text: str, w: float) -> None:
        self.lines[-1].append(text)
        self.used += w

    def newline(self) -> None:
        if self.lines[-1]:
            self.lines.append([])
            self.used = 0.0

    def text(self, nodes: list[_Node]) -> str:
        return self.src[nodes[0].start:nodes[-1].end].strip()

    def place(self, pieces: list[list[_Node]], then, alone: bool = False) -> None:
        """Each piece on the current line if it fits, else on a new one; a piece too wide
        for a line of its own goes to ``then`` (on lines of its own if ``alone``)."""
        for piece in pieces:
            w = width(piece)
            if w > self.room and w <= self.budgets[1]:
                self.newline()
            if w <= self.room:
                self.add(self.text(piece), w)
                continue
            if alone:
                self.newline()
            then(piece)
            if alone:
                self.newline()

    def sum(self, nodes: list[_Node]) -> None:
        self.place(_terms(nodes), self.product, alone=True)

    def product(self, nodes: list[_Node]) -> None:
        self.place(_factors(nodes, self.src), self.factor)

    def factor(self, nodes: list[_Node]) -> None:
        """One factor too wide for a line: break inside its widest bracket or fraction."""
        at = max(range(len(nodes)), key=lambda i: _breakable_width(nodes, i), default=None)
        if at is None or _breakable_width(nodes, at) == 0:
            self.add(self.text(nodes), width(nodes))   # nothing to break: it stays wide
            return
        node = nodes[at]
        size = "Big" if any(n.kind == "word" and n.text == "frac"
                            for n in _walk(node.children if node.kind == "delim"
                                           else nodes[at + 2].children)) else "big"
        if node.kind == "delim":
            before, inner, after = nodes[:at], node.children, nodes[at + 1:]
            opening = rf"\{size}l{node.text}"
            closing = rf"\{size}r{node.close}"
        else:   # \frac{a}{b} → a \big/ \bigl( b \bigr)
            before, inner, after = nodes[:at], nodes[at + 2].children, nodes[at + 3:]
            numerator = self.src[nodes[at + 1].start + 1:nodes[at + 1].end - 1].strip()
            if len(_terms(nodes[at + 1].children)) > 1:
                numerator = rf"\left({numerator}\right)"
            opening = rf"{numerator} \{size}/ \{size}l("
            closing = rf"\{size}r)"
        head = (self.text(before) + " " if before else "") + opening
        head_width = width(before) + 10.0 + (width(nodes[at + 1].children)
                                             if node.kind != "delim" else 0.0)
        first = _terms(inner)[0] if inner else []
        if head_width + width(first) > self.room:
            self.newline()    # the bracket opens where its first term fits after it
        self.add(head, head_width)
        if inner:
            self.sum(inner)
        self.add(closing + (" " + self.text(after) if after else ""), width(after) + 5.0)


def _breakable_width(nodes: list[_Node], i: int) -> float:
    node = nodes[i]
    if node.kind == "delim" and node.children:
        return width(node.children)
    if (node.kind == "word" and node.text in ("frac", "dfrac", "tfrac") and i + 2 < len(nodes)
            and nodes[i + 2].kind == "group"):
        return width(nodes[i + 2].children)
    return 0.0


def break_step(src: str, first: float, rest: float) -> list[str]:
    """``src`` (a display's right side) as lines: the first at most ``first`` points wide,
    the others at most ``rest`` (where the math allows)."""
    if _quick_bound(src) <= first:
        return [src]
    try:
        nodes = parse(src)
        if not nodes or width(nodes) <= first:
            return [src]
        lines = _Lines(src, first, rest)
        lines.sum(nodes)
    except (ValueError, RecursionError):   # unbalanced, or nested past Python's stack
        return [src]
    return [" ".join(line) for line in lines.lines if line]


def aligned_cells(rows: list[tuple[str, list[tuple[str, str]]]]) -> list[tuple[str | None, str]]:
    """The rows of a display as lines, each a left side (None on the lines after a row's
    first) and the rest from the alignment point (``= a``; a step too wide for the page
    broken over continuation lines, ``\\qquad + c``)."""
    left = max((text_width(lhs) for lhs, _ in rows), default=0.0)
    lines: list[tuple[str | None, str]] = []
    for lhs, steps in rows:
        for k, (relation, step) in enumerate(steps):
            first = LINE_WIDTH - left - text_width(relation)
            rest = LINE_WIDTH - left - _CONTINUATION_WIDTH
            pieces = break_step(step, first, rest)
            lines.append((lhs if k == 0 else None, f"{relation} {pieces[0]}"))
            lines.extend((None, f"{CONTINUATION} {piece}") for piece in pieces[1:])
    return lines


def aligned_lines(rows: list[tuple[str, list[tuple[str, str]]]]) -> list[str]:
    """The rows of an ``align*`` display as lines (``lhs &= a``, ``&= b`` …), a step too
    wide for the page broken over continuation lines (``&\\qquad + c``)."""
    return [f"{lhs} &{rest}" if lhs is not None else f"&{rest}"
            for lhs, rest in aligned_cells(rows)]
