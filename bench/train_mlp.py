"""Training speed of chainrule's matrix-form trainer on MLPs against the usual peers.

Seed 003's Keras model, 784-64-10 relu/softmax with categorical cross-entropy, SGD lr 0.01,
batches of 32, on 60,000 MNIST-shaped rows (synthetic: no download), in float32 and
float64, and a 64-32-10 net of the same kind on scikit-learn's digits; each in a fixed row
order and shuffled every epoch. Peers, all doing the same job (forward, the cost, backward,
one SGD step per batch, and the epoch's mean cost returned, as chainrule's ``train`` and
Keras's ``fit`` report it):

* chainrule: the generated module (matrix form); shuffled is its ``train_epoch``, fixed
  order its ``_sgd_batch`` (the batch's SGD step) in the same loop without the shuffle;
* hand-written NumPy (BLAS), with 1 and 2 BLAS threads (threadpoolctl);
* a hand-written Numba loop calling ``np.dot`` into preallocated arrays (1 BLAS thread);
* PyTorch on the CPU with 1 and 2 threads;
* JAX ``jit`` + ``lax.scan`` over the epoch on one thread (``XLA_FLAGS``), when jax is
  installed (``pip install -e '.[bench]'``; else one line says so).

Every peer's epoch is timed once per round, the peers interleaved, and each keeps its best
round: on a shared machine the ratios measured side by side mean more than the times. The
table gives ms per epoch, samples/s, the achieved GFLOP/s (2 per multiply-add of the three
products per layer) against the machine's single-thread ``A @ B`` peak measured in the same
run, and chainrule's speed as a multiple of each peer's in the same order. Then the cold
(derive, print, compile with empty caches) and warm (everything reused) start.

    python bench/train_mlp.py            # the full run (about eight minutes)
    python bench/train_mlp.py --quick    # a smoke run: the digits case, one round

Why one file: a benchmark is a script one runs and reads whole — every peer's epoch side by
side, so one can check that they do the same job.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# JAX (XLA on the CPU) on one thread, as the one-thread peers: set before jax is imported
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

import codegen  # noqa: E402
from derive.spec.model import Network  # noqa: E402


@dataclass
class Case:
    """One network, dtype and data set."""

    name: str
    sizes: list[int]
    dtype: str
    data: str          # "mnist-shaped" or "digits"
    rows: int
    epochs_per_round: int = 1


def network(case: Case) -> Network:
    return Network.layered(case.sizes, ["relu", "softmax"], loss="cce", init_seed=0,
                           name="mlp-" + "-".join(map(str, case.sizes)), learning_rate=0.01)


def dataset(case: Case, dtype) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    if case.data == "digits":
        from sklearn.datasets import load_digits
        digits = load_digits()
        X, labels = digits.data / 16.0, digits.target
    else:   # MNIST's shape and range: 784 pixels in [0, 1], ten classes
        X, labels = rng.random((case.rows, 784)), rng.integers(0, 10, case.rows)
    return X.astype(dtype), np.eye(10, dtype=dtype)[labels]


def flops_per_row(sizes: list[int]) -> int:
    """Forward Z = A Wᵀ, weight gradient Δᵀ A, and Δ W for every layer but the first."""
    products = [a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * (3 * sum(products) - products[0])


# --------------------------------------------------------------------------- peers

def init(sizes, dtype):
    rng = np.random.default_rng(0)
    out = []
    for a, b in zip(sizes, sizes[1:]):
        out += [(rng.uniform(-1, 1, (b, a)) / math.sqrt(a)).astype(dtype), np.zeros(b, dtype)]
    return out


_DRIVERS: dict = {}


def chainrule_peer(module, shuffled: bool):
    """One epoch of the generated module: train_epoch, or its functions in a fixed order."""
    if id(module) not in _DRIVERS:
        _DRIVERS[id(module)] = fixed_driver(module)
    fixed = _DRIVERS[id(module)]
    params = module.INITIAL_PARAMS.copy()
    state = np.zeros((2, params.size), dtype=params.dtype)
    hyper = module.DEFAULT_HYPER.copy()
    epoch = [0]

    def run(X, Y):
        epoch[0] += 1
        if shuffled:
            module.train_epoch(params, state, 0, X, Y, 32, 0, hyper, epoch[0])
        else:
            fixed(params, state, 0, X, Y, 32, hyper)
    return run


def fixed_driver(module):
    """train_epoch's loop over batches, the module's own SGD batch step inside, without the
    shuffle."""
    from numba import njit
    sgd_batch = module._sgd_batch

    @njit(cache=False)
    def fixed(params, state, t, X, Y, batch, hyper):
        order = np.arange(X.shape[0])
        grad = np.zeros(params.shape[0], dtype=params.dtype)
        total = 0.0
        for start in range(0, X.shape[0], batch):
            stop = min(start + batch, X.shape[0])
            t += 1
            total += sgd_batch(params, X, Y, order, start, stop, grad, state, t, hyper)
        return total
    return fixed


def numpy_peer(sizes, dtype, shuffled: bool):
    params = init(sizes, dtype)
    lr = dtype(0.01)
    rng = np.random.default_rng(1)

    def run(X, Y):
        order = rng.permutation(X.shape[0]) if shuffled else None
        cost = 0.0
        for s in range(0, X.shape[0], 32):
            if shuffled:
                x, y = X[order[s:s + 32]], Y[order[s:s + 32]]
            else:
                x, y = X[s:s + 32], Y[s:s + 32]
            outs = [x]
            for k in range(len(sizes) - 1):
                z = outs[-1] @ params[2 * k].T + params[2 * k + 1]
                if k < len(sizes) - 2:
                    outs.append(np.maximum(z, 0))
                else:
                    shifted = z - z.max(axis=1, keepdims=True)
                    e = np.exp(shifted)
                    total = e.sum(axis=1, keepdims=True)
                    cost -= (y * (shifted - np.log(total))).sum()
                    outs.append(e / total)
            delta = (outs[-1] - y) / x.shape[0]
            for k in reversed(range(len(sizes) - 1)):
                gw, gb = delta.T @ outs[k], delta.sum(axis=0)
                if k:
                    delta = (delta @ params[2 * k]) * (outs[k] > 0)
                params[2 * k] -= lr * gw
                params[2 * k + 1] -= lr * gb
        return cost / X.shape[0]
    return run


def hand_numba_peer(sizes, dtype, shuffled: bool):
    """A two-layer relu/softmax loop by hand: np.dot into preallocated arrays."""
    if "hand" not in _DRIVERS:
        _DRIVERS["hand"] = hand_epoch()
    epoch = _DRIVERS["hand"]
    W1, b1, W2, b2 = init(sizes, dtype)
    rng = np.random.default_rng(1)

    def run(X, Y):
        order = rng.permutation(X.shape[0]) if shuffled else np.arange(X.shape[0])
        epoch(W1, b1, W2, b2, X, Y, dtype(0.01), order, shuffled)
    return run


def hand_epoch():
    from numba import njit

    @njit(cache=False, fastmath={"contract", "reassoc"})
    def epoch(W1, b1, W2, b2, X, Y, lr, order, gather):
        N = 32
        Xg = np.empty((N, X.shape[1]), dtype=X.dtype)
        Yg = np.empty((N, Y.shape[1]), dtype=X.dtype)
        Z1 = np.empty((N, W1.shape[0]), dtype=X.dtype)
        Z2 = np.empty((N, W2.shape[0]), dtype=X.dtype)
        D1 = np.empty((N, W1.shape[0]), dtype=X.dtype)
        gW1, gW2 = np.empty_like(W1), np.empty_like(W2)
        cost = 0.0
        for s in range(0, X.shape[0] - N + 1, N):
            Xb, Yb = X[s:s + N], Y[s:s + N]
            if gather:   # shuffled: copy the batch's rows together
                for r in range(N):
                    Xg[r, :] = X[order[s + r], :]
                    Yg[r, :] = Y[order[s + r], :]
                Xb, Yb = Xg, Yg
            np.dot(Xb, W1.T, Z1)
            for r in range(N):
                for j in range(Z1.shape[1]):
                    z = Z1[r, j] + b1[j]
                    Z1[r, j] = z if z > 0 else 0.0
            np.dot(Z1, W2.T, Z2)
            for r in range(N):
                top = -np.inf
                for j in range(Z2.shape[1]):
                    Z2[r, j] += b2[j]
                    top = max(top, Z2[r, j])
                total = 0.0
                for j in range(Z2.shape[1]):
                    total += np.exp(Z2[r, j] - top)
                log_total = np.log(total)
                for j in range(Z2.shape[1]):
                    cost -= (Z2[r, j] - top - log_total) * Yb[r, j]
                    Z2[r, j] = (np.exp(Z2[r, j] - top) / total - Yb[r, j]) / N
            np.dot(Z2.T, Z1, gW2)
            np.dot(Z2, W2, D1)
            for r in range(N):
                for j in range(D1.shape[1]):
                    if Z1[r, j] <= 0:
                        D1[r, j] = 0.0
            np.dot(D1.T, Xb, gW1)
            for j in range(W2.shape[0]):
                for r in range(N):
                    b2[j] -= lr * Z2[r, j]
            for j in range(W1.shape[0]):
                for r in range(N):
                    b1[j] -= lr * D1[r, j]
            for j in range(W1.shape[0]):
                for k in range(W1.shape[1]):
                    W1[j, k] -= lr * gW1[j, k]
            for j in range(W2.shape[0]):
                for k in range(W2.shape[1]):
                    W2[j, k] -= lr * gW2[j, k]
        return cost / X.shape[0]
    return epoch


def torch_peer(sizes, dtype, shuffled: bool, threads: int):
    import torch
    kind = torch.float32 if dtype == np.float32 else torch.float64
    params = [torch.tensor(p, dtype=kind, requires_grad=True) for p in init(sizes, dtype)]
    opt = torch.optim.SGD(params, lr=0.01)
    tensors = {}

    def run(X, Y):
        torch.set_num_threads(threads)
        if id(X) not in tensors:
            tensors[id(X)] = (torch.from_numpy(X), torch.from_numpy(Y))
        Xt, Yt = tensors[id(X)]
        order = torch.randperm(X.shape[0]) if shuffled else None
        cost = torch.zeros((), dtype=kind)
        for s in range(0, X.shape[0], 32):
            rows = order[s:s + 32] if shuffled else slice(s, s + 32)
            a, y = Xt[rows], Yt[rows]
            for k in range(len(sizes) - 1):
                a = a @ params[2 * k].T + params[2 * k + 1]
                a = torch.relu(a) if k < len(sizes) - 2 else a
            loss = -(y * torch.log_softmax(a, dim=1)).sum(dim=1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            cost += loss.detach() * a.shape[0]
        return float(cost) / X.shape[0]
    return run


def jax_peer(sizes, dtype, shuffled: bool):
    import jax
    import jax.numpy as jnp
    if dtype == np.float64:
        jax.config.update("jax_enable_x64", True)

    def loss(params, x, y):
        a = x
        for k in range(len(sizes) - 1):
            a = a @ params[2 * k].T + params[2 * k + 1]
            a = jax.nn.relu(a) if k < len(sizes) - 2 else a
        return -(y * jax.nn.log_softmax(a, axis=1)).sum(axis=1).mean()

    value_and_grad = jax.value_and_grad(loss)

    @jax.jit
    def epoch(params, X, Y, key):
        n = X.shape[0] // 32 * 32
        order = jax.random.permutation(key, n) if shuffled else jnp.arange(n)
        xb, yb = X[order].reshape(-1, 32, X.shape[1]), Y[order].reshape(-1, 32, Y.shape[1])

        def body(p, batch):
            cost, grads = value_and_grad(p, *batch)
            return [w - 0.01 * g for w, g in zip(p, grads)], cost
        params, costs = jax.lax.scan(body, params, (xb, yb))
        return params, costs.mean()

    state = {"params": [jnp.asarray(p) for p in init(sizes, dtype)], "epoch": 0}

    def run(X, Y):
        state["epoch"] += 1
        key = jax.random.PRNGKey(state["epoch"])
        state["params"], cost = jax.block_until_ready(epoch(state["params"], X, Y, key))
        return float(cost)
    return run


# --------------------------------------------------------------------------- measuring

def blas_threads(threads: int | None):
    """A context holding the BLAS libraries to ``threads`` threads (threadpoolctl), or one
    that leaves them be (None: the peer sets its own threads). Entered once per timed round,
    outside the timer: entering it costs about a millisecond, more than a digits epoch."""
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits
    return threadpool_limits(threads)


def gemm_peak(dtype, size: int) -> float:
    """GFLOP/s of one square ``A @ B`` on one thread (the best of five)."""
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(0)
    A, B = rng.random((size, size)).astype(dtype), rng.random((size, size)).astype(dtype)
    with threadpool_limits(1):
        A @ B
        best = min(_timed(lambda: A @ B) for _ in range(5))
    return 2 * size ** 3 / best / 1e9


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def peers(case: Case, module, shuffled: bool, skip: set) -> list[tuple[str, object, int]]:
    """(name, one epoch's run or None when not installed, BLAS threads) of every peer."""
    dtype = np.dtype(case.dtype).type
    out = [("chainrule (matrix form)", chainrule_peer(module, shuffled), 1),
           ("chainrule, 2 BLAS threads", chainrule_peer(module, shuffled), 2)]
    if len(case.sizes) == 3:
        out += [(f"Numba loop with np.dot{', 2 BLAS threads' * (k > 1)}",
                 hand_numba_peer(case.sizes, dtype, shuffled), k) for k in (1, 2)]
    out += [(f"NumPy, {k} thread{'s' * (k > 1)}", numpy_peer(case.sizes, dtype, shuffled), k)
            for k in (1, 2)]
    if "torch" not in skip:
        out += [(f"PyTorch CPU, {k} thread{'s' * (k > 1)}",
                 torch_peer(case.sizes, dtype, shuffled, k), None) for k in (1, 2)]
    if "jax" not in skip:
        try:
            out.append(("JAX jit + lax.scan, 1 thread", jax_peer(case.sizes, dtype, shuffled),
                        None))
        except ImportError:
            out.append(("JAX jit + lax.scan, 1 thread", None, None))
    return out


def measure(case: Case, module, X, Y, shuffled: bool, rounds: int, skip: set) -> dict:
    """Best seconds per epoch of every peer, the peers interleaved round by round."""
    found = peers(case, module, shuffled, skip)
    runs = [(name, run, threads) for name, run, threads in found if run is not None]
    for _, run, threads in runs:   # compile and warm up: one epoch on the timed rows (JAX
        with blas_threads(threads):   # compiles for each shape of its inputs)
            run(X, Y)
    best = {name: math.inf for name, _, _ in runs}
    for _ in range(rounds):
        for name, run, threads in runs:
            with blas_threads(threads):
                start = time.perf_counter()
                for _ in range(case.epochs_per_round):
                    run(X, Y)
                seconds = (time.perf_counter() - start) / case.epochs_per_round
            best[name] = min(best[name], seconds)
    return {name: best.get(name) for name, _, _ in found}


def start_times(case: Case) -> tuple[float, float]:
    """Seconds to build, compile and train one batch in a fresh process: cold (module and
    Numba's cache new), then warm (both reused)."""
    code = ("import numpy as np, codegen; from derive.spec.model import Network; "
            f"net = Network.layered({case.sizes}, ['relu', 'softmax'], loss='cce', init_seed=0, "
            f"name='mlp', learning_rate=0.01); m = codegen.build(net, out=OUT, dtype={case.dtype!r}); "
            "X = np.zeros((32, len(m.INPUT_NAMES)), m.DTYPE); Y = np.zeros((32, 10), m.DTYPE); "
            "m.train(m.INITIAL_PARAMS.copy(), X, Y, 1, 32, 0, m.DEFAULT_HYPER, 0)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba"),
               "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-c", f"OUT = {str(Path(tmp) / 'mlp_bench.py')!r}; " + code]
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
    return times[0], times[1]


# --------------------------------------------------------------------------- main

def cases(quick: bool) -> list[Case]:
    """The full run's three cases; a quick run (a smoke run: the script works) the smallest."""
    digits = Case("64-32-10 digits float64", [64, 32, 10], "float64", "digits", 1797,
                  epochs_per_round=1 if quick else 10)
    if quick:
        return [digits]
    return [Case("784-64-10 float32", [784, 64, 10], "float32", "mnist-shaped", 60_000),
            Case("784-64-10 float64", [784, 64, 10], "float64", "mnist-shaped", 60_000),
            digits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: the smallest case, one round")
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds per peer")
    parser.add_argument("--skip", nargs="*", default=[], choices=["torch", "jax"],
                        help="peers to leave out")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)
    skip = set(args.skip)
    peaks = {d: gemm_peak(d, 256 if args.quick else 1024) for d in (np.float32, np.float64)}
    print("single-thread A @ B peak (square GEMM): "
          + ", ".join(f"{np.dtype(d).name} {p:,.1f} GFLOP/s" for d, p in peaks.items()) + "\n")
    scratch = tempfile.TemporaryDirectory()
    header = (f"{'case':<26}{'order':<10}{'peer':<40}{'ms/epoch':>10}{'samples/s':>12}"
              f"{'GFLOP/s':>9}{'of peak':>9}{'chainrule ×':>13}")
    print(header)
    print("-" * len(header))
    for case in cases(args.quick):
        net = network(case)
        module = codegen.build(net, dtype=case.dtype,
                               out=Path(scratch.name) / f"{net.name.replace('-', '_')}_{case.dtype}.py")
        X, Y = dataset(case, module.DTYPE)
        work = flops_per_row(case.sizes) * X.shape[0]
        for shuffled in (False, True):
            best = measure(case, module, X, Y, shuffled, rounds, skip)
            ours = best["chainrule (matrix form)"]
            for name, seconds in best.items():
                order = "shuffled" if shuffled else "fixed"
                if seconds is None:
                    print(f"{case.name:<26}{order:<10}{name:<40}   skipped: not installed")
                    continue
                gflops = work / seconds / 1e9
                ratio = "" if name.startswith("chainrule (") else f"{seconds / ours:,.2f}"
                ms = seconds * 1e3   # three digits for an epoch of a few milliseconds
                print(f"{case.name:<26}{order:<10}{name:<40}"
                      f"{f'{ms:,.1f}' if ms >= 10 else f'{ms:.3f}':>10}"
                      f"{X.shape[0] / seconds:>12,.0f}{gflops:>9,.1f}"
                      f"{gflops / peaks[module.DTYPE]:>9.0%}{ratio:>13}")
            print()
    case = cases(args.quick)[-1 if args.quick else 0]
    cold, warm = start_times(case)
    print(f"{case.name}, build + compile + one batch in a new process: cold start "
          f"(derive, print, compile) {cold:.2f} s, warm start (module and Numba cache reused) "
          f"{warm:.2f} s")


if __name__ == "__main__":
    main()
