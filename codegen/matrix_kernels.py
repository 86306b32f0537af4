"""Matrix expressions → kernels: BLAS products, fused elementwise loops and reductions.

:mod:`codegen.matrix_module` prints a layer's rules from their matrix forms (derive/layer:
``Δ^l = (Δ^{l+1} W^{l+1}) ⊙ f′(Z^l)``, ``∂C/∂W = Δᵀ A``). :class:`Kernels` turns one such
expression, assigned to an array, into the code that computes it:

- a product of two matrices held in arrays (``Δ W``, ``Δᵀ A``) is an ``np.dot`` (BLAS
  inside ``@njit``), written straight into the target array when the rest of the expression
  only reads it back entrywise;
- a product with a matrix of ones is a sum over rows or columns (``Δᵀ 1``), an outer product
  with ones spreads a vector (``1 bᵀ``);
- what is left is elementwise (⊙, +, f applied to every entry): the expression *at one entry*
  (n, j), printed by the :class:`~codegen.printer.NumbaPrinter` into one loop over the
  entries, and consecutive loops over the same entries are fused into one.

An update of an array in place (an SGD step, ``W ← W − lr·(1/N) Δᵀ A``) whose expression is
``β·W + α·op(P)·op(Q)`` is one BLAS gemm on the array (``C ← β C + α op(P) op(Q)``, the
:data:`GEMM` helper): the gradient is never held, no pass over it is made.

Index-form expressions (a softmax's Σ_i e^{z_i}, the cost Σ_i of a row) become reductions
the same way: each ``Sum`` a loop into a buffer. The arrays are named by the caller; indices
print as the loops' ``n, j, i`` (0-based: an entry's index is its loop's variable).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import sympy
from sympy import (HadamardPower, HadamardProduct, Identity, MatAdd, MatMul, MatrixSymbol,
                   OneMatrix, Transpose)
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from codegen.printer import CodegenError, NumbaPrinter
from derive.layer.template import N, i, j, n

#: the rows of the batch in printed code (what the rules' N stands for)
ROWS = sympy.Symbol("rows", integer=True, positive=True)

#: What a module that updates arrays by BLAS needs besides :data:`GEMM`: the gemm that
#: Numba's own ``np.dot`` calls (``numba_xxgemm`` of Numba's helper library, which loads
#: SciPy's BLAS), declared by its symbol so that the functions calling it stay cacheable (a
#: ctypes pointer would not). Column-major, as BLAS is.
BLAS_IMPORT = "from numba import types"


def blas_declaration(dtype: str) -> str:
    """The module constants of :data:`GEMM`: the gemm's symbol, and which gemm (``'s'``
    single or ``'d'`` double precision, for the module's ``dtype``)."""
    kind = "s" if dtype == "float32" else "d"
    return f"""\
_BLAS_KIND = {ord(kind)}  # {kind!r}: the {dtype} gemm
_XXGEMM = types.ExternalFunction("numba_xxgemm", types.intc(
    types.char, types.char, types.char, types.intp, types.intp, types.intp, types.voidptr,
    types.voidptr, types.intp, types.voidptr, types.intp, types.voidptr, types.voidptr,
    types.intp))"""


#: ``_gemm``: C ← β·C + α·op(A)·op(B) in place, op(M) = Mᵀ where its flag says so. A
#: row-major C is the column-major Cᵀ = op(B)ᵀ op(A)ᵀ, so BLAS gets the operands swapped.
GEMM = '''\
@njit(cache=True)
def _gemm(alpha, A, ta, B, tb, beta, C):
    """C <- beta*C + alpha*op(A)*op(B) in place, op(M) = M.T where its flag is set: one BLAS
    gemm on C-contiguous arrays (C row-major is the column-major C.T = op(B).T op(A).T)."""
    if not (A.flags.c_contiguous and B.flags.c_contiguous and C.flags.c_contiguous):
        raise ValueError("_gemm needs C-contiguous arrays")
    scalars = np.empty(2, dtype=DTYPE)
    scalars[0] = alpha
    scalars[1] = beta
    inner = A.shape[0] if ta else A.shape[1]
    done = _XXGEMM(_BLAS_KIND, 84 if tb else 78, 84 if ta else 78,
                   C.shape[1], C.shape[0], inner, scalars.ctypes, B.ctypes, B.shape[1],
                   A.ctypes, A.shape[1], scalars[1:].ctypes, C.ctypes, C.shape[1])
    if done != 0:
        raise RuntimeError("no BLAS: SciPy's BLAS could not be loaded")'''


@dataclass
class Array:
    """An array of the printed code: its name, and whether it is a vector (one index)."""

    name: str
    vector: bool = False

    def at(self, r, c) -> sympy.Expr:
        """Entry (r, c) of the matrix it holds (a vector: the index that runs)."""
        base = sympy.IndexedBase(self.name)
        return base[r] if self.vector else base[r, c]


@dataclass
class Each:
    """``target[r, c] = expr`` for every entry of a rows × cols block."""

    rows: sympy.Expr
    cols: sympy.Expr
    lines: list = field(default_factory=list)   # (target entry, expr) at entry (n, j)


@dataclass
class Reduce:
    """``target = init; target op= expr`` over the ``inner`` indices, for each ``outer``."""

    target: sympy.Expr
    outer: tuple | None          # (index, extent) or None
    inner: list                  # [(index, extent)]
    expr: sympy.Expr
    op: str = "sum"              # "sum" or "max"
    into: bool = False           # add into the target (a running total) instead of setting it


def extent(size) -> str:
    """A loop's extent as printed: N (the batch) is the chunk's ``rows``. ``size`` is a
    whole number or a SymPy size (a shape, never outside text: nothing here is sympified)."""
    if isinstance(size, numbers.Integral):
        return str(int(size))
    return str(size.xreplace({N: ROWS}))


class Kernels:
    """The kernels of one printed function, in order: allocations, np.dot calls, loops."""

    def __init__(self, arrays: dict, printer: NumbaPrinter, scalars: dict | None = None):
        """``arrays``: MatrixSymbol (or IndexedBase of an index form) → :class:`Array`;
        ``scalars``: a symbol standing for one number (a shared bias) → its entry."""
        self.arrays = dict(arrays)
        self.scalars = scalars or {}
        self.printer = printer
        self.lines: list[str] = []
        self.loop: Each | None = None   # the elementwise loop still open for fusion
        self.temps = 0

    # ---- assignments ------------------------------------------------------------------

    def assign(self, target: Array, expr: sympy.MatrixExpr, add: bool = False,
               fresh: bool = True) -> None:
        """``target = expr`` (``add``: ``target += expr``); a ``fresh`` target has no value
        yet, so a product in ``expr`` may be computed straight into it."""
        rows, cols = expr.shape
        into = self._product_into(expr) if fresh and not add else None
        if into is not None:
            self.dot(target.name, into)
        entry = self.entry(expr, n, j, {into: target} if into is not None else {})
        if into is not None and entry == target.at(n, j):
            return   # the product was all of it
        if add:
            entry = target.at(n, j) + entry
        self.each(rows, cols, target.at(n, j), entry)

    def update(self, target: Array, expr: sympy.MatrixExpr, own: MatrixSymbol) -> None:
        """``target ← expr`` in place, where ``own`` (the matrix ``target`` holds) appears in
        ``expr`` only at the entry being set. ``β·own + α·op(P)·op(Q)`` with P, Q arrays is one
        BLAS call (:data:`GEMM`); anything else is elementwise, its products computed first."""
        expr = sympy.expand(expr)
        terms = list(expr.args) if isinstance(expr, MatAdd) else [expr]
        products = [t for t in terms if self._scaled_product(t) is not None]
        beta = self._coefficient([t for t in terms if t not in products], own)
        if len(products) != 1 or beta is None:
            self.assign(target, expr, fresh=False)
            return
        alpha, left, right = self._scaled_product(products[0])
        p = self.printer.doprint
        self.emit(f"_gemm({p(alpha.xreplace({N: ROWS}))}, {self._operand_flag(left)}, "
                  f"{self._operand_flag(right)}, {p(beta.xreplace({N: ROWS}))}, {target.name})")

    def _scaled_product(self, term):
        """(α, P, Q) when ``term`` is α·P·Q of two arrays (either transposed), else None."""
        if not isinstance(term, MatMul):
            return None
        matrices = [a for a in term.args if getattr(a, "is_Matrix", False)]
        if len(matrices) != 2 or not all(self._is_array(m) for m in matrices):
            return None
        scalars = [a for a in term.args if not getattr(a, "is_Matrix", False)]
        return sympy.Mul(*scalars).xreplace(self.scalars), *matrices

    def _coefficient(self, terms: list, own: MatrixSymbol):
        """β when ``terms`` add up to β·own, else None."""
        beta = sympy.S.Zero
        for term in terms:
            if term == own:
                beta += 1
            elif isinstance(term, MatMul) and own in term.args and len(term.args) == 2:
                beta += next(a for a in term.args if a != own)
            else:
                return None
        return beta.xreplace(self.scalars)

    def _operand_flag(self, m) -> str:
        """An operand of :data:`GEMM` and its transpose flag."""
        if isinstance(m, Transpose):
            return f"{self.arrays[m.arg].name}, True"
        return f"{self.arrays[m].name}, False"

    def each(self, rows, cols, target: sympy.Expr, expr: sympy.Expr) -> None:
        """One line of an elementwise loop (fused with the loop before over the same
        entries, unless it reads what that loop writes at other entries)."""
        if self.loop is None or (self.loop.rows, self.loop.cols) != (rows, cols) \
                or self._reads_elsewhere(expr):
            self.close()
            self.loop = Each(rows, cols)
        self.loop.lines.append((target, expr))

    def _reads_elsewhere(self, expr: sympy.Expr) -> bool:
        written = {t.base: t.indices for t, _ in self.loop.lines}
        return any(e.base in written and e.indices != written[e.base]
                   for e in expr.atoms(sympy.Indexed))

    def close(self) -> None:
        """Print the open elementwise loop (no loop over an extent of 1)."""
        loop, self.loop = self.loop, None
        if loop is None:
            return
        fixed = {index: 0 for index, size in ((n, loop.rows), (j, loop.cols)) if size == 1}
        fixed[N] = ROWS   # a batch mean's N in an entry: the chunk's rows
        body = [f"{self.printer.doprint(t.xreplace(fixed))} = "
                f"{self.printer.doprint(e.xreplace(fixed))}" for t, e in loop.lines]
        depth = 0
        for index, size in ((n, loop.rows), (j, loop.cols)):
            if index not in fixed:
                self.lines.append("    " * depth + f"for {index} in range({extent(size)}):")
                depth += 1
        self.lines += ["    " * depth + line for line in body]

    def emit(self, line: str) -> None:
        self.close()
        self.lines.append(line)

    def dot(self, out: str, product: MatMul) -> None:
        left, right = (self.operand(m) for m in product.args)
        self.emit(f"np.dot({left}, {right}, {out})")

    def temp(self, shape, vector: bool = False) -> Array:
        """A new scratch array of ``shape`` (a vector: its first extent)."""
        self.temps += 1
        name = f"T{self.temps}"
        dims = extent(shape[0]) + "," if vector else ", ".join(extent(s) for s in shape)
        self.emit(f"{name} = np.empty(({dims}), dtype=DTYPE)")
        return Array(name, vector)

    def reduce(self, red: Reduce) -> None:
        """Print a reduction: a loop per outer entry, a running value over the inner ones."""
        self.close()
        p = self.printer.doprint
        target = p(red.target)
        acc = target if red.into else "acc"
        body = [] if red.into else [f"acc = {'-math.inf' if red.op == 'max' else '0.0'}"]
        depth = 0
        for index, size in red.inner:
            body.append("    " * depth + f"for {index} in range({extent(size)}):")
            depth += 1
        step = (f"{acc} = max({acc}, {p(red.expr)})" if red.op == "max"
                else f"{acc} += {p(red.expr)}")
        body.append("    " * depth + step)
        if not red.into:
            body.append(f"{target} = acc")
        if red.outer is not None:
            index, size = red.outer
            body = [f"for {index} in range({extent(size)}):"] + ["    " + b for b in body]
        self.lines += body

    # ---- matrix expression → its entry -----------------------------------------------

    def entry(self, m, r, c, given: dict | None = None) -> sympy.Expr:
        """The value of matrix expression ``m`` at entry (r, c), as a scalar expression of
        array entries; products and sums it needs are computed first (kernels)."""
        given = given or {}
        if m in given:
            return given[m].at(r, c)
        if not getattr(m, "is_Matrix", False):
            return m.xreplace(self.scalars)
        if isinstance(m, MatrixSymbol):
            if m not in self.arrays:
                raise CodegenError(f"matrix form: no array holds {m}")
            return self.arrays[m].at(r, c)
        if isinstance(m, OneMatrix):
            return sympy.S.One
        if isinstance(m, Identity):   # a one-number parameter's 1 × 1 matrix
            return sympy.KroneckerDelta(r, c)
        if isinstance(m, Transpose):
            return self.entry(m.arg, c, r, given)
        if isinstance(m, MatAdd):
            return sympy.Add(*[self.entry(a, r, c, given) for a in m.args])
        if isinstance(m, HadamardProduct):
            return sympy.Mul(*[self.entry(a, r, c, given) for a in m.args])
        if isinstance(m, HadamardPower):
            return self.entry(m.base, r, c, given) ** m.exp
        if isinstance(m, ElementwiseApplyFunction):
            return m.function(self.entry(m.expr, r, c, given))
        if isinstance(m, MatMul):
            scalars = [a for a in m.args if not getattr(a, "is_Matrix", False)]
            matrices = [a for a in m.args if getattr(a, "is_Matrix", False)]
            coefficient = sympy.Mul(*scalars).xreplace(self.scalars)
            return coefficient * self._product(matrices, r, c, given)
        raise CodegenError(f"matrix form: no kernel for {type(m).__name__}")

    def _product(self, matrices: list, r, c, given: dict) -> sympy.Expr:
        """Entry (r, c) of a product of matrices."""
        if len(matrices) == 1:
            return self.entry(matrices[0], r, c, given)
        left, rest = matrices[0], matrices[1:]
        right = rest[0] if len(rest) == 1 else MatMul(*rest)
        if left.shape[1] == 1:   # an outer product: a column spread along a row
            return self.entry(left, r, 0, given) * self._product(rest, 0, c, given)
        if isinstance(left, OneMatrix):   # 1ᵀ M: the sums of M's columns
            return self._sums(right, over_rows=True, given=given).at(c, 0)
        if len(rest) == 1 and isinstance(right, OneMatrix):   # M 1: the sums of its rows
            return self._sums(left, over_rows=False, given=given).at(r, 0)
        product = MatMul(self._held(left, given), self._held(right, given))
        out = self.temp(product.shape)
        self.dot(out.name, product)
        return out.at(r, c)

    def _sums(self, m, over_rows: bool, given: dict) -> Array:
        """The sums of the rows (or columns) of ``m`` into a new vector."""
        size, other = (m.shape[1], m.shape[0]) if over_rows else m.shape
        out = self.temp((size,), vector=True)
        value = self.entry(m, i, n, given) if over_rows else self.entry(m, n, i, given)
        self.reduce(Reduce(out.at(n, 0), (n, size), [(i, other)], value))
        return out

    def _held(self, m, given: dict):
        """``m`` as an operand of np.dot: an array (or its transpose) as it is, anything
        else computed into a scratch array first."""
        base = m.arg if isinstance(m, Transpose) else m
        if isinstance(base, MatrixSymbol) and base in self.arrays \
                and not self.arrays[base].vector:
            return m
        out = self.temp(m.shape)
        self.each(*m.shape, out.at(n, j), self.entry(m, n, j, given))
        held = MatrixSymbol(out.name, *m.shape)
        self.arrays[held] = out
        return held

    def operand(self, m) -> str:
        if isinstance(m, Transpose):
            return self.arrays[m.arg].name + ".T"
        return self.arrays[m].name

    def _product_into(self, expr) -> MatMul | None:
        """A product of two arrays among the terms or factors of ``expr`` (or ``expr``
        itself) that the target may hold first: the rest reads it back at each entry."""
        candidates = [expr] + (list(expr.args) if isinstance(expr, (MatAdd, HadamardProduct))
                               else [])
        for m in candidates:
            if isinstance(m, MatMul) and len(m.args) == 2 and m.shape == expr.shape and all(
                    self._is_array(a) for a in m.args):
                return m
        return None

    def _is_array(self, m) -> bool:
        base = m.arg if isinstance(m, Transpose) else m
        return (isinstance(base, MatrixSymbol) and base in self.arrays
                and not self.arrays[base].vector and not isinstance(base, OneMatrix))

    # ---- index form → reductions ------------------------------------------------------

    def indexed(self, expr: sympy.Expr) -> sympy.Expr:
        """An index-form expression with its entries made array entries (0-based: the
        loops' variables) and each ``Sum`` computed into a buffer before it is used."""
        table = {}
        for e in expr.atoms(sympy.Indexed):
            if e.base not in self.arrays:
                raise CodegenError(f"matrix form: no array holds {e.base}")
            table[e] = sympy.IndexedBase(self.arrays[e.base].name)[e.indices]
        expr = expr.xreplace(table)
        for total in sorted(expr.atoms(sympy.Sum), key=sympy.count_ops):
            expr = expr.xreplace({total: self.summed(total)})
        return expr

    def summed(self, total: sympy.Sum, target: sympy.Expr | None = None) -> sympy.Expr:
        """Σ over the sum's indices, per row n of the batch (into a buffer, or ``target``)."""
        inner = []
        for index, low, high in total.limits:
            if low != 1:
                raise CodegenError(f"matrix form: a sum from {low}")
            inner.append((index, high))
        body = self.indexed(total.function)
        if target is None:
            buffer = self.temp((N,), vector=True)
            target = buffer.at(n, 0)
        self.reduce(Reduce(target, (n, N) if n in target.free_symbols else None, inner, body,
                           into=not isinstance(target, sympy.Indexed)))
        return target
