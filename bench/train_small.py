"""Training speed of chainrule's generated trainers against the usual peers, in one run.

For the seed networks (seed 000's 2-3-1 identity net, seed 004's 2-2-2 sigmoid net, seed 001's
one logistic neuron) with per-sample SGD on 10,000 rows × 20 epochs, and for a 4-8-3 softmax
net on iris, a 64-16-10 net on the digits and a 784-128-10 net on synthetic rows (both in
index form) with batches of 16, this prints
samples per second for:

* chainrule: the generated module's jitted ``train`` (compiled before timing);
* PyTorch on the CPU with one thread (a Python loop over batches in a fixed order,
  ``torch.optim.SGD``);
* JAX with ``jit``, the whole epoch under ``lax.scan`` (float64, compiled before timing);
  it tracks the cost, and runs twice: shuffling the rows each epoch as chainrule's
  ``train_epoch`` does, and in a fixed order (JAX's best case);
* hand-written NumPy backpropagation (a Python loop over batches in a fixed order);
* a hand-written Numba loop for the 2-2-2 net: the same job (shuffled rows, cost tracked)
  written by hand, the reference of what is possible;

and chainrule's ratio against each. Slow peers are timed on fewer rows and their rate is
extrapolated (the table says so). Then the start-up times of `chainrule train`: cold
(derive, generate and compile, empty caches) and warm (module and Numba cache reused).

    python bench/train_small.py            # the full run (well under a minute)
    python bench/train_small.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import codegen  # noqa: E402
from codegen.training.data import load, prepare  # noqa: E402


@dataclass
class Case:
    """A network to train, and the same network described as an MLP for the peers."""

    spec: str
    data: str
    batch: int
    sizes: list[int]
    activations: list[str]
    bias: str           # "shared" (one per layer) or "per-neuron"
    loss: str           # "sse" | "bce" | "cce"
    hand: bool = False  # a hand-written Numba loop exists for it
    network: object = None  # a Network built here instead of an example spec


CASES = [
    Case("seed000_vitalflux", "synthetic", 1, [2, 3, 1], ["identity", "identity"], "shared", "sse"),
    Case("seed004_afteracademy", "synthetic", 1, [2, 2, 2], ["sigmoid", "sigmoid"], "shared", "sse",
         hand=True),
    Case("seed001_single_neuron", "synthetic", 1, [3, 1], ["sigmoid"], "per-neuron", "bce"),
    Case("iris_softmax", "iris", 16, [4, 8, 3], ["tanh", "softmax"], "per-neuron", "cce"),
]


def wide_case() -> Case:
    """A wider mid-size net (101,770 parameters, index form) on synthetic rows of 784 inputs,
    the shape of an MNIST classifier."""
    from derive.spec.model import Network
    network = Network.layered([784, 128, 10], ["tanh", "softmax"], loss="cce", init_seed=0,
                              name="wide-784-128-10", learning_rate=0.05)
    return Case("784-128-10 (synthetic)", "synthetic", 16, [784, 128, 10], ["tanh", "softmax"],
                "per-neuron", "cce", network=network)


def digits_case() -> Case:
    """A mid-size net (1,210 parameters, generated in index form) on the 8×8 digits."""
    from derive.spec.model import Network
    network = Network.layered([64, 16, 10], ["tanh", "softmax"], loss="cce", init_seed=0,
                              name="digits-64-16-10", learning_rate=0.1)
    return Case("digits 64-16-10", "digits", 16, [64, 16, 10], ["tanh", "softmax"],
                "per-neuron", "cce", network=network)


# --------------------------------------------------------------------------- data

def dataset(case: Case, module, rows: int):
    if case.data in ("iris", "digits"):
        train, _ = prepare(*load(case.data, module).split(0.0, 0))
        reps = max(1, rows // len(train))
        return np.tile(train.X, (reps, 1)), np.tile(train.Y, (reps, 1))
    data = load("synthetic", module, samples=rows, seed=1)
    return data.X, data.Y


def init(case: Case, seed: int = 0) -> list[np.ndarray]:
    """Weights (out × in) and biases (one number or one per neuron) per layer."""
    rng = np.random.default_rng(seed)
    params = []
    for a, b in zip(case.sizes, case.sizes[1:]):
        params.append(rng.uniform(-1, 1, size=(b, a)) / math.sqrt(a))
        params.append(np.zeros(1 if case.bias == "shared" else b))
    return params


# --------------------------------------------------------------------------- peers

def run_chainrule(case, module, X, Y, epochs, lr):
    hyper = module.DEFAULT_HYPER.copy()
    hyper[0] = lr
    module.train(module.INITIAL_PARAMS.copy(), X[:32], Y[:32], 1, case.batch, 0, hyper, 0)
    params = module.INITIAL_PARAMS.copy()
    start = time.perf_counter()
    module.train(params, X, Y, epochs, case.batch, 0, hyper, 0)
    return X.shape[0] * epochs / (time.perf_counter() - start)


def run_torch(case, X, Y, epochs, lr):
    import torch
    torch.set_num_threads(1)
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in init(case)]
    opt = torch.optim.SGD(params, lr=lr)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    acts = {"identity": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "softmax": lambda z: torch.softmax(z, dim=1)}
    start = time.perf_counter()
    for _ in range(epochs):
        for i in range(0, X.shape[0], case.batch):
            a, y = Xt[i:i + case.batch], Yt[i:i + case.batch]
            for k, act in enumerate(case.activations):
                a = acts[act](a @ params[2 * k].T + params[2 * k + 1])
            loss = _loss(case.loss, a, y, torch).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return X.shape[0] * epochs / (time.perf_counter() - start)


def _loss(kind, a, y, xp):
    if kind == "sse":
        return 0.5 * ((y - a) ** 2).sum(axis=1)
    if kind == "bce":
        return -(y * xp.log(a) + (1 - y) * xp.log(1 - a)).sum(axis=1)
    return -(y * xp.log(a)).sum(axis=1)


def run_jax(case, X, Y, epochs, lr, shuffle=True):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    acts = {"identity": lambda z: z, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh,
            "softmax": lambda z: jax.nn.softmax(z, axis=1)}

    def loss(params, x, y):
        a = x
        for k, act in enumerate(case.activations):
            a = acts[act](a @ params[2 * k].T + params[2 * k + 1])
        return _loss(case.loss, a, y, jnp).mean()

    value_and_grad = jax.value_and_grad(loss)
    n = X.shape[0] // case.batch * case.batch

    @jax.jit
    def epoch(params, X, Y, key):
        # the same job as chainrule's train_epoch: shuffle, step per batch, track the cost
        order = jax.random.permutation(key, n) if shuffle else jnp.arange(n)
        xb = X[order].reshape(-1, case.batch, X.shape[1])
        yb = Y[order].reshape(-1, case.batch, Y.shape[1])

        def body(p, batch):
            cost, g = value_and_grad(p, *batch)
            return [w - lr * d for w, d in zip(p, g)], cost
        params, costs = jax.lax.scan(body, params, (xb, yb))
        return params, costs.mean()

    Xj, Yj = jnp.asarray(X[:n]), jnp.asarray(Y[:n])
    params = [jnp.asarray(p) for p in init(case)]
    key = jax.random.PRNGKey(0)
    jax.block_until_ready(epoch(params, Xj, Yj, key))   # compile
    start = time.perf_counter()
    for e in range(epochs):
        params, _ = epoch(params, Xj, Yj, jax.random.fold_in(key, e))
    jax.block_until_ready(params)
    return n * epochs / (time.perf_counter() - start)


def run_numpy(case, X, Y, epochs, lr):
    params = init(case)
    layers = len(case.activations)
    start = time.perf_counter()
    for _ in range(epochs):
        for i in range(0, X.shape[0], case.batch):
            x, y = X[i:i + case.batch], Y[i:i + case.batch]
            outs = [x]
            for k, act in enumerate(case.activations):
                z = outs[-1] @ params[2 * k].T + params[2 * k + 1]
                outs.append(_np_act(act, z))
            a = outs[-1]
            delta = (a - y) if case.loss in ("bce", "cce") else (a - y) * _np_slope(
                case.activations[-1], a)
            delta /= x.shape[0]
            for k in reversed(range(layers)):
                gw = delta.T @ outs[k]
                gb = delta.sum() if params[2 * k + 1].size == 1 else delta.sum(axis=0)
                if k:
                    delta = (delta @ params[2 * k]) * _np_slope(case.activations[k - 1], outs[k])
                params[2 * k] -= lr * gw
                params[2 * k + 1] -= lr * gb
    return X.shape[0] * epochs / (time.perf_counter() - start)


def _np_act(act, z):
    if act == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def _np_slope(act, a):
    return {"sigmoid": a * (1 - a), "tanh": 1 - a * a}.get(act, np.ones_like(a))


def run_hand_numba(case, module, X, Y, epochs, lr):
    from numba import njit
    shuffled = module.shuffled  # the same job: the generated module's shuffle

    @njit
    def hand_222(p, X, Y, epochs, lr):
        n, total = X.shape[0], 0.0
        for e in range(epochs):
            order = shuffled(n, e)
            for k in range(n):
                i = order[k]
                x1, x2, y1, y2 = X[i, 0], X[i, 1], Y[i, 0], Y[i, 1]
                w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = (p[0], p[1], p[2], p[3], p[4], p[5],
                                                          p[6], p[7], p[8], p[9])
                H1 = 1.0 / (1.0 + math.exp(-(w1 * x1 + w4 * x2 + b1)))
                H2 = 1.0 / (1.0 + math.exp(-(w3 * x1 + w2 * x2 + b1)))
                O1 = 1.0 / (1.0 + math.exp(-(w5 * H1 + w6 * H2 + b2)))
                O2 = 1.0 / (1.0 + math.exp(-(w7 * H1 + w8 * H2 + b2)))
                total += 0.5 * (y1 - O1) ** 2 + 0.5 * (y2 - O2) ** 2
                d1 = (O1 - y1) * O1 * (1 - O1)
                d2 = (O2 - y2) * O2 * (1 - O2)
                e1 = (d1 * w5 + d2 * w7) * H1 * (1 - H1)
                e2 = (d1 * w6 + d2 * w8) * H2 * (1 - H2)
                p[0] -= lr * e1 * x1
                p[1] -= lr * e2 * x2
                p[2] -= lr * e2 * x1
                p[3] -= lr * e1 * x2
                p[4] -= lr * d1 * H1
                p[5] -= lr * d1 * H2
                p[6] -= lr * d2 * H1
                p[7] -= lr * d2 * H2
                p[8] -= lr * (e1 + e2)
                p[9] -= lr * (d1 + d2)
        return total

    hand_222(module.INITIAL_PARAMS.copy(), X[:8], Y[:8], 1, lr)
    start = time.perf_counter()
    hand_222(module.INITIAL_PARAMS.copy(), X, Y, epochs, lr)
    return X.shape[0] * epochs / (time.perf_counter() - start)


# --------------------------------------------------------------------------- start-up

def start_times(spec: str) -> tuple[float, float]:
    """Seconds for `chainrule train` end to end: cold (fresh module and caches), then warm."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba")}
        module = Path(tmp) / "bench_module.py"
        cold_code = ("import codegen, numpy as np; "
                     f"m = codegen.build({spec!r}, out={str(module)!r}); "
                     "X = np.zeros((4, len(m.INPUT_NAMES))); Y = np.zeros((4, len(m.TARGET_NAMES))); "
                     "m.train(m.INITIAL_PARAMS.copy(), X, Y, 1, 1, 0, m.DEFAULT_HYPER, 0)")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", cold_code], env=env, check=True, cwd=ROOT)
        cold = time.perf_counter() - start
        command = [sys.executable, "-m", "derive.cli", "train", spec, "--data", "synthetic",
                   "--epochs", "1", "--quiet", "-o", str(Path(tmp) / "run")]
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True)  # fill the caches
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
        warm = time.perf_counter() - start
    return cold, warm


# --------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and epochs")
    parser.add_argument("--skip", nargs="*", default=[], choices=["torch", "jax", "numpy"],
                        help="peers to leave out")
    args = parser.parse_args()
    rows, epochs = (2000, 2) if args.quick else (10_000, 20)
    slow_rows = 500 if args.quick else 3000
    print(f"per-sample SGD on {rows} rows × {epochs} epochs (iris: batch 16); samples/s, "
          f"and chainrule's speed as a multiple of each peer's\n")
    header = f"{'network':<24}{'peer':<28}{'samples/s':>14}{'chainrule ×':>14}"
    print(header)
    print("-" * len(header))
    cases = CASES if args.quick else [*CASES, digits_case(), wide_case()]
    scratch = tempfile.TemporaryDirectory()
    for case in cases:
        if case.network is not None:
            file = case.network.name.replace("-", "_") + ".py"
            module = codegen.build(case.network, out=Path(scratch.name) / file)
        else:
            module = codegen.build(case.spec)
        X, Y = dataset(case, module, rows)
        lr = float(module.DEFAULT_HYPER[0])
        ours = run_chainrule(case, module, X, Y, epochs, lr)
        _row(case.spec, "chainrule (generated)", ours, None)
        peers = []
        if case.hand:
            peers.append(("hand-written Numba loop", partial(run_hand_numba, case, module, X, Y, epochs, lr)))
        if "jax" not in args.skip:
            peers.append(("JAX jit+scan, shuffled", partial(run_jax, case, X, Y, epochs, lr)))
            peers.append(("JAX jit+scan, fixed order",
                          partial(run_jax, case, X, Y, epochs, lr, shuffle=False)))
        if "numpy" not in args.skip:
            peers.append((f"NumPy by hand ({slow_rows} rows)",
                          partial(run_numpy, case, X[:slow_rows], Y[:slow_rows], 1, lr)))
        if "torch" not in args.skip:
            peers.append((f"PyTorch CPU 1 thread ({slow_rows} rows)",
                          partial(run_torch, case, X[:slow_rows], Y[:slow_rows], 1, lr)))
        for name, measure in peers:
            try:
                rate = measure()
            except ImportError as err:
                print(f"{'':<24}{name:<28}{'not installed: ' + str(err.name):>28}")
                continue
            _row("", name, rate, ours / rate)
        print()
    cold, warm = start_times("seed004_afteracademy")
    print(f"`chainrule train seed004_afteracademy`: cold start (derive + generate + compile) "
          f"{cold:.2f} s, warm start (module and Numba cache reused, end to end) {warm:.2f} s")


def _row(network, peer, rate, ratio):
    ratio_text = f"{ratio:,.2f}" if ratio is not None else ""
    print(f"{network:<24}{peer:<28}{rate:>14,.0f}{ratio_text:>14}")


if __name__ == "__main__":
    main()
