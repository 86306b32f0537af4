"""Chains and sums of partials stated in words, in one sentence or over several paragraphs.

A post says ``dE/dw1 = dE/dH1 · dH1/dh1 · dh1/dw1`` in words in two ways:

- in one sentence: ``the partial derivative of E_total with respect to w1 is the product of
  the derivative of E_total with respect to out_h1, the derivative of out_h1 with respect to
  net_h1 and the derivative of net_h1 with respect to w1`` (``is the sum of A times B and C
  times D`` for a sum of products);
- as a narrative: a derivative is named (``the partial derivative of the total error with
  respect to w1``), the chain rule invoked, and the factors worked out one by one after it
  (``the change in total error with respect to out(h1)``, ``differential of out(h1) w.r.t
  net-input of h1``, ``Differentiating it w.r.t w1``). When the derivatives named after it
  link its top to its bottom, that chain is the claim, on the line where it was named. A
  derivative of the cost that the post splits per output (``break E(total) into E(o1) and
  E(o2)``), each part named with respect to the same bottom, is the sum over the parts of the
  chains through the node the words give (``E(o1) does not directly depend on out(h1). The
  net-input of o1 depends on the output of h1``; the other parts by the same words).

Only spellings the prose reader found (:class:`derive.claims.prose.Prose`) reach a claim;
a sentence that says ``is the product of`` / ``is the sum of`` but whose derivatives cannot
be read is reported as unread, with the reason.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from derive.claims.prose import Said

if TYPE_CHECKING:
    from derive.claims.prose import Mention, Prose
    from derive.claims.scan import Paragraph

_SENTENCE = re.compile(r"(?<!w\.r\.t)(?<!\be\.g)(?<!\bi\.e)[.!?](?=\s|\Z)", re.IGNORECASE)
_KEY = re.compile(r"\b(?:(?:(?:partial\s+)?(?:derivative|differential|gradient)|(?:rate\s+of\s+)?change)"
                  r"\s+(?:of|in)|calculat(?:e|es|ed|ing))\s+(?:the\s+)?(?:value\s+of\s+)?", re.IGNORECASE)
_DIFFERENTIATE = re.compile(r"\bdifferentiat(?:e|es|ed|ing)\s+(?:(?P<it>it|this|that)\b\s*)?", re.IGNORECASE)
_WRT = re.compile(r"\s*(?:,?\s*(?:which|that)\s+is\s+[^,;.]{1,40}?)?\s*,?\s*"
                  r"(?:with\s+respect\s+to|w\.r\.t\.?|wrt|by)\s+(?:(?:the\s+)?change\s+in\s+)?"
                  r"(?:the\s+)?(?:(?:weight|value)\s+(?:of\s+)?)?", re.IGNORECASE)
_OUTPUT = re.compile(r"(?:the\s+)?output\s+(?:(?:of|in|at|from)\s+)?(?:the\s+)?(?:node\s+)?", re.IGNORECASE)
_PART_OF = re.compile(r"\s+(?:in|of|at)\s+(?:the\s+)?(?:node\s+)?", re.IGNORECASE)
_CALL = re.compile(r"(?<![\w.])(?P<f>[A-Za-z]\w{0,20})\s*\(\s*(?P<arg>[A-Za-z]\w{0,20})\s*\)")
_LIST = re.compile(r"\s*,?\s*(?:is|equals|is\s+equal\s+to|=)\s+(?:the\s+)?(?P<kind>product|sum)\s+of\s+",
                   re.IGNORECASE)
_JOINT = re.compile(r"\s*(?:(?P<times>\s(?:times|multiplied\s+by))|(?P<plus>,\s*(?:and\s+|plus\s+)?|\s(?:and|plus)))"
                    r"\s+(?:the\s+)?", re.IGNORECASE)
_THE = re.compile(r"\s*(?:the\s+)?", re.IGNORECASE)
_END = re.compile(r"[\s.;:!?)]*\Z")
_CHAIN_RULE = re.compile(r"\bchain\s+rule\b", re.IGNORECASE)
_SPLIT = re.compile(r"\b(?:break|split|divide|separate|write)\w*\s+(?P<what>.{1,40}?)\s+(?:in)?to\s+"
                    r"(?P<parts>[^.;]{1,120})", re.IGNORECASE)
_NOT_DIRECTLY = re.compile(r"\bdoes\s+not\s+(?:directly\s+)?depend\s+(?:directly\s+)?on\s+", re.IGNORECASE)
_DEPENDS = re.compile(r"\s+(?:also\s+)?depends\s+(?:directly\s+)?on\s+", re.IGNORECASE)

#: derivatives a narrative keeps open at once (the newest), and factors one goal collects
MAX_OPEN, MAX_FACTORS = 24, 200


@dataclass(frozen=True)
class Unread:
    """Words that state a chain or sum of derivatives the reader could not read, and why."""

    line: int
    column: int
    text: str
    reason: str


@dataclass(frozen=True)
class _Partial:
    """``d top / d bottom`` named in words; ``part`` is the author's node of a part of the
    cost (``E(o1)``, ``the error in o1``)."""

    top: str
    bottom: str
    part: str | None
    start: int
    end: int

    def spelled(self) -> str:
        return f"d{self.top}/d{self.bottom}"


@dataclass
class _Goal:
    """A derivative named in the narrative, waiting for its factors."""

    partial: _Partial
    line: int
    column: int
    words: str
    chain_rule: bool = False
    after: list[_Partial] = field(default_factory=list)


@dataclass(frozen=True)
class _Text:
    """One paragraph's text with its mentions (and where they start, for bisection)."""

    text: str
    mentions: list["Mention"]
    starts: list[int]

    def at(self, pos: int) -> "Mention | None":
        """The mention that starts at ``pos`` (one blank after it, or a ``the`` before it)."""
        k = bisect.bisect_right(self.starts, pos + 1) - 1
        m = self.mentions[k] if k >= 0 else None
        return m if m and m.start >= pos - 4 and m.end > pos else None

    def within(self, a: int, b: int) -> list["Mention"]:
        """The mentions that start in ``[a, b)``."""
        return self.mentions[bisect.bisect_left(self.starts, a):bisect.bisect_left(self.starts, b)]


class ProseChains:
    """Reads the chains and sums of partials a document states in words."""

    def __init__(self, prose: "Prose"):
        self.prose = prose
        self.cost = prose.cost
        self.aliases = prose.spellings.aliases
        self.known = prose.spellings.known

    def claims(self, paragraphs: list["Paragraph"]) -> tuple[list[Said], list[Unread]]:
        """The chains a document's prose states, and what it states but cannot be read."""
        said, unread, goals = [], [], []
        parts: list[str] = []                      # the cost split per output, in words
        via: dict[str, str] = {}                   # part → the function word of its node ("net")
        last = None                                # the last quantity mentioned, for "it"
        for paragraph in paragraphs:
            mentions = self.prose.mentions_in(paragraph.text)
            t = _Text(paragraph.text, mentions, [m.start for m in mentions])
            cuts = [0] + [m.end() for m in _SENTENCE.finditer(t.text)] + [len(t.text)]
            for k, (a, b) in enumerate(zip(cuts, cuts[1:])):
                found = self._partials(t, a, b, last)
                last = next((m.name for m in reversed(t.within(a, b))
                             if m.name not in ("it", "learning_rate")), last)
                listed, bad = self._lists(paragraph, t, found, b)
                said += listed
                unread += bad
                parts = self._split(t, a, b) or parts
                if k + 2 < len(cuts):
                    via.update(self._via(t, a, b, cuts[k + 2], parts))
                if listed or bad:
                    continue
                for p in found:
                    for g in goals:
                        if len(g.after) < MAX_FACTORS and self.key(p) != self.key(g.partial):
                            g.after.append(p)
                    if not any(self.key(g.partial) == self.key(p) for g in goals):
                        line, column = paragraph.where(p.start)
                        goals.append(_Goal(p, line, column, t.text[a:b].strip()))
                goals = goals[-MAX_OPEN:]
                if _CHAIN_RULE.search(t.text, a, b):
                    for g in goals:
                        g.chain_rule = True
                for g in list(goals):
                    claim = self._closed(g, parts, via) if g.chain_rule else None
                    if claim:
                        end = paragraph.where(b - 1)[0]
                        said.append(Said(g.line, g.column, claim,
                                         f"{g.words} … (worked out in words to line {end})"))
                        goals.remove(g)
        return said, unread

    # ----------------------------------------------------------------- reading the words

    def _partials(self, t: _Text, a: int, b: int, last: str | None) -> list[_Partial]:
        """The derivatives a sentence names, in order (``it``: the last quantity named)."""
        found = []
        for m in sorted([*_KEY.finditer(t.text, a, b), *_DIFFERENTIATE.finditer(t.text, a, b)],
                        key=lambda m: m.start()):
            if m.re is _DIFFERENTIATE and m.group("it"):
                before = [x.name for x in t.within(a, m.start()) if x.name not in ("it", "learning_rate")]
                name = before[-1] if before else last
                top = (name, None, m.end()) if name else None
            else:
                top = self._quantity(t, m.end(), b)
            p = self._bottom(t, m.start(), top, b) if top and top[0] else None
            if p:
                found.append(p)
        return found

    def _bottom(self, t: _Text, start: int, top: tuple, b: int) -> _Partial | None:
        name, part, end = top
        wrt = _WRT.match(t.text, end, b)
        bottom = self._quantity(t, wrt.end(), b) if wrt else None
        if bottom is None or bottom[0] is None or bottom[1] is not None \
                or self.name(bottom[0]) == self.name(name):
            return None
        return _Partial(name, bottom[0], part, start, bottom[2])

    def _quantity(self, t: _Text, pos: int, b: int) -> tuple[str | None, str | None, int] | None:
        """The quantity named at ``pos``: (spelling, the part of the cost or None, its end)."""
        call = _CALL.match(t.text, pos, b)
        if call and call.group("arg") in self.known and self._is_cost(call.group("f")) \
                and f"{call.group('f')}({call.group('arg')})" not in self.aliases:
            return self.cost, call.group("arg"), call.end()
        output = _OUTPUT.match(t.text, pos, b)
        if output:
            m = t.at(output.end())
            if m and m.name in self.known:
                return self.prose.call_of("out", m.name), None, m.end
        m = t.at(pos)
        if m is None or m.name in ("it", "learning_rate"):
            return None
        if self.name(m.name) == self.cost:
            of = _PART_OF.match(t.text, m.end, b)
            node = t.at(of.end()) if of else None
            if node and node.name in self.known and node.name != self.cost:
                return m.name, node.name, node.end
        return m.name, None, m.end

    def _is_cost(self, f: str) -> bool:
        return f == self.cost or self.aliases.get(f"{f}(total)") == self.cost \
            or self.prose.spellings.readings(f, "total") == [self.cost]

    def _lists(self, paragraph, t: _Text, found, b: int) -> tuple[list[Said], list[Unread]]:
        """``A is the product of B, C and D`` / ``A is the sum of B times C and D times E``."""
        for head in found:
            lst = _LIST.match(t.text, head.end, b)
            if not lst:
                continue
            kind = lst.group("kind").lower()
            line, column = paragraph.where(head.start)
            terms, pos, ok = [[]], lst.end(), False
            while (item := self._partial_at(t, pos, b)) is not None:
                terms[-1].append(item)
                pos = item.end
                if _END.match(t.text, pos, b):
                    ok = True
                    break
                joint = _JOINT.match(t.text, pos, b)
                if not joint:
                    break
                if joint.group("plus") is not None and kind == "sum":
                    terms.append([])
                pos = joint.end()
            words = t.text[head.start:b].strip()
            if not ok or (kind == "sum" and len(terms) < 2) or (kind == "product" and len(terms[0]) < 2):
                return [], [Unread(line, column, words, f"read as a {kind} of derivatives, but not "
                                   "each of its items as 'the derivative of A with respect to B' "
                                   "with A and B quantities of the network")]
            if any(f.part for f in [head, *(f for term in terms for f in term)]):
                return [], [Unread(line, column, words, "a part of the cost (such as E(o1)) is no "
                                   "quantity of the network: give the chain through its nodes")]
            rhs = " + ".join(" * ".join(f.spelled() for f in term) for term in terms)
            return [Said(line, column, f"{head.spelled()} = {rhs}", words)], []
        return [], []

    def _partial_at(self, t: _Text, pos: int, b: int) -> _Partial | None:
        key = _KEY.match(t.text, _THE.match(t.text, pos, b).end(), b)
        top = self._quantity(t, key.end(), b) if key else None
        return self._bottom(t, key.start(), top, b) if top and top[0] else None

    def _split(self, t: _Text, a: int, b: int) -> list[str]:
        """``break E(total) into E(o1) and E(o2)``: the author's nodes of the parts."""
        m = _SPLIT.search(t.text, a, b)
        what = self._quantity(t, m.start("what"), m.end("what")) if m else None
        if not what or not what[0] or self.name(what[0]) != self.cost or what[1] is not None:
            return []
        out = [c.group("arg") for c in _CALL.finditer(t.text, m.start("parts"), m.end("parts"))
               if self._is_cost(c.group("f")) and c.group("arg") in self.known]
        return out if len(out) >= 2 else []

    def _via(self, t: _Text, a: int, b: int, c: int, parts: list[str]) -> dict[str, str]:
        """``E(o1) does not directly depend on out(h1). The net-input of o1 depends on the
        output of h1`` (sentences [a, b) and [b, c)): part o1 reaches out(h1) through
        net(o1), ``{"o1": "net"}``."""
        m = _NOT_DIRECTLY.search(t.text, a, b)
        if not m:
            return {}
        starts = sorted({*(x.start for x in t.within(a, m.start())),
                         *(c.start() for c in _CALL.finditer(t.text, a, m.start()))})
        subjects = [q for x in starts if (q := self._quantity(t, x, b))]
        subject = max(subjects, key=lambda q: q[2], default=None)   # the longest reading ends last
        bottom = self._quantity(t, m.end(), b)
        dep = _DEPENDS.search(t.text, b, c)
        if not subject or subject[1] not in parts or not bottom or not bottom[0] or not dep:
            return {}
        node = next(iter(t.within(b, dep.start())[-1:]), None)
        on = self._quantity(t, dep.end(), c)
        if not node or not on or not on[0] or self.name(on[0]) != self.name(bottom[0]):
            return {}
        for word in ("net", "out"):
            if self.name(self.prose.call_of(word, subject[1]) or "") == self.name(node.name):
                return {subject[1]: word}
        return {}

    # ----------------------------------------------------------------- closing a goal

    def _closed(self, goal: _Goal, parts: list[str], via: dict[str, str]) -> str | None:
        """The claim a goal's factors make, once they link its top to its bottom."""
        g = goal.partial
        if g.part is not None:
            return None
        path = _path(self, g, [p for p in goal.after if p.part is None])
        if path:
            return f"{g.spelled()} = " + " * ".join(p.spelled() for p in path)
        if self.name(g.top) != self.cost or len(parts) < 2:
            return None
        named = {p.part for p in goal.after if p.part and self.name(p.bottom) == self.name(g.bottom)}
        word = next(iter(dict.fromkeys(via[p] for p in parts if p in via)), None)
        nodes = [self.prose.call_of(word, p) for p in parts] if word else [None]
        if not named >= set(parts) or None in nodes:
            return None
        return f"{g.spelled()} = " + " + ".join(f"d{g.top}/d{n} * d{n}/d{g.bottom}" for n in nodes)

    def key(self, p: _Partial) -> tuple:
        """What a derivative named in words is, in the network's names."""
        return self.name(p.top), p.part, self.name(p.bottom)

    def name(self, spelling: str) -> str:
        """The network name a spelling stands for."""
        return self.aliases.get(spelling, spelling)


def _path(chains: ProseChains, goal: _Partial, factors: list[_Partial]) -> list[_Partial] | None:
    """The shortest run of factors from the goal's top to its bottom (the goal itself is
    not among them, so a run has two or more)."""
    top, bottom = chains.name(goal.top), chains.name(goal.bottom)
    edges: dict[str, list[_Partial]] = {}
    for f in factors:
        edges.setdefault(chains.name(f.top), []).append(f)
    came: dict[str, _Partial | None] = {top: None}
    todo = [top]
    for node in todo:
        if node == bottom:
            path = []
            while came[node] is not None:
                path.append(came[node])
                node = chains.name(came[node].top)
            return path[::-1]
        for f in edges.get(node, []):
            nxt = chains.name(f.bottom)
            if nxt not in came:
                came[nxt] = f
                todo.append(nxt)
    return None
