"""Network specs: TOML files or Python calls → a validated :class:`Network` (no SymPy here).

Two forms describe a network. *Free-form*: scalar equations ``node = "expression"`` with any
names and any weight sharing. *Layered*: sizes, activations, bias modes, a loss and a
:class:`Notation`; it is unrolled into the same scalar equations, named as the author names them.

Every value is read through the typed accessors of :mod:`derive.spec.typed`, so a value of
the wrong type is one error naming its key and line, and the limits below are checked before
any work is done.
"""

from __future__ import annotations

import math
import numbers
import os
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from derive.spec import expr as ex
from derive.spec import typed as read
from derive.errors import SpecError
from derive.spec.typed import closest as _closest
from derive.vocabulary import ACTIVATIONS, BIAS_MODES, FUNCTIONS, LOSSES

_IDENT = re.compile(r"[A-Za-z][A-Za-z_0-9]*\Z")

# --------------------------------------------------------------------------- limits
# (spec file size and TOML nesting: MAX_SPEC_BYTES, MAX_TOML_DEPTH in derive.spec.typed)

#: The scalar level unrolls every connection into a node and a parameter of its own and
#: derives each; past this many names (inputs, targets, parameters and nodes) its derivation
#: takes minutes. Free-form specs are held to it when read, layered ones when derived.
MAX_SCALAR_NAMES = 25_000

#: A layered spec is unrolled into scalar equations as it is read (784-128-10's 101,770
#: parameters take 2 s and 160 MB); above this many parameters it is refused first.
MAX_LAYERED_PARAMETERS = 250_000

#: Layers after the input layer in a layered spec.
MAX_LAYERS = 100

#: Characters of a name (of an input, a parameter, a node …): names are repeated in every
#: write-up, message and generated line that uses them.
MAX_NAME_LENGTH = 64

#: Characters of a spec's name and of its title (both head every write-up and module).
MAX_TITLE_LENGTH = 1_000

#: Letters a notation may give a symbol (every name of the network repeats them).
MAX_LETTERS = 16

#: ``first_layer``: textbooks number the input layer 0 or 1; any one digit is allowed.
MAX_FIRST_LAYER = 9

#: ``init_seed``: a whole number from 0 that fits 64 bits (random.Random would take a
#: negative seed as its absolute value, so -1 and 1 would give the same network).
MAX_INIT_SEED = 2 ** 63 - 1

_LEARNING_RATE_HINT = "the update step is θ − η·∂C/∂θ, so η must be above 0, e.g. 0.1"


# --------------------------------------------------------------------------- locating keys

@dataclass
class Source:
    """Where a spec came from, and the line of each ``table.key`` in it (for errors)."""

    file: str | None = None
    lines: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of_toml(cls, file: str, text: str) -> "Source":
        """Index the lines of the keys and tables of a TOML text."""
        lines: dict[str, int] = {}
        table = ""
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            # a header is a whole line: `[[0.1, 0.2], ...` inside a multi-line array is not one
            header = re.fullmatch(r"""\[\[?\s*([A-Za-z0-9_.\-"' ]+?)\s*\]\]?\s*(?:#.*)?""",
                                  stripped)
            if header:
                table = header.group(1).strip().strip('"')
                lines.setdefault(table, number)
                continue
            key = re.match(r"""("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""", stripped)
            if key:
                name = key.group(1).strip("\"'")
                lines.setdefault(f"{table}.{name}" if table else name, number)
        return cls(file, lines)

    def error(self, key: str, message: str, hint: str | None = None) -> SpecError:
        """A :class:`SpecError` at ``key`` (``table.key``), located at its line if known."""
        line = self.lines.get(key)
        if line is None and "." in key:
            line = self.lines.get(key.rsplit(".", 1)[0])
        return SpecError(message, file=self.file, line=line, key=key or None, hint=hint)


# --------------------------------------------------------------------------- notation

@dataclass(frozen=True)
class Notation:
    """How an author names the symbols of a layered network.

    ``first_layer`` is the number of the input layer (0 to 9). ``weight_layer`` says whose
    number a weight's superscript carries: ``"target"`` (Nielsen: w^l feeds layer l) or
    ``"source"`` (w^l leaves layer l). ``weight_index`` is ``"jk"`` (w_{jk}: from neuron k to
    neuron j) or ``"kj"`` (w_{kj}: from neuron k to neuron j, written source first).
    ``bias_layer`` is as ``weight_layer``, for biases. The letters (``weight`` … ``cost``) are
    ASCII letters only, at most 16.
    """

    weight: str = "w"
    bias: str = "b"
    preactivation: str = "z"
    activation: str = "a"
    input: str = "x"
    target: str = "y"
    cost: str = "C"
    first_layer: int = 1
    weight_layer: str = "target"
    weight_index: str = "jk"
    bias_layer: str = "target"

    def check(self, source: Source) -> None:
        """Raise a :class:`SpecError` for a value of the wrong type or an unknown choice."""
        for key, allowed in (("weight_layer", ("target", "source")),
                             ("bias_layer", ("target", "source")),
                             ("weight_index", ("jk", "kj"))):
            read.choice(getattr(self, key), f"notation.{key}", source, allowed, "choice")
        owner: dict[str, str] = {}
        for key in ("weight", "bias", "preactivation", "activation", "input", "target", "cost"):
            letters = read.string(getattr(self, key), f"notation.{key}", source)
            if not re.fullmatch(rf"[A-Za-z]{{1,{MAX_LETTERS}}}", letters):
                raise source.error(f"notation.{key}",
                                   f"a letter must be 1 to {MAX_LETTERS} ASCII letters",
                                   hint=f"got {read.kind(letters)}")
            if letters in owner:  # names are the letter and digits: one letter, one kind
                both = (owner[letters], key)   # point at the one the spec sets
                given = next((k for k in both if f"notation.{k}" in source.lines), key)
                other = both[0] if given == both[1] else both[1]
                raise source.error(f"notation.{given}", f"the letter {letters!r} is also the "
                                   f"{other} letter", hint="give each kind its own letter")
            owner[letters] = key
        read.whole(self.first_layer, "notation.first_layer", source, 0, MAX_FIRST_LAYER)


#: Named notations: Nielsen's book, and seed 000's (w^1_{21}, a^2_3, Z^3_1, b_1).
NOTATIONS = {
    "nielsen": Notation(),
    "seed000": Notation(preactivation="Z", weight_layer="source", bias_layer="source"),
}


# --------------------------------------------------------------------------- the network

@dataclass(frozen=True)
class Equation:
    """One node's defining equation: its text, its parsed tree and its line in the spec."""

    name: str
    text: str
    tree: Any


@dataclass(frozen=True)
class Layers:
    """What a layered spec said, kept for code generation and write-ups."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    biases: tuple[str, ...]
    loss: str
    notation: Notation
    #: per layer transition, names of the weights as [to][from], biases as [to] (or one)
    weight_names: tuple
    bias_names: tuple
    preactivation_names: tuple
    activation_names: tuple


#: The tables and keys of a spec, by the form that uses them.
_TOP_KEYS = {"name", "title", "inputs", "targets", "parameters", "equations", "training",
             "latex", "layers", "notation", "values"}
_FREE_TRAINING_KEYS = {"cost", "learning_rate", "freeze"}


@dataclass
class Network:
    """A validated network: leaves with their values, node equations, a cost, training options.

    Values are floats, or None where the spec gives none (training data supplies them).
    """

    name: str
    title: str
    inputs: dict[str, float | None]
    targets: dict[str, float | None]
    parameters: dict[str, float | None]
    equations: dict[str, Equation]
    cost: str
    learning_rate: float = 0.1
    freeze: tuple[str, ...] = ()
    latex: dict[str, str] = field(default_factory=dict)
    layers: Layers | None = None
    source: Source = field(default_factory=Source)
    text: str | None = None

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> "Network":
        """Read a spec file (free-form or layered).

        Only regular files of at most ``MAX_SPEC_BYTES`` are read (a FIFO, a device or a
        folder is refused before anything is read from it).

        Raises:
            SpecError: naming the file, the line and what was expected.
        """
        path = read.spec_path(path)
        return cls.from_toml_text(read.read_spec_file(path), file=str(path))

    @classmethod
    def from_toml_text(cls, text: str, file: str = "<spec>") -> "Network":
        """Read a spec from TOML text; ``file`` names it in errors."""
        data = read.parse_toml(text, file)
        network = cls.from_mapping(data, Source.of_toml(file, text))
        network.text = text
        return network

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: Source | None = None) -> "Network":
        """Build from the tables of a spec, as :mod:`tomllib` gives them."""
        source = source or Source()
        data = read.table(data, "", source, expected="a spec: a table of tables and keys")
        _known_keys(data, "", _TOP_KEYS, source, what="table or key")
        if "layers" in data:
            return _layered_from_mapping(data, source)
        if "equations" not in data:
            raise source.error("equations", "the spec has neither [equations] nor [layers]",
                               hint="a free-form spec lists node equations under [equations]; "
                                    "a layered one gives sizes under [layers]")
        training = read.table(data.get("training", {}), "training", source)
        _known_keys(training, "training", _FREE_TRAINING_KEYS, source)
        return cls.from_equations(
            name=data.get("name", _default_name(source)), title=data.get("title", ""),
            inputs=data.get("inputs"), targets=data.get("targets"),
            parameters=data.get("parameters"), equations=data["equations"],
            cost=training.get("cost"), learning_rate=training.get("learning_rate", 0.1),
            freeze=training.get("freeze", ()), latex=data.get("latex"), source=source)

    @classmethod
    def from_equations(cls, *, equations: Mapping[str, str],
                       inputs: Mapping[str, float | None] | Sequence[str] | None,
                       parameters: Mapping[str, float | None] | Sequence[str] | None,
                       targets: Mapping[str, float | None] | Sequence[str] | None = None,
                       cost: str | None = None, name: str = "network", title: str = "",
                       learning_rate: float = 0.1, freeze: Sequence[str] = (),
                       latex: Mapping[str, str] | None = None,
                       source: Source | None = None) -> "Network":
        """Build a free-form network from equations given as strings.

        Args:
            equations: node name → expression text, e.g. ``{"h1": "w1*x1 + b1"}``.
            inputs: input name → value (None when data supplies it), or a list of names
                whose values data supplies; None for no inputs.
            parameters: trainable parameter name → starting value (or names, as inputs).
            targets: target name → value (or names, as inputs).
            cost: the node to minimise; defaults to the one node nothing else uses.
            learning_rate: η of the gradient-descent step, a positive number.
            freeze: parameters the step leaves unchanged.
            latex: optional LaTeX spellings of names, e.g. ``{"net_h1": r"\\mathrm{net}_{h1}"}``.

        Raises:
            SpecError: for a value of the wrong type, an unknown function or name, a cycle, a
                bad cost, more names than the scalar level takes (``MAX_SCALAR_NAMES``), and
                so on.
        """
        source = source or Source()
        equations = read.table(equations, "equations", source,
                               expected='a table of node = "expression"')
        leaves = {key: _leaves(value, key, source)
                  for key, value in (("inputs", inputs), ("targets", targets),
                                     ("parameters", parameters))}
        _check_scalar_size(sum(map(len, leaves.values())) + len(equations), source,
                           key="parameters" if len(leaves["parameters"]) > len(equations)
                           else "equations")
        _check_equation_text(equations, source)
        return cls._build(equations=equations, leaves=leaves, cost=cost, name=name,
                          title=title, learning_rate=learning_rate, freeze=freeze,
                          latex=latex, source=source)

    @classmethod
    def _build(cls, *, equations: dict[str, Any], leaves: dict[str, dict[str, float | None]],
               cost: Any, name: Any, title: Any, learning_rate: Any, freeze: Any, latex: Any,
               source: Source) -> "Network":
        """The checks and parsing both spec forms share, on leaf tables already read."""
        name = read.string(name, "name", source, MAX_TITLE_LENGTH)
        title = read.string(title, "title", source, MAX_TITLE_LENGTH)
        _check_names(leaves, equations, source)
        parsed = {node: _parse_equation(node, text, source) for node, text in equations.items()}
        _check_references(parsed, leaves, source)
        _topological_order(parsed, source)
        cost = _pick_cost(cost, parsed, source)
        latex = read.table({} if latex is None else latex, "latex", source)
        return cls(name=name, title=title, inputs=leaves["inputs"], targets=leaves["targets"],
                   parameters=leaves["parameters"], equations=parsed, cost=cost,
                   learning_rate=read.positive(learning_rate, "training.learning_rate", source,
                                               hint=_LEARNING_RATE_HINT),
                   freeze=_freeze(freeze, leaves["parameters"], source),
                   latex=_latex(latex, source), source=source)

    @classmethod
    def layered(cls, sizes: Sequence[int], activations: str | Sequence[str] = "sigmoid", *,
                bias: str | Sequence[str] = "per-neuron", loss: str = "squared_error",
                notation: Notation | str = "nielsen", inputs: Sequence[float] | None = None,
                targets: Sequence[float] | None = None, weights: Sequence | None = None,
                biases: Sequence | None = None, init_seed: int = 0, name: str | None = None,
                title: str = "", learning_rate: float = 0.1, freeze: Sequence[str] = (),
                source: Source | None = None) -> "Network":
        """Build a layered network and unroll it into scalar equations.

        Args:
            sizes: neurons per layer, input layer first, e.g. ``[2, 3, 1]``; at most
                ``MAX_LAYERS`` layers after the input layer and ``MAX_LAYERED_PARAMETERS``
                parameters.
            activations: one per non-input layer, or one for all (softmax only on the output).
            bias: ``"per-neuron"``, ``"shared"`` (one per layer) or ``"none"``; one or per layer.
            loss: squared_error (½Σ(y−a)²), mean_squared_error, binary_cross_entropy or
                categorical_cross_entropy.
            notation: a :class:`Notation` or a preset name (``"nielsen"``, ``"seed000"``).
            inputs, targets: values of the worked example, if any.
            weights: per layer transition a matrix [to][from]; random (seeded) when omitted.
            biases: per layer a list (per-neuron), a number (shared) or nothing (none).
            init_seed: seed of the starting values that are not given, a whole number from 0
                to 2**63 − 1.
            learning_rate: η of the gradient-descent step, a positive number.

        Raises:
            SpecError: for sizes, activations, losses or values that do not fit.
        """
        source = source or Source()
        plan = _LayerPlan.make(sizes, activations, bias, loss, notation, source)
        init_seed = read.whole(init_seed, "values.init_seed", source, 0, MAX_INIT_SEED,
                               expected="a whole number from 0 to 2**63 - 1")
        if name is None:
            name = "mlp-" + "-".join(str(s) for s in plan.sizes)
        inputs_named = plan.leaf_values(plan.input_names, inputs, "values.inputs")
        targets_named = plan.leaf_values(plan.target_names, targets, "values.targets")
        parameters = plan.parameter_values(weights, biases, init_seed)
        equations, latex, layers = plan.unroll()
        leaves = {"inputs": inputs_named, "targets": targets_named, "parameters": parameters}
        return cls._build(
            equations=equations, leaves=leaves, cost=plan.notation.cost, name=name,
            title=title, learning_rate=learning_rate, freeze=freeze, latex=latex,
            source=source)._with(layers)

    def _with(self, layers: Layers) -> "Network":
        self.layers = layers
        return self

    # ---- queries --------------------------------------------------------------------------

    @property
    def nodes(self) -> list[str]:
        """Equation nodes in an order where every node comes after what it uses."""
        return _topological_order(self.equations, self.source)

    @property
    def trainable(self) -> list[str]:
        """Parameters the update step changes."""
        return [p for p in self.parameters if p not in self.freeze]

    def missing_values(self) -> list[str]:
        """Leaves that have no value (a worked example needs them all)."""
        return [n for table in (self.inputs, self.targets, self.parameters)
                for n, v in table.items() if v is None]

    def require_values(self) -> None:
        """Raise a :class:`SpecError` naming the first leaf without a value."""
        for table, values in (("inputs", self.inputs), ("targets", self.targets),
                              ("parameters", self.parameters)):
            for leaf, value in values.items():
                if value is None:
                    raise self.source.error(
                        f"{table}.{leaf}" if self.layers is None else "values",
                        f"missing value for {leaf!r}",
                        hint="a worked example needs a number for every input, target "
                             "and parameter")

    def require_scalar_size(self) -> None:
        """Raise a :class:`SpecError` when the network has more names than the scalar level
        takes (``MAX_SCALAR_NAMES``)."""
        count = (len(self.inputs) + len(self.targets) + len(self.parameters)
                 + len(self.equations))
        _check_scalar_size(count, self.source,
                           key="layers.sizes" if self.layers is not None else "parameters")

    def with_values(self, **tables: Mapping[str, float]) -> "Network":
        """A copy with some leaf values replaced, e.g. ``with_values(parameters={"w1": 0.3})``."""
        changed = {}
        for table, values in tables.items():
            if table not in ("inputs", "targets", "parameters"):
                raise SpecError(f"unknown table {table!r}",
                                hint="expected inputs, targets or parameters")
            current = dict(getattr(self, table))
            for leaf, value in read.table(values, table, self.source).items():
                if leaf not in current:
                    raise SpecError(f"{leaf!r} is not one of the {table}",
                                    hint=_closest(leaf, list(current)))
                current[leaf] = read.number(value, f"{table}.{leaf}", self.source)
            changed[table] = current
        return replace(self, **changed)

    def latex_name(self, name: str) -> str | None:
        """The author's LaTeX spelling of ``name``, if the spec gives one."""
        return self.latex.get(name)


# --------------------------------------------------------------------------- free-form checks

def _default_name(source: Source) -> str:
    return Path(source.file or "network").stem


def _known_keys(table: Mapping[str, Any], where: str, allowed: set[str], source: Source,
                what: str = "key") -> None:
    """A :class:`SpecError` for the first key of ``table`` that is not ``allowed``."""
    for key in table:
        if key not in allowed:
            raise source.error(f"{where}.{key}" if where else key,
                               f"unknown {what} {read.shown(key)}",
                               hint=_closest(key, sorted(allowed)) or
                               "expected one of " + ", ".join(sorted(allowed)))


def _check_scalar_size(count: int, source: Source, key: str) -> None:
    """A :class:`SpecError` when ``count`` names are more than the scalar level takes."""
    if count > MAX_SCALAR_NAMES:
        raise source.error(key, f"{count:,} names (inputs, targets, parameters and nodes) are "
                                f"more than the scalar level's limit of {MAX_SCALAR_NAMES:,}",
                           hint="the scalar level unrolls every connection; bigger networks "
                                "go to the layer level (coming)")


def _check_equation_text(equations: Mapping[str, Any], source: Source) -> None:
    """A :class:`SpecError` when the equations' text is more than a spec file may hold."""
    size = sum(len(text) for text in equations.values() if isinstance(text, str))
    if size > read.MAX_SPEC_BYTES:
        raise source.error("equations", f"the equations hold {size:,} characters, more than a "
                                        f"spec's limit of {read.MAX_SPEC_BYTES:,}")


def _leaves(value: Any, key: str, source: Source) -> dict[str, float | None]:
    """A leaf table: ``name = value`` pairs (a value None where data supplies it), or a list of
    names whose values come later; None is no leaves."""
    if value is None:
        return {}
    if isinstance(value, (list, tuple)):
        listed = read.names(value, key, source, example=f'{key} = ["x1", "x2"]')
        twice = next((n for i, n in enumerate(listed) if n in listed[:i]), None)
        if twice is not None:
            raise source.error(key, f"{twice!r} is listed twice")
        return dict.fromkeys(listed)
    table = read.table(value, key, source, expected="a table of name = value, or a list of names")
    return {name: None if v is None else read.number(v, f"{key}.{name}", source)
            for name, v in table.items()}


def _check_names(leaves: Mapping[str, Mapping], equations: Mapping[str, str], source: Source) -> None:
    seen: dict[str, str] = {}
    groups = dict(leaves, equations=equations)
    for table, names in groups.items():
        for name in names:
            if not _IDENT.match(name) or len(name) > MAX_NAME_LENGTH:
                raise source.error(f"{table}.{name}", f"{read.kind(name)} is not a usable name",
                                   hint=f"expected up to {MAX_NAME_LENGTH} letters, digits "
                                        "and _, starting with a letter")
            if name.startswith("delta_"):
                raise source.error(f"{table}.{name}", f"{name!r} starts with 'delta_'",
                                   hint="delta_<node> names the adjoint δ of a node; choose "
                                        "another name")
            if name in FUNCTIONS:
                raise source.error(f"{table}.{name}", f"{name!r} is a function name",
                                   hint="choose another name for this symbol")
            if name in seen:
                raise source.error(f"{table}.{name}", f"{name!r} is defined twice",
                                   hint=f"it is already one of the {seen[name]}")
            seen[name] = table
    if not equations:
        raise source.error("equations", "[equations] is empty", hint="expected node = \"expression\" lines")


def _parse_equation(node: str, text: Any, source: Source) -> Equation:
    key = f"equations.{node}"
    if not isinstance(text, str):
        raise source.error(key, f"the equation of {node!r} must be a string, got {read.kind(text)}",
                           hint=f'expected {node} = "expression"')
    try:
        return Equation(node, text, ex.parse(text, FUNCTIONS))
    except ex.ExprError as err:
        hint = err.hint
        if "unknown function" in err.message:
            bad = re.search(r"'([^']+)'", err.message).group(1)
            hint = _closest(bad, FUNCTIONS) or hint
        raise source.error(key, f"{err.message} of {read.shown(text)}", hint=hint) from None


def _check_references(parsed: Mapping[str, Equation], leaves: Mapping[str, Mapping],
                      source: Source) -> None:
    known = set(parsed).union(*[set(v) for v in leaves.values()])
    for node, equation in parsed.items():
        for ref in ex.names(equation.tree):
            if ref.id not in known:
                raise source.error(
                    f"equations.{node}",
                    f"unknown name {read.shown(ref.id)} in {read.shown(equation.text)}",
                    hint=_closest(ref.id, sorted(known)) or
                    "expected an input, a target, a parameter or another node")
            if ref.id == node:
                raise source.error(f"equations.{node}", f"{node!r} is defined through itself",
                                   hint="the equations must form a graph without cycles")


def _topological_order(parsed: Mapping[str, Equation], source: Source) -> list[str]:
    """Nodes ordered so that each comes after the nodes it uses; a cycle is an error.

    A depth-first search in the equations' order with its own stack (a chain of thousands
    of nodes is as deep as it is long): each node is placed after everything it uses, in
    the order its equation names them.
    """
    order: list[str] = []
    done: set[str] = set()
    for root in parsed:
        if root in done:
            continue
        stack = [(root, _uses(parsed[root], parsed))]
        on_stack = {root}
        while stack:
            node, uses = stack[-1]
            for used in uses:
                if used in on_stack:
                    trail = [n for n, _ in stack]
                    raise _cycle(trail[trail.index(used):] + [used], source)
                if used not in done:
                    stack.append((used, _uses(parsed[used], parsed)))
                    on_stack.add(used)
                    break
            else:
                stack.pop()
                on_stack.discard(node)
                done.add(node)
                order.append(node)
    return order


def _uses(equation: Equation, parsed: Mapping[str, Equation]):
    """The nodes an equation names (not its leaves), in reading order, as an iterator."""
    return iter([ref.id for ref in ex.names(equation.tree) if ref.id in parsed])


def _cycle(cycle: list[str], source: Source) -> SpecError:
    shown = cycle if len(cycle) <= 12 else [*cycle[:6], f"… ({len(cycle) - 1} nodes) …",
                                             *cycle[-3:]]
    return source.error(f"equations.{cycle[0]}",
                        "the equations form a cycle: " + " → ".join(shown) + " (→: uses)",
                        hint="each node must depend only on nodes defined without it")


def _pick_cost(cost: Any, parsed: Mapping[str, Equation], source: Source) -> str:
    if cost is None:
        used = {ref.id for eq in parsed.values() for ref in ex.names(eq.tree)}
        sinks = [n for n in parsed if n not in used]
        if len(sinks) == 1:
            return sinks[0]
        raise source.error("training.cost", "which node is the cost?",
                           hint="set cost = one of " + ", ".join(sinks[:10]))
    if not isinstance(cost, str):
        raise read.wrong(cost, "training.cost", "the name of a node", source,
                         hint='e.g. cost = "E"')
    if cost not in parsed:
        raise source.error("training.cost", f"the cost {cost!r} is not a node",
                           hint=_closest(cost, list(parsed)) or
                           "expected the name of an equation, e.g. cost = \"E\"")
    return cost


def _freeze(freeze: Any, parameters: Mapping[str, Any], source: Source) -> tuple[str, ...]:
    listed = read.names(freeze, "training.freeze", source, example='freeze = ["b1", "b2"]')
    for name in listed:
        if name not in parameters:
            raise source.error("training.freeze", f"{name!r} is not a parameter",
                               hint=_closest(name, list(parameters)))
    return tuple(listed)


def _latex(latex: Mapping[str, Any], source: Source) -> dict[str, str]:
    """The spellings, each checked against the allow-list of math a name needs (a spelling
    goes into the LaTeX write-up as it is, so it must not run TeX primitives)."""
    from derive.latex_text import ALLOWED, UnsafeLatex, check_spelling
    for name, spelling in latex.items():
        if not isinstance(spelling, str):
            raise source.error(f"latex.{name}", "a LaTeX spelling must be a string",
                               hint=r'expected net_h1 = "\\mathrm{net}_{h1}"')
        try:
            check_spelling(spelling)
        except UnsafeLatex as err:
            raise source.error(f"latex.{name}", f"LaTeX spelling refused: {err.reason}: "
                               f"{err.found}", hint="a spelling may use " + ALLOWED) from None
    return dict(latex)



# --------------------------------------------------------------------------- layered specs

#: The keys of each table of a layered spec.
_LAYERED_KEYS = {
    "layers": {"sizes", "activations", "activation", "bias", "loss"},
    "values": {"inputs", "targets", "weights", "biases", "init_seed"},
    "training": {"learning_rate", "freeze"},
    "notation": {"preset"} | set(Notation.__dataclass_fields__),
}


def _layered_from_mapping(data: Mapping[str, Any], source: Source) -> Network:
    tables = {name: read.table(data.get(name, {}), name, source) for name in _LAYERED_KEYS}
    for name, allowed in _LAYERED_KEYS.items():
        _known_keys(tables[name], name, allowed, source)
    for table in ("inputs", "targets", "parameters", "equations"):
        if table in data:
            raise source.error(table, f"[{table}] belongs to free-form specs",
                               hint="a layered spec gives its values under [values]")
    layers, values, notation_table = tables["layers"], tables["values"], tables["notation"]
    if "activation" in layers and "activations" in layers:
        raise source.error("layers.activations", "both activation and activations are given",
                           hint="give one: a name for all layers, or a list of one per layer")
    if "layers.activation" in source.lines:  # errors about activations point at the key used
        source.lines.setdefault("layers.activations", source.lines["layers.activation"])
    preset = read.choice(notation_table.pop("preset", "nielsen"), "notation.preset", source,
                         list(NOTATIONS), "notation preset")
    training = tables["training"]
    return Network.layered(
        sizes=layers.get("sizes"), activations=layers.get("activations",
                                                          layers.get("activation", "sigmoid")),
        bias=layers.get("bias", "per-neuron"), loss=layers.get("loss", "squared_error"),
        notation=replace(NOTATIONS[preset], **notation_table), inputs=values.get("inputs"),
        targets=values.get("targets"), weights=values.get("weights"),
        biases=values.get("biases"), init_seed=values.get("init_seed", 0),
        name=data.get("name", _default_name(source)), title=data.get("title", ""),
        learning_rate=training.get("learning_rate", 0.1), freeze=training.get("freeze", ()),
        source=source)


def _sizes(sizes: Any, source: Source) -> list[int]:
    """The checked ``sizes`` of a layered spec: 2 to MAX_LAYERS + 1 positive whole numbers."""
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                       for s in sizes)):
        raise read.wrong(sizes, "layers.sizes", "a list of at least two positive whole numbers "
                         "(sizes must list the neurons of each layer)", source,
                         hint="expected e.g. sizes = [2, 3, 1]")
    if len(sizes) - 1 > MAX_LAYERS:
        raise source.error("layers.sizes", f"{len(sizes) - 1:,} layers after the input layer "
                                           f"are more than the limit of {MAX_LAYERS}")
    return [int(s) for s in sizes]


def _check_layered_size(sizes: list[int], modes: list[str], source: Source) -> None:
    """A :class:`SpecError` when the layers hold more than MAX_LAYERED_PARAMETERS parameters
    (counted from the sizes, before anything is unrolled)."""
    biases = {"per-neuron": lambda n: n, "shared": lambda n: 1, "none": lambda n: 0}
    count = sum(a * b + biases[mode](b) for a, b, mode in zip(sizes, sizes[1:], modes))
    if count > MAX_LAYERED_PARAMETERS:
        raise source.error("layers.sizes", f"{count:,} parameters are more than a layered "
                                           f"spec's limit of {MAX_LAYERED_PARAMETERS:,}",
                           hint="the network is unrolled into a scalar equation per neuron "
                                "and a parameter per connection as it is read")


#: the output activation a log-loss is the log-likelihood of (anything else gives a log of a
#: value outside (0, 1): a negative cost, or none)
_LOSS_OUTPUT = {"binary_cross_entropy": "sigmoid", "categorical_cross_entropy": "softmax"}


def _check_output_layer(size: int, activation: str, loss: str, source: Source) -> None:
    """A :class:`SpecError` for an output layer that its loss does not fit."""
    if activation == "softmax" and size < 2:
        raise source.error("layers.sizes", "a softmax over one neuron is always 1 (its cost "
                           "and gradients are 0)", hint="use a sigmoid output with "
                           "binary_cross_entropy for two classes, or two or more outputs")
    needed = _LOSS_OUTPUT.get(loss)
    if needed and activation != needed:
        raise source.error("layers.loss", f"{loss} needs a {needed} output layer, not "
                           f"{activation}", hint=f"make the last activation {needed}, or use "
                           "squared_error")


@dataclass
class _LayerPlan:
    """The checked shape of a layered network, and the names its notation gives."""

    sizes: list[int]
    activations: list[str]
    biases: list[str]
    loss: str
    notation: Notation
    source: Source

    @classmethod
    def make(cls, sizes, activations, bias, loss, notation, source: Source) -> "_LayerPlan":
        sizes = _sizes(sizes, source)
        n = len(sizes) - 1
        acts = cls._per_layer(activations, n, "layers.activations", source, ACTIVATIONS,
                              "activation")
        if "softmax" in acts[:-1]:
            raise source.error("layers.activations", "softmax is only for the output layer")
        modes = cls._per_layer(bias, n, "layers.bias", source, BIAS_MODES, "bias mode")
        _check_layered_size(sizes, modes, source)
        loss = read.choice(loss, "layers.loss", source, list(LOSSES), "loss",
                           listed=sorted(set(LOSSES.values())))
        if isinstance(notation, str):
            notation = NOTATIONS[read.choice(notation, "notation.preset", source,
                                             list(NOTATIONS), "notation preset")]
        if not isinstance(notation, Notation):
            raise read.wrong(notation, "notation", "a Notation or the name of a preset", source,
                             hint="expected one of " + ", ".join(NOTATIONS))
        notation.check(source)
        _check_output_layer(sizes[-1], acts[-1], LOSSES[loss], source)
        return cls(sizes, acts, modes, LOSSES[loss], notation, source)

    @staticmethod
    def _per_layer(value, n: int, key: str, source: Source, allowed: Sequence[str],
                   what: str) -> list[str]:
        """One choice for every layer after the input layer, or a list of one per layer."""
        if isinstance(value, str):
            return [read.choice(value, key, source, allowed, what)] * n
        if isinstance(value, (list, tuple)) and len(value) == n:
            return [read.choice(v, key, source, allowed, what) for v in value]
        raise read.wrong(value, key, f"one {what} or a list of {n} (one per layer after the "
                                     f"input layer)", source)

    # ---- names ------------------------------------------------------------------------------

    def _number(self, layer: int) -> int:
        """The author's number of layer ``layer`` (0 is the input layer)."""
        return self.notation.first_layer + layer

    def _join(self, *indices: int) -> tuple[str, str]:
        """Index text for identifiers and for LaTeX (comma-separated once any index ≥ 10)."""
        wide = max(self.sizes) >= 10
        return ("_".join if wide else "".join)(map(str, indices)), (",".join if wide else "".join)(map(str, indices))

    def _named(self, letter: str, layer: int | None, *indices: int) -> tuple[str, str]:
        ident, tex = self._join(*indices)
        if layer is None:
            return f"{letter}{ident}", f"{letter}_{{{tex}}}" if tex else letter
        if not indices:
            return f"{letter}{layer}", f"{letter}_{{{layer}}}"
        return f"{letter}{layer}_{ident}", f"{letter}^{{{layer}}}_{{{tex}}}"

    @property
    def input_names(self) -> list[str]:
        return self._leaf_names(self.notation.input, self.sizes[0])[0]

    @property
    def target_names(self) -> list[str]:
        return self._leaf_names(self.notation.target, self.sizes[-1])[0]

    def _leaf_names(self, letter: str, size: int) -> tuple[list[str], list[str]]:
        named = [self._named(letter, None) if size == 1 else self._named(letter, None, j + 1)
                 for j in range(size)]
        return [n for n, _ in named], [t for _, t in named]

    def weight(self, layer: int, j: int, k: int) -> tuple[str, str]:
        """Weight into neuron j of layer ``layer`` from neuron k of the layer before (1-based)."""
        number = self._number(layer if self.notation.weight_layer == "target" else layer - 1)
        pair = (j, k) if self.notation.weight_index == "jk" else (k, j)
        return self._named(self.notation.weight, number, *pair)

    def bias(self, layer: int, j: int) -> tuple[str, str] | None:
        mode = self.biases[layer - 1]
        number = self._number(layer if self.notation.bias_layer == "target" else layer - 1)
        if mode == "none":
            return None
        if mode == "shared":
            return self._named(self.notation.bias, number)
        return self._named(self.notation.bias, number, j)

    # ---- equations --------------------------------------------------------------------------

    def unroll(self) -> tuple[dict[str, str], dict[str, str], Layers]:
        """The scalar equations, LaTeX spellings and layer record of this network."""
        equations: dict[str, str] = {}
        latex: dict[str, str] = {}
        inputs, tex = self._leaf_names(self.notation.input, self.sizes[0])
        latex.update(zip(inputs, tex))
        targets, tex = self._leaf_names(self.notation.target, self.sizes[-1])
        latex.update(zip(targets, tex))
        previous = inputs
        weight_names, bias_names, pre_names, act_names = [], [], [], []
        for layer in range(1, len(self.sizes)):
            z_names, a_names, w_rows, b_row = [], [], [], []
            for j in range(1, self.sizes[layer] + 1):
                z, z_tex = self._named(self.notation.preactivation, self._number(layer), j)
                a, a_tex = self._named(self.notation.activation, self._number(layer), j)
                latex.update({z: z_tex, a: a_tex})
                terms, row = [], []
                for k, source_name in enumerate(previous, start=1):
                    w, w_tex = self.weight(layer, j, k)
                    latex[w] = w_tex
                    row.append(w)
                    terms.append(f"{w}*{source_name}")
                b = self.bias(layer, j)
                if b is not None:
                    latex[b[0]] = b[1]
                    terms.append(b[0])
                equations[z] = " + ".join(terms)
                z_names.append(z)
                a_names.append(a)
                w_rows.append(tuple(row))
                b_row.append(b[0] if b else None)
            for z, a in zip(z_names, a_names):
                equations[a] = self._activation(self.activations[layer - 1], z, z_names)
            weight_names.append(tuple(w_rows))
            bias_names.append(tuple(b_row))
            pre_names.append(tuple(z_names))
            act_names.append(tuple(a_names))
            previous = a_names
        equations[self.notation.cost] = self._loss(previous, targets)
        latex.setdefault(self.notation.cost, self.notation.cost)
        record = Layers(tuple(self.sizes), tuple(self.activations), tuple(self.biases), self.loss,
                        self.notation, tuple(weight_names), tuple(bias_names), tuple(pre_names),
                        tuple(act_names))
        return equations, latex, record

    @staticmethod
    def _activation(act: str, z: str, layer: list[str]) -> str:
        if act == "identity":
            return z
        if act == "softmax":
            return f"exp({z})/(" + " + ".join(f"exp({other})" for other in layer) + ")"
        return f"{act}({z})"

    def _loss(self, outputs: list[str], targets: list[str]) -> str:
        pairs = list(zip(targets, outputs))
        if self.loss == "squared_error":
            return " + ".join(f"1/2*({y} - {a})**2" for y, a in pairs)
        if self.loss == "mean_squared_error":
            return f"1/{len(pairs)}*(" + " + ".join(f"({y} - {a})**2" for y, a in pairs) + ")"
        if self.loss == "binary_cross_entropy":
            return " + ".join(f"-({y}*log({a}) + (1 - {y})*log(1 - {a}))" for y, a in pairs)
        return "-(" + " + ".join(f"{y}*log({a})" for y, a in pairs) + ")"

    # ---- values -----------------------------------------------------------------------------

    def leaf_values(self, names: list[str], values, key: str) -> dict[str, float | None]:
        if values is None:
            return {n: None for n in names}
        given = self._shaped(values, (len(names),), key, "")
        return dict(zip(names, given))

    def parameter_values(self, weights, biases, init_seed: int) -> dict[str, float]:
        """Given starting values, or seeded random ones (uniform ±1/√fan-in) where none are given."""
        rng = random.Random(init_seed)
        values: dict[str, float] = {}
        for layer in range(1, len(self.sizes)):
            fan_in, size = self.sizes[layer - 1], self.sizes[layer]
            given_w = self._layer_value(weights, layer, "values.weights", (size, fan_in))
            shared, mode = self.biases[layer - 1] == "shared", self.biases[layer - 1]
            given_b = self._layer_value(biases, layer, "values.biases",
                                        None if mode == "none" else () if shared else (size,))
            bound = 1 / math.sqrt(fan_in)
            for j in range(1, size + 1):
                for k in range(1, fan_in + 1):
                    w = self.weight(layer, j, k)[0]
                    values[w] = (given_w[j - 1][k - 1] if given_w is not None
                                 else rng.uniform(-bound, bound))
            for j in range(1, size + 1):  # a layer's biases after its weights
                b = self.bias(layer, j)
                if b is not None:
                    if given_b is None:
                        value = 0.0 if shared or b[0] not in values else values[b[0]]
                    else:
                        value = given_b if shared else given_b[j - 1]
                    values[b[0]] = value
        return values

    def _layer_value(self, table, layer: int, key: str, shape: tuple[int, ...] | None):
        """The values ``table`` gives for ``layer`` (None if it gives none), as floats of
        ``shape``; a layer whose shape is None (no biases) has its entry passed over."""
        if table is None:
            return None
        if not isinstance(table, (list, tuple)) or len(table) != len(self.sizes) - 1:
            raise self.source.error(key, f"expected one entry per layer after the input layer "
                                         f"({len(self.sizes) - 1}), got {read.kind(table)}")
        if shape is None:
            return None
        return self._shaped(table[layer - 1], shape, key, f"layer {layer}")

    def _shaped(self, value, shape: tuple[int, ...], key: str, where: str):
        """``value`` checked to be nested lists of ``shape`` (a number for ``()``), as floats."""
        at = f"{where}: " if where else ""
        if not shape:
            return read.number(value, key, _Prefixed(self.source, at))
        if not isinstance(value, (list, tuple)) or len(value) != shape[0]:
            what = "numbers" if len(shape) == 1 else "lists"
            raise self.source.error(key, f"{at}expected {shape[0]} {what}, got {read.kind(value)}",
                                    hint=_SHAPES.get(key, "").format(sizes=self.sizes) or None)
        return [self._shaped(v, shape[1:], key, f"{where}[{i}]".lstrip() if where else f"entry {i}")
                for i, v in enumerate(value, start=1)]


#: What a layered spec's value tables hold, for errors about their shape.
_SHAPES = {"values.weights": "expected per layer a [to][from] matrix, for sizes {sizes}",
           "values.biases": "expected per layer a number (shared) or a list of one per "
                            "neuron (per-neuron), for sizes {sizes}"}


@dataclass
class _Prefixed:
    """A source whose errors start with where in a value they are (``layer 2[1]: ``)."""

    source: Source
    prefix: str

    def error(self, key: str, message: str, hint: str | None = None) -> SpecError:
        return self.source.error(key, self.prefix + message, hint=hint)
