"""`chainrule spec --from FILE [-o OUT.toml]`: seed 004's post drafted into a spec that reads
back and checks the post as the hand-written one does; bad posts give one line, exit 2."""

from __future__ import annotations

import pytest

from derive import cli
from derive.spec.examples import EXAMPLES_DIR
from derive.spec.model import Network
from tests.cli.running import run_command

POST = str(EXAMPLES_DIR / "posts" / "seed004_afteracademy.txt")


def test_spec_is_listed_after_check(capsys):
    assert list(cli.commands())[:3] == ["derive", "check", "spec"]


def test_draft_to_stdout(capsys):
    code, out, err = run_command(capsys, "spec", "--from", POST)
    assert code == 0 and err == ""
    net = Network.from_toml_text(out)
    assert net.cost == "E" and net.parameters["w5"] == 0.35
    assert out.count("# guessed:") == 6


def test_draft_to_a_file_then_check_the_post_with_it(capsys, tmp_path):
    out_file = tmp_path / "draft.toml"
    code, out, err = run_command(capsys, "spec", "--from", POST, "-o", out_file)
    assert code == 0 and out == "" and str(out_file) in err
    code, report, _ = cli.main(["check", str(out_file), "--from", POST]), *capsys.readouterr()
    assert code == 1
    # the verdicts of the hand-written spec (tests/cli/test_check_from.py), the two chains in words among them
    assert "15 hold, 8 wrong, 2 rounding, 0 cannot read" in report


def test_a_post_without_equations(capsys, tmp_path):
    post = tmp_path / "words.md"
    post.write_text("# Backprop\n\nNo equations here, only words.\n", encoding="utf-8")
    code, out, err = run_command(capsys, "spec", "--from", post)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "words.md" in err and "found no equation" in err


def test_a_missing_post_and_no_from(capsys, tmp_path):
    code, _, err = run_command(capsys, "spec", "--from", tmp_path / "nope.txt")
    assert code == 2 and err.count("\n") == 1 and "nope.txt" in err
    with pytest.raises(SystemExit) as exit:
        run_command(capsys, "spec")
    err = capsys.readouterr().err
    assert exit.value.code == 2 and "--from" in err and err.count("\n") == 1
