"""Write-ups against hostile text: LaTeX spellings that would run TeX primitives, claims and
titles echoed into reports, Mermaid and Markdown injection, and pdflatex's own sandbox.

The one-line errors (a refused spelling, a missing value) are cases of the hostile corpus
(tests/hostile/cases_writeup.py); here are the behaviours a one-line case cannot show: what a
PDF holds, what files pdflatex may touch, the structure of the Markdown and Mermaid text.
"""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.cli import main
from derive.writeups.diagram import Diagram, Edge, Vertex
from derive.errors import ChainruleError, SpecError
from derive.latex_text import (CLAIM_COMMANDS, UnsafeLatex, check_math, check_spelling, md_code,
                               md_text, tex_text)
from derive.spec.model import Network
from derive.writeups.document import compile_pdf, default_spelling, tex_engine, writeup
from tests.test_writeup import require_tex

#: a number no write-up prints by itself: if it shows up in a PDF, the file holding it was read
SECRET = "31415926535897"


def pdf_text(pdf: bytes) -> str:
    """The text a PDF shows, roughly: the strings of its (inflated) content streams, each
    TJ array's pieces joined (kerning between them dropped)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    out = []
    for chunk in chunks:
        for array in re.findall(rb"\[(.*?)\]\s*TJ|\((.*?)\)\s*Tj", chunk, re.S):
            body = b"".join(array)
            out.append(b"".join(re.findall(rb"\(((?:\\.|[^\\)])*)\)", body)) or body)
    return b" ".join(out).decode("latin-1")


def small_spec(tmp_path: Path, extra: str = "", name: str = "evil.toml", head: str = "") -> Path:
    spec = tmp_path / name
    spec.write_text(head + "\n[inputs]\nx = 1.0\n[targets]\ny = 0.5\n[parameters]\nw = 0.3\n"
                    '[equations]\nz = "w*x"\nC = "1/2*(z - y)**2"\n' + extra, encoding="utf-8")
    return spec


# --------------------------------------------------------------------------- spellings

ALLOWED_SPELLINGS = [r"\mathrm{net}_{h1}", r"w^{1}_{21}", r"\hat{y}", "a'", "a'^{2}",
                     r"x_{i,j}", r"w^{[1]}_{jk}", r"\text{out}", r"\operatorname{ReLU}",
                     r"\alpha_1^2", r"\bar x", r"\tilde{w}", r"\vec{v}", r"\dot{a}", r"\ell_1",
                     r"\mathbf{W}^{(2)}", r"x^\prime", r"\partial_t", r"a \cdot b", r"\,z",
                     r"\Delta w", r"|x|", r"\mathit{err}", r"\text{it's}"]


@pytest.mark.parametrize("spelling", ALLOWED_SPELLINGS)
def test_the_math_a_spelling_needs_is_allowed(spelling):
    check_spelling(spelling)


REFUSED = [(r"\input{/etc/passwd}", r"\input"), (r"\include{x}", r"\include"),
           (r"\write18{touch X}", r"\write"), (r"\immediate\write18{x}", r"\immediate"),
           (r"\openout1=x", r"\openout"), (r"\openin1=x", r"\openin"), (r"\read1to\x", r"\read"),
           (r"\catcode`\^=13", r"\catcode"), (r"\def\x{y}", r"\def"), (r"\let\x\y", r"\let"),
           (r"\csname input\endcsname", r"\csname"), (r"\newcommand{\x}{y}", r"\newcommand"),
           (r"\usepackage{x}", r"\usepackage"), (r"\special{x}", r"\special"),
           (r"\jobname", r"\jobname"), (r"\endinput", r"\endinput"), ("x^^5cinput", "^^"),
           ("x % comment", "%"), ("#1", "#"), ("a & b", "&"), ("{x", "{"), ("x}", "}"),
           ("$x$", "$"), ("~", "~"), ("a\nb", r"\n"), (r"a\\b", r"\\"), (r"\(x\)", r"\("),
           ("x^", "the end"), ("x^a^b", "^^"), (r"\text{\input x}", r"\input"),
           (r"\verb|x|", r"\verb"), ('"', '"'), ("`", "`"), ("<script>", "<"),
           (r"\left(x\right)", r"\left"), ("σ", "σ"), ("", "empty"), ("x" * 201, "201")]


@pytest.mark.parametrize("spelling,found", REFUSED, ids=[f"{i}" for i in range(len(REFUSED))])
def test_everything_else_is_refused_naming_what(spelling, found):
    with pytest.raises(UnsafeLatex) as err:
        check_spelling(spelling)
    assert found in str(err.value)


def test_a_refused_spelling_names_file_line_key_and_what_is_allowed(tmp_path, capsys):
    spec = small_spec(tmp_path, "\n[latex]\nz = 'z'\nw = '\\input{/etc/passwd}'\n")
    code = main(["derive", str(spec), "-o", str(tmp_path / "w.tex")])
    err = capsys.readouterr().err
    assert code == 2
    line = err.strip()
    assert f"{spec}:14:" in line and "latex.w" in line and r"\input" in line
    assert r"\mathrm" in line and "Greek" in line, "the message says what is allowed"
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "w.tex").exists()


def test_the_python_api_checks_spellings_too():
    with pytest.raises(SpecError, match=r"latex\.w.*\\write"):
        Network.from_equations(equations={"z": "w*x"}, inputs={"x": 1.0}, parameters={"w": 1.0},
                               latex={"w": r"\write18{touch X}"})


def test_layered_specs_and_every_example_pass_the_checker():
    from derive.spec.examples import example_names, example_path
    for name in example_names():
        Network.from_toml(example_path(name))
    for notation in ("nielsen", "seed000"):
        net = Network.layered([2, 3, 2], ["relu", "softmax"], notation=notation,
                              loss="categorical_cross_entropy")
        for spelling in net.latex.values():
            check_spelling(spelling)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z][A-Za-z_0-9]{0,12}", fullmatch=True))
def test_a_default_spelling_is_always_allowed_math(name):
    check_spelling(default_spelling(sympy.Symbol(name)))


def test_a_name_sympy_would_spell_with_a_missing_package_compiles(tmp_path):
    """``xscr`` is ``\\mathscr{x}`` to SymPy (mathrsfs, which the write-up does not load)."""
    require_tex()
    net = Network.from_equations(equations={"z": "xscr*wnorm", "C": "1/2*(z - y)**2"},
                                 inputs={"xscr": 1.0}, targets={"y": 0.5},
                                 parameters={"wnorm": 0.3})
    compile_pdf(writeup(net).latex(), tmp_path / "w.pdf")


def test_allowed_spellings_compile_and_render(tmp_path, capsys):
    require_tex()
    names = [f"w{i}" for i in range(len(ALLOWED_SPELLINGS))]
    net = Network.from_equations(
        equations={"z": " + ".join(f"{n}*x" for n in names), "C": "1/2*(z - y)**2"},
        inputs={"x": 1.0}, targets={"y": 0.5}, parameters={n: 0.1 for n in names},
        latex=dict(zip(names, ALLOWED_SPELLINGS)))
    document = writeup(net)
    compile_pdf(document.latex(), tmp_path / "w.pdf")
    ET.fromstring(document.svg())
    assert_mermaid_is_well_formed(document.diagram.mermaid(), document.diagram)


# --------------------------------------------------------------------------- pdflatex sandbox

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
    import derive.writeups.document as w
    monkeypatch.setattr(w, "MAX_PDFLATEX_SECONDS", 2)
    with pytest.raises(ChainruleError, match="ran past 2 s"):
        compile_pdf(hostile_tex(r"\def\x{\x}\x"), tmp_path / "w.pdf")
    assert not (tmp_path / "w.pdf").exists()


def test_pdflatex_runs_without_shell_escape_and_paranoid(tmp_path, monkeypatch):
    """The command line and environment themselves, for engines we cannot probe."""
    require_tex()
    import derive.writeups.document as w
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


# --------------------------------------------------------------------------- claims echoed

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


def test_claim_math_is_kept_where_it_is_safe():
    check_math(r"\frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y)\, a^2_1", CLAIM_COMMANDS)
    for bad in (r"\input{x}", r"\frac{a}{\input{b}}", r"\left(x", r"x\)", "$x$"):
        with pytest.raises(UnsafeLatex):
            check_math(bad, CLAIM_COMMANDS)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


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


def test_code_spans_hold_any_backticks():
    for text in ["a`b", "``", "`x`", "a | b", "x\ny"]:
        span = md_code(text)
        fence = re.match(r"`+", span).group()
        inner = span[len(fence):-len(fence)]
        assert span.endswith(fence) and fence not in inner.replace(fence + "`", "")
        assert "\n" not in span and unescaped_pipes(span) == 0


# --------------------------------------------------------------------------- Markdown, Mermaid

HOSTILE_LABELS = ['a"] --> n0 ; click n0 "javascript:alert(1)"', "x]\nn9((y))", "a | b",
                  "```\n# heading", "<script>alert(1)</script>", "%%{init: {}}%%", "#quot; &amp;",
                  "w\u2028x\r\x0by", "(( ]) [[ }}"]


def hostile_diagram() -> Diagram:
    vertices = [Vertex(f"v{i}", [label], "parameter" if i % 2 else "node", column=i)
                for i, label in enumerate(HOSTILE_LABELS)]
    edges = [Edge(f"v{i}", f"v{i + 1}", label) for i, label in enumerate(HOSTILE_LABELS[:-1])]
    return Diagram(vertices, edges, note="<b>note</b> & \x01 more")


def assert_mermaid_is_well_formed(text: str, diagram: Diagram) -> None:
    lines = text.split("\n")
    assert lines[0] == "flowchart LR"
    assert len(lines) == 1 + len(diagram.vertices) + len(diagram.edges)
    label = r'(?:[^"`<>\[\]{}|;%#\n]|#\d+;)*'     # entities are the only ; and #
    node = re.compile(rf'    n\d+(?:\(\("{label}(?: \| {label})*"\)\)|\["{label}"\])')
    edge = re.compile(rf'    n\d+ -(?:->|\.->)(?:\|"{label}"\|)? n\d+')
    body = lines[1:]
    assert all(node.fullmatch(x) for x in body[:len(diagram.vertices)]), body
    assert all(edge.fullmatch(x) for x in body[len(diagram.vertices):]), body


def test_mermaid_labels_cannot_inject_nodes_or_leave_the_block():
    diagram = hostile_diagram()
    assert_mermaid_is_well_formed(diagram.mermaid(), diagram)
    assert "#34;" in diagram.mermaid() and "#124;" in diagram.mermaid()


def test_svg_text_is_escaped():
    svg = hostile_diagram().svg()
    root = ET.fromstring(svg)
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert tags <= {"svg", "defs", "marker", "path", "rect", "circle", "line", "text", "tspan"}
    assert "<script>" not in svg and "<b>" not in svg


HOSTILE_TITLE = ("T\n# injected heading\r\n<script>alert(1)</script> | a ` b [x](y) $\\input{z}$ "
                 "% # & _ ^ ~ \\ { } \u2028 end")


def test_a_hostile_title_keeps_the_markdown_structure(tmp_path, capsys):
    spec = small_spec(tmp_path, head=f"title = {HOSTILE_TITLE!r}".replace("'", '"')
                      .replace("\n", "\\n").replace("\r", "\\r").replace("\u2028", "\\u2028"))
    out = tmp_path / "my notes (v1).md"
    assert main(["derive", str(spec), "-o", str(out)]) == 0
    capsys.readouterr()
    text = out.read_text()
    assert text.splitlines()[0].startswith("# T ") and "end" in text.splitlines()[0]
    assert not any(line.startswith("# injected") for line in text.splitlines())
    assert "<script>" not in text and "[x](y)" not in text
    assert "](my%20notes%20%28v1%29.svg)" in text
    for mermaid in re.findall(r"```mermaid\n(.*?)\n```", writeup(Network.from_toml(spec))
                              .markdown(), re.S):
        assert "injected" not in mermaid


def test_a_hostile_title_and_name_compile_as_text(tmp_path, capsys):
    require_tex()
    spec = small_spec(tmp_path, head=f"name = {HOSTILE_TITLE!r}".replace("'", '"')
                      .replace("\n", "\\n").replace("\r", "\\r").replace("\u2028", "\\u2028"))
    out = tmp_path / "w.tex"
    assert main(["derive", str(spec), "-o", str(out), "--pdf"]) == 0
    capsys.readouterr()
    tex = out.read_text()
    assert r"\input{z}" not in tex
    section = next(line for line in tex.splitlines() if line.startswith(r"\section*{T"))
    assert section.endswith("end}")
    assert (tmp_path / "w.pdf").exists()


def test_tex_and_markdown_text_escape_every_special():
    tex = tex_text("a\\b{c}_d&e%f$g#h^i~j<k>l|m\nn")
    assert "\n" not in tex and not re.search(r"(?<!\\)[{}&%$#_]", tex.replace("{}", ""))
    md = md_text("a`b*c_d[e]f<g>h|i$j~k&l#m\nn")
    assert "\n" not in md and not re.search(r"(?<!\\)[`*_\[\]<>|$~&#]", md)


# --------------------------------------------------------------------------- no needless work

def test_json_does_no_latex_work(tmp_path, capsys, monkeypatch):
    from sympy.printing.latex import LatexPrinter

    import derive.writeups.document as w

    def refuse(*args, **kwargs):
        raise AssertionError("the JSON form printed LaTeX")

    monkeypatch.setattr(LatexPrinter, "doprint", refuse)
    monkeypatch.setattr(w, "network_diagram", refuse)
    claims = tmp_path / "claims.txt"
    claims.write_text("o1 = 0.8446\n")
    assert main(["derive", "seed004_afteracademy", "--format", "json", "--claims",
                 str(claims)]) == 0
    out = capsys.readouterr().out
    assert '"gradients"' in out and '"claims"' in out


def test_values_are_checked_before_the_derivation(tmp_path, capsys, monkeypatch):
    import derive.writeups.document as w

    def refuse(*args, **kwargs):
        raise AssertionError("derived before checking the values")

    monkeypatch.setattr(w, "derive", refuse)
    spec = tmp_path / "big.toml"
    spec.write_text('[layers]\nsizes = [3, 2, 1]\nactivation = "sigmoid"\n')
    assert main(["derive", str(spec), "--format", "json"]) == 2
    assert "missing value for 'x1'" in capsys.readouterr().err
    assert main(["derive", "seed004_afteracademy", "--params", "w99"]) == 2
    assert "unknown parameter 'w99'" in capsys.readouterr().err


def test_a_claim_with_a_line_break_cannot_forge_a_verdict(tmp_path, capsys):
    claims = tmp_path / "claims.toml"
    claims.write_text('claims = ["o1 = 0.1\\n\\u2713 holds       o1 = 0.1\\u001b[2K"]\n')
    main(["check", "seed004_afteracademy", "--claims", str(claims)])
    out = capsys.readouterr().out
    assert not any(line.startswith("✓") for line in out.splitlines())
    assert "\x1b" not in out


def _accepted_samples(allowed: frozenset[str], count: int, seed: int) -> list[str]:
    """Random strings of math pieces that the checker accepts (fixed seed)."""
    import random
    rng = random.Random(seed)
    pieces = (list("abxyzW019 _^{}()[],.'+-*/=|:;!?") + ["\\" + c for c in sorted(allowed)]
              + ["\\,", "\\;", "\\!", "\\{", "\\}", "\\_", "\\ ", "\\left(", "\\right)"])
    out = []
    while len(out) < count:
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        try:
            check_math(text, allowed)
        except UnsafeLatex:
            continue
        out.append(text)
    return out


@pytest.mark.parametrize("allowed", ["spelling", "claim"])
def test_whatever_the_checker_accepts_compiles(tmp_path, allowed):
    """The allow-list is also a grammar: accepted math never stops pdflatex."""
    require_tex()
    from derive.latex_text import SPELLING_COMMANDS
    commands = SPELLING_COMMANDS if allowed == "spelling" else CLAIM_COMMANDS
    samples = _accepted_samples(commands, 1500, seed=len(allowed))
    body = "\n".join(f"${s}$\\par" for s in samples)
    compile_pdf("\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n"
                "\\begin{document}\n" + body + "\n\\end{document}\n", tmp_path / "w.pdf")
