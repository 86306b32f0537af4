"""derive.spec.layered: layered specs unrolled into scalar equations, their losses and index
spellings, one clear error for every bad layered spec, the parameter limit and the ranges of
seeds and layer numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive import Network, SpecError
from derive.spec import limits
from derive.spec.notation import Notation
from tests.spec.texts import line_of, write


def test_layered_losses_and_softmax():
    net = Network.layered([2, 3], "softmax", loss="cce")
    assert net.equations["a2_1"].text == "exp(z2_1)/(exp(z2_1) + exp(z2_2) + exp(z2_3))"
    assert net.equations["C"].text == "-(y1*log(a2_1) + y2*log(a2_2) + y3*log(a2_3))"
    mse = Network.layered([1, 2], "identity", loss="mse", bias="none")
    assert mse.equations["C"].text == "1/2*((y1 - a2_1)**2 + (y2 - a2_2)**2)"
    assert "b2_1" not in mse.parameters


@pytest.mark.parametrize("spelling, loss, output", [
    ("categorical_crossentropy", "categorical_cross_entropy", "softmax"),
    ("sparse_categorical_crossentropy", "categorical_cross_entropy", "softmax"),
    ("binary_crossentropy", "binary_cross_entropy", "sigmoid"),
    ("mse", "mean_squared_error", "identity"),
    ("mean_squared_error", "mean_squared_error", "identity"),
])
def test_kerass_loss_spellings_are_aliases(spelling, loss, output):
    """Keras's names of its losses (sparse categorical cross-entropy: the same loss, taking
    labels) give the same network as chainrule's own."""
    net = Network.layered([3, 2], output, loss=spelling)
    assert net.layers.loss == loss
    assert net.equations["C"].text == Network.layered([3, 2], output, loss=loss).equations["C"].text


def test_a_keras_loss_spelling_still_needs_its_output_layer():
    with pytest.raises(SpecError, match="categorical_cross_entropy needs a softmax output"):
        Network.layered([3, 2], "relu", loss="categorical_crossentropy")


def test_training_run_settings_are_read_and_checked(tmp_path):
    """[training] optimizer, batch_size and epochs (model.compile / model.fit's arguments)
    for `chainrule train`, in both spec forms; None where not given."""
    text = ("[layers]\nsizes = [2, 1]\n[training]\nlearning_rate = 0.01\n"
            'optimizer = "momentum"\nbatch_size = 32\nepochs = 10\n')
    net = Network.from_toml_text(text, file="k.toml")
    assert (net.optimizer, net.batch_size, net.epochs) == ("momentum", 32, 10)
    bare = Network.layered([2, 1])
    assert (bare.optimizer, bare.batch_size, bare.epochs) == (None, None, None)
    free = Network.from_equations(equations={"E": "(w*x - y)**2"}, inputs=["x"],
                                  targets=["y"], parameters={"w": 0.1}, epochs=3)
    assert free.epochs == 3
    for key, value, words in [("optimizer", '"adamw"', "unknown optimizer 'adamw'"),
                              ("optimizer", "1", "the name of an optimizer"),
                              ("batch_size", "0", "from 1 to 2147483647"),
                              ("batch_size", "32.0", "whole number"),
                              ("epochs", "1000001", "from 1 to 1000000"),
                              ("epochs", "true", "whole number")]:
        bad = text.replace(f"{key} = ", f"{key} = {value}\n# ")
        with pytest.raises(SpecError) as caught:
            Network.from_toml_text(bad, file="k.toml")
        assert f"training.{key}" in str(caught.value) and words in str(caught.value)


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


def test_the_layered_limit_counts_parameters_from_the_sizes(monkeypatch):
    monkeypatch.setattr(limits, "MAX_LAYERED_PARAMETERS", 17)
    Network.layered([2, 3, 1], "sigmoid", bias="shared")      # 6 + 1 + 3 + 1 = 11
    Network.layered([2, 3, 2], "sigmoid")                     # 6 + 3 + 6 + 2 = 17
    with pytest.raises(SpecError, match="18 parameters"):
        Network.layered([2, 3, 3], "sigmoid", bias=["per-neuron", "none"])  # 6 + 3 + 9
    with pytest.raises(SpecError, match="21 parameters .* limit of 17"):
        Network.layered([2, 3, 3], "sigmoid")                 # … + 3 = 21


def test_the_ranges_of_seeds_and_layer_numbers():
    a = Network.layered([2, 1], init_seed=2 ** 63 - 1)
    assert a.parameters != Network.layered([2, 1], init_seed=1).parameters
    first = Network.layered([2, 1], notation=Notation(first_layer=0))
    assert "w1_11" in first.parameters and "a1_1" in first.equations
    nine = Network.layered([2, 2, 1], notation=Notation(first_layer=9))
    assert "w11_11" in nine.parameters
