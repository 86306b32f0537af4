"""`chainrule check SPEC --from FILE`: a whole post checked, claims in document order with
their lines, skipped pieces listed with the reason, aliases from --aliases FILE or --alias,
and the public function behind it."""

import json

import derive
from derive import cli
from derive.spec.examples import EXAMPLES_DIR

POST = str(EXAMPLES_DIR / "posts" / "seed004_afteracademy.txt")


def run_cli(capsys, *argv):
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_post_in_text(capsys):
    code, out, err = run_cli(capsys, "seed004_afteracademy", "--from", POST)
    assert code == 1 and err == ""
    assert out.startswith(f"25 claims found in {POST}\n")
    assert "≈ rounding    line 56: H(h1) = 0.623633" in out
    assert "✗ wrong       line 72: out(o1) = 0.6888201" in out
    assert "15 hold, 8 wrong, 2 rounding, 0 cannot read" in out
    assert "✓ holds       line 104: dE/dw1 = dE/dout(h1) * dout(h1)/dnet(h1) * dnet(h1)/dw1" in out
    lines = [int(x.split("line ")[1].split(":")[0]) for x in out.splitlines() if " line " in x]
    assert lines == sorted(lines)


def test_a_post_in_json_and_markdown(capsys):
    code, out, _ = run_cli(capsys, "seed001_single_neuron", "--from",
                           str(EXAMPLES_DIR / "posts" / "seed001_single_neuron.txt"), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["file"].endswith("seed001_single_neuron.txt")
    dW = [c for c in report["claims"] if c["line"] == 56]
    assert [c["claim"] for c in dW] == ["dL/dw1 = (A - y) * x1", "dL/dw2 = (A - y) * x2",
                                        "dL/dw3 = (A - y) * x3", "dL/dZ = A - y"]
    assert all(c["source"] == "dW = dA * X" for c in dW)
    assert report["skipped"] == [{"line": 34, "column": 7,
                                  "text": "w = w – learning_rate * (∂Loss / ∂w)",
                                  "reason": report["skipped"][0]["reason"]}]
    assert "unknown symbol 'w'" in report["skipped"][0]["reason"]
    code, out, _ = run_cli(capsys, "seed001_single_neuron", "--from",
                           str(EXAMPLES_DIR / "posts" / "seed001_single_neuron.txt"), "--format", "markdown")
    assert "| Line | | Claim | Truth | Verdict | Why |" in out
    assert "| 55 | ✗ | `dL/dA = A - y` |" in out
    assert "| 34 | `w = w – learning_rate * (∂Loss / ∂w)` |" in out


def test_spellings_the_spec_cannot_read_are_skipped_then_given(capsys, tmp_path):
    post = tmp_path / "post.md"
    post.write_text("Here $Q(h1) = 0.623633$ and E(o1) = 0.2 and we get h1 = 0.505.\n",
                    encoding="utf-8")
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--from", str(post))
    assert code == 0 and "1 claims found" in out and "2 skipped" in out
    assert "E(o1) names no node of the spec: give it in [aliases]" in out
    assert "Q(h1) names no node of the spec" in out
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[aliases]\n"Q(h1)" = "H1"\n', encoding="utf-8")
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--from", str(post), "--aliases",
                           str(aliases), "--format", "json")
    claims = json.loads(out)["claims"]
    assert [(c["line"], c["claim"], c["verdict"]) for c in claims] == \
        [(1, "Q(h1) = 0.623633", "rounding"), (1, "h1 = 0.505", "holds")]
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--from", str(post), "--alias",
                           "Q(h1)=H1", "--alias", "E(o1)=E")
    assert "3 claims found" in out and "skipped" not in out


def test_nothing_to_check_is_no_error(capsys, tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Backpropagation was popularised in 1986.\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "seed004_afteracademy", "--from", str(post))
    assert code == 0 and out == f"0 claims found in {post}\nno claims found\n"


def test_the_public_function():
    net = derive.load_example("seed004_afteracademy")
    found = derive.check_document(net, "<p>out (o1) is 0.6888201</p>", format="html")
    assert [(c.line, c.text, c.verdict.verdict, c.quantity) for c in found.claims] == \
        [(1, "out(o1) = 0.6888201", "wrong", ("value", "O1", None))]
    assert "check_document" in derive.__all__
