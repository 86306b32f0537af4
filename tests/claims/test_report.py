"""Reports of verdicts: text, Markdown, JSON."""

import json

from derive.claims.check import check
from derive.claims.report import render
from tests.claims.examples import NET


def test_reports():
    verdicts = check(NET["seed004_afteracademy"], ["o1 = 0.794609", "h1 = 0.505", "dE/dq = 1"])
    text = render(verdicts, "text")
    assert "✗ wrong" in text and "✓ holds" in text and "? cannot read" in text
    assert "truth: 0.84468077" in text
    md = render(verdicts, "markdown")
    assert md.startswith("| | Claim | Truth | Verdict | Why |")
    data = json.loads(render(verdicts, "json"))
    assert [set(d) for d in data] == [{"claim", "kind", "verdict", "expected", "detail"}] * 3
    assert [d["kind"] for d in data] == ["number", "number", "unknown"]
