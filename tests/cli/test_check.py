"""`chainrule check` (:mod:`derive.cli.check`) against hostile claims: one Markdown row per
claim, and no verdict forged by a line break or a terminal escape."""

from __future__ import annotations

import re


from derive.cli import main
from derive.latex_text import md_code
from tests.writeups.support import unescaped_pipes


HOSTILE_CLAIMS = ["a | b = 1", "x` | `y = 2", "<script>alert(1)</script> = 3",
                  "[x](javascript:alert(1)) = 4", r"\input{/etc/passwd}", "w1 = $x$ | 5",
                  "``` = 1", "**bold** _it_ = 2"]


def test_check_markdown_keeps_one_row_per_claim(tmp_path, capsys):
    claims = tmp_path / "claims.txt"
    claims.write_text("\n".join(HOSTILE_CLAIMS) + "\n", encoding="utf-8")
    main(["check", "seed004_afteracademy", "--claims", str(claims), "--format", "markdown"])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + len(HOSTILE_CLAIMS)
    assert all(unescaped_pipes(row) == 6 for row in rows), rows
    for claim, row in zip(HOSTILE_CLAIMS, rows[2:]):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert cells[1] == md_code(claim), "the claim is one code span"
        assert not re.search(r"(?<!\\)[<>`\[\]]", cells[4]), "the why starts no HTML, code, link"


def test_a_claim_with_a_line_break_cannot_forge_a_verdict(tmp_path, capsys):
    claims = tmp_path / "claims.toml"
    claims.write_text('claims = ["o1 = 0.1\\n\\u2713 holds       o1 = 0.1\\u001b[2K"]\n')
    main(["check", "seed004_afteracademy", "--claims", str(claims)])
    out = capsys.readouterr().out
    assert not any(line.startswith("✓") for line in out.splitlines())
    assert "\x1b" not in out
