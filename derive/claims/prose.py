"""Claims stated in words: numbers (``the total error as 0.22661423``, ``out (o1) is
0.6888201``, ``The final value of w1 will be 0.249921``), updates (``we subtract w1 with the
change in total error with respect to w1 at a specific learning rate of 0.5``) and chains
(``E(total) depends on out(o1) which depends on net-input on o1 … Applying the chain rule``).

A number is a claim only when it follows a linking word (is, was, as, to, of, equals, be)
in a clause (between commas, semicolons, ``and``) that mentions a quantity of the spec: a
name with an index (w1, o1), an author spelling, the cost (``total error``, ``the loss``),
the learning rate, or ``it`` for the quantity mentioned last. The subject is the nearest
mention followed by is/was/will be (``H(h1) is the final output of node h1 which is equal
to 0.623633`` is about H(h1)), else the nearest mention. Words such as new, now, final value,
decreased to make it the value after the update step. Any other number in prose (a year, a
count, ``less than 0.1``) states nothing and is left alone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from derive.claims.scan import Paragraph
    from derive.claims.spellings import Spellings

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.]\w)|(?<![\w.])\.\d+")
_CLAUSE = re.compile(r"[,;:]|(?<=\w)[.!?](?=\s|$)|\s(?:and|but|while|whereas|so|then)\s")
_LINK = re.compile(r"(?:\bis|\bwas|\bare|\bwere|\bbe|\bequals?|=|\bas|\bto|\bof|\bbecomes?|"
                   r"\bgives?|\bis\s+about|\bis\s+approximately)\s*\Z", re.IGNORECASE)
_COPULA = re.compile(r"\s*(?:is|was|will\s+be|would\s+be|can\s+be|=|equals|becomes|comes\s+out)\b",
                     re.IGNORECASE)
_AFTER = re.compile(r"\b(?:new|now|updated|final\s+value|after\s+(?:the\s+|one\s+)?(?:update|step)|"
                    r"decreased\s+to|increased\s+to|changed\s+to)\b", re.IGNORECASE)
_COST = r"(?:the\s+)?(?:total\s+)?(?:squared\s+)?(?:error|loss|cost)(?!\s+(?:signal|function|gradient))"
_RATE = r"learning[\s_-]+rate"
_NET = r"net[\s-]*input(?:\s+(?:on|of|in|to|for)\s+(?:the\s+)?(?:node\s+)?(?P<net>[A-Za-z]\w*))?"
_DEPENDS = re.compile(r"\s*(?:which\s+)?(?:also\s+)?depends?\s+(?:directly\s+)?on\s+(?:the\s+value\s+of\s+)?\Z",
                      re.IGNORECASE)
_UPDATE = re.compile(r"\b(?P<verb>add|subtract|increase|decrease)\b", re.IGNORECASE)
_DERIVATIVE = re.compile(r"(?:partial\s+differential|partial\s+derivative|derivative|change|gradient|differential)"
                         r"\s+(?:of|in)\s+" + _COST + r"\s+(?:by|with\s+respect\s+to|w\.r\.t\.?|wrt)\s+"
                         r"(?:the\s+)?(?:weight\s+)?(?P<p>[A-Za-z]\w*)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|\Z)")
_RATE_VALUE = re.compile(_RATE + r"\s+(?:of\s+)?(?P<n>\d+(?:\.\d+)?|\.\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Said:
    """A claim stated in words: where, the claim in the checker's syntax, the words."""

    line: int
    column: int
    claim: str
    words: str


@dataclass(frozen=True)
class Mention:
    """A quantity named in prose: where, and the spelling a claim uses for it."""

    start: int
    end: int
    name: str        # the spelling a claim uses ("out(o1)", "w1", "E", "learning_rate", "it")


class Prose:
    """Reads the prose of one document against one network's spellings."""

    def __init__(self, spellings: "Spellings"):
        self.spellings = spellings
        self.cost = spellings.network.cost
        self.mentions = re.compile(
            r"(?<![\w.])(?:(?P<net_input>" + _NET + r")|(?P<cost>" + _COST + r")|(?P<rate>" + _RATE
            + r")|(?P<it>\bit\b)|(?P<name>(?>[A-Za-z][A-Za-z0-9_]*)(?:\s*\(\s*(?>[A-Za-z][A-Za-z0-9]*)\s*\))?))"
            r"(?![\w(])", re.IGNORECASE)

    def mentions_in(self, text: str) -> list[Mention]:
        """The quantities ``text`` names, in order."""
        out, last_net = [], None
        for m in self.mentions.finditer(text):
            if m.group("cost"):
                name = self.cost
            elif m.group("rate"):
                name = "learning_rate"
            elif m.group("it"):
                if m.group() != "it" and m.group() != "It":
                    continue
                name = "it"
            elif m.group("net_input"):
                arg = m.group("net")
                name = self.net_of(arg) if arg else last_net
                if name is None:
                    continue
                last_net = name
            else:
                name, end = self._name(m.group("name"))
                if name is None:
                    continue
                out.append(Mention(m.start(), m.start() + end, name))
                continue
            out.append(Mention(m.start(), m.end(), name))
        return out

    def _name(self, word: str) -> tuple[str | None, int]:
        """The spelling a mention stands for (an alias, or a name with an index or an
        underscore: ``w1``, ``net_h1``; a single letter or a plain word is no mention), and
        how much of the match it takes."""
        spelled = re.sub(r"\s+", "", word)
        if spelled in self.spellings.aliases:
            return spelled, len(word)
        bare = re.match(r"[A-Za-z][A-Za-z0-9_]*", word).group()
        if bare in self.spellings.aliases or (
                bare in self.spellings.known and re.fullmatch(r"[A-Za-z]+\d+\w*|[A-Za-z]+_\w+", bare)):
            return bare, len(bare)
        return None, 0

    def net_of(self, arg: str) -> str | None:
        """The spelling of the net input of the author's node ``arg``, if it has one reading."""
        return self.call_of("net", arg)

    def call_of(self, f: str, arg: str) -> str | None:
        """The spelling of ``f(arg)`` (``net``/``out`` of a node): the author's ``f(arg)``
        where it is an alias, else the one spec name it can mean; None if not one."""
        spelled = f"{f}({arg})"
        if spelled in self.spellings.aliases:
            return spelled
        found = self.spellings.readings(f, arg)
        return found[0] if len(found) == 1 else None

    def claims(self, paragraph: "Paragraph") -> list[Said]:
        """The claims a paragraph states in words, in order."""
        text = paragraph.text
        mentions = self.mentions_in(text)
        clauses = [0] + [m.end() for m in _CLAUSE.finditer(text)] + [len(text) + 1]
        out = self._numbers(paragraph, mentions, clauses) + self._updates(paragraph, mentions)
        out += self._chains(paragraph, mentions)
        return sorted(out, key=lambda s: (s.line, s.column))

    def _numbers(self, paragraph, mentions, clauses) -> list[Said]:
        text, out, prev_end = paragraph.text, [], -1
        starts = [x.start for x in mentions]
        for m in _NUMBER.finditer(text):
            start = clauses[bisect.bisect_right(clauses, m.start()) - 1]
            start = max(start, prev_end)  # after the clause's previous number
            prev_end = m.end()
            k = bisect.bisect_left(starts, m.start())  # mentions before the number
            before = [x for x in mentions[max(0, k - 8):k] if x.start >= start and x.end <= m.start()]
            if not before or not _LINK.search(text, before[-1].end, m.start()):
                continue
            subject = next((x for x in reversed(before) if _COPULA.match(text, x.end)), before[-1])
            name = subject.name
            if name == "it":
                j = bisect.bisect_left(starts, subject.start)
                name = next((x.name for x in reversed(mentions[max(0, j - 50):j]) if x.name != "it"),
                            None)
                if name is None:
                    continue
            if _AFTER.search(text, start, m.start()) and name != "learning_rate":
                lhs = f"{name}+" if name in self.spellings.network.parameters else f"new {name}"
            else:
                lhs = name
            line, column = paragraph.where(subject.start)
            out.append(Said(line, column, f"{lhs} = {m.group()}", text[start:m.end()].strip()))
        return out

    def _updates(self, paragraph, mentions) -> list[Said]:
        """``we subtract w1 with the change in total error with respect to w1 at a learning
        rate of 0.5``: an update rule, its sign from the verb."""
        text, out = paragraph.text, []
        cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
        for a, b in zip(cuts, cuts[1:]):
            body = text[a:b]
            verb, deriv, rate = _UPDATE.search(body), _DERIVATIVE.search(body), _RATE_VALUE.search(body)
            if not (verb and deriv and rate):
                continue
            p = deriv.group("p")
            if p not in self.spellings.network.parameters:
                continue
            sign = "+" if verb.group("verb").lower() in ("add", "increase") else "-"
            line, column = paragraph.where(a + verb.start())
            claim = f"{p}+ = {p} {sign} {rate.group('n')} * d{self.cost}/d{p}"
            out.append(Said(line, column, claim, body.strip()))
        return out

    def _chains(self, paragraph, mentions) -> list[Said]:
        """``A depends on B which depends on C … the chain rule``: dA/dD as the product."""
        text = paragraph.text
        links = [(a, b) for a, b in zip(mentions, mentions[1:])
                 if _DEPENDS.match(text, a.end, b.start) and a.name != b.name]
        out = []
        depended_on = {b.name for _, b in links}
        heads = [a for a, _ in links if a.name not in depended_on]
        # what each name depends on, each once, in the order the text says it (linear in the
        # links however often a text repeats them)
        successors: dict[str, dict[str, None]] = {}
        for a, b in links:
            successors.setdefault(a.name, {})[b.name] = None
        for head in heads[:1]:
            chain, seen = [head.name], {head.name}
            while (nxt := next((b for b in successors.get(chain[-1], ())
                                if b not in seen), None)) is not None:
                chain.append(nxt)
                seen.add(nxt)
            after = max(b.end for a, b in links if a.name in seen)
            if len(chain) < 3 or not re.search(r"chain\s+rule", text[after:], re.IGNORECASE):
                continue
            product = " * ".join(f"d{a}/d{b}" for a, b in zip(chain, chain[1:]))
            line, column = paragraph.where(head.start)
            out.append(Said(line, column, f"d{chain[0]}/d{chain[-1]} = {product}",
                            text[head.start:after].strip()))
        return out

