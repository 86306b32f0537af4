"""derive.writeups.layer_values: the layer rules evaluated with NumPy agree with the scalar
level (an independent derivation: the unrolled graph, reverse accumulation, float64)."""

from __future__ import annotations

import pytest

from derive import compute, derive
from derive.layer import derive_layers
from derive.writeups.layer_values import compute_layers
from tests.layer.corpus import CASES, network


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_number_is_the_scalar_levels(case):
    net = network(case)
    scalar = compute(derive(net))
    layer = compute_layers(derive_layers(net))
    assert layer.cost == pytest.approx(scalar.cost, rel=1e-12, abs=1e-14)
    assert layer.cost_after == pytest.approx(scalar.cost_after, rel=1e-10, abs=1e-14)
    names = net.layers
    for position, rows in enumerate(names.weight_names):
        for j, row in enumerate(rows):
            for k, name in enumerate(row):
                assert layer.weight_gradients[position][j, k] == pytest.approx(
                    scalar.gradients[name], rel=1e-10, abs=1e-14), name
        biases = layer.bias_gradients[position]
        for j, name in enumerate(names.bias_names[position]):
            if name is not None:
                value = biases if names.biases[position] == "shared" else biases[j]
                assert float(value) == pytest.approx(scalar.gradients[name], rel=1e-10,
                                                     abs=1e-14), name
