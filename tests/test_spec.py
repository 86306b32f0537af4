"""derive.spec.network: both spec forms, the notation, and one clear error for every bad spec."""

import subprocess
import sys
from pathlib import Path

import pytest

from derive import Network, SpecError
from derive.cli import main
from tests.networks import TINY_SPEC

GOOD = TINY_SPEC


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_issue_example_parses_exactly_as_written():
    net = Network.from_toml("examples/seed004_afteracademy.toml")
    assert net.name == "afteracademy-2-2-2"
    assert list(net.parameters) == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]
    assert net.cost == "E" and net.learning_rate == 0.5 and net.freeze == ()
    assert net.nodes.index("h1") < net.nodes.index("H1") < net.nodes.index("o1") < net.nodes.index("E")


def test_order_of_equations_is_free(tmp_path):
    text = GOOD.replace('z = "w*x + b"\na = "sigmoid(z)"\n', 'a = "sigmoid(z)"\nz = "w*x + b"\n')
    net = Network.from_toml(write(tmp_path, text))
    assert net.nodes == ["z", "a", "E"]


BAD = [
    # (what, replace old, by new, the line to blame, words the message must contain)
    ("unknown function", 'a = "sigmoid(z)"', 'a = "sigmod(z)"', 'a = "sigmod', ["unknown function 'sigmod'", "sigmoid"]),
    ("unknown name", 'z = "w*x + b"', 'z = "w*x + bb"', 'z = "w*x + bb"', ["unknown name 'bb'", "'b'"]),
    ("cycle", 'z = "w*x + b"', 'z = "w*x + b + E"', 'z = "w*x', ["cycle", "z → E → a → z", "uses"]),
    ("self reference", 'z = "w*x + b"', 'z = "w*x + z"', 'z = "w*x', ["itself"]),
    ("cost not a node", 'cost = "E"', 'cost = "Err"', 'cost = "Err"', ["is not a node", "'E'"]),
    ("cost is a parameter", 'cost = "E"', 'cost = "w"', 'cost = "w"', ["is not a node"]),
    ("bad TOML", 'x = 0.5', 'x = ', None, ["not valid TOML"]),
    ("malformed equation", 'z = "w*x + b"', 'z = "w*x + * b"', 'z = "w*x + *', ["column 7", "expected"]),
    ("value not a number", 'w = 0.3', 'w = "0.3"', 'w = "0.3"', ["expected a number"]),
    ("unknown table", '[training]', '[trainig]', "[trainig]", ["unknown table", "training"]),
    ("freeze unknown", 'learning_rate = 0.5', 'learning_rate = 0.5\nfreeze = ["q"]', 'freeze', ["'q' is not a parameter"]),
    ("python in a spec", 'z = "w*x + b"', 'z = "__import__(os).system(1)"', 'z = "__import__', ["unknown function '__import__'"]),
    ("name defined twice", 'b = 0.1', 'b = 0.1\nz = 0.2', 'z = "w*x', ["defined twice", "parameters"]),
    ("number out of range", 'z = "w*x + b"', 'z = "w*x*1e999 + b"', 'z = "w*x*1e999',
     ["beyond float64's range", "column 5"]),
    ("wrong number of arguments", 'a = "sigmoid(z)"', 'a = "sigmoid(z, z)"', 'a = "sigmoid(z, z)',
     ["sigmoid takes 1 argument, not 2"]),
]


@pytest.mark.parametrize("what,old,new,blame,words", BAD, ids=[b[0] for b in BAD])
def test_bad_spec_gives_one_clear_error(tmp_path, what, old, new, blame, words):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as err:
        Network.from_toml(path)
    message = str(err.value)
    assert message.startswith(f"{path}:"), message
    expected_line = line_of(text, blame) if blame else line_of(text, "x = ")
    assert err.value.line == expected_line, message
    for word in words:
        assert word in message, message


def test_missing_value_is_named_when_numbers_are_needed(tmp_path):
    path = write(tmp_path, GOOD.replace("[inputs]\nx = 0.5", 'inputs = ["x"]'))
    net = Network.from_toml(path)
    from derive import compute, derive
    with pytest.raises(SpecError, match="missing value for 'x'"):
        compute(derive(net))


def test_missing_file_and_missing_equations(tmp_path):
    with pytest.raises(SpecError, match="no such spec file"):
        Network.from_toml(tmp_path / "nope.toml")
    with pytest.raises(SpecError, match=r"neither \[equations\] nor \[layers\]"):
        Network.from_toml(write(tmp_path, 'name = "x"\n'))


def test_cli_prints_one_line_and_exits_2(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace('a = "sigmoid(z)"', 'a = "sigmod(z)"'))
    assert main(["derive", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"{path}:" in err and "unknown function 'sigmod'" in err


def test_cli_error_through_the_console_script(tmp_path):
    path = write(tmp_path, "x = [")
    run = subprocess.run([sys.executable, "-m", "derive.cli", "derive", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "not valid TOML" in run.stderr


# ---------------------------------------------------------------------------- layered specs

def test_seed000_notation_names_symbols_as_the_post_does():
    net = Network.from_toml("examples/seed000_vitalflux.toml")
    latex = net.latex
    assert latex["w1_21"] == "w^{1}_{21}" and latex["a2_3"] == "a^{2}_{3}"
    assert latex["Z3_1"] == "Z^{3}_{1}" and latex["b1"] == "b_{1}" and latex["b2"] == "b_{2}"
    assert net.equations["Z2_2"].text == "w1_21*x1 + w1_22*x2 + b1"
    assert net.parameters["w1_21"] == -0.3


def test_nielsen_preset_and_index_order():
    net = Network.layered([2, 3, 1], "sigmoid", notation="nielsen", inputs=[1, 2], targets=[1])
    assert net.equations["z2_3"].text == "w2_31*x1 + w2_32*x2 + b2_3"
    from derive.spec.model import Notation
    kj = Network.layered([2, 3, 1], "sigmoid", notation=Notation(weight_index="kj"))
    assert kj.equations["z2_3"].text == "w2_13*x1 + w2_23*x2 + b2_3"


def test_layered_losses_and_softmax():
    net = Network.layered([2, 3], "softmax", loss="cce")
    assert net.equations["a2_1"].text == "exp(z2_1)/(exp(z2_1) + exp(z2_2) + exp(z2_3))"
    assert net.equations["C"].text == "-(y1*log(a2_1) + y2*log(a2_2) + y3*log(a2_3))"
    mse = Network.layered([1, 2], "identity", loss="mse", bias="none")
    assert mse.equations["C"].text == "1/2*((y1 - a2_1)**2 + (y2 - a2_2)**2)"
    assert "b2_1" not in mse.parameters


def test_wide_layers_get_separated_indices():
    net = Network.layered([12, 2], "sigmoid")
    assert "w2_1_12" in net.parameters and net.latex["w2_1_12"] == "w^{2}_{1,12}"


LAYERED_BAD = [
    ("sizes = [2, 3, 1]", "sizes = [2]", "sizes must list"),
    ('activation = "identity"', 'activation = "sigmoidal"', "unknown activation 'sigmoidal'"),
    ('activation = "identity"', 'activation = ["softmax", "identity"]', "softmax is only for the output"),
    ('bias = "shared"', 'bias = "each"', "unknown bias mode"),
    ('loss = "squared_error"', 'loss = "hinge"', "unknown loss 'hinge'"),
    ('preset = "seed000"', 'preset = "bishop"', "unknown notation preset"),
    ("targets = [0.3]", "targets = [0.3, 0.1]", "expected 1 numbers"),
    ("biases = [0.1, -0.05]", "biases = [0.1]", "one entry per layer"),
]


@pytest.mark.parametrize("old,new,words", LAYERED_BAD, ids=[b[2] for b in LAYERED_BAD])
def test_bad_layered_spec(tmp_path, old, new, words):
    text = Path("examples/seed000_vitalflux.toml").read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as err:
        Network.from_toml(path)
    assert words in str(err.value)
    assert err.value.line == line_of(text, new.split("=")[0].strip() + " ="), str(err.value)


@pytest.mark.parametrize("name,expected", [("delta_h1", "starts with 'delta_'"),
                                           ("_h1", "not a usable name")])
def test_reserved_and_unusable_names(tmp_path, name, expected):
    spec = tmp_path / "spec.toml"
    spec.write_text(f'[inputs]\nx = 1\n[parameters]\nw = 0.5\n[equations]\n{name} = "w*x"\n'
                    f'L = "{name}**2"\n')
    with pytest.raises(SpecError) as err:
        Network.from_toml(spec)
    assert expected in str(err.value) and str(err.value).startswith(f"{spec}:6:")
