"""Property tests: random layered specs derive gradients that agree with independent oracles."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive import Network, compute, derive
from derive.spec.notation import NOTATIONS
from tests.oracles import finite_difference_gradients, torch_gradients

HIDDEN = ["identity", "sigmoid", "tanh", "softplus", "leaky_relu", "relu"]


@st.composite
def layered_specs(draw):
    """A small random layered network with values for every leaf."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    loss = draw(st.sampled_from(["squared_error", "mse", "bce", "cce"]))
    if loss == "cce":
        sizes[-1] = max(sizes[-1], 2)      # a softmax over one neuron is refused
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in sizes[1:-1]]
    if loss == "bce":
        out = "sigmoid"
    elif loss == "cce":
        out = "softmax"
    else:
        out = draw(st.sampled_from(HIDDEN))
    bias = [draw(st.sampled_from(["per-neuron", "shared", "none"])) for _ in sizes[1:]]
    unit = st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 3))
    inputs = [draw(unit) for _ in range(sizes[0])]
    if loss in ("bce", "cce"):
        hot = draw(st.integers(0, sizes[-1] - 1))
        targets = [float(j == hot) for j in range(sizes[-1])]
    else:
        targets = [draw(unit) for _ in range(sizes[-1])]
    return Network.layered(sizes, hidden + [out], bias=bias, loss=loss,
                           notation=draw(st.sampled_from(sorted(NOTATIONS))),
                           inputs=inputs, targets=targets, init_seed=draw(st.integers(0, 10**6)))


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _kinked(net, d) -> bool:
    """Whether a relu-like node sits within FD reach of its kink (FD is meaningless there)."""
    v = compute(d).values
    for eq in net.equations.values():
        if "relu(" in eq.text:
            inner = eq.text[eq.text.index("(") + 1:-1]
            if abs(v[inner]) < 1e-4:
                return True
    return False


@SETTINGS
@given(layered_specs())
def test_random_layered_gradients_match_central_differences(net):
    d = derive(net)
    if _kinked(net, d):
        return
    fd = finite_difference_gradients(d)
    got = compute(d).gradients
    for p in net.parameters:
        assert math.isclose(got[p], fd[p], rel_tol=1e-5, abs_tol=1e-7), p


@SETTINGS
@given(layered_specs())
def test_random_layered_gradients_match_torch(net):
    pytest.importorskip("torch")
    d = derive(net)
    truth = torch_gradients(d)
    got = compute(d).gradients
    for p in net.parameters:
        assert math.isclose(got[p], truth[p], rel_tol=1e-10, abs_tol=1e-13), p


@SETTINGS
@given(layered_specs())
def test_every_parameter_has_a_path_or_a_zero_gradient(net):
    d = derive(net)
    v = compute(d)
    for p in net.parameters:
        if not d.paths(p):
            assert v.gradients[p] == 0.0
        assert v.updated[p] == pytest.approx(net.parameters[p] - net.learning_rate * v.gradients[p])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layered_specs())
def test_random_layered_writeups_print_the_computed_numbers(net):
    from xml.etree import ElementTree

    from derive.writeups.build import writeup
    from derive.writeups.printing import number
    document = writeup(net)
    text = document.markdown()
    latex = document.latex()
    for p, g in document.values.gradients.items():
        assert number(g) in text and number(g) in latex
        assert number(document.values.updated[p]) in text
    assert number(document.values.cost_after) in text
    assert latex.count(r"\begin{align*}") == latex.count(r"\end{align*}")
    ElementTree.fromstring(document.svg())  # well-formed SVG


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(layered_specs())
def test_random_layered_generated_gradients_match_the_derivation(tmp_path_factory, net):
    import numpy as np

    import codegen
    module = codegen.build(net, out=tmp_path_factory.mktemp("gen") / "net.py")
    X = np.array([[net.inputs[x] for x in module.INPUT_NAMES]])
    Y = np.array([[net.targets[y] for y in module.TARGET_NAMES]])
    cost, grad = module.gradient(module.INITIAL_PARAMS, X, Y)
    truth = compute(derive(net))
    assert cost == pytest.approx(truth.cost, rel=1e-10)
    np.testing.assert_allclose(grad, [truth.gradients[p] for p in module.PARAM_NAMES],
                               rtol=1e-9, atol=1e-12)
