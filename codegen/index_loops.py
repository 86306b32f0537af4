"""The loops of an index-form module, as text: array elements, neuron blocks, row chunks.

:mod:`codegen.index_module` prints a layer's arithmetic from the derivation of a
representative network and puts it inside loops over neurons ``j``, inputs ``k`` and (in the
batch-major ``_batch_gradient``) the rows ``r`` of a chunk. What those loops are made of lives
here: array elements as SymPy expressions (``A2[j]``), the shift to neuron ``j + offset`` of
a block, the running sums, the allocations hoisted out of the chunk loop, and the jitted
function with fast sums around them.
"""

from __future__ import annotations

import re

import sympy

from derive.optimizers import optimizer_rules
from codegen.plan import apply_rules
from codegen.scaffold import EPOCH_OF_ROWS, INLINED, row_function

#: rows of a batch that _batch_gradient takes through the layers together
CHUNK = 32
#: neurons whose weight loops share one pass over the input row (batch-major)
BLOCK = 4

#: the loops' locals besides their arrays and running sums
LOOP_LOCALS = ("i", "j", "k", "r", "src", "rows", "chunk", "total", "cost_", "order", "start",
               "stop", "grad", "out", "params", "X", "Y", "lr", "weight_decay")

#: the loops' neuron and input indices
J, K = sympy.Symbol("j", integer=True), sympy.Symbol("k", integer=True)
#: the input element of a neuron block, read once per k (``src = X[i, k]``)
SRC = sympy.Symbol("src")

#: Numba flags of the index-form row functions: a sum over a layer's neurons may be
#: reassociated (so LLVM vectorises it) and a*b + c fused; no flag that assumes finite
#: numbers, so a diverging run still shows its NaN or inf.
FAST_SUMS = '{"contract", "reassoc"}'

_ALLOCATION = re.compile(r"(\w+) = np\.(empty|zeros)\((\(\d+, \d+\)|\d+), dtype=DTYPE\)\Z")


def element(array: str, *indices) -> sympy.Indexed:
    """``array[indices]`` as a SymPy expression (index names become integer symbols)."""
    return sympy.IndexedBase(array)[tuple(sympy.Symbol(i, integer=True) if isinstance(i, str)
                                          else i for i in indices)]


def shifted(expr, offset: int):
    """``expr`` for neuron j + offset of a block."""
    return expr.xreplace({J: J + offset}) if offset else expr


def neuron_index(offset: int) -> str:
    """The index of neuron j + offset of a block, as printed."""
    return f"j + {offset}" if offset else "j"


def running_sum(offset: int, alone: bool) -> str:
    """The running sum of neuron j + offset."""
    return "z" if alone else f"z{offset}"


def indented(lines) -> list[str]:
    """``lines`` one level deeper."""
    return ["    " + line for line in lines]


def hoist_allocations(body: list[str]) -> tuple[list[str], list[str]]:
    """(allocations, the rest) of a loop body: each work array allocated once, before the
    loop (a zeroed one is zeroed again in the loop, in place)."""
    hoisted, loop = [], []
    for line in body:
        found = _ALLOCATION.match(line)
        if found:
            name, kind, shape = found.groups()
            hoisted.append(f"{name} = np.empty({shape}, dtype=DTYPE)")
            if kind == "zeros":
                loop.append(f"{name}[:] = 0.0")
        else:
            loop.append(line)
    return hoisted, loop


def fast_function(name: str, body: list[str], args: str | None = None,
                  doc: str | None = None, wrapper: bool = False) -> str:
    """Row function ``name`` (see :data:`codegen.scaffold.ROW_FUNCTIONS`; another helper
    with its ``args`` and ``doc``) with fast sums; a ``wrapper`` (a thin loop around other
    jitted functions) is inlined into its callers (see :data:`codegen.scaffold.INLINED`)."""
    flags = f"fastmath={FAST_SUMS}" + (f", {INLINED}" if wrapper else "")
    return row_function(name, "\n".join(indented(body)), decorator=f"@njit(cache=True, {flags})",
                        args=args, doc=doc)


def per_sample_sgd(printer) -> list[str]:
    """``_row_sgd`` of a layered module (the row's gradient, then the SGD rule of
    :mod:`derive.optimizers` for every parameter that is not frozen) and ``_epoch_sgd``, one
    ``_row_sgd`` per row."""
    sgd = apply_rules(optimizer_rules()["sgd"], {sympy.Symbol("w"): element("params", "j"),
                                                 sympy.Symbol("g"): element("grad", "j")})
    return [fast_function("_row_sgd",
                          ["grad = np.zeros(params.shape[0], dtype=DTYPE)",
                           "cost_ = _row_gradient(params, X, Y, i, grad)",
                           "for j in range(params.shape[0]):",
                           "    if not FROZEN[j]:",
                           f"        params[j] = {printer.doprint(sgd)}",
                           "return cost_"], wrapper=True),
            EPOCH_OF_ROWS]
