"""Derivation → the source text of a generated module of Numba-jitted functions.

The arithmetic is printed from SymPy: node equations for the forward pass, the derivation's
δ and ∂C/∂θ expressions (``cse``'d, under the spec's own names) for the backward pass, and
the optimizers' update rules from :mod:`codegen.optimizers`. Only the loops around them
(rows, mini-batches, shuffling) are a template. Three rewrites keep the printed code finite
where the textbook form overflows: softmax with its maximum subtracted, the log of a sigmoid or
softmax output as softplus / log-sum-exp, and a δ that divides by a forward value (−y/a from a
log-loss) folded into the δ below it, where the division cancels (σ + BCE gives a − y).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy
from sympy.codegen.ast import AddAugmentedAssignment, Assignment, CodeBlock, Element, Return

from codegen.modules import spec_file, spec_hash
from codegen.optimizers import HYPER, OPTIMIZERS, STATE, optimizer_rules
from codegen.printer import HELPERS, CodegenError, NumbaPrinter, helper_source
from codegen.source_text import Identifiers, comment, literal, names_in, number, reserved_names
from derive import __version__
from derive.scalar.chain import Derivation, derive, textbook
from derive.functions import sigmoid, softplus
from derive.spec.model import Network

DTYPES = ("float64", "float32")
CLASSIFIER_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")


# --------------------------------------------------------------------------- the plan

@dataclass
class Statement:
    """``target = expr`` (a local variable) or ``grad[index] += expr``."""

    target: sympy.Symbol | int
    expr: sympy.Expr


class _Plan:
    """What the module computes per row, as SymPy statements in evaluation order."""

    def __init__(self, derivation: Derivation):
        self.d = derivation
        self.g = derivation.graph
        self.network = derivation.network
        self.nodes = [n for n in self.g.nodes if n.name != self.g.cost]
        self.free_of_targets = self._free_of_targets()
        self.softmax: dict[str, tuple[sympy.Symbol, tuple, int]] = {}   # node → (z, zs, group)
        self.groups: list[tuple] = []
        for node in self.nodes:
            parts = _softmax_parts(node.expr)
            if parts:
                z, zs = parts
                if zs not in self.groups:
                    self.groups.append(zs)
                self.softmax[node.name] = (z, zs, self.groups.index(zs) + 1)

    def _free_of_targets(self) -> list[str]:
        """Nodes whose value needs no target: the network's forward pass proper."""
        tainted = set(self.g.targets)
        out = []
        for node in self.nodes:
            if tainted & set(node.parents):
                tainted.add(node.name)
            else:
                out.append(node.name)
        return out

    @property
    def outputs(self) -> list[str]:
        """The nodes the cost compares with the targets (what ``predict`` returns)."""
        cost = self.g.node(self.g.cost)
        return [p for p in cost.parents if p in self.free_of_targets] or self.free_of_targets[-1:]

    # ---- forward ------------------------------------------------------------------------

    def forward(self, names: list[str], ancestors: bool = True) -> list[Statement]:
        """Statements computing ``names`` (and what they need, unless ``ancestors`` is False),
        in evaluation order, softmax made safe."""
        needed = set(names)
        for node in reversed(self.nodes):
            if ancestors and node.name in needed:
                needed.update(node.parents)
        out, done = [], set()
        for node in self.nodes:
            if node.name not in needed:
                continue
            if node.name in self.softmax:
                z, zs, k = self.softmax[node.name]
                if k not in done:
                    done.add(k)
                    top, total = _group_symbols(k)
                    out.append(Statement(top, sympy.Max(*zs)))
                    out.append(Statement(total, sympy.Add(*[sympy.exp(s - top) for s in zs])))
                top, total = _group_symbols(k)
                out.append(Statement(node.symbol, sympy.exp(z - top) / total))
            else:
                out.append(Statement(node.symbol, node.expr))
        return out

    def cost(self) -> sympy.Expr:
        """The cost with the log of a sigmoid or softmax output in its overflow-free form."""
        expr = self.g.node(self.g.cost).expr
        replace = {}
        for log in expr.atoms(sympy.log):
            arg = log.args[0]
            safe = self._safe_log(arg)
            if safe is not None:
                replace[log] = safe
        return expr.xreplace(replace)

    def _safe_log(self, arg: sympy.Expr) -> sympy.Expr | None:
        sig = {self.g.symbols[n.name]: n.expr.args[0] for n in self.nodes
               if isinstance(n.expr, sigmoid)}
        if arg in sig:                                     # log σ(z) = −softplus(−z)
            return -softplus(-sig[arg])
        one_minus = (1 - arg)
        if one_minus in sig:                               # log(1 − σ(z)) = −softplus(z)
            return -softplus(sig[one_minus])
        if arg.is_Symbol and arg.name in self.softmax:     # log softmax = z − max − log Σ
            z, _zs, k = self.softmax[arg.name]
            top, total = _group_symbols(k)
            return z - top - sympy.log(total)
        return None

    # ---- backward -----------------------------------------------------------------------

    def backward(self) -> list[Statement]:
        """δ of every node on a path to the cost (reverse order), then grad[i] += ∂C/∂θ_i."""
        delta = {n.name: self.d.delta[n.name] for n in self.nodes
                 if n.name in self.g.influences_cost}
        gradient = dict(self.d.gradient)
        node_symbols = {self.g.symbols[n.name] for n in self.nodes}
        for node in reversed(self.nodes):
            if node.name in delta and _divides(delta[node.name], node_symbols):
                own = delta.pop(node.name)
                symbol = self.d.delta_symbols[node.name]
                for table in (delta, gradient):
                    for key, expr in table.items():
                        if symbol in expr.free_symbols:
                            table[key] = textbook(expr.xreplace({symbol: own}))
        statements = [Statement(self.d.delta_symbols[name], expr)
                      for name, expr in ((n.name, delta.get(n.name)) for n in reversed(self.nodes))
                      if expr is not None]
        for index, p in enumerate(self.g.parameters):
            if gradient[p] != 0:
                statements.append(Statement(index, gradient[p]))
        return _cse(statements)


def _apply_rules(rules, env: dict) -> sympy.Expr:
    """The new ``w`` after applying an optimizer's rules in order to the values in ``env``."""
    env = dict(env)
    for target, rule in rules:
        env[sympy.Symbol(target)] = rule.xreplace(env)
    return env[sympy.Symbol("w")]


def _group_symbols(k: int) -> tuple[sympy.Symbol, sympy.Symbol]:
    """The maximum and the sum of exponentials of softmax group ``k`` (plain symbols, like
    every name the generator makes up, so they never equal a spec's real symbols)."""
    return sympy.Symbol(f"_max{k}"), sympy.Symbol(f"_sum{k}")


def _softmax_parts(expr: sympy.Expr):
    """(z_i, (z_1, …, z_n)) when ``expr`` is e^{z_i} / Σ_j e^{z_j}, else None."""
    if not expr.is_Mul or len(expr.args) != 2:
        return None
    num = next((a for a in expr.args if isinstance(a, sympy.exp)), None)
    den = next((a for a in expr.args if a.is_Pow and a.exp == -1 and a.base.is_Add), None)
    if num is None or den is None or not num.args[0].is_Symbol:
        return None
    terms = den.base.args
    if not all(isinstance(t, sympy.exp) and t.args[0].is_Symbol for t in terms):
        return None
    zs = tuple(sorted((t.args[0] for t in terms), key=lambda s: s.name))
    return (num.args[0], zs) if num.args[0] in zs else None


def _divides(expr: sympy.Expr, forward: set[sympy.Symbol]) -> bool:
    """Whether ``expr`` divides by a forward quantity (which may underflow to 0)."""
    return any(p.exp.is_negative and p.base.free_symbols & forward
               for p in expr.atoms(sympy.Pow))


def _cse(statements: list[Statement]) -> list[Statement]:
    """Common subexpressions as ``_t0, _t1, …``, each placed just before its first use."""
    temps = sympy.numbered_symbols("_t")
    replacements, reduced = sympy.cse([s.expr for s in statements], symbols=temps)
    definitions = dict(replacements)
    rank = {symbol: i for i, (symbol, _) in enumerate(replacements)}
    placed: set[sympy.Symbol] = set()
    out: list[Statement] = []

    def place(expr: sympy.Expr) -> None:
        for temp in sorted(expr.free_symbols & definitions.keys(), key=rank.get):
            if temp not in placed:
                place(definitions[temp])
                placed.add(temp)
                out.append(Statement(temp, definitions[temp]))

    for statement, expr in zip(statements, reduced):
        place(expr)
        out.append(Statement(statement.target, expr))
    return out


# --------------------------------------------------------------------------- printing

_DECORATOR = "@njit(cache=True)"

#: the arguments and locals of the printed row and step functions (besides the spec's names)
_SCAFFOLD_LOCALS = ("params", "X", "Y", "i", "j", "out", "grad", "state", "t", "hyper", *HYPER,
                    *STATE, "w", "g")


@cache
def scalar_reserved() -> frozenset[str]:
    """Names no spec symbol may take in a scalar-form module: Python's and Numba's, the
    module's constants, functions and template locals, the row and step functions' own."""
    templates = "\n".join([_SCAFFOLD, _BATCH_OF_ROWS, *HELPERS.values()])
    return reserved_names(names_in(templates), _SCAFFOLD_LOCALS,
                          [f"step_{name}" for name in OPTIMIZERS])


def spec_identifiers(derivation: Derivation, reserved: frozenset[str]) -> Identifiers:
    """The identifiers of a derivation's symbols (nodes and leaves, then their δ), assigned
    once for the whole module: two symbols never share one, none is a reserved name."""
    wanted = [(symbol, name) for name, symbol in derivation.graph.symbols.items()]
    wanted += [(symbol, symbol.name) for symbol in derivation.delta_symbols.values()]
    return Identifiers(wanted, reserved)


class _Module:
    """Prints the functions of one module."""

    def __init__(self, derivation: Derivation, dtype: str):
        if dtype not in DTYPES:
            raise CodegenError(f"unknown dtype {dtype!r}", hint="expected float64 or float32")
        self.plan = _Plan(derivation)
        self.d = derivation
        self.g = derivation.graph
        self.dtype = dtype
        self.printer = NumbaPrinter(spec_identifiers(derivation, scalar_reserved()).table)

    # ---- pieces -------------------------------------------------------------------------

    def loads(self, inputs: bool = True, targets: bool = True) -> list:
        """Locals for the parameters (and the row's inputs and targets)."""
        s = self.g.symbols
        out = [Assignment(s[p], Element("params", [k])) for k, p in enumerate(self.g.parameters)]
        if inputs:
            out += [Assignment(s[x], Element("X", ["i", k])) for k, x in enumerate(self.g.inputs)]
        if targets:
            out += [Assignment(s[y], Element("Y", ["i", k])) for k, y in enumerate(self.g.targets)]
        return out

    def statements(self, statements: list[Statement]) -> list:
        out = []
        for st in statements:
            if isinstance(st.target, int):
                out.append(AddAugmentedAssignment(Element("grad", [st.target]), st.expr))
            else:
                out.append(Assignment(st.target, st.expr))
        return out

    def function(self, name: str, args: list[str], body: list, doc: str) -> str:
        """A jitted function: scaffolding arguments, a docstring, the printed CodeBlock."""
        code = self.printer.doprint(CodeBlock(*body))
        inner = "\n".join("    " + line for line in code.splitlines())
        return f'{_DECORATOR}\ndef {name}({", ".join(args)}):\n    """{doc}"""\n{inner}\n'

    # ---- the printed functions ----------------------------------------------------------

    def row_nodes(self) -> str:
        return self._row_values("_row_nodes", self.plan.free_of_targets,
                                "Row i's node values (NODE_NAMES order) into out.")

    def row_outputs(self) -> str:
        return self._row_values("_row_outputs", self.plan.outputs,
                                "Row i's outputs (OUTPUT_NAMES order) into out.")

    def _row_values(self, function: str, names: list[str], doc: str) -> str:
        """A function writing the values of ``names`` for row i into ``out``."""
        body = self.loads(targets=False) + self.statements(self.plan.forward(names))
        body += [Assignment(Element("out", [k]), self.g.symbols[n]) for k, n in enumerate(names)]
        return self.function(function, ["params", "X", "i", "out"], body, doc)

    def _forward_and_cost(self) -> list:
        """Loads, every node, and the cost of row i in its safe form."""
        plan = self.plan
        body = self.loads() + self.statements(plan.forward([n.name for n in plan.nodes]))
        return body + [Assignment(self.g.symbols[self.g.cost], plan.cost())]

    def row_cost(self) -> str:
        body = self._forward_and_cost() + [Return(self.g.symbols[self.g.cost])]
        return self.function("_row_cost", ["params", "X", "Y", "i"], body, "Row i's cost.")

    def row_gradient(self) -> str:
        body = self._forward_and_cost() + self.statements(self.plan.backward())
        body.append(Return(self.g.symbols[self.g.cost]))
        return self.function("_row_gradient", ["params", "X", "Y", "i", "grad"], body,
                             "Row i's cost; adds its ∂cost/∂θ into grad (the backward pass).")

    def row_sgd(self) -> str:
        """Per-sample SGD fused into the backward pass: each parameter updated in place from
        its gradient expression by the SGD rule (no gradient array, no second loop)."""
        backward = self.plan.backward()
        gradient = {st.target: st.expr for st in backward if isinstance(st.target, int)}
        body = self._forward_and_cost()
        body += self.statements([st for st in backward if not isinstance(st.target, int)])
        for k, p in enumerate(self.g.parameters):
            if p not in self.d.network.freeze:
                env = {sympy.Symbol("w"): self.g.symbols[p],
                       sympy.Symbol("g"): gradient.get(k, sympy.S.Zero)}
                updated = _apply_rules(optimizer_rules()["sgd"], env)
                body.append(Assignment(Element("params", [k]), updated))
        body.append(Return(self.g.symbols[self.g.cost]))
        return self.function("_row_sgd", ["params", "X", "Y", "i", "lr", "weight_decay"], body,
                             "Row i's cost; one SGD step on its gradient, in place (batch 1).")

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
    s = sympy.Symbol
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
    return (f"{_DECORATOR}\ndef step_{name}(params, grad, state, t, hyper):\n"
            f'    """{_STEP_DOCS[name]}"""\n{hyper}\n'
            f"    for j in range(params.shape[0]):\n"
            f"        if FROZEN[j]:\n            continue\n{loop}\n")


def emit_module(network: Network | Derivation, dtype: str = "float64",
                command: str | None = None, form: str = "auto") -> str:
    """The source text of the generated module for ``network``.

    Args:
        network: the spec (or its derivation).
        dtype: ``"float64"`` or ``"float32"`` (arrays and parameters).
        command: the command that regenerates the module, for its header.
        form: ``"scalar"`` (one statement per node and connection), ``"index"`` (layered
            specs: loops over neurons, see :mod:`codegen.index_module`) or ``"auto"`` (index
            form for layered specs above ``INDEX_FORM_ABOVE`` parameters).

    Returns:
        The module's text; the same spec always gives the same bytes.
    """
    from codegen.index_module import IndexModule, uses_index_form
    derivation = network if isinstance(network, Derivation) else None
    network = derivation.network if derivation else network
    if dtype not in DTYPES:
        raise CodegenError(f"unknown dtype {dtype!r}", hint="expected float64 or float32")
    missing = [p for p, v in network.parameters.items() if v is None]
    if missing:
        raise network.source.error(f"parameters.{missing[0]}",
                                   f"no starting value for {missing[0]!r}",
                                   hint="generated trainers start from the spec's values; "
                                        "layered specs draw them with [values] init_seed")
    if uses_index_form(network, form):
        module = IndexModule(network)
        rows = module.functions()
        outputs = list(network.layers.activation_names[-1])
        nodes = [n for n in network.nodes if n != network.cost]
    else:
        module = _Module(derivation or derive(network), dtype)
        rows = [module.row_nodes(), module.row_outputs(), module.row_cost(),
                module.row_gradient(), _BATCH_OF_ROWS, module.row_sgd()]
        outputs, nodes = module.plan.outputs, module.plan.free_of_targets
    steps = print_steps(module.printer)
    loss = network.layers.loss if network.layers is not None else "custom"
    hyper_defaults = [network.learning_rate, 0.9, 0.9, 0.999, 1e-8, 0.0]
    constants = {
        "SPEC_NAME": literal(network.name),
        "SPEC_HASH": literal(spec_hash(network, dtype, form)),
        "CHAINRULE_VERSION": literal(__version__),
        "PARAM_NAMES": _tuple(network.parameters),
        "INPUT_NAMES": _tuple(network.inputs),
        "TARGET_NAMES": _tuple(network.targets),
        "OUTPUT_NAMES": _tuple(outputs),
        "NODE_NAMES": _tuple(nodes),
        "LOSS": literal(loss),
        "IS_CLASSIFIER": repr(loss in CLASSIFIER_LOSSES),
        "DTYPE": f"np.{dtype}",
        "INITIAL_PARAMS": f"np.array({_floats(network.parameters.values())}, dtype=DTYPE)",
        "FROZEN": f"np.array({[p in network.freeze for p in network.parameters]!r}, "
                  f"dtype=np.bool_)",
        "OPTIMIZERS": _tuple(OPTIMIZERS),
        "HYPER_NAMES": _tuple(HYPER),
        "DEFAULT_HYPER": f"np.array({_floats(hyper_defaults)}, dtype=DTYPE)",
    }
    kind = ("index form: loops over neurons, arithmetic printed from the derivation;\n"
            "# sums over neurons may be reassociated, so they vectorise"
            if isinstance(module, IndexModule) else "printed from the derivation")
    parts = [_header(network, dtype, command, form),
             "import math\n\nimport numpy as np\nfrom numba import njit\n",
             "\n".join(f"{k} = {v}" for k, v in constants.items()) + "\n",
             ("# ---- numerically safe activations (chainrule's printer table)\n\n"
              + helper_source(module.printer.helpers)) if module.printer.helpers else "",
             f"# ---- forward pass, cost, backward pass ({kind})\n\n" + "\n\n".join(rows),
             "# ---- optimizers, printed from their SymPy update rules\n\n" + steps,
             "# ---- loops over rows and mini-batches (template)\n\n" + _SCAFFOLD]
    return "\n\n".join(p.rstrip("\n") + "\n" for p in parts if p.strip()).rstrip("\n") + "\n"


def _tuple(items) -> str:
    items = list(items)
    return "(" + ", ".join(literal(i) for i in items) + ("," if len(items) == 1 else "") + ")"


def _floats(values) -> str:
    return "[" + ", ".join(number(v) for v in values) + "]"


def _header(network: Network, dtype: str, command: str | None, form: str = "auto") -> str:
    """The comment lines and the docstring that open a module. Outside text (the spec's
    file, name and title, the command) only from line 3 on, as escaped comment text: Python
    reads an encoding declaration (``coding: ...``) from a comment on line 1 or 2."""
    source = spec_file(network)
    spec = network.name + (f" ({network.title})" if network.title else "")
    lines = [f"# Generated by chainrule {__version__} — do not edit.",
             f"# Spec hash: {spec_hash(network, dtype, form)}",
             f"# Spec file: {comment(source)}",
             f"# Spec: {comment(spec)}",
             f"# Regenerate: {comment(command or 'chainrule codegen ' + source)}",
             "#",
             "# Parameters travel as one flat array in PARAM_NAMES order; data as 2-D arrays,",
             "# X: samples × INPUT_NAMES, Y: samples × TARGET_NAMES."]
    doc = '"""A Numba trainer printed by chainrule from the derivation of the spec SPEC_NAME."""'
    return "\n".join(lines) + "\n\n" + doc + "\n"


_BATCH_OF_ROWS = '''\
@njit(cache=True)
def _batch_gradient(params, X, Y, order, start, stop, grad):
    """Rows order[start:stop]: their summed cost; adds their ∂cost/∂θ into grad."""
    total = 0.0
    for r in range(start, stop):
        total += _row_gradient(params, X, Y, order[r], grad)
    return total
'''

_SCAFFOLD = '''\
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
    total = _batch_gradient(params, X, Y, np.arange(X.shape[0]), 0, X.shape[0], grad)
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


@njit(cache=True)
def train_epoch(params, state, t, X, Y, batch_size, optimizer, hyper, seed):
    """One epoch over the rows of X, shuffled with `seed`, in mini-batches of batch_size.

    A batch's gradient is the mean of its rows' gradients; one step per batch. Returns the
    mean of the batch costs (each taken before its step) and the updated step count.
    """
    n = X.shape[0]
    order = shuffled(n, seed)
    if batch_size == 1 and optimizer == 0:  # per-sample SGD: the fused row update
        total = 0.0
        for k in range(n):
            total += _row_sgd(params, X, Y, order[k], hyper[0], hyper[5])
        return total / n, t + n
    grad = np.zeros(params.shape[0], dtype=DTYPE)
    total = 0.0
    batches = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        grad[:] = 0.0
        batch = _batch_gradient(params, X, Y, order, start, stop, grad)
        scale = 1.0 / (stop - start)
        for j in range(grad.shape[0]):
            grad[j] *= scale
        t += 1
        step(optimizer, params, grad, state, t, hyper)
        total += batch * scale
        batches += 1
    return total / batches, t


@njit(cache=True)
def train(params, X, Y, epochs, batch_size, optimizer, hyper, seed):
    """Train in place for `epochs` epochs; returns the per-epoch cost history."""
    state = np.zeros((2, params.shape[0]), dtype=DTYPE)
    history = np.empty(epochs, dtype=np.float64)
    t = 0
    for epoch in range(epochs):
        history[epoch], t = train_epoch(params, state, t, X, Y, batch_size, optimizer, hyper,
                                        seed + epoch)
    return history
'''
