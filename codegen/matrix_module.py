"""Layered networks in matrix form: batch-major kernels printed from the layer-level rules.

The index form (:mod:`codegen.index_module`) loops over neurons; this form works on a whole
batch of rows at once, as the textbooks write backpropagation in matrices, and prints what
:func:`derive.layer.derive_layers` derived:

- the forward pass from the layer template at every row n of the batch,
  ``Z^l = A^{l−1} (W^l)ᵀ + 1 (b^l)ᵀ`` (its sum over k a matrix product), ``A^l = f(Z^l)``
  (a softmax with its row maximum subtracted, as the other forms print it);
- the cost Σ_n C_n from the template's loss, the log of a sigmoid or softmax output in its
  overflow-free form (softplus, log-sum-exp);
- δ of the output rows (``batch_delta_output``), the recurrence
  ``Δ^l = (Δ^{l+1} W^{l+1}) ⊙ f′(Z^l)`` (``batch_delta_hidden``), and the gradients as the
  batch rules say, ``N ∂C̄/∂W^l = (Δ^l)ᵀ A^{l−1}`` and ``N ∂C̄/∂b^l = (Δ^l)ᵀ 1`` (times N: a
  module's ``_batch_gradient`` adds the rows' sum, its callers divide by the rows).

:mod:`codegen.matrix_kernels` turns each matrix expression into kernels: matrix products of
arrays become ``np.dot`` (BLAS, inside ``@njit``), the elementwise rest fused loops. The
derivation is taken in the default notation: the module's arrays have names of its own
(``Z2``, ``A2``, ``D2`` for Δ², ``W2``, ``B2`` views of ``params``), whatever letters the
spec uses. The optimizer steps and the loops around these functions are
:mod:`codegen.scaffold`'s, as in every form.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import sympy

from codegen.index_loops import fast_function, indented, per_sample_sgd
from codegen.matrix_kernels import GEMM, Array, Kernels, Reduce
from codegen.plan import apply_rules, layer_offsets
from codegen.printer import CodegenError, NumbaPrinter
from codegen.scaffold import SGD_ARGUMENT, SGD_OF_GRADIENT
from derive.layer import derive_layers
from derive.layer.derivation import layer_shapes, parameter_bases
from derive.layer.matrix import added
from derive.layer.rules import rowwise
from derive.layer.template import N, i, j, n
from derive.functions import softplus
from derive.optimizers import optimizer_rules
from derive.spec.model import Network
from derive.spec.notation import NOTATIONS

#: rows of a batch that go through the layers together (a larger batch in several chunks)
CHUNK = 256


class Scalar:
    """A target that is one number (a shared bias's gradient): every entry is it."""

    def __init__(self, entry: sympy.Expr):
        self.entry = entry

    def at(self, r, c) -> sympy.Expr:
        return self.entry


class MatrixModule:
    """Prints the row functions of a layered network in matrix form."""

    #: what the module's section of row functions says of itself
    KIND = ("matrix form: batch-major, printed from the layer-level matrix rules;\n"
            "# matrix products by np.dot (BLAS), the elementwise rest in fused loops")

    def __init__(self, network: Network):
        if network.layers is None:
            raise CodegenError("matrix form needs a layered spec")
        self.network = network
        self.layers = network.layers
        plain = replace(self.layers, notation=NOTATIONS["nielsen"])
        self.d = derive_layers(SimpleNamespace(name=network.name, layers=plain))
        self.template = self.d.template
        self.printer = NumbaPrinter({}, {})
        self.offsets = layer_offsets(network)
        self.sizes = list(self.layers.sizes)
        self.count = len(self.sizes) - 1   # layers after the input layer
        self.outputs = list(self.layers.activation_names[-1])
        self.nodes = [name for name in network.nodes if name != network.cost]
        self.arrays, self.views = self._arrays()

    # ---- arrays -----------------------------------------------------------------------

    def _number(self, t: int) -> int:
        """The layer number (default notation) of the layer transition t leads into."""
        return t + 2

    def _arrays(self):
        """Matrix symbols and indexed bases of the rules → the module's arrays, and the
        lines that view ``params`` as each layer's W and b."""
        tp = self.template
        arrays, views = {}, []
        for t in range(self.count):
            l, bias = self._number(t), self.layers.biases[t]
            above = self.layers.biases[t + 1] if t + 1 < self.count else None
            shapes = layer_shapes(tp, l, bias, above)
            names = {tp.z(l): f"Z{l}", tp.a(l): f"A{l}", tp.delta(l): f"D{l}",
                     tp.a(l - 1): "Xb" if t == 0 else f"A{l - 1}", tp.y(): "Yb"}
            for base, name in names.items():
                arrays[base] = Array(name)
                if base in shapes.batch:
                    arrays[shapes.batch[base]] = Array(name)
            arrays[shapes.matrices[tp.weights(l)]] = Array(f"W{l}")
            views.append(f"W{l} = {self._block(t, tp.weights(l), 'params')}")
            b = tp.bias(l, bias, 1)
            if isinstance(b, sympy.Indexed):
                arrays[shapes.matrices[b.base]] = Array(f"B{l}", vector=True)
                views.append(f"B{l} = {self._block(t, b, 'params')}")
        for name in self.softmax_buffers():   # a softmax output's row maxima and sums
            arrays[sympy.IndexedBase(name)] = Array(name, vector=True)
        return arrays, views

    def _scalars(self) -> dict:
        """A shared bias b^l (one number) → its entry of ``params``."""
        out = {}
        for t in range(self.count):
            b = self.template.bias(self._number(t), self.layers.biases[t], 1)
            if isinstance(b, sympy.Symbol):
                out[b] = sympy.IndexedBase("params")[self.offsets[t][1]]
        return out

    def kernels(self) -> Kernels:
        return Kernels(self.arrays, self.printer, self._scalars())

    def _alloc(self, k: Kernels, name: str, size: int) -> None:
        k.emit(f"{name} = np.empty((rows, {size}), dtype=DTYPE)")

    # ---- forward, cost, backward --------------------------------------------------------

    def forward(self, k: Kernels) -> list[str]:
        """Kernels of Z and A of every layer; returns the arrays the pass leaves."""
        tp = self.template
        left = []
        for t in range(self.count):
            l, bias, act = self._number(t), self.layers.biases[t], self.layers.activations[t]
            above = self.layers.biases[t + 1] if t + 1 < self.count else None
            shapes = layer_shapes(tp, l, bias, above)
            bases = parameter_bases(tp, l, bias)
            z = added(rowwise(tp.preactivation(l, bias), bases), shapes, (n, j)).matrix
            self._alloc(k, f"Z{l}", self.sizes[t + 1])
            self._alloc(k, f"A{l}", self.sizes[t + 1])
            k.assign(self.arrays[tp.z(l)], z)
            activation = rowwise(tp.activation(l, act), bases)
            if act == "softmax":
                activation = self._safe_softmax(k, l, activation)
            k.each(N, self.sizes[t + 1], self.arrays[tp.a(l)].at(n, j), k.indexed(activation))
            left += [f"Z{l}", f"A{l}"]
        k.close()
        return left + self.softmax_buffers()

    def _softmax_output(self) -> bool:
        return self.layers.activations[-1] == "softmax"

    def softmax_buffers(self) -> list[str]:
        """A softmax output's row maxima and sums of exponentials (none without one)."""
        l = self._number(self.count - 1)
        return [f"M{l}", f"S{l}"] if self._softmax_output() else []

    def _safe_softmax(self, k: Kernels, l: int, activation: sympy.Expr) -> sympy.Expr:
        """e^{z_j} / Σ_i e^{z_i} with the row's maximum M subtracted from every exponent
        (the same quotient, no overflow); its sum is kept in S for the cost's log-sum-exp.
        The exponentials are taken once, into A, which the quotient then divides by S."""
        tp = self.template
        top, total = sympy.IndexedBase(f"M{l}"), sympy.IndexedBase(f"S{l}")
        k.emit(f"M{l} = np.empty(rows, dtype=DTYPE)")
        k.emit(f"S{l} = np.empty(rows, dtype=DTYPE)")
        k.reduce(Reduce(top[n], (n, N), [(i, self.sizes[-1])], k.indexed(tp.z(l)[n, i]), "max"))
        shifted = activation.replace(
            lambda e: isinstance(e, sympy.exp) and isinstance(e.args[0], sympy.Indexed)
            and e.args[0].base == tp.z(l), lambda e: sympy.exp(e.args[0] - top[n]))
        sums = list(shifted.atoms(sympy.Sum))
        if len(sums) != 1 or len(sums[0].limits) != 1:
            raise CodegenError("matrix form: a softmax is one quotient by one sum")
        # each exponential once: the sum's term at i = j goes into A's own entries first,
        # the sum adds those up, and the quotient divides them in place
        (index, _, high), = sums[0].limits
        term, held = sums[0].function.xreplace({index: j}), tp.a(l)
        k.each(N, self.sizes[-1], self.arrays[held].at(n, j), k.indexed(term))
        k.summed(sympy.Sum(held[n, index], (index, 1, high)), total[n])
        return shifted.xreplace({sums[0]: total[n], term: held[n, j]})

    def cost(self, k: Kernels) -> None:
        """``total += Σ_n C_n``, the template's loss at every row, logs made safe."""
        tp = self.template
        l = self._number(self.count - 1)
        row = rowwise(tp.loss(l, self.layers.loss), parameter_bases(tp, l, "none"))
        row = row.xreplace({log: self._safe_log(log.args[0], l) for log in row.atoms(sympy.log)})
        k.summed(sympy.Sum(row.function, (n, 1, N), *row.limits), sympy.Symbol("total"))

    def _safe_log(self, arg: sympy.Expr, l: int) -> sympy.Expr:
        """log of an output (or of 1 − a sigmoid output) in an overflow-free form:
        log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z), log softmax = z − M − log S."""
        tp = self.template
        a, z, act = tp.a(l), tp.z(l), self.layers.activations[-1]
        entry = next(iter(arg.atoms(sympy.Indexed)), None)
        if entry is None or entry.base != a:
            return sympy.log(arg)
        zed = z[entry.indices]
        if act == "sigmoid" and arg == entry:
            return -softplus(-zed)
        if act == "sigmoid" and arg == 1 - entry:
            return -softplus(zed)
        if act == "softmax" and arg == entry:
            row = entry.indices[0]
            return zed - sympy.IndexedBase(f"M{l}")[row] - sympy.log(
                sympy.IndexedBase(f"S{l}")[row])
        return sympy.log(arg)

    def backward(self, k: Kernels, sgd: bool = False) -> None:
        """Δ of the output rows, then down the layers: ∂C/∂W and ∂C/∂b added into grad, and
        Δ of the layer below. With ``sgd``, each layer's parameters take their SGD step in
        place instead (the rule of derive/optimizers.py on the batch mean's gradient), after
        Δ of the layer below has read W^l."""
        tp = self.template
        out = self.d.output
        l = self._number(self.count - 1)
        self._alloc(k, f"D{l}", self.sizes[-1])
        k.assign(self.arrays[tp.delta(l)], out.batch_delta.matrix)
        for t in range(self.count - 1, -1, -1):
            l = self._number(t)
            rules = self.d.layers[t]
            if t and sgd:
                self._delta_below(k, t)
            parts = [(tp.weights(l), rules.batch_weight)]
            if rules.batch_bias is not None:
                parts.append((tp.bias(l, rules.bias, 1), rules.batch_bias))
            for parameter, rule in parts:
                if sgd:
                    self._sgd_step(k, t, parameter, rule.matrix)
                else:
                    self._add_gradient(k, t, parameter, batch_sum(rule.matrix))
            if t and not sgd:
                self._delta_below(k, t)
        k.close()

    def _delta_below(self, k: Kernels, t: int) -> None:
        l = self._number(t)
        self._alloc(k, f"D{l - 1}", self.sizes[t])
        k.assign(self.arrays[self.template.delta(l - 1)], self.d.layers[t - 1].batch_delta.matrix)

    def _block(self, t: int, parameter, array: str) -> str | None:
        """Layer t's weights (a rows × cols matrix) or per-neuron bias as a view of the flat
        ``array`` (``params`` or ``grad``); None for a shared bias (one entry: no view)."""
        w_off, b_off = self.offsets[t]
        rows, cols = self.sizes[t + 1], self.sizes[t]
        if parameter == self.template.weights(self._number(t)):
            return f"{array}[{w_off}:{w_off + rows * cols}].reshape(({rows}, {cols}))"
        if isinstance(parameter, sympy.Indexed):
            return f"{array}[{b_off}:{b_off + rows}]"
        return None

    def _add_gradient(self, k: Kernels, t: int, parameter, total: sympy.MatrixExpr) -> None:
        """``grad``'s entries of one layer's W or b += the rows' summed gradient."""
        l = self._number(t)
        view = self._block(t, parameter, "grad")
        if view is None:   # a shared bias: one number
            target = Scalar(sympy.IndexedBase("grad")[self.offsets[t][1]])
        else:
            weights = parameter == self.template.weights(l)
            name = f"G{l}" if weights else f"GB{l}"
            k.emit(f"{name} = {view}")
            target = Array(name, vector=not weights)
        k.assign(target, total, add=True)

    def _sgd_step(self, k: Kernels, t: int, parameter, mean: sympy.MatrixExpr) -> None:
        """One layer's W or b ← the SGD rule at the batch mean's gradient, in place."""
        shapes = layer_shapes(self.template, self._number(t), self.layers.biases[t],
                              self.layers.biases[t + 1] if t + 1 < self.count else None)
        if isinstance(parameter, sympy.Symbol):   # a shared bias: one number of params
            own = sympy.MatMul(parameter, sympy.OneMatrix(*mean.shape))
            target = Scalar(sympy.IndexedBase("params")[self.offsets[t][1]])
        else:
            own = shapes.matrices[parameter.base if isinstance(parameter, sympy.Indexed)
                                  else parameter]
            target = self.arrays[own]
        w, g = sympy.Symbol("w"), sympy.Symbol("g")
        k.update(target, apply_rules(optimizer_rules()["sgd"], {w: own, g: mean}), own)

    # ---- functions ----------------------------------------------------------------------

    def _head(self, lines: list[str], contiguous: bool = False) -> list[str]:
        """The rows of the batch (as DTYPE; ``contiguous``: C-ordered, as BLAS reads it) and
        the views of params that ``lines`` use."""
        used = [v for v in self.views if any(v.split(" = ")[0] in line for line in lines)]
        rows = "np.asarray(Xin, dtype=DTYPE)"
        return ["rows = Xin.shape[0]",
                f"Xb = {f'np.ascontiguousarray({rows})' if contiguous else rows}", *used]

    def functions(self) -> list[str]:
        """_forward, _chunk_cost, _chunk_gradient, then the row functions and the batch."""
        k = self.kernels()
        left = self.forward(k)
        forward = fast_function("_forward", [*self._head(k.lines), *k.lines,
                                             "return " + ", ".join(left)], args="params, Xin",
                                doc="Every layer's Z and A for the rows of Xin, batch-major.")
        k = self.kernels()
        k.emit(", ".join(left) + " = _forward(params, Xb)")
        k.emit("total = 0.0")
        self.cost(k)
        k.close()
        cost = list(k.lines)
        chunk_cost = fast_function("_chunk_cost", [*self._head(cost), *cost, "return total"],
                                   args="params, Xin, Yb", doc="The summed cost of the rows.")
        self.backward(k)
        chunk_gradient = fast_function(
            "_chunk_gradient", [*self._head(k.lines), *k.lines, "return total"],
            args="params, Xin, Yb, grad",
            doc="The summed cost of the rows; adds their summed ∂cost/∂θ into grad.")
        functions = [forward, chunk_cost, chunk_gradient, *self.row_functions(left)]
        if self.network.freeze:   # frozen entries: the step that skips them
            return functions + [SGD_OF_GRADIENT]
        fused = self.kernels()
        fused.emit(", ".join(left) + " = _forward(params, Xb)")
        fused.emit("total = 0.0")
        self.cost(fused)
        self.backward(fused, sgd=True)
        sgd_chunk = fast_function(
            "_sgd_chunk", [*self._head(fused.lines, contiguous=True), *fused.lines,
                           "return total"],
            args="params, Xin, Yb, lr, weight_decay",
            doc="The summed cost of the rows; one SGD step on their mean gradient, in place, "
                "each layer's taken in its backward pass.")
        return functions + [GEMM, sgd_chunk, self.sgd_batch()]

    def sgd_batch(self) -> str:
        """``_sgd_batch``: the rows gathered (unless they follow each other), then
        ``_sgd_chunk``; a batch of more than a chunk's rows takes the gradient first."""
        return fast_function("_sgd_batch", [
            "rows = stop - start",
            f"if rows > {CHUNK}:  # more than one chunk: the summed gradient first",
            f"    return _step_batch({SGD_ARGUMENT}, params, X, Y, order, start, stop, grad, "
            "state, t, hyper)",
            "first = order[start]",
            "if _consecutive(order, start, rows):  # rows in order: no copy",
            "    return _sgd_chunk(params, X[first:first + rows], Y[first:first + rows], "
            "hyper[0], hyper[5])",
            "Xb, Yb = _gathered(X, Y, order, start, rows)",
            "return _sgd_chunk(params, Xb, Yb, hyper[0], hyper[5])"], wrapper=True)

    def row_functions(self, left: list[str]) -> list[str]:
        """The scaffolding's row functions, one row as a batch of one."""
        unpack = ", ".join(left) + " = _forward(params, X[i:i + 1])"
        column = {name: c for c, name in enumerate(self.nodes)}
        writes = []
        for t in range(self.count):
            l = self._number(t)
            z, a = self.layers.preactivation_names[t], self.layers.activation_names[t]
            writes += [f"for j in range({self.sizes[t + 1]}):",
                       f"    out[{column[z[0]]} + j] = Z{l}[0, j]",
                       f"    out[{column[a[0]]} + j] = A{l}[0, j]"]
        last = self._number(self.count - 1)
        gather = ["Xb, Yb = _gathered(X, Y, order, chunk, rows)",
                  "total += _chunk_gradient(params, Xb, Yb, grad)"]
        batch = ["total = 0.0",
                 f"for chunk in range(start, stop, {CHUNK}):",
                 f"    rows = min({CHUNK}, stop - chunk)",
                 "    first = order[chunk]",
                 "    if _consecutive(order, chunk, rows):  # rows in order: no copy",
                 "        total += _chunk_gradient(params, X[first:first + rows], "
                 "Y[first:first + rows], grad)",
                 "    else:", *indented(indented(gather)), "return total"]
        return [
            fast_function("_row_nodes", [unpack, *writes]),
            fast_function("_row_outputs", [unpack, f"for j in range({self.sizes[-1]}):",
                                           f"    out[j] = A{last}[0, j]"]),
            fast_function("_row_cost", ["return _chunk_cost(params, X[i:i + 1], Y[i:i + 1])"]),
            fast_function("_row_gradient",
                          ["return _chunk_gradient(params, X[i:i + 1], Y[i:i + 1], grad)"],
                          wrapper=True),
            fast_function("_consecutive", ["first = order[chunk]", "for r in range(rows):",
                                           "    if order[chunk + r] != first + r:",
                                           "        return False", "return True"],
                          args="order, chunk, rows",
                          doc="Whether rows order[chunk:chunk + rows] follow each other in X."),
            fast_function("_gathered", ["Xb = np.empty((rows, X.shape[1]), dtype=DTYPE)",
                                        "Yb = np.empty((rows, Y.shape[1]), dtype=DTYPE)",
                                        "for r in range(rows):",
                                        "    Xb[r] = X[order[chunk + r]]",
                                        "    Yb[r] = Y[order[chunk + r]]",
                                        "return Xb, Yb"],
                          args="X, Y, order, chunk, rows",
                          doc="Rows order[chunk:chunk + rows] of X and Y, copied together."),
            fast_function("_batch_gradient", batch, wrapper=True),
            *per_sample_sgd(self.printer),
        ]


def batch_sum(matrix: sympy.MatrixExpr) -> sympy.MatrixExpr:
    """N times a batch mean's matrix form: the sum over the rows ((1/N) Δᵀ A → Δᵀ A)."""
    if isinstance(matrix, sympy.MatMul):
        scalars = [a for a in matrix.args if not getattr(a, "is_Matrix", False)]
        matrices = [a for a in matrix.args if getattr(a, "is_Matrix", False)]
        coefficient = sympy.Mul(N, *scalars)
        return sympy.MatMul(*matrices) if coefficient == 1 else sympy.MatMul(coefficient,
                                                                           *matrices)
    return sympy.MatMul(N, matrix)
