"""The shared corpus of test networks, used by every test module (as Tangent's functions.py).

Each entry is a name and a :class:`derive.spec.model.Network` with values for every leaf, covering
free-form and layered specs, every activation and loss, shared and per-neuron biases.
"""

from __future__ import annotations

from pathlib import Path

from derive.spec.model import Network

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

#: Example specs too big for the scalar write-up of today (every node's equation and every
#: parameter's chain written out: the digits net's is 700 kB with two chains, the 784-64-10
#: one passes the scalar level's limit): the layer-level write-up of issue 10 §2 is theirs.
#: They are read, generated and trained like every other example.
BIG_EXAMPLES = ("digits_64_32_10", "seed003_keras_mnist")


def committed_examples() -> list[str]:
    """The examples whose modules are committed to generated/: every one (a big network's
    with its companion file of names and starting values)."""
    from derive.spec.examples import example_names
    return list(example_names())


def written_up_examples() -> list[str]:
    """The examples whose scalar write-ups the write-up tests build (all but BIG_EXAMPLES)."""
    from derive.spec.examples import example_names
    return [name for name in example_names() if name not in BIG_EXAMPLES]


#: The tiny free-form spec file the spec tests start from (and mutate, key by key).
TINY_SPEC = """\
name = "tiny"

[inputs]
x = 0.5

[targets]
y = 1.0

[parameters]
w = 0.3
b = 0.1

[equations]
z = "w*x + b"
a = "sigmoid(z)"
E = "1/2*(y - a)**2"

[training]
cost = "E"
learning_rate = 0.5
"""


def _layered(sizes, acts, loss, bias="per-neuron", seed=1, targets=None, **kw) -> Network:
    inputs = [0.3 * (i + 1) * (-1) ** i for i in range(sizes[0])]
    if targets is None:
        targets = [0.2 + 0.6 * (j % 2) for j in range(sizes[-1])]
    return Network.layered(sizes, acts, bias=bias, loss=loss, inputs=inputs, targets=targets,
                           init_seed=seed, **kw)


def _free_form() -> Network:
    """Weight sharing, several functions, a node used twice: the free-form grammar at work."""
    return Network.from_equations(
        name="free-form-mix",
        equations={
            "u": "w1*x1 - w2*x2/2 + b",
            "v": "w2*x1 + w1**2*x2",
            "U": "softplus(u)",
            "V": "tanh(v)",
            "s": "c1*U + c2*V*U + exp(-V)",
            "S": "sqrt(1 + s**2)",
            "L": "(S - y)**2 + 1/10*log(1 + w1**2) + abs(c1)",
        },
        inputs={"x1": 0.7, "x2": -1.3}, targets={"y": 0.4},
        parameters={"w1": 0.5, "w2": -0.8, "b": 0.1, "c1": 0.9, "c2": -0.35},
        cost="L", learning_rate=0.2)


def corpus() -> dict[str, Network]:
    """Name → network, with values for every leaf."""
    nets = {
        "seed004": Network.from_toml(EXAMPLES / "seed004_afteracademy.toml"),
        "seed000": Network.from_toml(EXAMPLES / "seed000_vitalflux.toml"),
        "free-form-mix": _free_form(),
        "sigmoid-sse-shared": _layered([2, 3, 2], "sigmoid", "squared_error", bias="shared"),
        "tanh-mse": _layered([3, 2, 2], ["tanh", "identity"], "mse"),
        "relu-bce": _layered([2, 3, 1], ["relu", "sigmoid"], "bce", seed=3),
        "leaky-softplus-sse": _layered([2, 3, 2], ["leaky_relu", "softplus"], "squared_error",
                                       bias=["per-neuron", "none"], seed=5),
        "softmax-cce": _layered([3, 4, 3], ["tanh", "softmax"], "cce", targets=[0.0, 1.0, 0.0]),
        "deep-sigmoid": _layered([2, 3, 3, 2], "sigmoid", "squared_error", seed=7),
        "nielsen-frozen": _layered([2, 2, 1], "sigmoid", "squared_error", freeze=("b2_1",)),
    }
    return nets
