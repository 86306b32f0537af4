"""The scaffolding of every generated module: one source for what both module printers share.

A module printer (:mod:`codegen.scalar_module` or :mod:`codegen.index_module`) prints the row
functions of :data:`ROW_FUNCTIONS` from the derivation; everything around them is printed from
here, the same for every module: one ``step_<name>`` per optimizer from its SymPy rules, and
the loops of :data:`LOOPS` (``forward``, ``predict``, ``cost``, ``gradient``, the optimizer
dispatch ``step``, the epoch's ``shuffled`` order, ``train_epoch`` and ``train``).

Decision (issue 9): these ~165 lines are printed into every generated module rather than
imported from a runtime module of chainrule's. A generated file stays a real, readable,
self-contained file (Tangent's lesson, DESIGN.md): it imports only math, numpy and numba, runs
and debugs without chainrule installed, and its bytes say all it does. So the repetition lives
only in the printed artifacts in ``generated/``; in the source it has this one place.
"""

from __future__ import annotations

from sympy import Symbol
from sympy.codegen.ast import Assignment, CodeBlock, Element

from derive.optimizers import HYPER, OPTIMIZERS, STATE, optimizer_rules
from codegen.printer import NumbaPrinter

#: the decorator of every printed function that needs no other Numba flag
JIT = "@njit(cache=True)"
#: the flag of a thin loop around other jitted functions (a batch's or an epoch's): inlined
#: into its callers at Numba's IR level. Each jitted function links in the code of all it
#: calls and has LLVM optimize it again, so every level of thin wrappers made the code below
#: it be optimized once more (a matrix module's first compile: 16 s of CPU, 12 s inlined).
INLINED = 'inline="always"'
#: the decorator of such a wrapper
WRAPPER = f"@njit(cache=True, {INLINED})"

#: The functions a module printer provides (name → arguments, docstring): the loops below
#: call them.
ROW_FUNCTIONS = {
    "_row_nodes": ("params, X, i, out", "Row i's node values (NODE_NAMES order) into out."),
    "_row_outputs": ("params, X, i, out", "Row i's outputs (OUTPUT_NAMES order) into out."),
    "_row_cost": ("params, X, Y, i", "Row i's cost."),
    "_row_gradient": ("params, X, Y, i, grad",
                      "Row i's cost; adds its ∂cost/∂θ into grad (the backward pass)."),
    "_batch_gradient": ("params, X, Y, order, start, stop, grad",
                        "Rows order[start:stop]: their summed cost; adds their ∂cost/∂θ into "
                        "grad."),
    "_row_sgd": ("params, X, Y, i, lr, weight_decay",
                 "Row i's cost; one SGD step on its gradient, in place (batch 1)."),
    "_sgd_batch": ("params, X, Y, order, start, stop, grad, state, t, hyper",
                   "Rows order[start:stop]: their summed cost; one SGD step on their mean "
                   "gradient, in place (grad: scratch)."),
    "_epoch_sgd": ("params, X, Y, order, lr, weight_decay",
                   "Per-sample SGD (batch 1) over the rows in order, in place; their summed cost."),
}


def row_function(name: str, body: str, decorator: str = JIT, args: str | None = None,
                 doc: str | None = None) -> str:
    """Row function ``name`` of :data:`ROW_FUNCTIONS` (or another helper, given its
    ``args`` and ``doc``): its decorator, signature and docstring, then ``body`` (lines
    already indented into the function)."""
    if args is None:
        args, doc = ROW_FUNCTIONS[name]
    return f'{decorator}\ndef {name}({args}):\n    """{doc}"""\n{body}\n'


#: ``_batch_gradient`` one row at a time (the scalar form's; the index form prints its own,
#: batch-major)
BATCH_OF_ROWS = row_function("_batch_gradient", '''\
    total = 0.0
    for r in range(start, stop):
        total += _row_gradient(params, X, Y, order[r], grad)
    return total''', decorator=WRAPPER)

#: optimizer 0 (SGD) as an argument of a jitted call: an int64, not the literal 0, for which
#: Numba would compile the callee and all it calls a second time (Literal[int](0))
SGD_ARGUMENT = "np.int64(0)"

#: ``_sgd_batch`` as every other step: the batch's gradient, then the step (the matrix form
#: prints its own, the update fused into the backward pass)
SGD_OF_GRADIENT = row_function("_sgd_batch", f'''\
    return _step_batch({SGD_ARGUMENT}, params, X, Y, order, start, stop, grad, state, t, hyper)''',
                               decorator=WRAPPER)


def epoch_of_rows(before: list[str], row: list[str], after: list[str],
                  decorator: str = JIT) -> str:
    """``_epoch_sgd`` around printed lines: ``before`` the loop over the rows in ``order``,
    ``row`` for row ``i`` (adding its cost into ``total``), ``after`` it."""
    lines = [*before, "total = 0.0", "for k in range(order.shape[0]):", "    i = order[k]",
             *("    " + line for line in row), *after, "return total"]
    return row_function("_epoch_sgd", "\n".join("    " + line for line in lines), decorator)


#: ``_epoch_sgd`` as one ``_row_sgd`` per row (the index and matrix forms'; the scalar form
#: prints its own, which keeps the parameters in locals across the rows)
EPOCH_OF_ROWS = epoch_of_rows([], ["total += _row_sgd(params, X, Y, i, lr, weight_decay)"], [],
                              WRAPPER)


# --------------------------------------------------------------------------- optimizer steps

_STEP_DOCS = {
    "sgd": "Gradient descent: w ← w − lr·g (g with weight decay added).",
    "momentum": "Momentum as seed 002 writes it: Δw(t) = −lr·g + momentum·Δw(t−1); w ← w + Δw.",
    "nesterov": "Nesterov momentum (PyTorch's SGD(nesterov=True)) in the same Δw form.",
    "rmsprop": "RMSprop: s ← β2·s + (1 − β2)·g²; w ← w − lr·g/(√s + eps).",
    "adam": "Adam with bias correction (PyTorch's torch.optim.Adam).",
}


def print_steps(printer: NumbaPrinter) -> str:
    """One jitted ``step_<name>`` per optimizer, printed from its SymPy rules."""
    return "\n\n".join(_step(printer, name) for name in OPTIMIZERS)


def _step(printer: NumbaPrinter, name: str) -> str:
    rules = optimizer_rules()[name]
    s = Symbol
    used = {symbol.name for _, rule in rules for symbol in rule.free_symbols}
    state = [(k, v) for k, v in enumerate(STATE) if v in used]
    loads = [Assignment(s("w"), Element("params", ["j"])),
             Assignment(s("g"), Element("grad", ["j"]))]
    loads += [Assignment(s(v), Element("state", [k, "j"])) for k, v in state]
    body = CodeBlock(*loads, *[Assignment(s(target), rule) for target, rule in rules],
                     Assignment(Element("params", ["j"]), s("w")),
                     *[Assignment(Element("state", [k, "j"]), s(v)) for k, v in state])
    inner = printer.doprint(body)
    hyper = "\n".join(f"    {h} = hyper[{k}]" for k, h in enumerate(HYPER) if h in used)
    loop = "\n".join("        " + line for line in inner.splitlines())
    return (f"{JIT}\ndef step_{name}(params, grad, state, t, hyper):\n"
            f'    """{_STEP_DOCS[name]}"""\n{hyper}\n'
            f"    for j in range(params.shape[0]):\n"
            f"        if FROZEN[j]:\n            continue\n{loop}\n")


# --------------------------------------------------------------------------- the loops

#: the loops over rows, mini-batches and epochs (a template: no arithmetic of the spec's)
LOOPS = f'''\
@njit(cache=True)
def forward(params, X):
    """Every node value (NODE_NAMES) of every row of X."""
    out = np.empty((X.shape[0], len(NODE_NAMES)), dtype=DTYPE)
    for i in range(X.shape[0]):
        _row_nodes(params, X, i, out[i])
    return out


@njit(cache=True)
def predict(params, X):
    """The outputs (OUTPUT_NAMES) of every row of X."""
    out = np.empty((X.shape[0], len(OUTPUT_NAMES)), dtype=DTYPE)
    for i in range(X.shape[0]):
        _row_outputs(params, X, i, out[i])
    return out


@njit(cache=True)
def cost(params, X, Y):
    """The mean cost over the rows of X."""
    total = 0.0
    for i in range(X.shape[0]):
        total += _row_cost(params, X, Y, i)
    return total / X.shape[0]


@njit(cache=True)
def gradient(params, X, Y):
    """(mean cost, its gradient in the layout of params) over the rows of X."""
    grad = np.zeros(params.shape[0], dtype=DTYPE)
    total = _batch_gradient(params, X, Y, np.arange(X.shape[0]), np.int64(0), X.shape[0], grad)
    grad /= X.shape[0]
    return total / X.shape[0], grad


@njit(cache=True)
def step(optimizer, params, grad, state, t, hyper):
    """One update by optimizer number `optimizer` (its index in OPTIMIZERS)."""
    if optimizer == 0:
        step_sgd(params, grad, state, t, hyper)
    elif optimizer == 1:
        step_momentum(params, grad, state, t, hyper)
    elif optimizer == 2:
        step_nesterov(params, grad, state, t, hyper)
    elif optimizer == 3:
        step_rmsprop(params, grad, state, t, hyper)
    else:
        step_adam(params, grad, state, t, hyper)


@njit(cache=True)
def shuffled(n, seed):
    """0 .. n-1 in the order an epoch visits the rows: Fisher-Yates driven by xorshift32
    (in int64 arithmetic that never overflows, so Numba and Python agree), seeded through
    a multiplicative hash; five times faster than np.random.permutation for n < 2**31."""
    order = np.arange(n)
    x = ((seed + 1) * 2654435761) % 4294967296
    if x == 0:
        x = 1
    for i in range(n - 1, 0, -1):
        x ^= (x << 13) % 4294967296
        x ^= x >> 17
        x ^= (x << 5) % 4294967296
        j = (x * (i + 1)) >> 32  # a uniform place in 0 .. i, without a division
        order[i], order[j] = order[j], order[i]
    return order


{WRAPPER}
def _step_batch(optimizer, params, X, Y, order, start, stop, grad, state, t, hyper):
    """Rows order[start:stop]: their summed cost; one step of the optimizer on their mean
    gradient (grad: scratch)."""
    grad[:] = 0.0
    total = _batch_gradient(params, X, Y, order, start, stop, grad)
    scale = 1.0 / (stop - start)
    for j in range(grad.shape[0]):
        grad[j] *= scale
    step(optimizer, params, grad, state, t, hyper)
    return total


@njit(cache=True)
def train_epoch(params, state, t, X, Y, batch_size, optimizer, hyper, seed):
    """One epoch over the rows of X, shuffled with `seed`, in mini-batches of batch_size.

    A batch's gradient is the mean of its rows' gradients; one step per batch. Returns the
    mean of the batch costs (each taken before its step) and the updated step count.
    """
    n = X.shape[0]
    order = shuffled(n, seed)
    if batch_size == 1 and optimizer == 0:  # per-sample SGD: the fused epoch
        return _epoch_sgd(params, X, Y, order, hyper[0], hyper[5]) / n, t + n
    grad = np.zeros(params.shape[0], dtype=DTYPE)
    total = 0.0
    batches = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        t += 1
        if optimizer == 0:  # SGD: the form's own batch step (fused where it can be)
            batch = _sgd_batch(params, X, Y, order, start, stop, grad, state, t, hyper)
        else:
            batch = _step_batch(optimizer, params, X, Y, order, start, stop, grad, state, t,
                                hyper)
        total += batch / (stop - start)
        batches += 1
    return total / batches, t


@njit(cache=True)
def train(params, X, Y, epochs, batch_size, optimizer, hyper, seed):
    """Train in place for `epochs` epochs; returns the per-epoch cost history."""
    state = np.zeros((2, params.shape[0]), dtype=DTYPE)
    history = np.empty(epochs, dtype=np.float64)
    t = np.int64(0)  # not the literal 0: train_epoch would be compiled for both
    for epoch in range(epochs):
        history[epoch], t = train_epoch(params, state, t, X, Y, batch_size, optimizer, hyper,
                                        seed + epoch)
    return history
'''
