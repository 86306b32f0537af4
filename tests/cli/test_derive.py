"""`chainrule derive` (:mod:`derive.cli.derive`): formats from suffixes, files beside the
output, permissions, claims, options, and one-line errors that write nothing."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from derive.cli import main
from derive.spec.examples import example_path
from tests.writeups.support import require_tex, run_cli


def test_cli_writes_latex_and_pdf(capsys, tmp_path):
    require_tex()
    out = tmp_path / "w.tex"
    code, _, err = run_cli(capsys, "derive", "seed001_single_neuron", "-o", str(out), "--pdf")
    assert code == 0
    assert out.read_text().startswith(r"\documentclass")
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")
    assert "wrote" in err


def test_default_is_seed000_markdown(capsys):
    code, out, _ = run_cli(capsys, "derive")
    assert code == 0
    assert out.startswith("# 2-3-1 network with identity activations")
    # no file to point at: the diagram as a Mermaid block, which GitHub renders
    assert "```mermaid\nflowchart LR" in out and "data:image" not in out


def test_markdown_file_gets_its_svg(capsys, tmp_path):
    out = tmp_path / "notes.md"
    code, _, _ = run_cli(capsys, "derive", "seed004_afteracademy", "-o", str(out))
    assert code == 0
    assert "](notes.svg)" in out.read_text()
    assert ET.parse(tmp_path / "notes.svg").getroot().tag.endswith("svg")


def test_written_files_get_the_usual_permissions(capsys, tmp_path):
    """Files are written atomically through a temporary file, yet end up with the mode any new
    file gets under the user's umask (not the temporary file's private 0600)."""
    old = os.umask(0o022)
    try:
        out = tmp_path / "notes.md"
        assert run_cli(capsys, "derive", "seed004_afteracademy", "-o", str(out))[0] == 0
        assert main(["codegen", "seed001_single_neuron", "-o", str(tmp_path / "m.py")]) == 0
    finally:
        os.umask(old)
    for name in ("notes.md", "notes.svg", "m.py"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name


def test_format_follows_the_suffix(capsys, tmp_path):
    out = tmp_path / "numbers.json"
    assert run_cli(capsys, "derive", "seed001_single_neuron", "-o", str(out))[0] == 0
    assert set(json.loads(out.read_text())) >= {"values", "gradients"}


def test_claims_section(capsys, tmp_path):
    claims = example_path("seed004_afteracademy").with_name("seed004_afteracademy_claims.toml")
    code, out, _ = run_cli(capsys, "derive", "seed004_afteracademy", "--claims", str(claims))
    assert code == 0
    assert "## Checked claims" in out and "✗" in out
    code, out, _ = run_cli(capsys, "derive", "seed004_afteracademy", "--claims", str(claims),
                           "--format", "json")
    verdicts = json.loads(out)["claims"]
    assert {v["verdict"] for v in verdicts} >= {"holds", "wrong"}


def test_bad_spec_writes_nothing(capsys, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[equations]\nh = "w*x +"\n')
    out = tmp_path / "w.md"
    code, _, err = run_cli(capsys, "derive", str(spec), "-o", str(out))
    assert code == 2
    assert "bad.toml:2" in err
    assert not out.exists()


def test_learning_rate_option(capsys):
    code, out, _ = run_cli(capsys, "derive", "seed004_afteracademy", "--format", "json",
                           "--lr", "0.1")
    data = json.loads(out)
    assert data["updated"]["w5"] == pytest.approx(0.35 - 0.1 * data["gradients"]["w5"], rel=1e-15)


@pytest.mark.parametrize("argv", [
    ["derive", "seed004_afteracademy", "-o", "{bad}/w.md"],
    ["codegen", "seed004_afteracademy", "-o", "{bad}/m.py"],
    ["train", "seed004_afteracademy", "--data", "synthetic", "--epochs", "1", "--quiet",
     "-o", "{bad}/run"],
])
def test_an_unwritable_output_is_a_one_line_error(capsys, tmp_path, argv):
    """Writing below a file (not a folder) fails the same way for every command: exit 2 and
    one line naming the path, never a traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = main([a.format(bad=blocker) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write" in err and str(blocker) in err, err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option, value, expected", [
    ("--digits", "-3", "expected a whole number from 1 to 17"),
    ("--digits", "0", "expected a whole number from 1 to 17"),
    ("--lr", "nan", "expected a positive number"),
    ("--lr", "-0.5", "expected a positive number"),
])
def test_bad_numbers_are_usage_errors(capsys, option, value, expected):
    with pytest.raises(SystemExit) as stop:
        main(["derive", "seed004_afteracademy", option, value])
    assert stop.value.code == 2 and expected in capsys.readouterr().err


def test_empty_params_is_an_error(capsys):
    code, _, err = run_cli(capsys, "derive", "seed004_afteracademy", "--params", ",")
    assert code == 2 and "--params names no parameter" in err


def test_an_overflowing_function_is_a_clear_error(capsys, tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text('[inputs]\nx = 1\n[targets]\ny = 1\n[parameters]\nw = 800\n'
                    '[equations]\nz = "exp(w*x)"\nE = "(z - y)**2"\n')
    code, _, err = run_cli(capsys, "derive", str(spec))
    assert code == 2 and "the value of z overflows float64" in err
    assert len(err.strip().splitlines()) == 1


def test_a_training_spec_without_a_worked_example_gets_the_general_equations(capsys, tmp_path):
    """Seed 003's Keras net gives no input values (it trains from data): `chainrule derive`
    writes its general equations and says why there are no numbers."""
    from derive.cli import main
    out = tmp_path / "keras.md"
    assert main(["derive", "seed003_keras_mnist", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## The general equations" in text and "\\delta^{L}" in text
    assert "gives no worked example" in capsys.readouterr().err


def test_the_api_writes_the_general_level_of_a_big_spec_without_values():
    from derive import Network, writeup
    from derive.spec.examples import example_path
    document = writeup(Network.from_toml(example_path("seed003_keras_mnist")))
    assert "The general equations" in document.markdown()
