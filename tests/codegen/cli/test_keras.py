"""Seed 003's Keras model as a Keras user runs it: the example spec says what the post's code
says, `chainrule train` takes Keras's mnist.npz layout (uint8 images, integer labels, its own
test split) and shows its epochs as ``model.fit`` does; the digits spec beside it."""

from __future__ import annotations

import io
import json
import sys

import numpy as np
import pytest

from derive.cli import main
from derive.spec.examples import example_path
from derive.spec.model import Network
from tests.codegen.running import metrics


def mnist_layout(path, train_rows=300, test_rows=100):
    """An npz in Keras's mnist.npz layout: x_* uint8 (n, 28, 28), y_* uint8 labels 0–9.
    The images are scikit-learn's 8×8 digits blown up 3× and framed to 28×28 (so that a
    784-64-10 net has something to learn in a few epochs)."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = np.pad(np.kron(digits.images, np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))
    x = np.round(images * 255 / 16).astype(np.uint8)
    y = digits.target.astype(np.uint8)
    end = train_rows + test_rows
    np.savez(path, x_train=x[:train_rows], y_train=y[:train_rows],
             x_test=x[train_rows:end], y_test=y[train_rows:end])
    return x[train_rows:end], y[train_rows:end]


def layer_arrays(network: Network, params) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) of each layer, from a run's params.npz by the spec's own names."""
    layers = network.layers
    return [(np.array([[params[w] for w in row] for row in weights]),
             np.array([params[b] for b in biases]))
            for weights, biases in zip(layers.weight_names, layers.bias_names)]


def test_the_example_spec_is_the_posts_model():
    """Dense(64, input_dim=784, relu), Dense(10, softmax), categorical_crossentropy,
    SGD(lr=0.01), fit(epochs=10, batch_size=32): 50,890 parameters."""
    net = Network.from_toml(example_path("seed003_keras_mnist"))
    assert net.layers.sizes == (784, 64, 10)
    assert net.layers.activations == ("relu", "softmax")
    assert net.layers.loss == "categorical_cross_entropy"
    assert (net.learning_rate, net.optimizer, net.batch_size, net.epochs) == (0.01, "sgd", 32, 10)
    assert len(net.parameters) == 784 * 64 + 64 + 64 * 10 + 10 == 50_890
    digits = Network.from_toml(example_path("digits_64_32_10"))
    assert digits.layers.sizes == (64, 32, 10) and len(digits.parameters) == 2_410


def test_seed003_trains_on_keras_mnist_layout_like_model_fit(capsys, tmp_path):
    """`chainrule train examples/seed003_keras_mnist.toml --data npz:mnist.npz --epochs 10`:
    batch 32 and SGD from the spec, an `Epoch k/10` line per epoch with cost and accuracy,
    the file's test split held out; its accuracy agrees with a NumPy forward pass of the
    trained parameters on the test images (flattened, divided by 255)."""
    data = tmp_path / "mnist.npz"
    x_test, y_test = mnist_layout(data)
    run = tmp_path / "run"
    code = main(["train", str(example_path("seed003_keras_mnist")), "--data", f"npz:{data}",
                 "--epochs", "10", "-o", str(run)])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("Epoch ")]
    assert [line.split(" - ")[0] for line in lines] == [f"Epoch {k}/10" for k in range(1, 11)]
    assert all(" - cost: " in line and " - accuracy: " in line for line in lines)
    m = metrics(run)
    assert (m["epochs"], m["batch_size"], m["optimizer"], m["hyper"]["lr"]) == (10, 32, "sgd", 0.01)
    assert (m["train_rows"], m["test_rows"], m["test_split"]) == (300, 100, True)
    assert "test accuracy" in out and "the data's test split" in out
    net = Network.from_toml(example_path("seed003_keras_mnist"))
    (W1, b1), (W2, b2) = layer_arrays(net, np.load(run / "params.npz"))
    hidden = np.maximum(x_test.reshape(100, 784) / 255.0 @ W1.T + b1, 0.0)
    predicted = (hidden @ W2.T + b2).argmax(axis=1)
    assert m["test_accuracy"] == pytest.approx(np.mean(predicted == y_test), abs=1e-12)
    assert m["test_accuracy"] >= 0.5, m          # ten epochs of 300 rows: well above chance
    costs = [float(row.split(",")[1]) for row in (run / "history.csv").read_text().split()[1:]]
    assert costs[-1] < costs[0]


class _Terminal(io.StringIO):
    """Standard error as a terminal (tqdm draws its bars on it)."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_kerass_display(tmp_path, monkeypatch, capsys):
    """In a terminal: ``Epoch 1/2``, then the epoch's bar of batches ending in the cost and
    the accuracy; the spec's batch size gives its count of batches."""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", "digits_64_32_10", "--data", "digits", "--epochs", "2",
                 "-o", str(tmp_path / "run")]) == 0
    shown = terminal.getvalue().replace("\r", "\n")
    batches = -(-1438 // 32)  # the digits' 1,797 rows less the 359 held out, in batches of 32
    assert "Epoch 1/2\n" in shown and "Epoch 2/2\n" in shown
    ends = [line for line in shown.splitlines() if line.startswith(f"{batches}/{batches} [")]
    assert len(ends) >= 2 and all("=" * 30 in e and "cost: " in e and "accuracy: " in e
                                  for e in ends)
    assert "test accuracy" in capsys.readouterr().out


def test_options_override_the_specs_settings(capsys, tmp_path):
    assert main(["train", "digits_64_32_10", "--data", "digits", "--epochs", "3",
                 "--batch-size", "8", "--optimizer", "adam", "--quiet",
                 "-o", str(tmp_path / "run")]) == 0
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert (m["epochs"], m["batch_size"], m["optimizer"]) == (3, 8, "adam")


def test_the_digits_spec_learns_the_digits(capsys, tmp_path):
    """Its own settings (SGD, lr 0.01, batch 32, 50 epochs) on scikit-learn's digits."""
    assert main(["train", "digits_64_32_10", "--data", "digits", "--quiet",
                 "-o", str(tmp_path / "run")]) == 0
    m = metrics(tmp_path / "run")
    assert (m["epochs"], m["batch_size"]) == (50, 32)
    assert m["test_accuracy"] >= 0.9, m


def test_a_long_run_prints_at_most_about_a_hundred_lines(capsys, tmp_path):
    assert main(["train", "xor", "--data", "xor", "--epochs", "1000", "--batch-size", "4",
                 "-o", str(tmp_path / "run")]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("Epoch")]
    assert 100 <= len(lines) <= 101 and lines[-1].startswith("Epoch 1000/1000 - ")
