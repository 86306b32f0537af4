"""A whole document checked: its statements found (:mod:`.scan`), the author's spellings
and code read (:mod:`.spellings`), the claims stated in words (:mod:`.prose`; chains and sums
of partials over several sentences, :mod:`.prose_chain`), all of them
checked together by :func:`derive.claims.check.check` (so a wrong number is traced to the
earlier wrong claims it follows from), and reported in document order with their lines.

What was found but cannot be read or judged is *skipped* with the reason (an unknown
symbol, a generic rule such as ``w^l = w^l - η ∂C/∂w^l``, code that is not math): a report
entry, never an error of the whole run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from derive.claims.check import MAX_CLAIMS, check
from derive.claims.claim import UNREADABLE, WRONG, Verdict
from derive.claims.names import Names
from derive.claims.prose import Prose
from derive.claims.prose_chain import ProseChains
from derive.claims.reading import read_claim
from derive.claims.report import render
from derive.claims.scan import format_of, scan
from derive.claims.spellings import Code, Spellings
from derive.errors import ClaimError
from derive.latex_text import md_code, one_line

if TYPE_CHECKING:
    from derive.spec.model import Network

#: Largest document read (bytes): a long lecture note is a few hundred kilobytes.
MAX_DOCUMENT_BYTES = 2 * 2**20


@dataclass(frozen=True)
class Found:
    """A claim found in the document, with its verdict."""

    line: int
    column: int
    text: str            # the claim as checked (author spellings kept where aliases map them)
    source: str          # the document's own words or code
    note: str            # how it was read ("stated in words", "dW is dL/dw1 for each w1" …)
    verdict: Verdict
    quantity: tuple      # what its left side names: ("value"|"after", name) | ("deriv", a, b)


@dataclass(frozen=True)
class Skipped:
    """Something found that was not checked, and why."""

    line: int
    column: int
    text: str
    reason: str


@dataclass
class DocumentCheck:
    """The claims of one document with their verdicts, and what was skipped."""

    claims: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    file: str | None = None

    @property
    def entries(self) -> list[Found | Skipped]:
        """Claims and skipped pieces in document order."""
        return sorted([*self.claims, *self.skipped], key=lambda e: (e.line, e.column))

    @property
    def wrong(self) -> bool:
        return any(c.verdict.verdict == WRONG for c in self.claims)

    def render(self, format: str = "text") -> str:
        """The report: ``text``, ``markdown`` or ``json``."""
        verdicts = [c.verdict for c in self.claims]
        if format == "json":
            return json.dumps({"file": self.file,
                               "claims": [dict(c.verdict.as_dict(), line=c.line, column=c.column,
                                               source=c.source, note=c.note) for c in self.claims],
                               "skipped": [{"line": s.line, "column": s.column, "text": s.text,
                                            "reason": s.reason} for s in self.skipped]},
                              indent=2, ensure_ascii=False)
        head = f"{len(self.claims)} claims found" + (f" in {one_line(self.file)}" if self.file else "")
        body = render(verdicts, format) if verdicts else "no claims found"
        if format == "markdown":
            body = _with_lines(body, [c.line for c in self.claims]) if verdicts else body
            rows = [f"| {s.line} | {md_code(s.text)} | {md_code(s.reason)} |" for s in self.skipped]
            skipped = ["", f"Skipped ({len(self.skipped)}):", "", "| Line | Text | Why |",
                       "|---|---|---|", *rows] if rows else []
            return "\n".join([head + ".", "", body, *skipped])
        skipped = [f"- skipped     line {s.line}: {one_line(s.text)}\n    why:   {one_line(s.reason)}"
                   for s in self.skipped]
        tail = [f"{len(self.skipped)} skipped (found, not checked)"] if skipped else []
        return "\n".join([head, body, *skipped, *tail])


def _with_lines(table: str, lines: list[int]) -> str:
    """The verdicts' Markdown table with a first column: the line of each claim."""
    rows = table.split("\n")
    head = ["| Line " + rows[0], "|---" + rows[1]]
    body = [f"| {line} " + row for line, row in zip(lines, rows[2:2 + len(lines)])]
    return "\n".join(head + body + rows[2 + len(lines):])


def read_document(path: str) -> str:
    """The text of a document to check: a regular file of UTF-8 text of at most
    :data:`MAX_DOCUMENT_BYTES` (checked before it is read).

    Raises:
        ClaimError: naming the file (and the line of a byte that is not UTF-8).
    """
    from derive.files import decode_text, read_regular
    data = read_regular(path, MAX_DOCUMENT_BYTES, ClaimError, "document",
                        missing_hint="give a Markdown, LaTeX, HTML or text file")
    return decode_text(data, str(path), ClaimError, "document")


def load_aliases(path: str) -> dict[str, str]:
    """The ``[aliases]`` table of a TOML file (a claims file will do; its claims are not read).

    Raises:
        ClaimError: the file cannot be read, is not TOML, or its aliases are not texts.
    """
    import tomllib
    from derive.files import decode_text, read_regular
    from derive.claims.claims_file import MAX_CLAIMS_FILE_SIZE
    data = read_regular(path, MAX_CLAIMS_FILE_SIZE, ClaimError, "aliases file",
                        missing_hint='give a TOML file with [aliases] "out(h1)" = "H1"')
    text = decode_text(data, str(path), ClaimError, "aliases file")
    try:
        table = tomllib.loads(text).get("aliases")
    except (tomllib.TOMLDecodeError, RecursionError) as err:
        raise ClaimError(f"not valid TOML: {str(err)[:200]}", file=str(path)) from None
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ClaimError("expected an [aliases] table of author spellings = network names",
                         file=str(path), hint='e.g. [aliases] "out(h1)" = "H1"')
    return dict(table)


def check_document(network: "Network", text: str, aliases: Mapping[str, str] | None = None,
                   format: str | None = None, file: str | None = None) -> DocumentCheck:
    """Find and check every claim of a document.

    Args:
        network: the network the document is about.
        text: the document (Markdown, LaTeX, HTML or plain text).
        aliases: author spellings → network names; they win over the inferred ones.
        format: ``text``, ``markdown``, ``latex`` or ``html``; by default from ``file``'s
            suffix, else ``text``.
        file: the document's name, for the report and the default format.

    Returns:
        The claims found, each with its line and verdict, and the skipped pieces.
    """
    found = scan(text, format or format_of(file))
    spellings = Spellings(network, aliases)
    spellings.infer([s.text for s in found.statements] + [p.text for p in found.prose])
    code, prose = Code(spellings), Prose(spellings)
    result = DocumentCheck(file=file)
    result.skipped += [Skipped(s.line, s.column, s.text, s.reason) for s in found.skipped]
    candidates = []
    for st in found.statements:
        claims, why = code.read(st.text)
        if why:
            result.skipped.append(Skipped(st.line, st.column, st.text, why))
        candidates += [(st.line, st.column, claim, st.text, note) for claim, note in claims]
    for paragraph in found.prose:
        candidates += [(s.line, s.column, s.claim, s.words, "stated in words")
                       for s in prose.claims(paragraph)]
    chains, unread = ProseChains(prose).claims(found.prose)
    result.skipped += [Skipped(u.line, u.column, u.text, u.reason) for u in unread]
    names = Names(network, spellings.aliases)
    said = {(c[0], _quantity_of(names, c[2])) for c in candidates}  # one claim for what two readers find
    candidates += [(s.line, s.column, s.claim, s.words, "stated in words over several sentences")
                   for s in chains if (s.line, _quantity_of(names, s.claim)) not in said]
    candidates.sort(key=lambda c: (c[0], c[1]))
    for line, column, _, source, _ in candidates[MAX_CLAIMS:]:
        result.skipped.append(Skipped(line, column, source, f"past the {MAX_CLAIMS:,} claims "
                                      "checked in one run: split the document"))
    candidates = candidates[:MAX_CLAIMS]
    verdicts = check(network, [c[2] for c in candidates], spellings.aliases, [c[0] for c in candidates])
    for (line, column, claim, source, note), verdict in zip(candidates, verdicts):
        if verdict.verdict == UNREADABLE:
            reason = spellings.open_note(claim) or verdict.detail
            result.skipped.append(Skipped(line, column, source, reason))
        else:
            result.claims.append(Found(line, column, claim, source, note, verdict,
                                       quantity(names, claim)))
    result.skipped.sort(key=lambda s: (s.line, s.column))
    return result


def quantity(names: Names, claim: str) -> tuple:
    """What a claim's left side names, in the network's names: ("value", "H1"),
    ("after", "w1"), ("deriv", "E", "w5")."""
    target = read_claim(claim, names).target
    return (target.kind, names.resolve(target.name), names.resolve(target.den or "") or None)


def _quantity_of(names: Names, claim: str) -> tuple | None:
    """The claim's quantity, or None where it cannot be read (it is checked, and skipped, later)."""
    try:
        return quantity(names, claim)
    except ClaimError:
        return None
