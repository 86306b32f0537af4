"""Network specs: TOML files or Python calls → a validated :class:`Network` (no SymPy here).

Two forms describe a network. *Free-form*: scalar equations ``node = "expression"`` with any
names and any weight sharing. *Layered*: sizes, activations, bias modes, a loss and a
:class:`Notation`; it is unrolled into the same scalar equations, named as the author names them.
"""

from __future__ import annotations

import difflib
import math
import random
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from derive import expr as ex
from derive.errors import SpecError
from derive.vocabulary import ACTIVATIONS, BIAS_MODES, FUNCTIONS, LOSSES

_IDENT = re.compile(r"[A-Za-z][A-Za-z_0-9]*\Z")


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
            header = re.match(r"\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
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
        return SpecError(message, file=self.file, line=line, key=key, hint=hint)


def _closest(name: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else None


# --------------------------------------------------------------------------- notation

@dataclass(frozen=True)
class Notation:
    """How an author names the symbols of a layered network.

    ``first_layer`` is the number of the input layer. ``weight_layer`` says whose number a
    weight's superscript carries: ``"target"`` (Nielsen: w^l feeds layer l) or ``"source"``
    (w^l leaves layer l). ``weight_index`` is ``"jk"`` (w_{jk}: from neuron k to neuron j) or
    ``"kj"`` (w_{kj}: from neuron k to neuron j, written source first). ``bias_layer`` is as
    ``weight_layer``, for biases.
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
        """Raise a :class:`SpecError` for a choice that is not one of the known ones."""
        for key, allowed in (("weight_layer", ("target", "source")),
                             ("bias_layer", ("target", "source")),
                             ("weight_index", ("jk", "kj"))):
            if getattr(self, key) not in allowed:
                raise source.error(f"notation.{key}", f"unknown choice {getattr(self, key)!r}",
                                   hint="expected one of " + ", ".join(allowed))
        for key in ("weight", "bias", "preactivation", "activation", "input", "target", "cost"):
            if not re.fullmatch(r"[A-Za-z]+", getattr(self, key)):
                raise source.error(f"notation.{key}", "a letter must be letters only",
                                   hint=f"got {getattr(self, key)!r}")


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
    def from_toml(cls, path: str | Path) -> "Network":
        """Read a spec file (free-form or layered).

        Raises:
            SpecError: naming the file, the line and what was expected.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SpecError("no such spec file", file=str(path),
                            hint="give the path of a .toml spec, or see `chainrule examples`") from None
        except (OSError, UnicodeDecodeError) as err:
            raise SpecError(f"cannot read the spec: {err}", file=str(path)) from None
        return cls.from_toml_text(text, file=str(path))

    @classmethod
    def from_toml_text(cls, text: str, file: str = "<spec>") -> "Network":
        """Read a spec from TOML text; ``file`` names it in errors."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            found = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
            line = int(found.group(1)) if found else None
            message = re.sub(r"\s*\(at line.*\)$", "", str(err))
            raise SpecError(f"not valid TOML: {message}", file=file, line=line,
                            hint="expected `key = value` lines under [tables]") from None
        network = cls.from_mapping(data, Source.of_toml(file, text))
        network.text = text
        return network

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: Source | None = None) -> "Network":
        """Build from the tables of a spec, as :mod:`tomllib` gives them."""
        source = source or Source()
        known = {"name", "title", "inputs", "targets", "parameters", "equations", "training",
                 "latex", "layers", "notation", "values"}
        for key in data:
            if key not in known:
                raise source.error(key, f"unknown table or key {key!r}",
                                   hint=_closest(key, sorted(known)) or
                                   "expected one of " + ", ".join(sorted(known)))
        if "layers" in data:
            return _layered_from_mapping(data, source)
        if "equations" not in data:
            raise source.error("equations", "the spec has neither [equations] nor [layers]",
                               hint="a free-form spec lists node equations under [equations]; "
                                    "a layered one gives sizes under [layers]")
        training = _table(data, "training", source)
        return cls.from_equations(
            name=_string(data, "name", source, default=Path(source.file or "network").stem),
            title=_string(data, "title", source, default=""),
            inputs=_values_table(data, "inputs", source),
            targets=_values_table(data, "targets", source),
            parameters=_values_table(data, "parameters", source),
            equations=_table(data, "equations", source),
            cost=training.get("cost"),
            learning_rate=training.get("learning_rate", 0.1),
            freeze=training.get("freeze", ()),
            latex=_table(data, "latex", source),
            source=source, unknown_training=set(training) - {"cost", "learning_rate", "freeze"})

    @classmethod
    def from_equations(cls, *, equations: Mapping[str, str], inputs: Mapping[str, float | None],
                       parameters: Mapping[str, float | None],
                       targets: Mapping[str, float | None] | None = None,
                       cost: str | None = None, name: str = "network", title: str = "",
                       learning_rate: float = 0.1, freeze: Sequence[str] = (),
                       latex: Mapping[str, str] | None = None, source: Source | None = None,
                       unknown_training: set[str] | None = None) -> "Network":
        """Build a free-form network from equations given as strings.

        Args:
            equations: node name → expression text, e.g. ``{"h1": "w1*x1 + b1"}``.
            inputs: input name → value (None when data supplies it).
            parameters: trainable parameter name → starting value.
            targets: target name → value.
            cost: the node to minimise; defaults to the one node nothing else uses.
            learning_rate: η of the gradient-descent step.
            freeze: parameters the step leaves unchanged.
            latex: optional LaTeX spellings of names, e.g. ``{"net_h1": r"\\mathrm{net}_{h1}"}``.

        Raises:
            SpecError: for an unknown function or name, a cycle, a bad cost, and so on.
        """
        source = source or Source()
        if unknown_training:
            key = sorted(unknown_training)[0]
            raise source.error(f"training.{key}", f"unknown key {key!r}",
                               hint="expected cost, learning_rate or freeze")
        targets = dict(targets or {})
        leaves = {"inputs": dict(inputs), "targets": targets, "parameters": dict(parameters)}
        _check_names(leaves, equations, source)
        parsed = {node: _parse_equation(node, text, source) for node, text in equations.items()}
        _check_references(parsed, leaves, source)
        _topological_order(parsed, source)
        cost = _pick_cost(cost, parsed, source)
        network = cls(name=name, title=title, inputs=leaves["inputs"], targets=targets,
                      parameters=leaves["parameters"], equations=parsed, cost=cost,
                      learning_rate=_number(learning_rate, "training.learning_rate", source),
                      freeze=_freeze(freeze, leaves["parameters"], source),
                      latex=_latex(latex or {}, source), source=source)
        return network

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
            sizes: neurons per layer, input layer first, e.g. ``[2, 3, 1]``.
            activations: one per non-input layer, or one for all (softmax only on the output).
            bias: ``"per-neuron"``, ``"shared"`` (one per layer) or ``"none"``; one or per layer.
            loss: squared_error (½Σ(y−a)²), mean_squared_error, binary_cross_entropy or
                categorical_cross_entropy.
            notation: a :class:`Notation` or a preset name (``"nielsen"``, ``"seed000"``).
            inputs, targets: values of the worked example, if any.
            weights: per layer transition a matrix [to][from]; random (seeded) when omitted.
            biases: per layer a list (per-neuron), a number (shared) or nothing (none).
            init_seed: seed of the starting values that are not given.

        Raises:
            SpecError: for sizes, activations, losses or values that do not fit.
        """
        source = source or Source()
        plan = _LayerPlan.make(sizes, activations, bias, loss, notation, source)
        equations, latex, layers = plan.unroll()
        inputs_named = plan.leaf_values(plan.input_names, inputs, "values.inputs")
        targets_named = plan.leaf_values(plan.target_names, targets, "values.targets")
        parameters = plan.parameter_values(weights, biases, init_seed)
        return cls.from_equations(
            equations=equations, inputs=inputs_named, targets=targets_named,
            parameters=parameters, cost=plan.notation.cost,
            name=name or "mlp-" + "-".join(str(s) for s in plan.sizes), title=title,
            learning_rate=learning_rate, freeze=freeze, latex=latex, source=source)._with(layers)

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

    def with_values(self, **tables: Mapping[str, float]) -> "Network":
        """A copy with some leaf values replaced, e.g. ``with_values(parameters={"w1": 0.3})``."""
        changed = {}
        for table, values in tables.items():
            current = dict(getattr(self, table))
            for leaf, value in values.items():
                if leaf not in current:
                    raise SpecError(f"{leaf!r} is not one of the {table}",
                                    hint=_closest(leaf, list(current)))
                current[leaf] = float(value)
            changed[table] = current
        return replace(self, **changed)

    def latex_name(self, name: str) -> str | None:
        """The author's LaTeX spelling of ``name``, if the spec gives one."""
        return self.latex.get(name)


# --------------------------------------------------------------------------- free-form checks

def _table(data: Mapping[str, Any], key: str, source: Source) -> dict:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise source.error(key, f"[{key}] must be a table", hint=f"expected `[{key}]` with keys under it")
    return dict(value)


def _string(data: Mapping[str, Any], key: str, source: Source, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise source.error(key, f"{key} must be a string", hint=f'expected {key} = "..."')
    return value


def _number(value: Any, key: str, source: Source) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise source.error(key, f"expected a number, got {value!r}")
    return float(value)


def _values_table(data: Mapping[str, Any], key: str, source: Source) -> dict[str, float | None]:
    """A leaf table: ``name = value`` pairs, or a list of names whose values come later."""
    value = data.get(key, {})
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                raise source.error(key, f"{key} listed without values must be names, got {item!r}")
        return {item: None for item in value}
    table = _table(data, key, source)
    return {name: _number(v, f"{key}.{name}", source) for name, v in table.items()}


def _check_names(leaves: Mapping[str, Mapping], equations: Mapping[str, str], source: Source) -> None:
    seen: dict[str, str] = {}
    groups = dict(leaves, equations=equations)
    for table, names in groups.items():
        for name in names:
            if not _IDENT.match(name):
                raise source.error(f"{table}.{name}", f"{name!r} is not a usable name",
                                   hint="expected letters, digits and _, starting with a letter")
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
        raise source.error(key, f"the equation of {node!r} must be a string",
                           hint=f'expected {node} = "expression"')
    try:
        return Equation(node, text, ex.parse(text, FUNCTIONS))
    except ex.ExprError as err:
        hint = err.hint
        if "unknown function" in err.message:
            bad = re.search(r"'([^']+)'", err.message).group(1)
            hint = _closest(bad, FUNCTIONS) or hint
        raise source.error(key, f"{err.message} of {text!r}", hint=hint) from None


def _check_references(parsed: Mapping[str, Equation], leaves: Mapping[str, Mapping],
                      source: Source) -> None:
    known = set(parsed).union(*[set(v) for v in leaves.values()])
    for node, equation in parsed.items():
        for ref in ex.names(equation.tree):
            if ref.id not in known:
                raise source.error(
                    f"equations.{node}", f"unknown name {ref.id!r} in {equation.text!r}",
                    hint=_closest(ref.id, sorted(known)) or
                    "expected an input, a target, a parameter or another node")
            if ref.id == node:
                raise source.error(f"equations.{node}", f"{node!r} is defined through itself",
                                   hint="the equations must form a graph without cycles")


def _topological_order(parsed: Mapping[str, Equation], source: Source) -> list[str]:
    """Nodes ordered so that each comes after the nodes it uses; a cycle is an error."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = trail[trail.index(node):] + [node]
            raise source.error(f"equations.{node}", "the equations form a cycle: " + " → ".join(cycle) + " (→: uses)",
                               hint="each node must depend only on nodes defined without it")
        state[node] = 1
        for ref in ex.names(parsed[node].tree):
            if ref.id in parsed:
                visit(ref.id, trail + [node])
        state[node] = 2
        order.append(node)

    for node in parsed:
        visit(node, [])
    return order


def _pick_cost(cost: Any, parsed: Mapping[str, Equation], source: Source) -> str:
    if cost is None:
        used = {ref.id for eq in parsed.values() for ref in ex.names(eq.tree)}
        sinks = [n for n in parsed if n not in used]
        if len(sinks) == 1:
            return sinks[0]
        raise source.error("training.cost", "which node is the cost?",
                           hint="set cost = one of " + ", ".join(sinks))
    if not isinstance(cost, str) or cost not in parsed:
        raise source.error("training.cost", f"the cost {cost!r} is not a node",
                           hint=_closest(str(cost), list(parsed)) or
                           "expected the name of an equation, e.g. cost = \"E\"")
    return cost


def _freeze(freeze: Any, parameters: Mapping[str, Any], source: Source) -> tuple[str, ...]:
    if not isinstance(freeze, (list, tuple)):
        raise source.error("training.freeze", "freeze must be a list of parameter names",
                           hint='expected freeze = ["b1", "b2"]')
    for name in freeze:
        if name not in parameters:
            raise source.error("training.freeze", f"{name!r} is not a parameter",
                               hint=_closest(str(name), list(parameters)))
    return tuple(freeze)


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

def _layered_from_mapping(data: Mapping[str, Any], source: Source) -> Network:
    layers = _table(data, "layers", source)
    notation_table = _table(data, "notation", source)
    values = _table(data, "values", source)
    training = _table(data, "training", source)
    for table, got, allowed in (
            ("layers", layers, {"sizes", "activations", "activation", "bias", "loss"}),
            ("values", values, {"inputs", "targets", "weights", "biases", "init_seed"}),
            ("training", training, {"learning_rate", "freeze"}),
            ("notation", notation_table, {"preset"} | set(Notation.__dataclass_fields__))):
        for key in got:
            if key not in allowed:
                raise source.error(f"{table}.{key}", f"unknown key {key!r}",
                                   hint=_closest(key, sorted(allowed)) or
                                   "expected one of " + ", ".join(sorted(allowed)))
    for table in ("inputs", "targets", "parameters", "equations"):
        if table in data:
            raise source.error(table, f"[{table}] belongs to free-form specs",
                               hint="a layered spec gives its values under [values]")
    if "layers.activation" in source.lines:  # errors about activations point at the key used
        source.lines.setdefault("layers.activations", source.lines["layers.activation"])
    preset = notation_table.pop("preset", "nielsen")
    if preset not in NOTATIONS:
        raise source.error("notation.preset", f"unknown notation preset {preset!r}",
                           hint="expected one of " + ", ".join(NOTATIONS))
    notation = replace(NOTATIONS[preset], **notation_table)
    activations = layers.get("activations", layers.get("activation", "sigmoid"))
    return Network.layered(
        sizes=layers.get("sizes"), activations=activations,
        bias=layers.get("bias", "per-neuron"), loss=layers.get("loss", "squared_error"),
        notation=notation, inputs=values.get("inputs"), targets=values.get("targets"),
        weights=values.get("weights"), biases=values.get("biases"),
        init_seed=values.get("init_seed", 0),
        name=_string(data, "name", source, default=Path(source.file or "network").stem),
        title=_string(data, "title", source, default=""),
        learning_rate=training.get("learning_rate", 0.1), freeze=training.get("freeze", ()),
        source=source)


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
        if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2 or
                not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes)):
            raise source.error("layers.sizes", f"sizes must list at least two positive whole "
                               f"numbers, got {sizes!r}", hint="expected e.g. sizes = [2, 3, 1]")
        n = len(sizes) - 1
        acts = cls._per_layer(activations, n, "layers.activations", source)
        for i, act in enumerate(acts):
            if act not in ACTIVATIONS:
                raise source.error("layers.activations", f"unknown activation {act!r}",
                                   hint=_closest(act, ACTIVATIONS) or
                                   "expected one of " + ", ".join(ACTIVATIONS))
            if act == "softmax" and i != n - 1:
                raise source.error("layers.activations", "softmax is only for the output layer")
        modes = cls._per_layer(bias, n, "layers.bias", source)
        for mode in modes:
            if mode not in BIAS_MODES:
                raise source.error("layers.bias", f"unknown bias mode {mode!r}",
                                   hint="expected one of " + ", ".join(BIAS_MODES))
        if loss not in LOSSES:
            raise source.error("layers.loss", f"unknown loss {loss!r}",
                               hint=_closest(str(loss), list(LOSSES)) or
                               "expected one of " + ", ".join(sorted(set(LOSSES.values()))))
        if isinstance(notation, str):
            if notation not in NOTATIONS:
                raise source.error("notation.preset", f"unknown notation preset {notation!r}",
                                   hint="expected one of " + ", ".join(NOTATIONS))
            notation = NOTATIONS[notation]
        notation.check(source)
        return cls(list(sizes), acts, modes, LOSSES[loss], notation, source)

    @staticmethod
    def _per_layer(value, n: int, key: str, source: Source) -> list[str]:
        if isinstance(value, str):
            return [value] * n
        if isinstance(value, (list, tuple)) and len(value) == n and all(isinstance(v, str) for v in value):
            return list(value)
        raise source.error(key, f"expected one name or a list of {n} (one per layer after the "
                                f"input layer), got {value!r}")

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
        if not isinstance(values, (list, tuple)) or len(values) != len(names):
            raise self.source.error(key, f"expected {len(names)} numbers, got {values!r}")
        return {n: _number(v, key, self.source) for n, v in zip(names, values)}

    def parameter_values(self, weights, biases, init_seed: int) -> dict[str, float]:
        """Given starting values, or seeded random ones (uniform ±1/√fan-in) where none are given."""
        rng = random.Random(init_seed)
        values: dict[str, float] = {}
        for layer in range(1, len(self.sizes)):
            fan_in = self.sizes[layer - 1]
            given_w = self._layer_value(weights, layer, "values.weights")
            given_b = self._layer_value(biases, layer, "values.biases")
            bound = 1 / math.sqrt(fan_in)
            for j in range(1, self.sizes[layer] + 1):
                for k in range(1, fan_in + 1):
                    w = self.weight(layer, j, k)[0]
                    values[w] = (self._entry(given_w, (j - 1, k - 1), "values.weights")
                                 if given_w is not None else rng.uniform(-bound, bound))
            for j in range(1, self.sizes[layer] + 1):  # a layer's biases after its weights
                b = self.bias(layer, j)
                if b is not None:
                    shared = self.biases[layer - 1] == "shared"
                    if given_b is None:
                        value = 0.0 if shared or b[0] not in values else values[b[0]]
                    elif shared:
                        value = _number(given_b, "values.biases", self.source)
                    else:
                        value = self._entry(given_b, (j - 1,), "values.biases")
                    values[b[0]] = value
        return values

    def _layer_value(self, table, layer: int, key: str):
        if table is None:
            return None
        if not isinstance(table, (list, tuple)) or len(table) != len(self.sizes) - 1:
            raise self.source.error(key, f"expected one entry per layer after the input layer "
                                         f"({len(self.sizes) - 1}), got {table!r}")
        return table[layer - 1]

    def _entry(self, table, index: tuple[int, ...], key: str) -> float:
        value = table
        try:
            for i in index:
                value = value[i]
        except (IndexError, TypeError, KeyError):
            shape = "[to][from] matrices" if len(index) == 2 else "lists, one number per neuron"
            raise self.source.error(key, f"no value at {[i + 1 for i in index]}",
                                    hint=f"expected {shape} matching sizes {self.sizes}") from None
        return _number(value, key, self.source)
