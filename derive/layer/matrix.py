"""Index form → matrix/vector form: a rule's sums over an index become matrix products.

A rule's right side in index form is a sum of products of entries (w^{l+1}_{jk}, δ^{l+1}_j,
a^l_k), elementwise functions of entries (a^l_k(1 − a^l_k), H(z^l_k)) and sums over an index.
Each factor becomes a *piece*: a matrix expression and the indices of its rows and columns
(a vector entry v_p is the column v with rows p). Factors with the same one index combine
elementwise (⊙); a sum over an index s multiplies the two pieces that hold s with s as the
inner dimension (Σ_j w_{jk} δ_j = (Wᵀδ)_k); a sum over a piece alone is a product with a vector
of ones. What is left is oriented to the rule's free indices: (j,) a column, (j, k) a matrix
(δ_j a_k = (δ aᵀ)_{jk}). This is the conversion SymPy's ``from_index_summation`` attempts,
for the shapes backpropagation has (it refuses a product of a matrix element and a scalar
function of an entry, which every hidden δ is). Unconvertible forms raise
:class:`MatrixFormError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import HadamardPower, HadamardProduct, MatrixSymbol, OneMatrix
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction


class MatrixFormError(ValueError):
    """A rule whose index form has no matrix form here."""


@dataclass(frozen=True)
class Piece:
    """A matrix expression whose entry (rows, cols) is a factor's value at those indices."""

    matrix: sympy.MatrixExpr
    rows: sympy.Symbol | None
    cols: sympy.Symbol | None

    @property
    def indices(self) -> set:
        return {x for x in (self.rows, self.cols) if x is not None}

    def transposed(self) -> "Piece":
        return Piece(self.matrix.T, self.cols, self.rows)


@dataclass(frozen=True)
class Shapes:
    """The matrix of every indexed quantity: base → its MatrixSymbol, for one row and for a
    batch (the row index first: A^{l} is N × n^l)."""

    matrices: dict
    batch: dict

    def piece(self, entry: sympy.Indexed) -> Piece:
        """The piece of one entry: a vector's (rows = its index) or a matrix's."""
        table = self.batch if len(entry.indices) == 2 and entry.base in self.batch \
            else self.matrices
        if entry.base not in table:
            raise MatrixFormError(f"no matrix is known for {entry.base}")
        matrix = table[entry.base]
        if len(entry.indices) == 1:
            return Piece(matrix, entry.indices[0], None)
        return Piece(matrix, *entry.indices)


def matrix_symbol(base: sympy.IndexedBase, sizes: tuple, batch: bool = False) -> MatrixSymbol:
    """The matrix of an indexed quantity: a column for one index, else its sizes; a batch
    quantity (rows first) is named with a capital (A^{l}, Delta^{l})."""
    name = str(base.label)
    if batch:
        name = name[0].upper() + name[1:]
    shape = (sizes[0], 1) if len(sizes) == 1 else sizes
    return MatrixSymbol(name, *shape)


def matrix_form(expr: sympy.Expr, free: tuple, shapes: Shapes) -> sympy.MatrixExpr:
    """The matrix/vector form of an index-form ``expr`` with free indices ``free``."""
    terms = [term_form(term, free, shapes) for term in sympy.Add.make_args(expr)]
    return sympy.MatAdd(*terms) if len(terms) > 1 else terms[0]


def term_form(term: sympy.Expr, free: tuple, shapes: Shapes) -> sympy.MatrixExpr:
    """One product's matrix form, oriented to ``free``."""
    coefficient, pieces = factor_pieces(term, shapes)
    piece = join(pieces, free)
    return coefficient * orient(piece, free).matrix


def factor_pieces(term: sympy.Expr, shapes: Shapes) -> tuple[sympy.Expr, list[Piece]]:
    """The constant coefficient of ``term`` and the pieces of its other factors."""
    coefficient, pieces, elementwise = sympy.S.One, [], {}
    for factor in sympy.Mul.make_args(term):
        if not factor.has(sympy.Indexed):
            coefficient *= factor
        elif isinstance(factor, sympy.Sum):
            pieces.append(summed(factor, shapes))
        elif isinstance(factor, sympy.Indexed):
            pieces.append(shapes.piece(factor))
        elif factor.is_Add and factor.has(sympy.Sum):  # a_j − y_j − Σ_i (a_i − y_i) a_i
            pieces.append(added(factor, shapes))
        else:  # a function of the entries of one vector index: (1 − a_k), H(z_k), a_k²
            indices = entry_indices(factor)
            elementwise.setdefault(indices, []).append(factor)
    for indices, factors in elementwise.items():
        matrix = vectorized(sympy.Mul(*factors), indices, shapes)
        pieces.append(Piece(matrix, indices[0], indices[1] if len(indices) > 1 else None))
    return coefficient, hadamard(pieces)


def added(total: sympy.Expr, shapes: Shapes, order: tuple | None = None) -> Piece:
    """A sum of terms over the free indices and of terms over fewer (sums over another
    index, Σ_i (a_i − y_i) a_i), as one piece: each smaller term spread over the others'
    entries (1 · s, or a batch's column repeated along the rows' entries). ``order`` names
    the free indices (rows first) where no one entry holds them all, as in a layer's
    z_{nj} = Σ_k w_{jk} a_{nk} + b_j."""
    indices = {x for e in total.atoms(sympy.Indexed) for x in e.indices if x.is_Symbol}
    free = indices & total.free_symbols
    order = order or next((e.indices for e in total.atoms(sympy.Indexed)
                           if set(e.indices) == free), None)
    if order is None:
        raise MatrixFormError(f"{total} has no term over all of its free indices")
    pieces = []
    for term in sympy.Add.make_args(total):
        own = tuple(x for x in order if term.has(x))
        matrix = term_form(term, own, shapes) if term.has(sympy.Indexed) \
            else term * OneMatrix(1, 1)
        pieces.append(Piece(matrix, *(own + (None, None))[:2]))
    sizes = index_sizes(pieces)
    spread = [spread_into(p, order, sizes) for p in pieces]
    return Piece(sympy.MatAdd(*spread), *(order + (None,))[:2])


def spread_into(piece: Piece, order: tuple, sizes: dict) -> sympy.MatrixExpr:
    """``piece`` over the indices ``order`` (one or two): itself, or repeated along the
    indices it lacks."""
    if piece.indices == set(order):
        return orient(piece, order).matrix
    if len(order) == 2 and piece.indices:
        return spread_over(piece, order, sizes)
    if not piece.indices:  # a 1 × 1 sum, or a number: 1 s (1 s 1ᵀ over two indices)
        spread = OneMatrix(sizes[order[0]], 1) * piece.matrix
        return spread * OneMatrix(1, sizes[order[1]]) if len(order) == 2 else spread
    raise MatrixFormError(f"a piece over {piece.rows, piece.cols} for indices {order}")


def entry_indices(factor: sympy.Expr) -> tuple:
    """The indices every entry inside an elementwise factor carries: (k,), or a batch's
    (n, k)."""
    indices = {entry.indices for entry in factor.atoms(sympy.Indexed)}
    if len(indices) != 1:
        raise MatrixFormError(f"{factor} is not elementwise in one set of indices")
    return next(iter(indices))


def hadamard(pieces: list[Piece]) -> list[Piece]:
    """Pieces over the same indices (a vector's k, a batch's n and k) multiplied
    elementwise into one, each turned to the first one's orientation."""
    groups: dict = {}
    others = []
    for piece in pieces:
        if piece.rows is None and piece.cols is not None:  # a row vector: as a column
            piece = piece.transposed()
        if piece.rows is None:
            others.append(piece)
        else:
            groups.setdefault(frozenset(piece.indices), []).append(piece)
    for group in groups.values():
        first = group[0]
        matrices = [p.matrix if (p.rows, p.cols) == (first.rows, first.cols)
                    else p.transposed().matrix for p in group]
        joined = matrices[0] if len(matrices) == 1 else HadamardProduct(*matrices)
        others.append(Piece(joined, first.rows, first.cols))
    return others


def vectorized(expr: sympy.Expr, index: tuple, shapes: Shapes) -> sympy.MatrixExpr:
    """An elementwise function of entries with the indices ``index``, as a vector (or a
    batch's matrix) expression."""
    if isinstance(expr, sympy.Indexed):
        return shapes.piece(expr).matrix
    size = next(shapes.piece(e).matrix.shape for e in expr.atoms(sympy.Indexed))
    if expr.is_Add:
        parts = [vectorized(t, index, shapes) if t.has(sympy.Indexed) else t * OneMatrix(*size)
                 for t in expr.args]
        return sympy.MatAdd(*parts)
    if expr.is_Mul:
        constant = sympy.Mul(*[f for f in expr.args if not f.has(sympy.Indexed)])
        parts = [vectorized(f, index, shapes) for f in expr.args if f.has(sympy.Indexed)]
        return constant * (parts[0] if len(parts) == 1 else HadamardProduct(*parts))
    if expr.is_Pow and expr.exp.is_Integer:
        return HadamardPower(vectorized(expr.base, index, shapes), expr.exp)
    if isinstance(expr, sympy.Function) and isinstance(expr.args[0], sympy.Indexed) and all(
            not a.has(sympy.Indexed) for a in expr.args[1:]):
        x = sympy.Dummy("x")
        function = sympy.Lambda(x, expr.func(x, *expr.args[1:]))
        return elementwise(function, vectorized(expr.args[0], index, shapes))
    raise MatrixFormError(f"{expr} has no elementwise vector form here")


def elementwise(function: sympy.Lambda, vector: sympy.MatrixExpr) -> sympy.MatrixExpr:
    """f applied to every entry of ``vector``. SymPy's constructor calls f on a 1 × 1 matrix
    itself (to return f's own matrix result), which Heaviside refuses with a ValueError; a
    1 × 1 vector (a layer of one neuron) is built without that call."""
    if vector.shape == (1, 1):
        return sympy.Basic.__new__(ElementwiseApplyFunction, function, vector)
    return ElementwiseApplyFunction(function, vector)


def summed(total: sympy.Sum, shapes: Shapes) -> Piece:
    """A sum over one or more indices, as the piece of what is left free."""
    body = total.function
    coefficient, pieces = factor_pieces(body, shapes)
    for index, _, _ in total.limits:
        pieces = contract(pieces, index)
    if coefficient.has(*[x for x, _, _ in total.limits]):
        raise MatrixFormError(f"a coefficient of {total} depends on its index")
    piece = pieces[0] if pieces else None
    if piece is None or len(pieces) > 1:
        raise MatrixFormError(f"{total} is not one matrix product")
    return Piece(coefficient * piece.matrix, piece.rows, piece.cols)


def contract(pieces: list[Piece], index: sympy.Symbol) -> list[Piece]:
    """Σ over ``index`` of the pieces: the two that hold it multiplied, or one with ones."""
    holding = [p for p in pieces if index in p.indices]
    rest = [p for p in pieces if index not in p.indices]
    if len(holding) == 1:
        piece = holding[0] if holding[0].rows == index else holding[0].transposed()
        ones = OneMatrix(1, piece.matrix.shape[0])
        return rest + [Piece(ones * piece.matrix, None, piece.cols)]
    if len(holding) != 2:
        raise MatrixFormError(f"{len(holding)} factors share the summed index {index}")
    left, right = holding
    if left.cols != index:
        left = left.transposed()
    if right.rows != index:
        right = right.transposed()
    return rest + [Piece(left.matrix * right.matrix, left.rows, right.cols)]


def join(pieces: list[Piece], free: tuple) -> Piece:
    """The pieces of a product left after the sums, as one: an outer product u vᵀ of two
    vectors, vectors spread over a matrix's rows or columns and multiplied elementwise, or a
    vector times 1 × 1 sums (1ᵀv)."""
    if not pieces:
        raise MatrixFormError("a product without entries")
    if len(pieces) == 1:
        return pieces[0]
    scalars = [p for p in pieces if not p.indices]
    rest = [p for p in pieces if p.indices]
    factor = sympy.MatMul(*[p.matrix for p in scalars]) if scalars else None
    if len(free) == 2 and len(rest) == 2 and all(len(p.indices) == 1 for p in rest):
        first = next(p for p in rest if free[0] in p.indices)
        second = next(p for p in rest if p is not first)
        matrix = orient(first, (free[0],)).matrix * orient(second, (free[1],)).matrix.T
    elif len(free) == 2:
        sizes = index_sizes(rest)
        spread = [spread_over(p, free, sizes) for p in rest]
        matrix = spread[0] if len(spread) == 1 else HadamardProduct(*spread)
    elif len(rest) == 1:
        main = orient(rest[0], free)
        matrix = main.matrix * factor if main.cols is None else factor[0, 0] * main.matrix
        return Piece(matrix, main.rows, main.cols)
    else:
        raise MatrixFormError(f"{len(pieces)} separate factors for free indices {free}")
    if factor is not None:
        matrix = factor[0, 0] * matrix
    return Piece(matrix, free[0], free[1])


def index_sizes(pieces: list[Piece]) -> dict:
    """How far each index of the pieces runs (the size of the dimension it indexes)."""
    sizes = {}
    for p in pieces:
        if p.rows is not None:
            sizes[p.rows] = p.matrix.shape[0]
        if p.cols is not None:
            sizes[p.cols] = p.matrix.shape[1]
    return sizes


def spread_over(piece: Piece, free: tuple, sizes: dict) -> sympy.MatrixExpr:
    """``piece`` as a matrix over both free indices: a vector over one of them repeated along
    the other (v 1ᵀ or 1 vᵀ)."""
    if piece.indices == set(free):
        return orient(piece, free).matrix
    if piece.indices == {free[0]}:
        return orient(piece, (free[0],)).matrix * OneMatrix(1, sizes[free[1]])
    if piece.indices == {free[1]}:
        return OneMatrix(sizes[free[0]], 1) * orient(piece, (free[1],)).matrix.T
    raise MatrixFormError(f"a piece over {piece.rows, piece.cols} for free indices {free}")


def orient(piece: Piece, free: tuple) -> Piece:
    """``piece`` with its rows on ``free[0]`` (and its columns on ``free[1]``)."""
    if not free:
        return piece
    if piece.rows == free[0] and (len(free) == 1 or piece.cols == free[1]):
        return piece
    flipped = piece.transposed()
    if flipped.rows == free[0] and (len(free) == 1 or flipped.cols == free[1]):
        return flipped
    raise MatrixFormError(f"a piece over {piece.rows, piece.cols} for free indices {free}")
