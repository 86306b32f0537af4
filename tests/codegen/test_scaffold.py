"""The printed scaffolding: each optimizer step against ``torch.optim``, frozen parameters,
the epoch's shuffled order."""

from __future__ import annotations

import numpy as np
import pytest

from tests.codegen.building import build


def test_shuffled_rows_are_a_seeded_permutation():
    """The epoch's order: a permutation of the rows, the same for the same seed, in Numba
    and in Python, different for the next epoch's seed, and without a bias to any place."""
    m = build("seed004")
    for n in (1, 2, 7, 1000):
        order = m.shuffled(n, 5)
        assert sorted(order) == list(range(n))
        np.testing.assert_array_equal(order, m.shuffled(n, 5))
        np.testing.assert_array_equal(order, m.shuffled.py_func(n, 5))
    assert list(m.shuffled(1000, 5)) != list(m.shuffled(1000, 6))
    firsts = np.bincount([m.shuffled(4, seed)[0] for seed in range(4000)], minlength=4)
    assert firsts.min() > 850 and firsts.max() < 1150, firsts   # each row first ~1000 times


TORCH_OPTIMIZERS = {
    "sgd": lambda torch, p, h: torch.optim.SGD([p], lr=h["lr"], weight_decay=h["wd"]),
    "momentum": lambda torch, p, h: torch.optim.SGD([p], lr=h["lr"], momentum=h["momentum"],
                                                    weight_decay=h["wd"]),
    "nesterov": lambda torch, p, h: torch.optim.SGD([p], lr=h["lr"], momentum=h["momentum"],
                                                    nesterov=True, weight_decay=h["wd"]),
    "rmsprop": lambda torch, p, h: torch.optim.RMSprop([p], lr=h["lr"], alpha=h["beta2"],
                                                       eps=h["eps"], weight_decay=h["wd"]),
    "adam": lambda torch, p, h: torch.optim.Adam([p], lr=h["lr"], betas=(h["beta1"], h["beta2"]),
                                                 eps=h["eps"], weight_decay=h["wd"]),
}


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("optimizer", sorted(TORCH_OPTIMIZERS))
def test_optimizer_steps_equal_torch_optim(optimizer, weight_decay):
    torch = pytest.importorskip("torch")
    m = build("seed004")
    rng = np.random.default_rng(2)
    start = rng.normal(size=len(m.PARAM_NAMES))
    grads = [rng.normal(size=start.size) for _ in range(3)]
    h = {"lr": 0.05, "momentum": 0.8, "beta1": 0.85, "beta2": 0.97, "eps": 1e-6,
         "wd": weight_decay}
    hyper = np.array([h["lr"], h["momentum"], h["beta1"], h["beta2"], h["eps"], h["wd"]])
    ours, state = start.copy(), np.zeros((2, start.size))
    tensor = torch.tensor(start.copy(), dtype=torch.float64, requires_grad=True)
    theirs = TORCH_OPTIMIZERS[optimizer](torch, tensor, h)
    step = getattr(m, f"step_{optimizer}")
    for t, grad in enumerate(grads, start=1):     # three steps: the state matters
        step(ours, grad, state, t, hyper)
        tensor.grad = torch.tensor(grad, dtype=torch.float64)
        theirs.step()
        np.testing.assert_allclose(ours, tensor.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_frozen_parameters_are_not_stepped():
    m = build("nielsen-frozen")
    frozen = m.PARAM_NAMES.index("b2_1")
    assert m.FROZEN[frozen] and m.FROZEN.sum() == 1
    params = m.INITIAL_PARAMS.copy()
    for optimizer in m.OPTIMIZERS:
        getattr(m, f"step_{optimizer}")(params, np.ones(params.size), np.zeros((2, params.size)),
                                         1, m.DEFAULT_HYPER)
    assert params[frozen] == m.INITIAL_PARAMS[frozen]
    assert (params != m.INITIAL_PARAMS).sum() == params.size - 1


@pytest.mark.parametrize("form", ["scalar", "index", "matrix"])
def test_no_jitted_call_passes_a_literal_integer(form):
    """A whole number written as an argument of a call from one jitted function to another
    makes Numba compile the callee (and everything it calls) once more, for the literal's
    own type (``Literal[int](0)``): the printed code passes none (SGD is ``np.int64(0)``,
    and so is train's first step count). The BLAS call's transpose flags (True, False) are
    literals on purpose: _gemm calls nothing."""
    import ast

    from codegen.emit import emit_module
    from derive.spec.model import Network
    frozen = Network.layered([3, 4, 2], ["tanh", "sigmoid"], loss="bce", init_seed=1,
                             name="literals", freeze=["w2_11"])
    for network in (frozen, Network.layered([3, 4, 2], ["relu", "softmax"], loss="cce",
                                            init_seed=1, name="literals")):
        tree = ast.parse(emit_module(network, form=form))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in defined:
                literals = [ast.unparse(a) for a in node.args
                            if isinstance(a, ast.Constant) and type(a.value) is int]
                assert not literals, f"{form}: {ast.unparse(node)[:120]}"
