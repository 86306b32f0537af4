"""LaTeX and Markdown text (:mod:`derive.latex_text`): the allow-list of spellings and claim
math (what it keeps, what it refuses and says so, from the function up to the spec and the
CLI; whatever it accepts compiles), and escaping that leaves no special character."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from derive.cli import main
from derive.errors import SpecError
from derive.latex_text import (CLAIM_COMMANDS, UnsafeLatex, check_math, check_spelling, md_code,
                               md_text, tex_text)
from derive.spec.model import Network
from derive.writeups.build import writeup
from derive.writeups.pdf import compile_pdf
from tests.writeups.support import (assert_mermaid_is_well_formed, require_tex, small_spec,
                                    unescaped_pipes)


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


def test_claim_math_is_kept_where_it_is_safe():
    check_math(r"\frac{\partial C}{\partial w^2_{11}} = (a^3_1 - y)\, a^2_1", CLAIM_COMMANDS)
    for bad in (r"\input{x}", r"\frac{a}{\input{b}}", r"\left(x", r"x\)", "$x$"):
        with pytest.raises(UnsafeLatex):
            check_math(bad, CLAIM_COMMANDS)


def test_code_spans_hold_any_backticks():
    for text in ["a`b", "``", "`x`", "a | b", "x\ny"]:
        span = md_code(text)
        fence = re.match(r"`+", span).group()
        inner = span[len(fence):-len(fence)]
        assert span.endswith(fence) and fence not in inner.replace(fence + "`", "")
        assert "\n" not in span and unescaped_pipes(span) == 0


def test_tex_and_markdown_text_escape_every_special():
    tex = tex_text("a\\b{c}_d&e%f$g#h^i~j<k>l|m\nn")
    assert "\n" not in tex and not re.search(r"(?<!\\)[{}&%$#_]", tex.replace("{}", ""))
    md = md_text("a`b*c_d[e]f<g>h|i$j~k&l#m\nn")
    assert "\n" not in md and not re.search(r"(?<!\\)[`*_\[\]<>|$~&#]", md)


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


def test_accented_letters_print_as_letters_and_compile(tmp_path):
    """A title in French, German, Spanish or Czech keeps its letters in LaTeX (accent
    commands on the ASCII base, ß and æ by name); what pdflatex's fonts cannot draw is ``?``;
    the document compiles."""
    title = "Réseau de Müller — Straße, año, façade, Škoda, naïve, Ærø, Łódź, 中文"
    tex = tex_text(title)
    assert tex.startswith(r"R\'{e}seau de M\"{u}ller --- Stra\ss{}e, a\~{n}o, fa\c{c}ade, ")
    assert r"\v{S}koda, na\"{\i{}}ve, \AE{}r\o{}, \L{}\'{o}d\'{z}, ??" in tex
    assert tex.isascii()
    require_tex()
    net = Network.from_toml_text(small_spec(tmp_path, head=f'name = "net"\ntitle = "{title}"\n')
                                 .read_text(encoding="utf-8"), file="net.toml")
    document = writeup(net)
    assert r"M\"{u}ller" in document.latex()
    compile_pdf(document.latex(), tmp_path / "w.pdf")
    assert (tmp_path / "w.pdf").stat().st_size > 1000
