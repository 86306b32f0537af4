r"""Check textbook claims (formulas, chains of partials, numbers, update rules) against a Derivation.

Each claim gets a :class:`~derive.claims.claim.Verdict`: holds, wrong, rounding (a number
that agrees with the truth to fewer digits than it states) or cannot read, with the truth
beside it and, when wrong, why.

Pipeline: text → :func:`~derive.claims.reading.read_claim` (author spellings mapped by
aliases, LaTeX turned into the plain syntax, split at ``=``, left side read, each right side
parsed) → each right side routed to the first judge of :data:`JUDGES` that takes it (chain:
the paths its products cover; number: digits-aware comparison in dependency order, with
inheritance from earlier wrong numbers and single-value "typo" explanations; formula:
numeric equivalence at seeded points, then symbolic with the network's relations) → the
sides' parts combined into one verdict → :mod:`derive.claims.report` (text, Markdown, JSON,
and a write-up section).

What a claim may say, e.g. for seed 004's network::

    dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1              formula (also ∂E/∂w5, d_E/d_w5, δ_o1*H1)
    dE/dw1 = dE/dH1 * dH1/dh1 * dh1/dw1            chain of partials (sums of products)
    o1 = 0.794609,  dE/dw5 = 0.0851,  w1+ = 0.2499 numbers (w1', new w1, E after)
    w5+ = w5 - eta*dE/dw5                          update rule (η, lr, learning_rate, alpha)
    \frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y)\, a^2_1     LaTeX, in the spec's spellings
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from derive.claims.claim import SEVERITY, UNREADABLE, Claim, Verdict
from derive.claims.context import Context, Part
from derive.claims.judge_chain import chain_summary, is_chain, judge_chain
from derive.claims.judge_formula import is_formula, judge_formula
from derive.claims.judge_general import is_general, judge_general
from derive.claims.judge_number import is_number, judge_number, remember
from derive.claims.reading import read_claim
from derive.claims.report import Verdicts, section
from derive.errors import ClaimError

if TYPE_CHECKING:
    from derive.spec.model import Network

#: Most claims checked in one run (each is read, built and compared at several points).
MAX_CLAIMS = 1_000


@dataclass(frozen=True)
class Judge:
    """One kind of claim side: whether a side is of that kind, and the function judging it."""

    kind: str
    takes: Callable[[Context, Claim, object], bool]
    judge: Callable[[Context, Claim, object], Part]


#: The judges, in the order a right side is offered to them: the first that takes it judges
#: it (the formula judge takes any side, so it comes last; a general claim's sides are trees
#: of their own, so their judge comes first). A new kind of claim is one entry.
JUDGES = (
    Judge("general", is_general, judge_general),   # free layer and neuron indices
    Judge("chain", is_chain, judge_chain),
    Judge("number", is_number, judge_number),
    Judge("formula", is_formula, judge_formula),   # update rules too
)


class Checker(Context):
    """Checks claims against one network's derivation: each side judged by its kind's judge,
    numbers in dependency order."""

    def check(self, text: str, line: int | None = None) -> Verdict:
        """Check one claim on its own (numbers without inheritance)."""
        return self.check_all([text], [line])[0]

    def check_all(self, texts: Sequence[str],
                  lines: Sequence[int | None] | None = None) -> Verdicts:
        """Check claims; number claims in dependency order, each seeing the earlier claimed values."""
        if len(texts) > MAX_CLAIMS:
            raise ClaimError(f"{len(texts):,} claims, more than the {MAX_CLAIMS:,} checked in "
                             f"one run", hint="split them into several runs or files")
        lines = list(lines or [None] * len(texts))
        if len(lines) != len(texts):
            raise ClaimError(f"{len(texts)} claims but {len(lines)} line numbers",
                             hint="give one line number (or None) per claim")
        read: list[Claim | Verdict] = []
        for text, line in zip(texts, lines):
            try:
                read.append(read_claim(text, self.names))
            except ClaimError as err:
                read.append(Verdict(text, "unknown", UNREADABLE, "", str(err), line=line))
        order = sorted(range(len(texts)), key=lambda i: self._rank(read[i]))
        verdicts: dict[int, Verdict] = {}
        self.claimed = []
        for i in order:
            item = read[i]
            verdicts[i] = item if isinstance(item, Verdict) else self._verdict(item, lines[i])
        return [verdicts[i] for i in range(len(texts))]

    def _rank(self, item) -> tuple:
        """Dependency order: node values in evaluation order, then derivatives, updates, after."""
        if isinstance(item, Verdict):
            return (0, 0)
        t = item.target
        order = {n.name: i for i, n in enumerate(self.graph.nodes)}
        if t.kind == "value":
            return (1, order.get(self.names.resolve(t.name) or "", -1))
        if t.kind == "deriv":
            return (2, -order.get(self.names.resolve(t.name) or "", 0))
        return (3, order.get(self.names.resolve(t.name) or "", -1))

    def _verdict(self, claim: Claim, line: int | None) -> Verdict:
        """A claim's verdict: the worst of its sides' verdicts, with the truths and reasons of all."""
        parts = []
        try:
            for tree in claim.sides:
                parts.append(self.judge_side(claim, tree))
        except ClaimError as err:
            return Verdict(claim.text, "unknown", UNREADABLE, "", str(err), line=line)
        worst = max(parts, key=lambda p: SEVERITY[p.verdict])
        kinds = [p.kind for p in parts]
        kind = "chain" if "chain" in kinds else kinds[-1]
        numbers = [p for p in parts if p.claimed is not None]
        shown = [p for p in parts if p.claimed is None] + numbers[-1:]
        expected = "; ".join(dict.fromkeys(p.expected for p in shown if p.expected))
        if len(parts) == 1:
            detail = parts[0].detail
        else:
            detail = " ".join(f"[{k + 1}: {p.kind} {p.verdict}] {p.detail}".rstrip()
                              for k, p in enumerate(parts))
            if parts[0].kind == "chain":
                detail += " " + chain_summary(parts)
        if numbers:
            remember(self, claim, numbers[-1])
        return Verdict(claim.text, kind, worst.verdict, expected, detail.strip(),
                       digits=worst.digits, line=line)

    def judge_side(self, claim: Claim, tree) -> Part:
        """One right side of a claim, judged by the first judge that takes it."""
        judge = next(j for j in JUDGES if j.takes(self, claim, tree))
        return judge.judge(self, claim, tree)


# =========================================================================== public API

def check(network: "Network", claims: Sequence[str], aliases: Mapping[str, str] | None = None,
          lines: Sequence[int | None] | None = None) -> Verdicts:
    """Check claims against the network's derived truth.

    Args:
        network: the network the claims are about (names as in its spec, or LaTeX spellings).
        claims: claim texts, e.g. ``"dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1"``, ``"o1 = 0.794609"``.
        aliases: author spellings → network names, e.g. ``{"out(h1)": "H1"}``.
        lines: the file line of each claim, for reports.

    Returns:
        One :class:`Verdict` per claim, in the given order, as :class:`Verdicts` (a list that
        prints as the text report and shows as its table in a notebook). Number claims are
        judged in dependency order so a wrong number can be traced to an earlier wrong claim.
    """
    if isinstance(claims, str):  # one claim, not a list of its characters
        claims = [claims]
    return Verdicts(Checker(network, aliases).check_all(list(claims), lines))


def claims_section(network: "Network", claims: Sequence[str], format: str = "markdown",
                   aliases: Mapping[str, str] | None = None) -> str:
    """A "Checked claims" section for a write-up: the claims checked, then rendered.

    Args:
        network: the network the write-up derives.
        claims: claim texts.
        format: ``"markdown"``, ``"latex"`` or ``"html"``.
        aliases: author spellings → network names.
    """
    return section(check(network, claims, aliases), format)
