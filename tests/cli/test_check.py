"""`chainrule check`: exit codes, claims files, bad claims files, options anywhere, lines in
the text report, and hostile claims (one Markdown row per claim, no verdict forged by a line
break or a terminal escape)."""

import json
import re

import pytest

from derive import cli
from derive.cli import main
from derive.latex_text import md_code
from derive.spec.examples import EXAMPLES_DIR
from tests.claims.examples import H, R
from tests.writeups.support import unescaped_pipes


def run_cli(capsys, *argv):
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes(capsys):
    assert run_cli(capsys, "seed004_afteracademy", "h1 = 0.505")[0] == 0
    assert run_cli(capsys, "seed004_afteracademy", "H1 = 0.623633")[0] == 0  # rounding only
    assert run_cli(capsys, "seed004_afteracademy", "h1 = 0.505", "o1 = 0.794609")[0] == 1
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "o1 = 0.794609", "dE/dv = 1")
    assert code == 2 and "cannot read" in out


def test_cli_claims_files(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--claims",
                           str(EXAMPLES_DIR / "seed004_afteracademy_claims.toml"))
    assert code == 1 and "11 hold, 7 wrong, 2 rounding, 0 cannot read" in out
    text = tmp_path / "claims.txt"
    text.write_text("# seed 004\nh1 = 0.505  # the post\n\nout(h2) = 0.632045\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--claims", str(text),
                           "--alias", "out(h2)=H2", "--format", "json")
    assert code == 0 and [d["verdict"] for d in json.loads(out)] == [H, H]
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--claims", str(text), "--format", "markdown")
    assert code == 2 and "| ? |" in out and "line 4" not in out


@pytest.mark.parametrize("content,suffix,message", [
    (None, ".toml", "no such claims file"),
    ('claims = ["a",\n  "b" "c"]\n', ".toml", ":2: not valid TOML"),
    ("claims = [\n", ".toml", ":1: not valid TOML"),
    ('claims = ["o1 = 1", 3]\n', ".toml", ":1: claim 2 is 3, not a string"),
    ('claims = ["o1 = 1"]\n[aliases]\n"out(h1)" = "H9"\n', ".toml", ":3: aliases.out(h1)"),
    ("# nothing\n", ".txt", "holds no claims"),
])
def test_cli_bad_claims_file(capsys, tmp_path, content, suffix, message):
    path = tmp_path / f"claims{suffix}"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run_cli(capsys, "seed004_afteracademy", "--claims", str(path))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(path) in err and message in err


def test_cli_no_claims(capsys):
    code, _, err = run_cli(capsys, "seed004_afteracademy")
    assert code == 2 and "no claims" in err


def test_cli_options_anywhere(capsys):
    """An option between SPEC and the claims, as in every argparse CLI (issue 8, section 6);
    needs cli.main to parse with parse_intermixed_args."""
    code, out, err = run_cli(capsys, "seed004_afteracademy", "--format", "json", "o1 = 0.8446")
    assert code == 0, err
    [verdict] = json.loads(out)
    assert verdict["verdict"] == R and verdict["claim"] == "o1 = 0.8446"


def test_cli_text_report_names_lines(capsys):
    code, out, _ = run_cli(capsys, "seed003_spotintelligence", "--claims",
                           str(EXAMPLES_DIR / "seed003_spotintelligence_claims.toml"))
    assert code == 1 and "line 17: d_error/d_w21" in out


# ---- hostile claims in the report

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
