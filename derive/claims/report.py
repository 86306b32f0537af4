"""Reports of verdicts on textbook claims: text, Markdown, JSON, LaTeX, HTML, and the
"Checked claims" section of a write-up."""

from __future__ import annotations

import json
import re
from typing import Sequence

from derive.claims.claim import HOLDS, ROUNDING, SEVERITY, UNREADABLE, WRONG, Verdict
from derive.latex_text import (html_code, html_text, md_code, md_text_with_math, one_line,
                               tex_code, tex_math, tex_text)
from derive.mathml import html_math, html_text_with_math


_MARK = {HOLDS: "✓", WRONG: "✗", ROUNDING: "≈", UNREADABLE: "?"}


class Verdicts(list):
    """The verdicts of a check, a list that a notebook shows as the report's table."""

    def _repr_markdown_(self) -> str:
        return render_markdown(self)

    def __str__(self) -> str:
        return render_text(self)


def summary(verdicts: Sequence[Verdict]) -> str:
    """``3 hold, 1 wrong, 1 rounding, 0 cannot read``."""
    count = {v: sum(1 for x in verdicts if x.verdict == v) for v in SEVERITY}
    return (f"{count[HOLDS]} hold, {count[WRONG]} wrong, {count[ROUNDING]} rounding, "
            f"{count[UNREADABLE]} cannot read")


def render(verdicts: Sequence[Verdict], format: str = "text") -> str:
    """A report of verdicts as ``text`` (✓/✗ lines), ``markdown`` (a table) or ``json``."""
    if format == "json":
        return json.dumps([v.as_dict() for v in verdicts], indent=2, ensure_ascii=False)
    if format == "markdown":
        return render_markdown(verdicts)
    return render_text(verdicts)


def render_text(verdicts: Sequence[Verdict]) -> str:
    """One block per claim: mark, verdict, the claim, the truth beside it, why (each on one
    line: a line break or terminal escape in a claim cannot forge another verdict)."""
    out = []
    for v in verdicts:
        where = f"line {v.line}: " if v.line else ""
        out.append(f"{_MARK[v.verdict]} {v.verdict:<11} {where}{one_line(v.claim)}")
        if v.expected:
            out.append(f"    truth: {one_line(v.expected)}")
        if v.detail and v.verdict != HOLDS:
            out.append(f"    why:   {one_line(v.detail)}")
    out.append(summary(verdicts))
    return "\n".join(out)


def render_markdown(verdicts: Sequence[Verdict]) -> str:
    """A Markdown table: verdict, claim, truth, why (claim text as code, so nothing in it
    can end its cell or start HTML; math in the why kept only where it is safe)."""
    out = ["| | Claim | Truth | Verdict | Why |", "|---|---|---|---|---|"]
    for v in verdicts:
        why = md_text_with_math(v.detail) if v.verdict != HOLDS else ""
        truth = md_code(v.expected) if v.expected else "—"
        out.append(f"| {_MARK[v.verdict]} | {md_code(v.claim)} | {truth} "
                   f"| {v.verdict} | {why} |")
    out.append("")
    out.append(summary(verdicts) + ".")
    return "\n".join(out)


_TEX_MARK = {HOLDS: "holds", WRONG: "wrong", ROUNDING: "rounding", UNREADABLE: "cannot read"}


def _claim_math(text: str) -> str:
    """A LaTeX claim's math, without [latex] tags and size commands."""
    text = re.sub(r"\[/?latex\]", "", text)
    return re.sub(r"\\(Large|large|LARGE|huge|Huge|displaystyle)(?![A-Za-z])", "", text)


def _tex_math(text: str) -> str:
    """A LaTeX claim as inline math (as escaped text when it uses anything the allow-list
    of claim math does not have)."""
    return tex_math(_claim_math(text))


def section(verdicts: Sequence[Verdict], format: str = "markdown") -> str:
    """A "Checked claims" section for a write-up, from the verdicts.

    Args:
        verdicts: the checked claims (see :func:`derive.claims.check.check`).
        format: ``"markdown"``, ``"latex"`` (compiles with pdflatex, no extra packages) or
            ``"html"`` (MathML math).

    Returns:
        The section's text, heading included.
    """
    if format == "html":
        return html_section(verdicts)
    if format != "latex":
        return "## Checked claims\n\n" + render_markdown(verdicts) + "\n"
    rows = [r"\section*{Checked claims}", r"\begin{itemize}"]
    for v in verdicts:
        latex = "\\" in v.claim
        claim = _tex_math(v.claim) if latex else tex_code(v.claim)
        truth = (_tex_math(v.expected) if latex else tex_code(v.expected)) \
            if v.expected else "---"
        why = f" {tex_text(v.detail, math_spans=latex)}" if v.verdict != HOLDS else ""
        rows.append(rf"\item \textbf{{{_TEX_MARK[v.verdict]}}}: {claim}\\ truth: {truth}.{why}")
    rows += [r"\end{itemize}", tex_text(summary(verdicts)) + "."]
    return "\n".join(rows) + "\n"


_HTML_CLASS = {HOLDS: "holds", WRONG: "wrong", ROUNDING: "rounding", UNREADABLE: "unreadable"}


def html_section(verdicts: Sequence[Verdict]) -> str:
    """The "Checked claims" section as HTML: a table of mark (✓ ✗ ≈ ?), claim, truth,
    verdict and why; LaTeX claims as MathML where the allow-list of claim math lets them
    through, every other claim as escaped code."""
    rows = ['<section class="claims">', "<h2>Checked claims</h2>", '<div class="table"><table>',
            "<thead><tr><th></th><th>Claim</th><th>Truth</th><th>Verdict</th><th>Why</th>"
            "</tr></thead>", "<tbody>"]
    for v in verdicts:
        latex = "\\" in v.claim
        shown = (lambda text: html_math(_claim_math(text))) if latex else html_code
        truth = shown(v.expected) if v.expected else "—"
        why = html_text_with_math(v.detail) if v.verdict != HOLDS else ""
        rows.append(f'<tr class="{_HTML_CLASS[v.verdict]}"><td class="mark">{_MARK[v.verdict]}'
                    f"</td><td>{shown(v.claim)}</td><td>{truth}</td>"
                    f"<td>{html_text(v.verdict)}</td><td>{why}</td></tr>")
    rows += ["</tbody></table></div>", f"<p>{html_text(summary(verdicts))}.</p>", "</section>"]
    return "\n".join(rows) + "\n"
