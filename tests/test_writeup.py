"""Write-ups from the user's side: `chainrule derive` and :func:`derive.writeups.document.writeup`.

Golden files (tests/golden/) hold the exact Markdown and LaTeX of two examples; after a
reviewed change, refresh them with ``CHAINRULE_UPDATE_GOLDEN=1 bash dev.sh test tests/test_writeup.py``.
"""

from __future__ import annotations

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from derive.scalar.chain import derive
from derive.cli import main
from derive.spec.examples import example_names, example_path
from derive.spec.model import Network
from derive.scalar.values import compute
from derive.writeups.document import compile_pdf, number, tex_engine, writeup
from tests.networks import corpus

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_EXAMPLES = ["seed004_afteracademy", "seed000_vitalflux"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def require_tex() -> None:
    """Skip without pdflatex on a developer's machine; in CI its absence is a failure."""
    if tex_engine() is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing in CI: .ci/run must install a TeX engine")
        pytest.skip("pdflatex is not installed")


# --------------------------------------------------------------------------- numbers

def test_json_reports_the_numbers_of_the_derivation(capsys):
    path = example_path("seed004_afteracademy")
    code, out, _ = run_cli(capsys, "derive", str(path), "--format", "json")
    assert code == 0
    reported = json.loads(out)
    truth = compute(derive(Network.from_toml(path))).as_dict()
    assert reported == truth
    assert set(reported) == {"values", "cost", "gradients", "updated", "cost_after"}
    # ∂E/∂w5 = (O1 − y1)·O1(1 − O1)·H1, worked by hand from the issue's spec numbers
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    H1, H2 = sig(0.25 * 0.1 + 0.15 * 0.2 + 0.45), sig(0.35 * 0.1 + 0.28 * 0.2 + 0.45)
    O1 = sig(0.35 * H1 + 0.20 * H2 + 0.5)
    by_hand = (O1 - 0.05) * O1 * (1 - O1) * H1
    assert reported["gradients"]["w5"] == pytest.approx(by_hand, rel=1e-12)
    assert reported["updated"]["w5"] == pytest.approx(0.35 - 0.5 * by_hand, rel=1e-12)


@pytest.mark.parametrize("name", sorted(corpus()))
def test_every_printed_number_is_the_computed_one(name):
    network = corpus()[name]
    document = writeup(network)
    values = compute(derive(network))
    text = document.markdown()
    for p, g in values.gradients.items():
        assert number(g) in text, f"∂C/∂{p} = {g} not printed"
        assert number(values.updated[p]) in text
    assert number(values.cost) in text and number(values.cost_after) in text
    for node, v in values.values.items():
        assert number(v) in text, f"value of {node} not printed"


def test_frozen_parameters_are_kept_and_said_so():
    document = writeup(corpus()["nielsen-frozen"])
    text = document.markdown()
    assert "(frozen)" in text
    assert document.values.updated["b2_1"] == document.values.values["b2_1"]


def test_number_formatting_rounds_only_for_print():
    assert number(0.000687323456) == "0.000687323"
    assert number(-1.5e-7) == r"-1.5 \times 10^{-7}"
    assert number(0.0) == "0"


# --------------------------------------------------------------------------- content

def test_writeup_has_every_part_the_issue_lists():
    text = writeup(Network.from_toml(example_path("seed004_afteracademy"))).markdown()
    for heading in ("## The network", "## Starting values", "## Forward pass", "## Cost",
                    "## Backward pass", "### Parameter $w_{5}$", "## One gradient-descent step",
                    "## Cost after the step"):
        assert heading in text
    # the chain of partials for w5, its factors, the closed form and the number
    assert (r"\frac{\partial E}{\partial w_{5}} &= \frac{\partial E}{\partial O_{1}} "
            r"\frac{\partial O_{1}}{\partial o_{1}} \frac{\partial o_{1}}{\partial w_{5}}") in text
    assert r"\frac{\partial O_{1}}{\partial o_{1}} &= O_{1} \left(1 - O_{1}\right)" in text
    # equations keep the spec's order of terms, numbers substituted in the same order
    assert r"h_{1} &= w_{1} x_{1} + w_{4} x_{2} + b_{1}" in text
    assert r"&= 0.25 \cdot 0.1 + 0.15 \cdot 0.2 + 0.45" in text


def test_parameters_come_in_backpropagation_order(capsys):
    """Output layer first, as the posts go; within a layer neuron by neuron, a shared bias
    after its layer's weights."""
    def order(spec):
        code, out, _ = run_cli(capsys, "derive", spec)
        assert code == 0
        return [line.split("$")[1] for line in out.splitlines() if line.startswith("### Param")]
    assert order("seed004_afteracademy") == [
        "w_{5}", "w_{6}", "w_{7}", "w_{8}", "b_{2}", "w_{1}", "w_{4}", "w_{2}", "w_{3}", "b_{1}"]
    assert order("seed000_vitalflux") == [
        "w^{2}_{11}", "w^{2}_{12}", "w^{2}_{13}", "b_{2}", "w^{1}_{11}", "w^{1}_{12}",
        "w^{1}_{21}", "w^{1}_{22}", "w^{1}_{31}", "w^{1}_{32}", "b_{1}"]


def test_backward_pass_shows_the_textbook_delta_of_log_losses(capsys):
    """σ with cross-entropy: δ_z = δ_a·a(1 − a) is a − y, and the write-up says so before
    the numbers; softmax with cross-entropy: a_j(Σy) − y_j."""
    _, out, _ = run_cli(capsys, "derive", "xor", "--format", "latex")
    assert (r"\delta_{z^{3}_{1}} = \frac{\partial C}{\partial z^{3}_{1}} &= "
            r"\delta_{a^{3}_{1}} a^{3}_{1} \left(1 - a^{3}_{1}\right) \\" "\n"
            r"&= a^{3}_{1} - y \\") in out
    _, out, _ = run_cli(capsys, "derive", "iris_softmax", "--format", "latex")
    assert r"&= a^{3}_{2} \left(y_{1} + y_{2} + y_{3}\right) - y_{2} \\" in out


def test_only_some_parameters(capsys):
    """--params: the chains of the parameters asked for (in backpropagation order), the rest
    of the write-up whole; an unknown name is a one-line error with the closest names."""
    code, out, _ = run_cli(capsys, "derive", "seed004_afteracademy", "--params", "w1,w5")
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("### Param")] == [
        "### Parameter $w_{5}$", "### Parameter $w_{1}$"]
    assert "## One gradient-descent step" in out and "## Backward pass" in out
    assert "chains of 2 of the 10 parameters" in out
    code, _, err = run_cli(capsys, "derive", "seed004_afteracademy", "--params", "w1,w9")
    assert code == 2 and "unknown parameter 'w9' (closest: w8" in err
    assert len(err.strip().splitlines()) == 1


def test_author_notation_is_printed():
    text = writeup(Network.from_toml(example_path("seed000_vitalflux"))).latex()
    for spelling in ("w^{1}_{21}", "a^{2}_{3}", "Z^{3}_{1}", "b_{1}"):
        assert spelling in text


def test_many_paths_switch_to_the_delta_form():
    network = Network.layered([2, 3, 3, 3, 2], "sigmoid", loss="squared_error",
                              inputs=[0.5, -0.5], targets=[0.0, 1.0], init_seed=2)
    document = writeup(network)
    text = document.markdown()
    # w^2_11 reaches the cost through 3 · 3 · 2 paths: written with the adjoints instead
    assert "18 paths lead from the cost to $w^{2}_{11}$" in text
    assert r"\frac{\partial C}{\partial w^{2}_{11}} &= \delta_{z^{2}_{1}} x_{1}" in text
    assert number(document.values.gradients["w2_11"]) in text
    # a last-layer weight has one path and keeps the full chain
    assert "The chain rule over the only path from the cost to $w^{5}_{11}$" in text


def test_notebook_reprs():
    document = writeup(corpus()["seed004"])
    assert document._repr_markdown_().startswith("# ")
    assert "](data:image/svg+xml;base64," in document._repr_markdown_()   # notebooks: inline SVG
    assert document._repr_latex_().startswith("$$")


def test_diagram_labels_every_weight_and_node():
    document = writeup(corpus()["seed004"])
    tikz = document.latex()
    for weight in range(1, 9):
        assert rf"{{$w_{{{weight}}}$}}" in tikz
    mermaid = document.diagram.mermaid()
    assert 'n0 -->|"w₁"| n3' in mermaid and '(("h₁ | H₁"))' in mermaid
    svg = ET.fromstring(document.svg())
    texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for label in ("h₁", "H₁", "o₂", "O₂", "E", "x₁", "y₂", "b₁", "w₅"):
        assert label in texts, f"{label} missing from the SVG"


# --------------------------------------------------------------------------- golden files

@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
@pytest.mark.parametrize("fmt,suffix", [("markdown", ".md"), ("latex", ".tex")])
def test_golden(name, fmt, suffix):
    document = writeup(Network.from_toml(example_path(name)))
    text = document.render(fmt, diagram_href=f"{name}.svg")
    golden = GOLDEN / f"{name}{suffix}"
    if os.environ.get("CHAINRULE_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        (GOLDEN / f"{name}.svg").write_text(document.svg(), encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), \
        f"{golden} changed; review, then refresh with CHAINRULE_UPDATE_GOLDEN=1"
    assert document.svg() == (GOLDEN / f"{name}.svg").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- PDF

@pytest.mark.parametrize("name", example_names())
def test_every_example_compiles_to_pdf(name, tmp_path):
    require_tex()
    pdf = compile_pdf(writeup(Network.from_toml(example_path(name))).latex(), tmp_path / "w.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


#: every example's spec (its claims files are not networks)
SPECS = sorted(p for p in (Path(__file__).parents[1] / "examples").glob("*.toml")
               if not p.stem.endswith("_claims"))
#: how far a line may stick out into the margin (pt): less than a letter
OVERFULL_TOLERANCE = 5.0


def assert_fits_the_page(network: Network, folder: Path) -> None:
    """pdflatex reports no overfull box of the write-up wider or taller than the tolerance."""
    log = folder / "w.log"
    compile_pdf(writeup(network).latex(), folder / "w.pdf", log_path=log)
    text = log.read_text(encoding="latin-1")
    assert "Output written" in text
    overfull = [(float(pt), line) for pt, line in
                re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\)(.*)", text)]
    assert not [o for o in overfull if o[0] > OVERFULL_TOLERANCE], overfull


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_example_fits_the_page(spec, tmp_path):
    """No line of a write-up runs off the page (long closed forms such as seed 004's ∂E/∂b1
    are broken over lines)."""
    require_tex()
    assert_fits_the_page(Network.from_toml(spec), tmp_path)


def test_a_tall_network_fits_the_page(tmp_path):
    """40 inputs: a diagram taller than the page is scaled down, a table longer than a page
    is set as several."""
    require_tex()
    assert_fits_the_page(Network.layered([40, 1], "sigmoid", inputs=[0.1] * 40, targets=[1.0]),
                         tmp_path)


@pytest.mark.parametrize("name", sorted(corpus()))
def test_every_corpus_network_compiles_to_pdf(name, tmp_path):
    require_tex()
    pdf = compile_pdf(writeup(corpus()[name]).latex(), tmp_path / "w.pdf")
    assert pdf.stat().st_size > 1000


def test_cli_writes_latex_and_pdf(capsys, tmp_path):
    require_tex()
    out = tmp_path / "w.tex"
    code, _, err = run_cli(capsys, "derive", "seed001_single_neuron", "-o", str(out), "--pdf")
    assert code == 0
    assert out.read_text().startswith(r"\documentclass")
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")
    assert "wrote" in err


def test_pdf_without_tex_engine_is_a_clear_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "w.tex"
    code, _, err = run_cli(capsys, "derive", "-o", str(out), "--pdf")
    assert code == 2
    assert "no TeX engine found" in err and "leave out --pdf" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists(), "nothing is written when the PDF cannot be made"


# --------------------------------------------------------------------------- CLI

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


def test_json_stays_valid_when_a_value_overflows(tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text('[inputs]\nx = 1e200\n[targets]\ny = 1\n[parameters]\nw = 1e200\n'
                    '[equations]\nz = "w*x"\nE = "(z - y)**2"\n')
    text = writeup(Network.from_toml(spec)).json()
    data = json.loads(text)  # strict JSON: no Infinity or NaN tokens
    assert data["values"]["z"] == "inf" and "Infinity" not in text


def test_an_overflowing_function_is_a_clear_error(capsys, tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text('[inputs]\nx = 1\n[targets]\ny = 1\n[parameters]\nw = 800\n'
                    '[equations]\nz = "exp(w*x)"\nE = "(z - y)**2"\n')
    code, _, err = run_cli(capsys, "derive", str(spec))
    assert code == 2 and "the value of z overflows float64" in err
    assert len(err.strip().splitlines()) == 1


def test_the_package_exports_writeup_in_any_import_order():
    """`from derive import writeup` is the function the README shows, also after the
    submodule of the same name has been imported (which binds derive.writeups.document first)."""
    import importlib

    import derive
    importlib.import_module("derive.writeups.document")
    from derive import writeup as exported
    document = exported(Network.from_toml(example_path("seed001_single_neuron")))
    assert json.loads(document.json())["cost"] > 0
    assert derive.writeups.document(Network.from_toml(example_path("seed001_single_neuron"))).json()


# --------------------------------------------------------------------------- long lines

def _steps(network):
    from derive.writeups.document import Display
    for section in writeup(network).sections:
        for block in section.blocks:
            if isinstance(block, Display):
                for lhs, steps in block.rows:
                    yield lhs
                    yield from (step for _, step in steps)


def test_a_broken_line_is_the_same_math():
    """Breaking only moves terms to new lines: with the fixed-size brackets back as
    \\left/\\right, the lines read as the step did."""
    from derive.writeups.breaks import break_step
    long = [s for name in GOLDEN_EXAMPLES for s in _steps(Network.from_toml(example_path(name)))
            if len(break_step(s, 440, 418)) > 1]
    assert len(long) >= 6, "seed 004's closed forms of w1-w4, b1 and b2 are broken"
    for step in long:
        joined = " ".join(break_step(step, 440, 418))
        joined = re.sub(r"\\[Bb]ig([lr])([(\[])", lambda m: ("\\left" if m.group(1) == "l"
                                                            else "\\right") + m.group(2), joined)
        joined = re.sub(r"\\[Bb]igr\)", r"\\right)", joined)
        assert "".join(joined.split()) == "".join(step.split())


def test_every_line_fits_its_budget_where_the_math_allows():
    from derive.writeups.breaks import break_step, text_width
    net = Network.layered([3, 12], ["softmax"], loss="categorical_cross_entropy",
                          inputs=[0.5, -0.2, 0.1], targets=[1] + [0] * 11)
    for step in _steps(net):
        for line in break_step(step, 300, 280):
            assert text_width(line) <= 300 + 30, line   # + a bracket's or a fraction's head


def test_the_quick_width_bound_is_a_bound():
    from derive.writeups.breaks import _quick_bound, text_width
    for name in example_names():
        for step in _steps(Network.from_toml(example_path(name))):
            assert _quick_bound(step) >= text_width(step), step


def test_an_activation_of_an_activation_is_drawn_and_written_up():
    """σ(σ(w·x)): the first σ merges with its pre-activation, the second is a circle of its own
    (the diagram raised KeyError here)."""
    from derive.writeups.diagram import network_diagram
    from derive.scalar.graph import build_graph

    net = Network.from_equations(
        equations={"n0": "w*x", "n1": "sigmoid(n0)", "n2": "sigmoid(n1)", "E": "(y - n2)**2"},
        inputs={"x": 0.5}, targets={"y": 1.0}, parameters={"w": 0.3})
    graph = build_graph(net)
    diagram = network_diagram(graph, {n: n for n in [*graph.symbols]})
    columns = {v.id: v.column for v in diagram.vertices}
    assert "n0" not in columns and columns["x"] < columns["n1"] < columns["n2"] < columns["E"]
    doc = writeup(net)
    for text in (doc.latex(), doc.markdown(), doc.svg(), doc.json()):
        assert text
