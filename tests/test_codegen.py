"""Generated modules from the user's side: `codegen.build`, `chainrule codegen`, the module API.

Every gradient is checked against the derivation's numbers, central differences and PyTorch
autograd; jitted functions against their ``.py_func``; each optimizer step against
``torch.optim``; the committed modules in ``generated/`` against a fresh print, byte for byte.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import codegen
from codegen.modules import GENERATED_DIR, module_path, regenerate_command
from codegen.emit import emit_module
from derive.scalar.chain import derive
from derive.cli import main
from derive.spec.examples import example_names, example_path
from derive.spec.network import Network
from derive.scalar.values import compute
from tests.networks import corpus
from tests.oracles import finite_difference_gradients, torch_gradients

CORPUS = corpus()
ROOT = Path(__file__).resolve().parent.parent


def _generator_cache() -> Path:
    """Where generated modules of the corpus live between runs, so Numba's cache stays warm:
    a folder per version of the generator's source (a module printed by older code is never
    reused; a spec's hash alone would not notice), older folders removed."""
    digest = hashlib.sha256()
    for source in sorted([*ROOT.glob("derive/*.py"), *ROOT.glob("codegen/*.py")]):
        digest.update(source.read_bytes())
    base = ROOT / ".pytest_cache" / "generated"
    if base.is_dir():
        for old in base.iterdir():
            if old.is_dir() and old.name != digest.hexdigest()[:16]:
                shutil.rmtree(old, ignore_errors=True)
    return base / digest.hexdigest()[:16]


CACHE = _generator_cache()


def build(name: str, dtype: str = "float64", form: str = "auto"):
    """The generated module of corpus network ``name`` (rebuilt only when its spec changed)."""
    suffix = ("_f32" if dtype == "float32" else "") + ("_index" if form == "index" else "")
    return codegen.build(CORPUS[name], dtype=dtype, form=form,
                         out=CACHE / f"{name.replace('-', '_')}{suffix}.py")


def spec_rows(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """The spec's worked example as one row of X and Y."""
    return (np.array([[network.inputs[x] for x in network.inputs]]),
            np.array([[network.targets[y] for y in network.targets]]))


def random_rows(module, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n rows of normal inputs and targets in (0.1, 0.9)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, len(module.INPUT_NAMES))),
            rng.uniform(0.1, 0.9, size=(n, len(module.TARGET_NAMES))))


def params_of(module, network: Network) -> np.ndarray:
    return np.array([network.parameters[p] for p in module.PARAM_NAMES])


# --------------------------------------------------------------------------- truth

@pytest.mark.parametrize("name", sorted(CORPUS))
def test_gradient_equals_derivation_differences_and_torch(name):
    network = CORPUS[name]
    m = build(name)
    X, Y = spec_rows(network)
    cost, grad = m.gradient(params_of(m, network), X, Y)
    d = derive(network)
    truth = compute(d)
    assert cost == pytest.approx(truth.cost, rel=1e-12)
    assert m.cost(params_of(m, network), X, Y) == pytest.approx(truth.cost, rel=1e-12)
    oracles = [(truth.gradients, 1e-10, 1e-15), (torch_gradients(d), 1e-10, 1e-15),
               (finite_difference_gradients(d), 1e-6, 1e-9)]
    for oracle, rtol, atol in oracles:
        expected = np.array([oracle[p] for p in m.PARAM_NAMES])
        np.testing.assert_allclose(grad, expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["seed004", "softmax-cce", "free-form-mix"])
def test_batch_gradient_is_the_mean_of_row_gradients(name):
    network = CORPUS[name]
    m = build(name)
    X, Y = random_rows(m, 7, seed=0)
    params = params_of(m, network)
    cost, grad = m.gradient(params, X, Y)
    rows = [m.gradient(params, X[i:i + 1], Y[i:i + 1]) for i in range(7)]
    assert cost == pytest.approx(np.mean([c for c, _ in rows]), rel=1e-12)
    np.testing.assert_allclose(grad, np.mean([g for _, g in rows], axis=0), rtol=1e-12)
    # and each row agrees with the derivation at that row's values
    d = derive(network.with_values(inputs=dict(zip(m.INPUT_NAMES, X[3])),
                                   targets=dict(zip(m.TARGET_NAMES, Y[3]))))
    truth = compute(d).gradients
    np.testing.assert_allclose(rows[3][1], [truth[p] for p in m.PARAM_NAMES], rtol=1e-10,
                               atol=1e-14)


@pytest.mark.parametrize("name, form", [("seed004", "auto"), ("softmax-cce", "auto"),
                                        ("relu-bce", "auto"), ("free-form-mix", "auto"),
                                        ("softmax-cce", "index"), ("relu-bce", "index")])
def test_jitted_functions_equal_their_python(name, form):
    """Scalar form: the same IEEE operations, so equal to the bit. Index form: its sums over
    neurons may be reassociated by Numba (fastmath reassoc), so equal to rounding."""
    network = CORPUS[name]
    m = build(name, form=form)
    X, Y = random_rows(m, 5, seed=1)
    p = params_of(m, network)
    if form == "index":
        np.testing.assert_allclose(m.forward(p, X), m.forward.py_func(p, X), rtol=1e-13,
                                   atol=1e-15)
        np.testing.assert_allclose(m.predict(p, X), m.predict.py_func(p, X), rtol=1e-13,
                                   atol=1e-15)
        assert m.cost(p, X, Y) == pytest.approx(m.cost.py_func(p, X, Y), rel=1e-14)
    else:
        np.testing.assert_array_equal(m.forward(p, X), m.forward.py_func(p, X))
        np.testing.assert_array_equal(m.predict(p, X), m.predict.py_func(p, X))
        assert m.cost(p, X, Y) == m.cost.py_func(p, X, Y)
    c1, g1 = m.gradient(p, X, Y)
    c2, g2 = m.gradient.py_func(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-14)
    np.testing.assert_allclose(g1, g2, rtol=1e-13)
    for optimizer in range(len(m.OPTIMIZERS)):
        jit_params, py_params = p.copy(), p.copy()
        jit_state, py_state = np.zeros((2, p.size)), np.zeros((2, p.size))
        m.train_epoch(jit_params, jit_state, 0, X, Y, 2, optimizer, m.DEFAULT_HYPER, 3)
        m.train_epoch.py_func(py_params, py_state, 0, X, Y, 2, optimizer, m.DEFAULT_HYPER, 3)
        np.testing.assert_allclose(jit_params, py_params, rtol=1e-12)


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


def test_forward_and_predict_name_their_columns():
    network = CORPUS["seed004"]
    m = build("seed004")
    X, _ = spec_rows(network)
    values = compute(derive(network)).values
    nodes = m.forward(params_of(m, network), X)[0]
    assert list(m.NODE_NAMES) == ["h1", "h2", "H1", "H2", "o1", "o2", "O1", "O2"]
    np.testing.assert_allclose(nodes, [values[n] for n in m.NODE_NAMES], rtol=1e-14)
    assert m.OUTPUT_NAMES == ("O1", "O2")
    np.testing.assert_allclose(m.predict(params_of(m, network), X)[0],
                               [values["O1"], values["O2"]], rtol=1e-14)


# --------------------------------------------------------------------------- optimizers

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


# --------------------------------------------------------------------------- safety

def test_sigmoid_bce_is_finite_at_large_z():
    m = codegen.build("seed001_single_neuron")
    params = np.array([1.0, 0.0, 0.0, 0.0])          # Z = x1
    for z, y in ((1000.0, 0.0), (-1000.0, 1.0), (1000.0, 1.0)):
        X, Y = np.array([[z, 0.0, 0.0]]), np.array([[y]])
        cost, grad = m.gradient(params, X, Y)
        a = 1.0 if z > 0 else 0.0
        # BCE of a saturated neuron: |z| when wrong, 0 when right; ∂L/∂w1 = (a − y)·x1
        assert cost == pytest.approx(abs(z) if a != y else 0.0, abs=1e-12)
        np.testing.assert_allclose(grad, [(a - y) * z, 0.0, 0.0, a - y], atol=1e-12)


def test_softmax_cce_is_finite_at_large_z():
    m = codegen.build("iris_softmax")
    params = np.zeros(len(m.PARAM_NAMES))
    bias = [m.PARAM_NAMES.index(f"b3_{j}") for j in (1, 2, 3)]
    params[bias] = [1000.0, -1000.0, 0.0]             # z = (1000, −1000, 0)
    X, Y = np.zeros((1, 4)), np.array([[0.0, 1.0, 0.0]])
    cost, grad = m.gradient(params, X, Y)
    assert cost == pytest.approx(2000.0)               # −log softmax₂ = 1000 − (−1000)
    np.testing.assert_allclose(grad[bias], [1.0, -1.0, 0.0], atol=1e-12)   # a − y
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(m.predict(params, X)[0], [1.0, 0.0, 0.0], atol=1e-300)


def test_softplus_and_sigmoid_activations_are_finite_at_large_z():
    name = "leaky-softplus-sse"
    m = build(name)
    params = params_of(m, CORPUS[name]) * 1000.0
    X = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    Y = np.array([[0.5, 0.5], [0.5, 0.5]])
    cost, grad = m.gradient(params, X, Y)
    assert np.isfinite(cost) and np.isfinite(grad).all()
    assert np.isfinite(m.forward(params, X)).all()


# --------------------------------------------------------------------------- the files

@pytest.mark.parametrize("name", example_names())
def test_committed_modules_regenerate_byte_for_byte(name):
    network = Network.from_toml(example_path(name))
    path = GENERATED_DIR / f"{name}.py"
    assert path.is_file(), f"generated/{name}.py is missing: run `chainrule codegen {name}`"
    fresh = emit_module(network, command=regenerate_command(network, path, "float64"))
    assert fresh == path.read_text(encoding="utf-8"), \
        f"generated/{name}.py is stale: run `chainrule codegen examples/{name}.toml`"


def test_emit_is_deterministic():
    network = CORPUS["softmax-cce"]
    assert emit_module(network) == emit_module(network)


def test_module_header_and_layout():
    m = codegen.build("seed004_afteracademy")
    text = Path(m.__file__).read_text()
    assert text.startswith("# Generated by chainrule")
    assert "do not edit" in text.splitlines()[0]
    assert "# Regenerate: chainrule codegen examples/seed004_afteracademy.toml" in text
    assert m.PARAM_NAMES == ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")
    assert m.INPUT_NAMES == ("x1", "x2") and m.TARGET_NAMES == ("y1", "y2")
    np.testing.assert_array_equal(m.INITIAL_PARAMS,
                                  [0.25, 0.28, 0.35, 0.15, 0.35, 0.20, 0.45, 0.40, 0.45, 0.5])
    # readable names from the spec, the backward pass printed from the derivation
    assert "    delta_o1 = O1*delta_O1*(1.0 - O1)\n" in text
    assert "    grad[4] += H1*delta_o1\n" in text


@pytest.mark.parametrize("name, form", [("seed004", "auto"), ("softmax-cce", "index")])
def test_float32_module(name, form):
    m = build(name, dtype="float32", form=form)
    assert m.INITIAL_PARAMS.dtype == np.float32
    X, Y = (a.astype(np.float32) for a in spec_rows(CORPUS[name]))
    cost, grad = m.gradient(m.INITIAL_PARAMS, X, Y)
    assert grad.dtype == np.float32
    reference = compute(derive(CORPUS[name]))
    assert cost == pytest.approx(reference.cost, rel=1e-6)
    np.testing.assert_allclose(grad, [reference.gradients[p] for p in m.PARAM_NAMES],
                               rtol=1e-4, atol=1e-7)


def test_build_reuses_an_up_to_date_module(tmp_path):
    out = tmp_path / "seed004_module.py"
    codegen.build(CORPUS["seed004"], out=out)
    first = out.stat().st_mtime_ns
    codegen.build(CORPUS["seed004"], out=out)
    assert out.stat().st_mtime_ns == first
    changed = CORPUS["seed004"].with_values(parameters={"w1": 0.3})
    codegen.build(changed, out=out)
    assert "0.3, 0.28" in out.read_text()


def test_cli_codegen(capsys, tmp_path):
    out = tmp_path / "seed001.py"
    assert main(["codegen", "seed001_single_neuron", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert out.read_text().startswith("# Generated by chainrule")
    assert module_path("seed001_single_neuron") == GENERATED_DIR / "seed001_single_neuron.py"


def test_cli_codegen_bad_spec(capsys, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[inputs]\nx = 1\n[parameters]\nw = 0.5\n[equations]\nL = "w*x + nope(x)"\n')
    out = tmp_path / "bad.py"
    assert main(["codegen", str(spec), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml:6" in err and "nope" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("name", ["seed004", "nielsen-frozen", "softmax-cce"])
def test_fused_per_sample_sgd_equals_gradient_then_step(name):
    """Batch size 1 with SGD takes the fused row update; it must be the same arithmetic."""
    m = build(name)
    X, Y = random_rows(m, 6, seed=4)
    hyper = m.DEFAULT_HYPER.copy()
    hyper[5] = 0.01                                      # with weight decay
    fused = m.INITIAL_PARAMS.copy()
    epoch_cost, t = m.train_epoch(fused, np.zeros((2, fused.size)), 0, X, Y, 1, 0, hyper, 9)
    order = m.shuffled(6, 9)                             # the epoch's shuffle, replayed
    stepped, costs = m.INITIAL_PARAMS.copy(), []
    for i in order:
        cost, grad = m.gradient(stepped, X[i:i + 1], Y[i:i + 1])
        m.step_sgd(stepped, grad, np.zeros((2, fused.size)), 1, hyper)
        costs.append(cost)
    np.testing.assert_allclose(fused, stepped, rtol=1e-14, atol=1e-16)
    assert epoch_cost == pytest.approx(np.mean(costs), rel=1e-14) and t == 6


def test_spec_names_that_clash_with_python_or_the_scaffolding(tmp_path):
    """Nodes and leaves named like the generated code's own names still compute the truth."""
    network = Network.from_equations(
        name="clash",
        equations={"X": "params*i + lr", "grad": "sigmoid(X)*weight_decay",
                   "math": "tanh(grad + t0)", "lambda_": "(math - Y)**2"},
        inputs={"i": 0.3, "t0": 0.1}, targets={"Y": 0.2},
        parameters={"params": 0.5, "lr": -0.2, "weight_decay": 1.5}, cost="lambda_")
    m = codegen.build(network, out=tmp_path / "clash.py")
    X, Y = spec_rows(network)
    cost, grad = m.gradient(m.INITIAL_PARAMS, X, Y)
    truth = compute(derive(network))
    assert cost == pytest.approx(truth.cost, rel=1e-14)
    np.testing.assert_allclose(grad, [truth.gradients[p] for p in m.PARAM_NAMES], rtol=1e-13)
    fused = m.INITIAL_PARAMS.copy()
    m.train_epoch(fused, np.zeros((2, 3)), 0, X, Y, 1, 0, m.DEFAULT_HYPER, 0)
    np.testing.assert_allclose(fused, m.INITIAL_PARAMS - 0.1 * grad, rtol=1e-14)


def test_generated_holds_exactly_the_examples_modules():
    tracked = subprocess.run(["git", "ls-files", "generated"], cwd=GENERATED_DIR.parent,
                             capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    committed = {Path(p).stem for p in tracked.stdout.split() if p.endswith(".py")}
    assert committed == {"__init__", *example_names()}


# --------------------------------------------------------------------------- index form

LAYERED = [name for name, net in CORPUS.items() if net.layers is not None]


@pytest.mark.parametrize("name", LAYERED)
def test_index_form_equals_the_scalar_form(name):
    """Loops over neurons (index form) compute what the unrolled scalar form computes."""
    network = CORPUS[name]
    scalar = build(name)
    index = build(name, form="index")
    assert "index form" in Path(index.__file__).read_text()
    X, Y = random_rows(scalar, 9, seed=5)
    if scalar.IS_CLASSIFIER:
        Y = np.eye(Y.shape[1])[np.argmax(Y, axis=1)] if Y.shape[1] > 1 else (Y > 0.5) * 1.0
    p = params_of(scalar, network)
    np.testing.assert_allclose(index.forward(p, X), scalar.forward(p, X), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(index.predict(p, X), scalar.predict(p, X), rtol=1e-13, atol=1e-15)
    c1, g1 = index.gradient(p, X, Y)
    c2, g2 = scalar.gradient(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-13)
    np.testing.assert_allclose(g1, g2, rtol=1e-11, atol=1e-15)
    for optimizer in range(len(scalar.OPTIMIZERS)):
        for batch in (1, 4):
            a, b = p.copy(), p.copy()
            index.train_epoch(a, np.zeros((2, p.size)), 0, X, Y, batch, optimizer,
                              scalar.DEFAULT_HYPER, 1)
            scalar.train_epoch(b, np.zeros((2, p.size)), 0, X, Y, batch, optimizer,
                               scalar.DEFAULT_HYPER, 1)
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("sizes, acts, loss, bias", [
    ([5, 6, 3], "sigmoid", "squared_error", "shared"),       # a block of 4 neurons and 2 more
    ([4, 9, 5], ["tanh", "softmax"], "cce", "per-neuron"),   # blocks of 4 and 1 more
])
def test_index_form_blocks_and_chunks_equal_the_scalar_form(sizes, acts, loss, bias):
    """Batch-major index form (blocks of neurons, chunks of rows) against the scalar form,
    over more rows than one chunk holds and batch sizes that split chunks unevenly."""
    network = Network.layered(sizes, acts, loss=loss, bias=bias, init_seed=4,
                              name="blocks-" + "-".join(map(str, sizes)))
    stem = CACHE / network.name.replace("-", "_")
    scalar = codegen.build(network, out=stem.with_name(stem.name + "_scalar.py"), form="scalar")
    index = codegen.build(network, out=stem.with_name(stem.name + "_index.py"), form="index")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(77, sizes[0]))
    Y = (np.eye(sizes[-1])[rng.integers(0, sizes[-1], 77)] if loss == "cce"
         else rng.uniform(0.1, 0.9, size=(77, sizes[-1])))
    p = scalar.INITIAL_PARAMS.copy()
    c1, g1 = index.gradient(p, X, Y)
    c2, g2 = scalar.gradient(p, X, Y)
    assert c1 == pytest.approx(c2, rel=1e-13)
    np.testing.assert_allclose(g1, g2, rtol=1e-11, atol=1e-14)
    for batch in (1, 16, 50):
        a, b = p.copy(), p.copy()
        index.train_epoch(a, np.zeros((2, p.size)), 0, X, Y, batch, 0, scalar.DEFAULT_HYPER, 3)
        scalar.train_epoch(b, np.zeros((2, p.size)), 0, X, Y, batch, 0, scalar.DEFAULT_HYPER, 3)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_wide_layers(tmp_path):
    """A layer with 1,500 inputs (a thousand-term sum per neuron): derived and generated
    without recursion limits or quadratic time, its gradient equal to numpy central
    differences of the generated cost."""
    network = Network.layered([1500, 3, 2], ["tanh", "softmax"], loss="cce", init_seed=0,
                              name="wide")
    m = codegen.build(network, out=tmp_path / "wide.py")
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, 1500)), np.eye(2)[[0, 1, 1, 0]]
    p = m.INITIAL_PARAMS.copy()
    _, grad = m.gradient(p, X, Y)
    for j in rng.choice(p.size, 12, replace=False):
        e = np.zeros_like(p)
        e[j] = 1e-6
        fd = (m.cost(p + e, X, Y) - m.cost(p - e, X, Y)) / 2e-6
        assert grad[j] == pytest.approx(fd, rel=1e-5, abs=1e-9), m.PARAM_NAMES[j]


def test_large_layered_networks_take_the_index_form(tmp_path):
    """A 64-16-10 net: 1,210 parameters, a short module, trained on the digits."""
    from codegen.training.data import load, prepare
    from codegen.training.loop import Settings, accuracy, train
    network = Network.layered([64, 16, 10], ["tanh", "softmax"], loss="cce", init_seed=0,
                              name="digits-64-16-10")
    m = codegen.build(network, out=tmp_path / "digits.py")
    text = Path(m.__file__).read_text()
    assert "index form" in text and len(text.splitlines()) < 1000
    train_set, test_set = prepare(*load("digits", m).split(0.2, 0))
    result = train(m, train_set.X, train_set.Y, Settings(epochs=15, batch_size=16, lr=0.1))
    assert accuracy(m, result.params, test_set.X, test_set.Y) > 0.9


def test_index_form_needs_a_layered_spec():
    with pytest.raises(codegen.printer.CodegenError, match="layered"):
        emit_module(CORPUS["free-form-mix"], form="index")
