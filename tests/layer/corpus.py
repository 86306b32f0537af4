"""The layered networks the layer-level tests prove equal to the scalar level.

Small on purpose (the symbolic proof expands every rule at these sizes): together they cover
every activation at a hidden and at the output layer, every loss with each output it allows,
every bias mode, 1 to 3 hidden layers, and the notations (Nielsen's, seed 000's, w_{kj}).
"""

from __future__ import annotations

import functools
import random

from derive import Network, Notation
from derive.vocabulary import ACTIVATIONS

ELEMENTWISE = [a for a in ACTIVATIONS if a != "softmax"]

#: id → keyword arguments of Network.layered (values are added by :func:`network`)
CASES: dict[str, dict] = {}

# every activation, hidden and output (softmax only at the output), squared error
for _act in ELEMENTWISE:
    CASES[f"act-{_act}"] = dict(sizes=[2, 3, 2], activations=_act)
CASES["act-softmax"] = dict(sizes=[2, 3, 2], activations=["sigmoid", "softmax"])

# every loss with every output activation it allows
for _act in ACTIVATIONS:
    CASES[f"mse-{_act}"] = dict(sizes=[2, 2, 2], activations=["tanh", _act],
                                loss="mean_squared_error")
CASES["bce-sigmoid"] = dict(sizes=[2, 2, 2], activations=["relu", "sigmoid"],
                            loss="binary_cross_entropy")
CASES["cce-softmax"] = dict(sizes=[2, 2, 3], activations=["leaky_relu", "softmax"],
                            loss="categorical_cross_entropy")

# 1–3 hidden layers × every bias mode, mixed activations and notations
_DEPTHS = {1: [1, 2, 1], 2: [1, 2, 2, 1], 3: [2, 2, 1, 2, 2]}
_ACTS = {1: ["softplus", "sigmoid"], 2: ["relu", "tanh", "identity"],
         3: ["sigmoid", "leaky_relu", "tanh", "softmax"]}
_LOSS = {1: "binary_cross_entropy", 2: "squared_error", 3: "categorical_cross_entropy"}
_NOTATION = {"per-neuron": "nielsen", "shared": "seed000",
             "none": Notation(weight_index="kj", first_layer=0)}
for _depth, _sizes in _DEPTHS.items():
    for _bias, _notation in _NOTATION.items():
        CASES[f"depth{_depth}-{_bias}"] = dict(sizes=_sizes, activations=_ACTS[_depth],
                                               loss=_LOSS[_depth], bias=_bias,
                                               notation=_notation)
CASES["mixed-bias"] = dict(sizes=[1, 2, 2, 1], activations=["tanh", "relu", "sigmoid"],
                           bias=["none", "shared", "per-neuron"], loss="mse")


def network(case: str, seed: int = 0) -> Network:
    """The network of ``case`` with random (seeded) inputs, targets and parameters."""
    spec = dict(CASES[case])
    sizes = spec.pop("sizes")
    rng = random.Random(f"{case}-{seed}")
    inputs = [rng.uniform(-1, 1) for _ in range(sizes[0])]
    if spec.get("loss") in ("categorical_cross_entropy", "binary_cross_entropy"):
        targets = [rng.uniform(0.05, 0.95) for _ in range(sizes[-1])]
        if spec["loss"] == "categorical_cross_entropy":  # a distribution, not one-hot
            total = sum(targets)
            targets = [t / total for t in targets]
    else:
        targets = [rng.uniform(-1, 1) for _ in range(sizes[-1])]
    return Network.layered(sizes, inputs=inputs, targets=targets, init_seed=seed, **spec)


@functools.cache
def levels(case: str):
    """(network, its scalar derivation, its layer derivation), made once per test run."""
    from derive import derive
    from derive.layer import derive_layers
    net = network(case)
    return net, derive(net), derive_layers(net)
