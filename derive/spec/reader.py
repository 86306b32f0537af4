"""The reader: the tables of a spec (a TOML file, or a mapping) → the arguments of a
:class:`~derive.spec.model.Network` constructor, and the checks every network goes through.

Free-form specs are read here whole: their leaves, equations, cost and training options. The
tables of a layered spec are read here too (:func:`layered_arguments`) and built by
:mod:`derive.spec.layered`. Then both forms meet the same checks (:func:`network_fields`):
usable names, equations that parse, known references, no cycles, a cost that is a node,
frozen parameters that exist and LaTeX spellings that are safe. The reader returns plain
values; the classmethods of :class:`~derive.spec.model.Network` make the network of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from derive.errors import SpecError
from derive.spec import expr as ex
from derive.spec import limits
from derive.spec import typed as read
from derive.spec.notation import NOTATIONS, Notation
from derive.spec.source import Source
from derive.spec.typed import closest
from derive.vocabulary import FUNCTIONS, OPTIMIZERS

_IDENT = re.compile(r"[A-Za-z][A-Za-z_0-9]*\Z")

_LEARNING_RATE_HINT = "the update step is θ − η·∂C/∂θ, so η must be above 0, e.g. 0.1"


@dataclass(frozen=True)
class Equation:
    """One node's defining equation: its text, its parsed tree and its line in the spec."""

    name: str
    text: str
    tree: Any


#: The tables and keys of a spec, by the form that uses them.
_TOP_KEYS = {"name", "title", "inputs", "targets", "parameters", "equations", "training",
             "latex", "layers", "notation", "values"}
#: How `chainrule train` runs a spec when its options do not say (Keras's ``model.fit``
#: arguments): read and checked here, used by the train command only.
_RUN_KEYS = {"optimizer", "batch_size", "epochs"}
_FREE_TRAINING_KEYS = {"cost", "learning_rate", "freeze"} | _RUN_KEYS


#: The keys of each table of a layered spec.
_LAYERED_KEYS = {
    "layers": {"sizes", "activations", "activation", "bias", "loss"},
    "values": {"inputs", "targets", "weights", "biases", "init_seed"},
    "training": {"learning_rate", "freeze"} | _RUN_KEYS,
    "notation": {"preset"} | set(Notation.__dataclass_fields__),
}


# --------------------------------------------------------------------------- reading tables

def spec_tables(data: Mapping[str, Any], source: Source) -> dict[str, Any]:
    """The tables of a spec, as :mod:`tomllib` gives them: a table of tables and keys that
    either form of spec knows."""
    data = read.table(data, "", source, expected="a spec: a table of tables and keys")
    _known_keys(data, "", _TOP_KEYS, source, what="table or key")
    return data


def free_form_arguments(data: Mapping[str, Any], source: Source) -> dict[str, Any]:
    """The keyword arguments of :meth:`~derive.spec.model.Network.from_equations` that the
    tables of a free-form spec give."""
    if "equations" not in data:
        raise source.error("equations", "the spec has neither [equations] nor [layers]",
                           hint="a free-form spec lists node equations under [equations]; "
                                "a layered one gives sizes under [layers]")
    training = read.table(data.get("training", {}), "training", source)
    _known_keys(training, "training", _FREE_TRAINING_KEYS, source)
    return dict(
        name=data.get("name", _default_name(source)), title=data.get("title", ""),
        inputs=data.get("inputs"), targets=data.get("targets"),
        parameters=data.get("parameters"), equations=data["equations"],
        cost=training.get("cost"), learning_rate=training.get("learning_rate", 0.1),
        freeze=training.get("freeze", ()), latex=data.get("latex"), source=source,
        **{key: training[key] for key in _RUN_KEYS if key in training})


def layered_arguments(data: Mapping[str, Any], source: Source) -> dict[str, Any]:
    """The keyword arguments of :meth:`~derive.spec.model.Network.layered` that the tables of
    a layered spec give."""
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
    return dict(
        sizes=layers.get("sizes"), activations=layers.get("activations",
                                                          layers.get("activation", "sigmoid")),
        bias=layers.get("bias", "per-neuron"), loss=layers.get("loss", "squared_error"),
        notation=replace(NOTATIONS[preset], **notation_table), inputs=values.get("inputs"),
        targets=values.get("targets"), weights=values.get("weights"),
        biases=values.get("biases"), init_seed=values.get("init_seed", 0),
        name=data.get("name", _default_name(source)), title=data.get("title", ""),
        learning_rate=training.get("learning_rate", 0.1), freeze=training.get("freeze", ()),
        source=source, **{key: training[key] for key in _RUN_KEYS if key in training})


def free_form_fields(equations: Any, leaves: Mapping[str, Any], *, source: Source,
                     **options: Any) -> dict[str, Any]:
    """The fields of a free-form :class:`~derive.spec.model.Network`, read and checked.

    Args:
        equations: node name → expression text, as given.
        leaves: ``inputs``, ``targets`` and ``parameters`` (in this order) as given: a table
            of name = value, a list of names or None.
        source: where the spec came from.
        options: cost, name, title, learning_rate, freeze and latex, as given.
    """
    equations = read.table(equations, "equations", source,
                           expected='a table of node = "expression"')
    leaves = {key: _leaves(value, key, source) for key, value in leaves.items()}
    check_scalar_size(sum(map(len, leaves.values())) + len(equations), source,
                      key="parameters" if len(leaves["parameters"]) > len(equations)
                      else "equations")
    _check_equation_text(equations, source)
    return network_fields(equations=equations, leaves=leaves, source=source, **options)


def network_fields(*, equations: dict[str, Any], leaves: dict[str, dict[str, float | None]],
                   cost: Any, name: Any, title: Any, learning_rate: Any, freeze: Any, latex: Any,
                   source: Source, optimizer: Any = None, batch_size: Any = None,
                   epochs: Any = None) -> dict[str, Any]:
    """The checks and parsing both spec forms share, on leaf tables already read: the fields
    of a :class:`~derive.spec.model.Network` (all but ``layers`` and ``text``)."""
    name = read.string(name, "name", source, limits.MAX_TITLE_LENGTH)
    title = read.string(title, "title", source, limits.MAX_TITLE_LENGTH)
    _check_names(leaves, equations, source)
    parsed = {node: _parse_equation(node, text, source) for node, text in equations.items()}
    _check_references(parsed, leaves, source)
    topological_order(parsed, source)
    cost = _pick_cost(cost, parsed, source)
    latex = read.table({} if latex is None else latex, "latex", source)
    return dict(name=name, title=title, inputs=leaves["inputs"], targets=leaves["targets"],
                parameters=leaves["parameters"], equations=parsed, cost=cost,
                learning_rate=read.positive(learning_rate, "training.learning_rate", source,
                                            hint=_LEARNING_RATE_HINT),
                freeze=_freeze(freeze, leaves["parameters"], source),
                latex=_latex(latex, source), source=source,
                **run_settings(optimizer, batch_size, epochs, source))


def run_settings(optimizer: Any, batch_size: Any, epochs: Any,
                 source: Source) -> dict[str, Any]:
    """``training.optimizer``, ``batch_size`` and ``epochs`` checked (None where not given):
    how `chainrule train` runs the spec unless its options say otherwise."""
    return dict(
        optimizer=None if optimizer is None else read.choice(
            optimizer, "training.optimizer", source, OPTIMIZERS, "optimizer"),
        batch_size=None if batch_size is None else read.whole(
            batch_size, "training.batch_size", source, 1, limits.MAX_BATCH_SIZE),
        epochs=None if epochs is None else read.whole(
            epochs, "training.epochs", source, 1, limits.MAX_EPOCHS))


# --------------------------------------------------------------------------- checks


def _default_name(source: Source) -> str:
    return Path(source.file or "network").stem


def _known_keys(table: Mapping[str, Any], where: str, allowed: set[str], source: Source,
                what: str = "key") -> None:
    """A :class:`SpecError` for the first key of ``table`` that is not ``allowed``."""
    for key in table:
        if key not in allowed:
            raise source.error(f"{where}.{key}" if where else key,
                               f"unknown {what} {read.shown(key)}",
                               hint=closest(key, sorted(allowed)) or
                               "expected one of " + ", ".join(sorted(allowed)))


def check_scalar_size(count: int, source: Source, key: str) -> None:
    """A :class:`SpecError` when ``count`` names are more than the scalar level takes."""
    if count > limits.MAX_SCALAR_NAMES:
        raise source.error(key, f"{count:,} names (inputs, targets, parameters and nodes) are "
                                f"more than the scalar level's limit of {limits.MAX_SCALAR_NAMES:,}",
                           hint="the scalar level unrolls every connection: "
                                + ("leave out --level scalar, and the layer level writes this "
                                   "network up" if key == "layers.sizes" else
                                   "write a network this big as a layered spec ([layers]), "
                                   "which the layer level takes"))


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
            if not _IDENT.match(name) or len(name) > limits.MAX_NAME_LENGTH:
                raise source.error(f"{table}.{name}", f"{read.kind(name)} is not a usable name",
                                   hint=f"expected up to {limits.MAX_NAME_LENGTH} letters, digits "
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
            hint = closest(bad, FUNCTIONS) or hint
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
                    hint=closest(ref.id, sorted(known)) or
                    "expected an input, a target, a parameter or another node")
            if ref.id == node:
                raise source.error(f"equations.{node}", f"{node!r} is defined through itself",
                                   hint="the equations must form a graph without cycles")


def topological_order(parsed: Mapping[str, Equation], source: Source) -> list[str]:
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
                           hint=closest(cost, list(parsed)) or
                           "expected the name of an equation, e.g. cost = \"E\"")
    return cost


def _freeze(freeze: Any, parameters: Mapping[str, Any], source: Source) -> tuple[str, ...]:
    listed = read.names(freeze, "training.freeze", source, example='freeze = ["b1", "b2"]')
    for name in listed:
        if name not in parameters:
            raise source.error("training.freeze", f"{name!r} is not a parameter",
                               hint=closest(name, list(parameters)))
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
