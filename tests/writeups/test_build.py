"""The sections a write-up is built of (:mod:`derive.writeups.build`): every number the one
computed, every part the issue lists, backpropagation's order, δ forms, the parameters asked
for, and :func:`derive.writeup` itself."""

from __future__ import annotations

import json

import pytest

from derive.cli import main
from derive.scalar.chain import derive
from derive.scalar.values import compute
from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup
from derive.writeups.printing import number
from tests.networks import corpus
from tests.writeups.support import run_cli


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


def test_values_are_checked_before_the_derivation(tmp_path, capsys, monkeypatch):
    import derive.writeups.build as w

    def refuse(*args, **kwargs):
        raise AssertionError("derived before checking the values")

    monkeypatch.setattr(w, "derive", refuse)
    spec = tmp_path / "big.toml"
    spec.write_text('[layers]\nsizes = [3, 2, 1]\nactivation = "sigmoid"\n')
    # the numbers asked for (--level both or scalar): the missing value is said before the
    # derivation; without --level such a spec gets its general equations, which need none
    assert main(["derive", str(spec), "--format", "json", "--level", "both"]) == 2
    assert "missing value for 'x1'" in capsys.readouterr().err
    assert main(["derive", "seed004_afteracademy", "--params", "w99"]) == 2
    assert "unknown parameter 'w99'" in capsys.readouterr().err


def test_the_package_exports_writeup_in_any_import_order():
    """`from derive import writeup` is the function the README shows, also after the
    submodule of the same name has been imported (which binds derive.writeup first)."""
    import importlib

    import derive
    importlib.import_module("derive.writeups.build")
    from derive import writeup as exported
    document = exported(Network.from_toml(example_path("seed001_single_neuron")))
    assert json.loads(document.json())["cost"] > 0
    assert derive.writeup(Network.from_toml(example_path("seed001_single_neuron"))).json()
