"""Statements in lines of text: code (``dW = dA * X``, ``Z = np.dot(X, weights) + bias``)
and equations written in prose (``the value of y1 = 0.05 and ...``), found as runs of
operands joined by operators that hold an ``=``.

A line is cut into tokens by one regex, brackets are matched with a stack, and a run is
grown left to right, one token at a time: operand, operator, operand … Prose words end a run
(``value of y1 = 0.05 and`` gives ``y1 = 0.05``); a bracket attached to a name is a call and is
not looked into (``Dense(64, input_dim=784)`` states nothing), other brackets are (``(where
y = 0.5)``). A line starting with ``=`` continues the statement the line before ended with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from derive.claims.scan_formats import BREAK

#: Longest statement read (characters; read_claim reads 10,000).
MAX_STATEMENT = 10_000

_TOKEN = re.compile(r"""
  (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)
| (?P<name>[A-Za-z\u0370-\u03ff∂][A-Za-z0-9_\u0370-\u03ff∂'′]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
| (?P<tex>\\[A-Za-z]+|\\[^A-Za-z\n])
| (?P<aug>[-+*/]=(?!=))
| (?P<cmp>==|<=|>=|!=|=>|≤|≥|≠|≈|<|>|:=)
| (?P<eq>=)
| (?P<op>\*\*|[-+*/^_·×⋅–−])
| (?P<open>[(\[{])
| (?P<close>[)\]}])
| (?P<space>[ \t]+)
| (?P<other>.)
""", re.VERBOSE)

_UNARY = set("-+–−")
#: operator commands of LaTeX written outside math (bare LaTeX in a post)
_TEX_OPS = {"\\cdot", "\\times", "\\ast", "\\div", "\\pm"}
#: words that glue onto a code line when a post loses its line breaks (``dBprint(...)``)
_GLUED = ("print", "return", "import", "plt")
#: a prose word: letters only, three or more (juxtaposed with another operand it ends a run)
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class Statement:
    """A piece of a document that states an equality, where it is (1-based line, column)."""

    line: int
    column: int
    text: str
    origin: str          # "math" (a math span) | "line" (code or an equation in prose)


@dataclass(frozen=True)
class Skip:
    """Something that looks like a statement but is not read, and why."""

    line: int
    column: int
    text: str
    reason: str


class _Tok(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def tokens(line: str, assigned: set[str]) -> list[_Tok]:
    """The tokens of a line, spaces dropped; a name glued to a code keyword after a lost line
    break (an assigned name followed by ``print``) is cut in two with a break between."""
    out = []
    for m in _TOKEN.finditer(line):
        kind, text = m.lastgroup, m.group()
        if kind == "space":
            continue
        if kind == "other" and text == BREAK:
            kind = "break"
        if kind == "tex" and text in _TEX_OPS:
            kind = "op"
        if kind == "name" and assigned and text.endswith(_GLUED):
            glued = next((w for w in _GLUED if text.endswith(w) and text[:-len(w)] in assigned), None)
            if glued:
                cut = m.end() - len(glued)
                out += [_Tok("name", text[:-len(glued)], m.start(), cut), _Tok("break", "", cut, cut),
                        _Tok("name", glued, cut, m.end())]
                continue
        out.append(_Tok(kind, text, m.start(), m.end()))
    return out


def _matches(toks: list[_Tok]) -> dict[int, int]:
    """Index of the closing bracket of every opening one that is closed on the line."""
    pairs, stack = {}, []
    for i, t in enumerate(toks):
        if t.kind == "open":
            stack.append(i)
        elif t.kind == "close" and stack:
            j = stack.pop()
            if "([{".index(toks[j].text) == ")]}".index(t.text):
                pairs[j] = i
            else:
                stack.clear()  # crossed brackets: nothing before them is matched
    return pairs


def _is_operand_start(t: _Tok) -> bool:
    return t.kind in ("name", "num", "tex", "open") or (t.kind == "op" and t.text in _UNARY)


def _joins(prev: _Tok, nxt: _Tok, latex: bool) -> bool:
    """Whether ``nxt`` continues the operand ``prev`` ends without an operator between:
    a call or a product with a bracket, or LaTeX's juxtaposition (``\\frac{..}{..}\\frac``)."""
    if nxt.kind == "open":
        if nxt.text == "{":
            return latex
        return prev.kind in ("name", "tex", "close", "num") and not (
            prev.kind == "name" and _WORD.fullmatch(prev.text) and nxt.start > prev.end
            and not latex)
    if not latex or nxt.kind not in ("name", "num", "tex"):
        return False
    return not (_WORD.fullmatch(nxt.text) or (prev.kind == "name" and _WORD.fullmatch(prev.text)))


def _run(toks: list[_Tok], i: int, hi: int, pairs: dict[int, int], latex: bool,
         after_operand: bool = False) -> tuple[int, int, bool]:
    """Grow a run from token ``i``: (index past its last operand, index where it stopped,
    whether an equality stands between two of its operands at its own level)."""
    last_end, has_eq, pending, expect = i, False, False, not after_operand
    k = i
    while k < hi:
        t = toks[k]
        if expect and t.kind == "op" and t.text in _UNARY:
            k += 1
            continue
        joined = not expect and _joins(toks[k - 1], t, latex)
        if expect or joined:
            if t.kind == "open":
                if k not in pairs or pairs[k] >= hi:
                    break
                k = pairs[k] + 1
            elif t.kind in ("name", "num", "tex"):
                k += 1
            else:
                break
            expect, last_end, has_eq = False, k, has_eq or pending
            continue
        if t.kind in ("op", "eq", "aug"):
            pending = pending or t.kind in ("eq", "aug")
            expect = True
            k += 1
            continue
        break
    return last_end, max(k, i + 1), has_eq


def _statements_in(toks: list[_Tok], pairs: dict[int, int], continues: bool) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """Token ranges of the statements of a line (brackets not attached to a name looked
    into), and the range continuing the previous line's statement if the line starts with ``=``."""
    latex = any(t.kind == "tex" for t in toks)
    found, todo, first = [], [(0, len(toks))], None
    if continues and toks and toks[0].kind == "eq":
        end, _, _ = _run(toks, 0, len(toks), pairs, latex, after_operand=True)
        if end > 1:
            first = (0, end)
            todo = [(end, len(toks))]
    while todo:
        lo, hi = todo.pop()
        k = lo
        while k < hi:  # brackets of this level not attached to a name: looked into
            t = toks[k]
            if t.kind == "open" and k in pairs and pairs[k] < hi:
                attached = k > lo and toks[k - 1].kind in ("name", "tex") and toks[k - 1].end == t.start
                if t.text != "{" and not attached:
                    todo.append((k + 1, pairs[k]))
                k = pairs[k] + 1
            else:
                k += 1
        k = lo
        while k < hi:
            if not _is_operand_start(toks[k]):
                k += 1
                continue
            end, stop, has_eq = _run(toks, k, hi, pairs, latex)
            if has_eq:
                found.append((k, end))
            k = stop
    found.sort()
    return found, first


def line_statements(lines: list[str], skipped: list[Skip]) -> tuple[list[Statement], dict[int, list[tuple[int, int]]]]:
    """Every statement of the lines (math spans already blanked), and per line number the
    column ranges (0-based, end exclusive) the statements take.

    Args:
        lines: the document's lines.
        skipped: receives statements too long to read.
    """
    out: list[Statement] = []
    ranges: dict[int, list[tuple[int, int]]] = {}
    assigned: set[str] = set()
    open_end = False  # the previous line ended with a statement
    for number, line in enumerate(lines, start=1):
        toks = tokens(line, assigned)
        pairs = _matches(toks)
        found, first = _statements_in(toks, pairs, open_end and bool(out))
        open_end = False
        if first is not None:
            a, b = first
            prev = out.pop()
            text = prev.text + " " + line[toks[a].start:toks[b - 1].end]
            out.append(Statement(prev.line, prev.column, text, prev.origin))
            ranges.setdefault(number, []).append((toks[a].start, toks[b - 1].end))
            open_end = b == len(toks)
        for a, b in found:
            start, end = toks[a].start, toks[b - 1].end
            text = line[start:end]
            ranges.setdefault(number, []).append((start, end))
            if len(text) > MAX_STATEMENT:
                skipped.append(Skip(number, start + 1, text[:80] + "…",
                                    f"a statement of {len(text):,} characters, longer than the "
                                    f"{MAX_STATEMENT:,} read"))
                continue
            out.append(Statement(number, start + 1, text, "line"))
            lhs = next((toks[j] for j in range(a, b) if toks[j].kind in ("eq", "aug")), None)
            if lhs is not None and toks[a].kind == "name":
                assigned.add(toks[a].text)
            open_end = b == len(toks)
    return out, ranges
