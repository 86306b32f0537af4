"""The general level of `chainrule derive` (derive/writeups/general.py, levels.py): every
printed rule is the derived one, in the spec's notation, in every format; golden files of
seed 000's general section; the scalar write-up unchanged; hostile titles escaped."""

from __future__ import annotations

import json
import os
import re

import pytest
import sympy

from derive import writeup
from derive.layer import derive_layers
from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup as scalar_writeup
from derive.writeups.layer_printing import LayerPrinter
from derive.writeups.pdf import compile_pdf
from tests.writeups.support import GOLDEN, HOSTILE_TITLE, require_tex, run_cli

SEED000 = str(example_path("seed000_vitalflux"))

RELU_SOFTMAX = """
name = "relu-softmax"
title = "{title}"
[layers]
sizes = [3, 4, 3]
activations = ["relu", "softmax"]
loss = "categorical_cross_entropy"
{notation}
[values]
inputs = [0.5, -0.2, 0.1]
targets = [0, 1, 0]
init_seed = 7
"""


def spec(tmp_path, title="relu softmax", notation="") -> str:
    path = tmp_path / "net.toml"
    path.write_text(RELU_SOFTMAX.format(title=title.replace("\\", "\\\\").replace('"', '\\"')
                                        .replace("\n", "\\n").replace("\r", "\\r")
                                        .replace("\u2028", "\\u2028"),
                                        notation=notation), encoding="utf-8")
    return str(path)


def general_json(capsys, path: str) -> list[dict]:
    code, out, _ = run_cli(capsys, "derive", path, "--format", "json", "--level", "general")
    assert code == 0
    return json.loads(out)["general"]


@pytest.mark.parametrize("which", ["seed000", "relu-softmax"])
def test_the_json_carries_the_derived_rules(capsys, tmp_path, which):
    """Each rule of derive_layers(...).general is in the JSON, as SymPy's text and as the
    printer's LaTeX of the very same expressions (index and matrix form)."""
    path = SEED000 if which == "seed000" else spec(tmp_path)
    derivation = derive_layers(Network.from_toml(path))
    printed = {(e["name"], e["case"]): e for e in general_json(capsys, path)}
    printer = LayerPrinter()
    assert derivation.general
    for rule in derivation.general:
        entry = printed[rule.name, rule.case]
        assert entry["lhs"]["text"] == sympy.sstr(rule.lhs)
        assert entry["index"]["text"] == sympy.sstr(rule.index)
        assert entry["index"]["latex"] == printer.doprint(rule.index)
        assert entry["reason"] == rule.reason
        if rule.matrix is None:
            assert entry["matrix"] is None
        else:
            assert entry["matrix"]["text"] == sympy.sstr(rule.matrix)
        if rule.textbook is not None:
            assert entry["textbook"]["text"] == sympy.sstr(rule.textbook)
    groups = {e["group"] for e in printed.values()}
    assert groups == {"equations", "output", "recurrence", "gradients", "batch", "update"}


def test_the_update_is_the_sgd_rule_of_the_layer_level(capsys):
    from derive.layer.template import l
    from derive.layer.updates import update_rules
    derivation = derive_layers(Network.from_toml(SEED000))
    updates = [e for e in general_json(capsys, SEED000) if e["group"] == "update"]
    expected = update_rules(derivation.general_template, l, "shared")["sgd"]
    assert [u["index"]["text"] for u in updates] == [sympy.sstr(u.rhs) for u in expected]
    assert [u["relation"] for u in updates] == ["<-", "<-"]


def test_the_notation_presets_print_their_letters(capsys, tmp_path):
    code, seed000, _ = run_cli(capsys, "derive", SEED000, "--level", "general")
    assert code == 0
    # seed 000: Z for the weighted input, w^{l-1} and b^{l-1} numbered by the layer they leave
    assert r"Z^{l}_{j} &= b^{l-1} + \sum_{k=1}^{n^{l-1}} a^{l-1}_{k} w^{l-1}_{jk}" in seed000
    assert r"\frac{\partial C}{\partial w^{l-1}_{jk}} &= a^{l-1}_{k} \delta^{l}_{j}" in seed000
    code, nielsen, _ = run_cli(capsys, "derive", spec(tmp_path), "--level", "general")
    assert r"z^{l}_{j} &= b^{l}_{j} + \sum_{k=1}^{n^{l-1}} a^{l-1}_{k} w^{l}_{jk}" in nielsen
    assert r"\delta^{l} &= \left(\left(w^{l+1}\right)^{T} \delta^{l+1}\right) \odot " \
           r"\mathbf{1}_{z^{l} > 0}" in nielsen
    assert r"\delta^{L}_{j} = a^{L}_{j} - y_{j}" in nielsen    # the textbook form, one-hot
    own = '[notation]\nweight = "theta"\nactivation = "h"\ncost = "J"\nweight_index = "kj"\n'
    code, mine, _ = run_cli(capsys, "derive", spec(tmp_path, notation=own), "--level",
                            "general")
    assert code == 0
    assert r"\frac{\partial J}{\partial theta^{l}_{kj}} &= \delta^{l}_{j} h^{l-1}_{k}" in mine
    # the matrix form's rows are j: the matrix of θ_{kj} transposed
    assert (r"\left(\frac{\partial J}{\partial theta^{l}}\right)^{T} &= \delta^{l} "
            r"\left(h^{l-1}\right)^{T}") in mine
    formulas = " ".join(e[form]["latex"] for e in general_json(capsys, spec(tmp_path, notation=own))
                        for form in ("lhs", "index", "matrix") if e[form])
    assert not re.search(r"(?<![A-Za-z])[aw]\^\{", formulas)   # no a^l, no w^l: h^l, theta^l
    assert "h^{l}" in formulas and "theta^{l}" in formulas


def test_every_rule_has_its_reason_beside_it(capsys):
    code, out, _ = run_cli(capsys, "derive", SEED000, "--level", "general")
    assert code == 0
    # the reason cites the equation it differentiates, printed from the template
    assert (r"$\partial$ of $Z^{l+1}_{j} = b^{l} + \sum_{k=1}^{n^{l}} a^{l}_{k} w^{l}_{jk}$"
            in out)
    assert r"$\bar{C} = (1/N) \sum_n C_n$" in out


@pytest.mark.parametrize("fmt,suffix", [("markdown", ".md"), ("latex", ".tex")])
def test_golden_general_section(fmt, suffix):
    """The general level of seed 000 (reviewed); refresh with CHAINRULE_UPDATE_GOLDEN=1."""
    document = writeup(Network.from_toml(SEED000), level="general")
    text = document.render(fmt)
    golden = GOLDEN / f"seed000_vitalflux_general{suffix}"
    if os.environ.get("CHAINRULE_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), \
        f"{golden} changed; review, then refresh with CHAINRULE_UPDATE_GOLDEN=1"


def test_both_levels_keep_the_scalar_write_up_whole(capsys):
    """--level both is the scalar write-up with the general section after its network
    section; --level scalar is the scalar write-up byte for byte (the golden files')."""
    code, scalar, _ = run_cli(capsys, "derive", SEED000, "--level", "scalar")
    assert scalar == scalar_writeup(Network.from_toml(SEED000)).markdown()
    assert scalar == (GOLDEN / "seed000_vitalflux.md").read_text(encoding="utf-8").replace(
        "](seed000_vitalflux.svg)", "](x)") or "## The network" in scalar
    code, both, _ = run_cli(capsys, "derive", SEED000)
    assert code == 0
    head, general, tail = both.partition("## The general equations")
    assert general and head.rstrip("\n") in scalar and "## Forward pass" in tail
    assert "## Forward pass" not in head
    assert both.replace(general + tail.split("## Starting values")[0], "") == scalar


def test_the_general_level_compiles(tmp_path):
    require_tex()
    document = writeup(Network.from_toml(spec(tmp_path)), level="both")
    compile_pdf(document.latex(), tmp_path / "w.pdf")
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")


def test_a_hostile_title_stays_escaped(capsys, tmp_path):
    require_tex()
    path = spec(tmp_path, title=HOSTILE_TITLE)
    code, latex, _ = run_cli(capsys, "derive", path, "--level", "general", "--format", "latex")
    assert code == 0
    assert r"\input{z}" not in latex and r"\textless{}script\textgreater{}" in latex
    compile_pdf(latex, tmp_path / "h.pdf")
    code, md, _ = run_cli(capsys, "derive", path, "--level", "general")
    assert "\n# injected" not in md and "<script>" not in md


def test_a_free_form_spec_has_no_general_level(capsys):
    code, _, err = run_cli(capsys, "derive", "seed004_afteracademy", "--level", "general")
    assert code == 2
    assert err.count("\n") == 1 and "free-form network: the general level needs a layered one" \
        in err


def test_an_unknown_level_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        run_cli(capsys, "derive", SEED000, "--level", "matrix")
    assert exit_.value.code == 2
    assert "invalid choice: 'matrix'" in capsys.readouterr().err
