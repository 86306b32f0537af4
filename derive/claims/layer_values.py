"""The layer level's numbers at seeded points, for the general judge: a layered network's
quantities layer by layer (vectors and matrices in the notation's index order), each row's
δ and gradients from the derived layer rules (:func:`derive.layer.derive_layers`, their
entries written out at the network's sizes), the batch means from the derived batch rules,
and the optimizers' steps from the derived updates.

A *sample* is a batch of :data:`ROWS` rows sharing one set of parameters (seeded random
values, as :class:`derive.claims.context.Context` draws its points; the first sample uses the
spec's values where it has them), a learning rate, a momentum and a previous step Δθ(t−1)
for every parameter. Claims about one row use a sample's first row.
"""

from __future__ import annotations

import random
from functools import cached_property

import numpy as np
import sympy

from derive.errors import ClaimError, SpecError

#: rows of a batch (seed 002's N), and the samples a general claim is judged at
ROWS, SAMPLES = 3, 4
#: most entries (neurons and weights) of a network the general judge evaluates one by one
MAX_ENTRIES = 5_000


class Sample:
    """One batch of rows at one set of parameters, with the derived truths computed lazily."""

    def __init__(self, model: "LayerModel", rows: list[dict[str, float]], label: str,
                 rng: random.Random):
        self.model, self.rows, self.label = model, rows, label
        params = model.network.parameters
        self.params = {p: rows[0][p] for p in params}
        self.eta = rng.uniform(0.1, 1.0)
        self.alpha = rng.uniform(0.5, 0.95)
        self.previous = {p: rng.uniform(-1, 1) for p in params}  # Δθ(t−1), the step before
        self._means: dict[int, dict[str, float]] = {}
        self._steps: dict[tuple, dict] = {}

    def means(self, rows: int) -> dict[str, float]:
        """∂C̄/∂θ of every parameter over the first ``rows`` rows: the derived batch rules."""
        if rows not in self._means:
            self._means[rows] = self.model.batch_means(self.rows[:rows])
        return self._means[rows]

    def step(self, optimizer: str, rows: int) -> dict[str, float]:
        """After one step of ``optimizer`` on the first ``rows`` rows: every parameter's new
        value (its name) and new state (``Δ`` + name)."""
        if (optimizer, rows) not in self._steps:
            self._steps[optimizer, rows] = self.model.updated(self, optimizer, rows)
        return self._steps[optimizer, rows]


class LayerModel:
    """A layered network's derived layer rules, evaluated at seeded samples."""

    def __init__(self, network, derivation, seed: int = 0):
        from derive.layer import derive_layers
        from derive.layer.expand import scalar_names
        layers = network.layers
        entries = sum(a * b + b for a, b in zip(layers.sizes, layers.sizes[1:]))
        if entries > MAX_ENTRIES:
            raise ClaimError(f"the network has {entries:,} weights and neurons, more than the "
                             f"{MAX_ENTRIES:,} a general claim is evaluated at one by one",
                             hint="check the claim on a smaller network of the same layers")
        self.network, self.scalar, self.layers = network, derivation, layers
        self.notation = layers.notation
        self.first = self.notation.first_layer
        self.count = len(layers.sizes) - 1
        self.derivation = derive_layers(network)
        self.names = scalar_names(self.derivation)
        self.seed = seed
        self._local: dict = {}

    # ---- the network's layers ----------------------------------------------------------------
    def size(self, position: int) -> int:
        return self.layers.sizes[position]

    def position(self, kind: str, number: int) -> int | None:
        """The position (0: input layer … count: output) of a quantity labelled ``number``,
        None where the network has none."""
        label = {"weight": self.notation.weight_layer, "bias": self.notation.bias_layer}
        position = number - self.first
        if kind in label and label[kind] == "source":
            position += 1
        lowest = 0 if kind == "act" else 1
        if not lowest <= position <= self.count:
            return None
        if kind == "bias" and self.layers.biases[position - 1] == "none":
            return None
        return position

    def weight_names(self, position: int) -> np.ndarray:
        """The weights into layer ``position`` as a matrix of names, in the notation's order
        (jk: rows are the neurons fed; kj: rows are the neurons feeding)."""
        table = np.array(self.layers.weight_names[position - 1], dtype=object)
        return table if self.notation.weight_index == "jk" else table.T

    def vector_names(self, kind: str, position: int) -> list[str]:
        if kind == "input" or kind == "act" and position == 0:
            return list(self.network.inputs)
        if kind == "target":
            return list(self.network.targets)
        table = {"pre": self.layers.preactivation_names, "act": self.layers.activation_names,
                 "bias": self.layers.bias_names}[kind]
        names = list(table[position - 1])
        return names[:1] if kind == "bias" and self.layers.biases[position - 1] == "shared" \
            else names

    def activation(self, position: int) -> str:
        return self.layers.activations[position - 1]

    # ---- the derived rules, entry by entry ----------------------------------------------------
    @cached_property
    def entries(self) -> list[tuple[str, list[tuple[str, sympy.Expr]]]]:
        """Per layer, output first: (what, [(key, scalar expression)]) for its δ, then its
        ∂C/∂a, ∂C/∂w and ∂C/∂b; δ of the layer above as the scalar level's δ symbols."""
        from derive.layer.expand import at_entry, delta_name, entries
        template, out, deltas = self.derivation.template, [], {}
        for rules in reversed(self.derivation.layers):
            base = template.delta(rules.number)
            own, found = {}, []
            for values in entries(rules.delta, rules, self.derivation):
                _, value = at_entry(rules.delta, values, self.names, deltas)
                node = str(self.names[template.z(rules.number)[values[0]]])
                found.append((f"delta_{node}", value))
                own[base[values[0]]] = delta_name(node)
            deltas.update(own)
            grad_a = rules.output_gradient or rules.activation_gradient
            for values in entries(grad_a, rules, self.derivation):
                _, value = at_entry(grad_a, values, self.names, deltas)
                name = str(self.names[template.a(rules.number)[values[0]]])
                found.append((f"dact:{name}", value))
            for rule in (rules.weight, rules.bias_gradient):
                for values in (entries(rule, rules, self.derivation) if rule else []):
                    left, value = at_entry(rule, values, self.names, deltas)
                    found.append((f"grad:{self.names[left.variables[0]]}", value))
            out.append((str(rules.number), found))
        return out

    def row_truths(self, leaves: dict[str, float]) -> dict[str, float]:
        """One row: the forward pass (the scalar level's), then every derived δ and gradient."""
        from derive.scalar.values import evaluate, forward
        values = forward(self.scalar, leaves)
        env = {sympy.Symbol(k, real=True): v for k, v in values.items()}
        for _, found in self.entries:
            for key, expr in found:
                values[key] = evaluate(expr, env)
                if key.startswith("delta_"):
                    env[sympy.Symbol(key, real=True)] = values[key]
        return values

    def batch_means(self, rows: list[dict[str, float]]) -> dict[str, float]:
        """∂C̄/∂θ for every parameter: the derived batch rule (1/N) Σ_n … at these rows."""
        from derive.layer.template import N, j, k
        from derive.scalar.values import evaluate
        from derive.layer.expand import entries
        template, out = self.derivation.template, {}
        for rules in self.derivation.layers:
            for rule, single in ((rules.batch_weight, rules.weight),
                                 (rules.batch_bias, rules.bias_gradient)):
                if rule is None:
                    continue
                for values in entries(single, rules, self.derivation):
                    fix = dict(zip((j, k)[:len(values)], values))
                    expr = rule.index.xreplace({**fix, N: len(rows)}).doit()
                    param = str(self.names[rule.lhs.variables[0].xreplace(fix)])
                    out[param] = evaluate(*self._rowwise(expr, rows, template))
        return out

    def _rowwise(self, expr, rows, template):
        """A batch expression with each row's entry (base[n, …]) named by its row's value."""
        env, table = {}, {}
        deltas = {template.delta(r.number): r.number for r in self.derivation.layers}
        for entry in expr.atoms(sympy.Indexed):
            row, rest = int(entry.indices[0]), entry.indices[1:]
            if entry.base in deltas:
                node = str(self.names[template.z(deltas[entry.base])[rest]])
                name = f"delta_{node}"
            else:
                name = str(self.names[entry.base[rest]])
            symbol = sympy.Symbol(f"{name}@{row}", real=True)
            table[entry] = symbol
            env[symbol] = rows[row - 1][name]
        return expr.xreplace(table), env

    def updated(self, sample: Sample, optimizer: str, rows: int) -> dict[str, float]:
        """Every parameter and its Δ state after one step of ``optimizer`` (the derived
        updates of derive/layer/updates.py, applied in order), from the sample's batch mean."""
        from derive.layer.template import j, k
        from derive.layer.updates import alpha, eta, update_rules
        from derive.scalar.values import evaluate
        template, out = self.derivation.template, {}
        for position in range(1, self.count + 1):
            number = self.first + position
            updates = update_rules(template, number, self.layers.biases[position - 1])
            for update in updates.get(optimizer, []):
                mode = self.layers.biases[position - 1]
                sizes = {"weight": [self.size(position), self.size(position - 1)],
                         "bias": [1 if mode == "shared" else self.size(position)]}[update.parameter]
                for values in np.ndindex(*sizes):
                    fix = dict(zip((j, k), (v + 1 for v in values)))
                    self._apply(update, fix, sample.means(rows), sample, out,
                                {eta: sample.eta, alpha: sample.alpha}, evaluate)
        return out

    def _apply(self, update, fix, means, sample, out, hyper, evaluate) -> None:
        """One update at one entry: its right side with the values so far, into ``out``."""
        lhs, rhs = update.lhs.xreplace(fix), update.rhs.xreplace(fix)
        env, table = dict(hyper), {}
        for d in rhs.atoms(sympy.Derivative):
            param = self._parameter(d.variables[0])
            table[d] = sympy.Float(means[param])
        for entry in rhs.atoms(sympy.Indexed, sympy.Symbol) - set(hyper):
            key = self._state_key(entry)
            if key is not None:
                table[entry] = sympy.Float(out.get(key, self._before(key, sample)))
        value = evaluate(rhs.xreplace(table), env)
        key = self._state_key(lhs)
        if key is not None:
            out[key] = value

    def _parameter(self, entry) -> str:
        return str(self.names[entry])

    def _state_key(self, entry) -> str | None:
        """A parameter's name, or ``Δ`` + the name of its step (``\\Delta w^{2}[1, 2]``)."""
        if entry in self.names:
            return str(self.names[entry])
        label = str(entry.base.label) if isinstance(entry, sympy.Indexed) else str(entry)
        if label.startswith("\\Delta "):
            plain = label.removeprefix("\\Delta ")
            base = sympy.IndexedBase(plain, real=True)
            inner = base[entry.indices] if isinstance(entry, sympy.Indexed) \
                else sympy.Symbol(plain, real=True)
            return "Δ" + str(self.names[inner]) if inner in self.names else None
        return None

    @staticmethod
    def _before(key: str, sample: Sample) -> float:
        if key.startswith("Δ"):
            return sample.previous[key[1:]]
        return sample.params[key]

    # ---- the template's local partials -------------------------------------------------------
    def local_partials(self, what: str, position: int) -> list:
        """Partials of layer ``position``'s template equations (derive.layer.adjoint.partial),
        in the scalar level's names: ``z/w`` ∂z_1/∂w_{1k} for each k (the same for every j),
        ``z/a`` ∂z_j/∂a_k as rows j, ``a/z`` ∂a_j/∂z_j for each j."""
        key = (what, position)
        if key not in self._local:
            from derive.layer.adjoint import partial
            from derive.layer.rules import activation_equation, preactivation_equation
            template, number = self.derivation.template, self.first + position
            bias = self.layers.biases[position - 1]
            sizes = range(1, self.size(position) + 1), range(1, self.size(position - 1) + 1)
            z_eq = preactivation_equation(template, number, bias)
            if what == "z/w":
                found = [partial(z_eq, 1, template.weight(number, 1, k)) for k in sizes[1]]
            elif what == "z/a":
                found = [[partial(z_eq, j, template.a(number - 1)[k]) for k in sizes[1]]
                         for j in sizes[0]]
            else:
                a_eq = activation_equation(template, number, self.activation(position))
                found = [partial(a_eq, j, template.z(number)[j]) for j in sizes[0]]
            self._local[key] = found
        return self._local[key]

    def evaluate_all(self, exprs, row: dict[str, float]):
        """Template expressions (nested lists of them) at one row's values."""
        from derive.scalar.values import evaluate
        env = {sympy.Symbol(k, real=True): v for k, v in row.items()}

        def one(e):
            return [one(x) for x in e] if isinstance(e, list) else evaluate(e.xreplace(self.names), env)
        return one(exprs)

    # ---- samples -----------------------------------------------------------------------------
    @cached_property
    def samples(self) -> list[Sample]:
        """The worked example's values (if the spec has them) as the first row of the first
        sample, then seeded random values; samples outside the network's domain are skipped."""
        rng = random.Random(self.seed)
        network = self.network
        out, tries = [], 0
        while len(out) < SAMPLES and tries < 20 * SAMPLES:
            tries += 1
            spec = not out and tries == 1 and not network.missing_values()
            params = ({p: float(v) for p, v in network.parameters.items()} if spec
                      else {p: rng.uniform(-1, 1) for p in network.parameters})
            rows = []
            try:
                for row in range(ROWS):
                    if spec and row == 0:
                        data = {**network.inputs, **network.targets}
                    else:
                        data = {**{x: rng.uniform(-1, 1) for x in network.inputs},
                                **{y: rng.uniform(0.05, 0.95) for y in network.targets}}
                    rows.append(self.row_truths({**data, **params}))
            except (SpecError, ValueError, ZeroDivisionError, OverflowError):
                continue
            label = ("at the spec's values" if spec else
                     f"at random point {len(out) + 1} of seed {self.seed}")
            out.append(Sample(self, rows, label, rng))
        if len(out) < 2:
            raise ClaimError("the network has no finite values at enough random points to "
                             "judge a general claim")
        return out
