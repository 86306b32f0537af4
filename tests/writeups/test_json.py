"""The JSON form (:mod:`derive.writeups.json`): the derivation's numbers, strict JSON when a
value overflows, and no LaTeX work to make it."""

from __future__ import annotations

import json
import math

import pytest

from derive.cli import main
from derive.scalar.chain import derive
from derive.scalar.values import compute
from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup
from tests.writeups.support import run_cli


def test_json_reports_the_numbers_of_the_derivation(capsys):
    path = example_path("seed004_afteracademy")
    code, out, _ = run_cli(capsys, "derive", str(path), "--format", "json")
    assert code == 0
    reported = json.loads(out)
    truth = compute(derive(Network.from_toml(path))).as_dict()
    assert reported == truth
    assert set(reported) == {"values", "cost", "gradients", "updated", "cost_after"}
    # ∂E/∂w5 = (O1 − y1)·O1(1 − O1)·H1, worked by hand from the spec numbers
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    H1, H2 = sig(0.25 * 0.1 + 0.15 * 0.2 + 0.45), sig(0.35 * 0.1 + 0.28 * 0.2 + 0.45)
    O1 = sig(0.35 * H1 + 0.20 * H2 + 0.5)
    by_hand = (O1 - 0.05) * O1 * (1 - O1) * H1
    assert reported["gradients"]["w5"] == pytest.approx(by_hand, rel=1e-12)
    assert reported["updated"]["w5"] == pytest.approx(0.35 - 0.5 * by_hand, rel=1e-12)


def test_json_stays_valid_when_a_value_overflows(tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text('[inputs]\nx = 1e200\n[targets]\ny = 1\n[parameters]\nw = 1e200\n'
                    '[equations]\nz = "w*x"\nE = "(z - y)**2"\n')
    text = writeup(Network.from_toml(spec)).json()
    data = json.loads(text)  # strict JSON: no Infinity or NaN tokens
    assert data["values"]["z"] == "inf" and "Infinity" not in text


def test_json_does_no_latex_work(tmp_path, capsys, monkeypatch):
    from sympy.printing.latex import LatexPrinter

    import derive.writeups.build as w

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
