"""A general claim's side evaluated at one layer, one assignment of its free indices and one
sample: numbers (0-d arrays), vectors (columns, n × 1) and matrices, from the layer model.

What the notation means (README, "General claims"):

- ``w^l`` is the matrix of the weights labelled l, rows as the notation's first subscript
  (w^l_{jk}: row j); ``\\vec{w}^l_j`` (or ``w^l_j``) the weights into neuron j, a column;
  ``z^l``, ``a^l``, ``δ^l``, ``b^l``, ``y``, ``x``, ``∇_a C`` are columns; a subscript picks
  an entry; ``^T`` transposes.
- ``A B`` (side by side) and ``×``: the matrix product where the shapes fit it; else, two
  columns of one length or a column beside a matrix with as many rows multiply row by row
  (the author's dropped subscript j: (∂ℓ/∂y^{pred})(df/dz^i)); two columns of different
  lengths give the outer product u vᵀ (seed 002's (∂ℓ/∂z^i) y^{i−1}, one row per neuron j).
  ``·`` of two columns is their dot product; ``*`` and ``⊙`` multiply entry by entry (``*``
  of a column and a row: their product).
- ``∂C/∂θ`` is one row's derivative (the derived rules at that row); in a claim about a
  batch (it names N or sums over rows: Σ^N, Σ_n) a derivative of the cost outside a row sum
  is of the batch's total cost Σ_n C_n, as seed 002's ∂ℓ/∂b^i = Σ^N ∂ℓ/∂z^i has it, and
  ``∂C̄/∂θ`` (``\\bar{C}``) of its mean (the derived batch rule).
- In an update rule the left side (``w^l``, ``Δw(t)``) is the value after the step; on the
  right ``θ``, ``θ(t−1)`` and ``Δθ(t−1)`` are before it, ``θ(t)`` and ``Δθ(t)`` after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from derive.claims import general_tree as G
from derive.claims.general_algebra import Undefined, elementwise, product, shape_text
from derive.claims.layer_values import LayerModel, Sample
from derive.errors import ClaimError

#: most tree nodes evaluated for one side of a claim at one place (sums inside sums multiply
#: them: nine sums over three neurons are 3⁹ = 19,683 bodies)
MAX_EVALUATIONS = 20_000


@dataclass(frozen=True)
class Env:
    """Where a side is evaluated."""

    layers: dict
    indices: dict
    sample: Sample
    batch: bool
    optimizer: str
    row: int | None = None
    new: bool = False  # the quantity is the left side of an update: its value after the step


def spelled(q: G.Quantity, env: Env) -> str:
    """A quantity with its layer and indices as numbers here: ``a^{1}_{3}``."""
    base = q.text.split("^")[0].split("_")[0].split("(")[0]
    number = layer_number(q, env)
    sub = ",".join(str(i.at(env.indices)) for i in q.indices)
    return base + (f"^{{{number}}}" if number is not None else "") + (f"_{{{sub}}}" if sub else "")


def layer_number(q: G.Quantity, env: Env) -> int | None:
    if q.kind in ("input", "target", "cost", "mean", "eta", "alpha", "count"):
        return None
    if q.kind == "grad_a":
        return env.layers["L"]
    layer = q.layer or G.Layer("*")
    return env.layers["L"] + layer.offset if layer.var == "L" else layer.at(env.layers)


class Evaluator:
    """Evaluates the trees of general claims against a :class:`LayerModel`."""

    def __init__(self, model: LayerModel):
        self.model = model
        self.work = 0

    def rows(self, env: Env) -> int:
        from derive.claims.layer_values import ROWS
        return ROWS if env.batch else 1

    def row(self, q, env: Env) -> int:
        if env.row is not None:
            return env.row
        if env.batch:
            raise ClaimError(f"'{q.text}' is a value of one row: in a claim about a batch (it "
                             f"names N or sums over rows) it belongs inside a sum over the rows",
                             hint="write Σ_n … (\\sum^N) around it")
        return 0

    # ---- trees
    def value(self, node, env: Env) -> np.ndarray:
        self.work += 1
        if self.work > MAX_EVALUATIONS:
            raise ClaimError(f"the claim takes more than {MAX_EVALUATIONS:,} steps to evaluate "
                             "at one layer and index", hint="nest fewer sums")
        if isinstance(node, G.Num):
            return np.asarray(node.value)
        if isinstance(node, G.Quantity):
            return self.quantity(node, env)
        if isinstance(node, G.Deriv):
            return self.derivative(node, env)
        if isinstance(node, G.Neg):
            return -self.value(node.operand, env)
        if isinstance(node, G.Transpose):
            return self.value(node.operand, env).T
        if isinstance(node, G.Call):
            return self.call(node, env)
        if isinstance(node, G.Sum):
            return self.summed(node, env)
        return self.operation(node, env)

    def operation(self, node: G.Op, env: Env) -> np.ndarray:
        a, b = self.value(node.left, env), self.value(node.right, env)
        if node.op in ("add", "sub"):
            if a.ndim and b.ndim and a.shape != b.shape:
                raise Undefined(f"{shape_text(a)} and {shape_text(b)} do not add")
            return a + b if node.op == "add" else a - b
        if node.op == "pow":
            return a ** b
        if node.op == "div":
            if b.ndim and b.shape != (1, 1) and a.shape != b.shape:
                raise Undefined(f"{shape_text(a)} over {shape_text(b)} is no division")
            with np.errstate(divide="ignore", invalid="ignore"):
                return a / (b.reshape(()) if b.shape == (1, 1) else b)
        return product(a, b, node.op)

    def summed(self, node: G.Sum, env: Env) -> np.ndarray:
        if node.rows:
            if env.row is not None:
                raise ClaimError("a sum over the rows inside another")
            parts = [self.value(node.body, replace(env, row=r)) for r in range(self.rows(env))]
        else:
            size = self.index_range(node.index, node.body, env)
            if size is None:
                raise ClaimError(f"the sum over {node.index} names nothing indexed by "
                                 f"{node.index}", hint="Σ_j w^{l+1}_{jk} δ^{l+1}_j sums over j")
            parts = [self.value(node.body, replace(env, indices={**env.indices, node.index: v}))
                     for v in range(1, size + 1)]
        total = parts[0]
        for part in parts[1:]:
            if part.shape != total.shape:
                raise Undefined(f"the terms of the sum are {shape_text(total)} and "
                                f"{shape_text(part)}")
            total = total + part
        return total

    def index_range(self, letter: str, tree, env: Env) -> int | None:
        """How many values ``letter`` takes: the size of the first quantity it indexes."""
        for node in G.walk(tree):
            q = node.den if isinstance(node, G.Deriv) else node
            if not isinstance(q, G.Quantity):
                continue
            for place, index in enumerate(q.indices):
                if index.letter == letter and index.offset == 0:
                    sizes = self.index_sizes(q, env)
                    if sizes is not None and place < len(sizes):
                        return sizes[place]
        return None

    def index_sizes(self, q: G.Quantity, env: Env) -> tuple | None:
        kind = q.of.kind if q.kind == "velocity" else q.kind
        number = layer_number(q, env)
        m = self.model
        if kind == "weight":
            position = m.position("weight", number)
            if position is None:
                return None
            shape = m.weight_names(position).shape
            if len(q.indices) == 1:
                return (m.size(position),)
            return shape
        if kind in ("grad_a",):
            return (m.size(m.count),)
        if kind in ("input", "target"):
            names = m.vector_names(kind, 0)
        else:
            position = m.position(kind if kind != "delta" else "pre", number)
            if position is None:
                return None
            names = m.vector_names(kind if kind != "delta" else "pre", position)
        if len(q.indices) == 2 and q.indices[0].letter == "n":
            return (self.rows(env), len(names))
        return (len(names),)

    # ---- quantities
    def quantity(self, q: G.Quantity, env: Env) -> np.ndarray:
        s = env.sample
        if q.kind == "eta":
            return np.asarray(s.eta)
        if q.kind == "alpha":
            return np.asarray(s.alpha)
        if q.kind == "count":
            return np.asarray(float(self.rows(env)))
        if q.kind == "mean":
            raise ClaimError("the mean cost C̄ is claimed through its derivatives here",
                             hint="\\frac{\\partial \\bar{C}}{\\partial w^l}")
        names = self.names(q, env)
        if q.kind in ("weight", "bias", "velocity"):
            values = self.parameters(q, env)
        else:
            row = s.rows[self.row(q, env)]
            values = {n: row[n] for n in names.flat}
        return pick(names, values, q, env)

    def names(self, q: G.Quantity, env: Env) -> np.ndarray:
        """The names of a quantity's entries here, as a column or a matrix."""
        m = self.model
        kind = q.of.kind if q.kind == "velocity" else q.kind
        number = layer_number(q, env)
        if kind in ("input", "target"):
            return column(m.vector_names(kind, 0))
        if kind == "grad_a":
            return column([f"dact:{n}" for n in m.vector_names("act", m.count)])
        if kind == "cost":
            return np.array([[m.notation.cost]], dtype=object)
        position = m.position(kind if kind != "delta" else "pre", number)
        if position is None:
            raise Undefined(f"{spelled(q, env)} is not a quantity of the network")
        if kind == "weight":
            return m.weight_names(position)
        if kind == "delta":
            return column([f"delta_{n}" for n in m.vector_names("pre", position)])
        return column(m.vector_names(kind, position))

    def parameters(self, q: G.Quantity, env: Env) -> dict:
        """A parameter's (or its step's) values before or after the step."""
        s = env.sample
        velocity = q.kind == "velocity"
        after = env.new or q.time == "t"
        if not after:
            return s.previous if velocity else s.params
        if env.optimizer == "sgd":
            new = s.step("sgd", self.rows(env))
            if not velocity:
                return new
            return {p: new[p] - s.params[p] for p in s.params}
        new = s.step(env.optimizer, self.rows(env))
        return {p: new["Δ" + p] for p in s.params} if velocity else new

    # ---- derivatives
    def derivative(self, d: G.Deriv, env: Env) -> np.ndarray:
        num, den = d.num, d.den
        if isinstance(num, G.Quantity) and num.kind in ("cost", "mean"):
            return self.of_cost(d, env)
        if isinstance(num, G.Quantity) and num.kind == "pre" and den.kind in ("weight", "act"):
            return self.local(d, env, "z/w" if den.kind == "weight" else "z/a")
        if (num in ("f", "sigmoid", "tanh") or isinstance(num, G.Quantity)
                and num.kind == "act") and den.kind == "pre":
            return self.local(d, env, "a/z")
        raise ClaimError(f"'{d.text}' is not a derivative the layer level derives",
                         hint="derivatives of the cost by w, b, z, a; and ∂z/∂w, ∂z/∂a, "
                              "∂a/∂z (f′)")

    def of_cost(self, d: G.Deriv, env: Env) -> np.ndarray:
        den, s = d.den, env.sample
        if den.time == "t-1":
            raise ClaimError(f"'{d.text}': the gradient of an earlier step is not known here",
                             hint="the gradient of this step is ∂C/∂w(t)")
        kind = den.kind
        if kind in ("weight", "bias"):
            names = self.names(den, env)
            if d.num.kind == "mean":
                values = s.means(self.rows(env))
            elif env.row is None and env.batch:  # the batch's total cost: N times the mean
                values = {p: v * self.rows(env) for p, v in s.means(self.rows(env)).items()}
            else:
                row = s.rows[env.row or 0]
                values = {p: row[f"grad:{p}"] for p in s.params}
            return pick(names, values, den, env)
        if d.num.kind == "mean":
            raise ClaimError(f"'{d.text}': the mean cost's derivative by a row's quantity",
                             hint="∂C̄/∂w or ∂C̄/∂b; a row's ∂C/∂z is δ")
        if kind == "pre":
            q = replace(den, kind="delta")
        elif kind == "act" and layer_number(den, env) is not None and \
                self.model.position("act", layer_number(den, env)):
            names = column([f"dact:{n}" for n in self.names(den, env).flat])
            row = env.sample.rows[self.row(den, env)]
            return pick(names, {n: row[n] for n in names.flat}, den, env)
        else:
            raise ClaimError(f"'{d.text}' is not derived at the layer level",
                             hint="∂C/∂w, ∂C/∂b, ∂C/∂z (δ), ∂C/∂a of a layer after the input")
        return self.quantity(q, env)

    def local(self, d: G.Deriv, env: Env, what: str) -> np.ndarray:
        """∂z^l/∂w^l (a^{l−1}: ∂z^l_j/∂w^l_{jk} for any j), ∂z^l/∂a^{l−1} (a matrix, rows j)
        and ∂a^l/∂z^l (f′, entry by entry): partials of the layer template's equations."""
        m = self.model
        z = d.den if what == "a/z" else d.num
        number = layer_number(z, env)
        position = m.position("pre", number) if number is not None else None
        if position is None:
            raise Undefined(f"{spelled(z, env)} is not a quantity of the network")
        other = d.num if what == "a/z" else d.den
        if isinstance(other, G.Quantity):
            expected = {"z/w": m.position("weight", layer_number(other, env)) == position,
                        "z/a": layer_number(other, env) == number - 1,
                        "a/z": layer_number(other, env) == number}[what]
            if not expected:
                raise Undefined(f"'{d.text}' is zero: {spelled(z, env)} is not computed from "
                                f"{spelled(other, env)}")
        elif other != "f" and other != m.activation(position):
            raise Undefined(f"layer {number} has {m.activation(position)}, not {other}")
        if what == "a/z" and m.activation(position) == "softmax":
            raise ClaimError("softmax couples every neuron: its ∂a/∂z is a matrix, not f′ "
                             "entry by entry", hint="claim δ^L itself")
        row = env.sample.rows[self.row(z, env)]
        values = np.array(m.evaluate_all(m.local_partials(what, position), row), dtype=float)
        return values if what == "z/a" else values.reshape(-1, 1)

    # ---- functions
    def call(self, node: G.Call, env: Env) -> np.ndarray:
        arg = self.value(node.arg, env)
        name = node.name
        if name == "f":
            position = self.layer_of_argument(node.arg, env)
            name = self.model.activation(position)
        if name == "softmax":
            if node.prime:
                raise ClaimError("softmax couples every neuron: f′ of it is a matrix",
                                 hint="claim δ^L itself")
            if arg.ndim != 2 or arg.shape[1] != 1:
                raise Undefined("softmax needs a whole layer's z")
            e = np.exp(arg - arg.max())
            return e / e.sum()
        return elementwise(name, node.prime, arg)

    def layer_of_argument(self, tree, env: Env) -> int:
        for node in G.walk(tree):
            if isinstance(node, G.Quantity) and node.kind in ("pre", "act"):
                number = layer_number(node, env)
                position = self.model.position(node.kind, number)
                if position:
                    return position
        acts = set(self.model.layers.activations)
        if len(acts) == 1:
            return 1
        raise ClaimError("f of something that is no layer's z: which layer's activation?",
                         hint="write f(z^l)")


def column(names: list[str]) -> np.ndarray:
    return np.array(names, dtype=object).reshape(-1, 1)


def pick(names: np.ndarray, values: dict, q: G.Quantity, env: Env) -> np.ndarray:
    """The entries a quantity's subscripts pick from its table of names (all, a row, one)."""
    indices = q.indices
    if len(indices) == 2 and indices[0].letter == "n" and names.shape[1] == 1:
        indices = indices[1:]  # a^{l}_{nk}: row n is the row being summed over
    picked = [i.at(env.indices) for i in indices]
    if any(p is None for p in picked):
        raise ClaimError(f"'{q.text}' has an index that is free on the right side only",
                         hint="every free index of the right side is on the left side too")
    vector = names.shape[1] == 1
    if len(picked) > (1 if vector else 2):
        raise ClaimError(f"'{q.text}' has {len(picked)} subscripts",
                         hint="a vector takes one (a^l_k), a weight two (w^l_{jk})")
    table = np.vectorize(lambda n: values[n], otypes=[float])(names)
    if not picked:
        return table
    if vector or len(picked) == 2:
        at = (picked[0], 1) if vector else tuple(picked)
        if not all(1 <= p <= size for p, size in zip(at, table.shape)):
            raise Undefined(f"{spelled(q, env)} does not exist: "
                            f"{shape_text(table).removeprefix('a ')} there")
        return np.asarray(table[at[0] - 1, at[1] - 1])
    into = table if _jk(env) else table.T  # one subscript on a weight: into neuron j
    if not 1 <= picked[0] <= into.shape[0]:
        raise Undefined(f"{spelled(q, env)} does not exist: the layer has {into.shape[0]} "
                        "neurons")
    return into[picked[0] - 1].reshape(-1, 1)


def _jk(env: Env) -> bool:
    return env.sample.model.notation.weight_index == "jk"
