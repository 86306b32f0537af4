"""pdflatex (:mod:`derive.writeups.pdf`): every write-up compiles, and the sandbox holds: no
file read or written outside its folder, no command run, no endless run, claims echoed as
text."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from derive.cli import main
from derive.errors import ChainruleError
from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup
from derive.writeups.pdf import compile_pdf, tex_engine
from tests.networks import corpus, written_up_examples
from tests.writeups.support import SECRET, pdf_text, require_tex, run_cli


@pytest.mark.parametrize("name", written_up_examples())
def test_every_example_compiles_to_pdf(name, tmp_path):
    require_tex()
    pdf = compile_pdf(writeup(Network.from_toml(example_path(name))).latex(), tmp_path / "w.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("name", sorted(corpus()))
def test_every_corpus_network_compiles_to_pdf(name, tmp_path):
    require_tex()
    pdf = compile_pdf(writeup(corpus()[name]).latex(), tmp_path / "w.pdf")
    assert pdf.stat().st_size > 1000


def test_pdf_without_tex_engine_is_a_clear_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "w.tex"
    code, _, err = run_cli(capsys, "derive", "-o", str(out), "--pdf")
    assert code == 2
    assert "no TeX engine found" in err and "leave out --pdf" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists(), "nothing is written when the PDF cannot be made"


def hostile_tex(body: str) -> str:
    return ("\\documentclass{article}\n\\pdfcompresslevel=0\n\\begin{document}\n"
            + body + "\n\\end{document}\n")


def test_pdflatex_reads_nothing_outside_its_folder(tmp_path):
    require_tex()
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    probe = hostile_tex(rf"\IfFileExists{{{secret}}}{{\input{{{secret}}}}}{{77777}}"
                        rf"\newread\r\openin\r={secret} \ifeof\r 88888\else\read\r to\x\x\fi")
    # the probe has teeth: pdflatex as most installations set it up reads the file
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "probe.tex").write_text(probe)
    subprocess.run([tex_engine(), "-interaction=nonstopmode", "probe.tex"], cwd=tmp_path / "plain",
                   env=dict(os.environ, openin_any="a"), capture_output=True, timeout=120)
    assert SECRET in pdf_text((tmp_path / "plain" / "probe.pdf").read_bytes())
    # chainrule's pdflatex does not
    text = pdf_text(compile_pdf(probe, tmp_path / "out.pdf").read_bytes())
    assert SECRET not in text and "77777" in text and "88888" in text


@pytest.mark.parametrize("body", [r"\input{/etc/passwd}", r"\input{../../../../etc/passwd}",
                                  r"\include{/etc/passwd}"])
def test_pdflatex_cannot_input_a_local_file(tmp_path, body):
    require_tex()
    with pytest.raises(ChainruleError, match="pdflatex could not compile"):
        compile_pdf(hostile_tex(body), tmp_path / "w.pdf")
    assert not (tmp_path / "w.pdf").exists()


@pytest.mark.parametrize("body", [
    r"\immediate\write18{touch {dir}/PWNED}x",
    r"\write18{touch {dir}/PWNED}x",
    r"\newwrite\f\immediate\openout\f={dir}/PWNED\immediate\write\f{x}\immediate\closeout\f x",
    r"\newwrite\f\openout\f={dir}/PWNED\write\f{x}\closeout\f x",
    r"\newwrite\f\immediate\openout\f=../../../../{dir}/PWNED\immediate\closeout\f x",
    r'\newwrite\f\immediate\openout\f=|"touch {dir}/PWNED"\immediate\closeout\f x',
])
def test_pdflatex_runs_nothing_and_writes_nothing_outside_its_folder(tmp_path, body):
    require_tex()
    try:
        compile_pdf(hostile_tex(body.replace("{dir}", str(tmp_path))), tmp_path / "w.pdf")
    except ChainruleError:
        pass          # refusing to write is as good as not writing
    assert not (tmp_path / "PWNED").exists()
    assert not list(tmp_path.glob("PWNED*"))


def test_a_pdflatex_that_runs_too_long_is_stopped(tmp_path, monkeypatch):
    require_tex()
    import derive.writeups.pdf as w
    monkeypatch.setattr(w, "MAX_PDFLATEX_SECONDS", 2)
    with pytest.raises(ChainruleError, match="ran past 2 s"):
        compile_pdf(hostile_tex(r"\def\x{\x}\x"), tmp_path / "w.pdf")
    assert not (tmp_path / "w.pdf").exists()


def test_pdflatex_runs_without_shell_escape_and_paranoid(tmp_path, monkeypatch):
    """The command line and environment themselves, for engines we cannot probe."""
    require_tex()
    import derive.writeups.pdf as w
    seen = {}
    real = subprocess.run

    def spy(command, **kwargs):
        seen["command"], seen["env"] = command, kwargs["env"]
        return real(command, **kwargs)

    monkeypatch.setattr(w.subprocess, "run", spy)
    compile_pdf(hostile_tex("x"), tmp_path / "w.pdf")
    assert "-no-shell-escape" in seen["command"] and "-interaction=nonstopmode" in seen["command"]
    assert "-halt-on-error" in seen["command"]
    assert seen["env"]["openin_any"] == "p" and seen["env"]["openout_any"] == "p"


def test_a_claim_that_inputs_a_file_stays_text_in_tex_and_pdf(tmp_path, capsys):
    require_tex()
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    claims = tmp_path / "claims.txt"
    claims.write_text("\\input{/etc/passwd}\n"
                      f"\\input{{{secret}}}\n"
                      f"dE/dw5 = \\input{{{secret}}}\n"
                      "\\immediate\\write18{touch PWNED} = 1\n"
                      "o1 = 27182818284\n", encoding="utf-8")
    out = tmp_path / "w.tex"
    code = main(["derive", "seed004_afteracademy", "--claims", str(claims), "-o", str(out),
                 "--pdf"])
    capsys.readouterr()
    assert code == 0
    tex = out.read_text()
    assert r"\input{" not in tex and r"\write18" not in tex and r"\immediate" not in tex
    assert r"\textbackslash{}input\{/etc/passwd\}" in tex
    assert "cannot read" in tex
    text = pdf_text((tmp_path / "w.pdf").read_bytes())
    assert "27182818284" in text, "the PDF's text is readable here (the check has teeth)"
    assert SECRET not in text
    assert "root:" not in text and "/bin/" not in text
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()
