"""The network model: :class:`Network`, what a validated spec is (no SymPy here), its
constructors and its queries.

Two forms describe a network. *Free-form*: scalar equations ``node = "expression"`` with any
names and any weight sharing. *Layered*: sizes, activations, bias modes, a loss and a
:class:`~derive.spec.notation.Notation`; it is unrolled into the same scalar equations, named
as the author names them.

The constructors are classmethods of :class:`Network`; the work is done below it, by the
reader (:mod:`derive.spec.reader`: tables and equations read and checked) and the layered
builder (:mod:`derive.spec.layered`), which return plain values that the classmethods make a
network of. Every value is read through the typed accessors of :mod:`derive.spec.typed`, so a
value of the wrong type is one error naming its key and line, and the limits of
:mod:`derive.spec.limits` are checked before any work is done.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from derive.errors import SpecError
from derive.spec import typed as read
from derive.spec.layered import LayerPlan, Layers
from derive.spec.notation import Notation
from derive.spec.reader import (Equation, check_scalar_size, free_form_arguments,
                                free_form_fields, layered_arguments, network_fields, spec_tables,
                                topological_order)
from derive.spec.source import Source
from derive.spec.typed import closest


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
    #: how `chainrule train` runs the network unless told otherwise (``[training]`` keys, as
    #: Keras's ``compile``/``fit`` arguments); None: the command's own defaults
    optimizer: str | None = None
    batch_size: int | None = None
    epochs: int | None = None

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
        data = spec_tables(data, source)
        if "layers" in data:
            return cls.layered(**layered_arguments(data, source))
        return cls.from_equations(**free_form_arguments(data, source))

    @classmethod
    def from_equations(cls, *, equations: Mapping[str, str],
                       inputs: Mapping[str, float | None] | Sequence[str] | None,
                       parameters: Mapping[str, float | None] | Sequence[str] | None,
                       targets: Mapping[str, float | None] | Sequence[str] | None = None,
                       cost: str | None = None, name: str = "network", title: str = "",
                       learning_rate: float = 0.1, freeze: Sequence[str] = (),
                       latex: Mapping[str, str] | None = None,
                       source: Source | None = None, optimizer: str | None = None,
                       batch_size: int | None = None, epochs: int | None = None) -> "Network":
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
            optimizer, batch_size, epochs: how `chainrule train` runs the network unless its
                options say otherwise (one of ``OPTIMIZERS``; whole numbers from 1); None
                leaves the command's defaults.

        Raises:
            SpecError: for a value of the wrong type, an unknown function or name, a cycle, a
                bad cost, more names than the scalar level takes (``MAX_SCALAR_NAMES``), and
                so on.
        """
        source = source or Source()
        leaves = {"inputs": inputs, "targets": targets, "parameters": parameters}
        return cls(**free_form_fields(equations, leaves, cost=cost, name=name, title=title,
                                      learning_rate=learning_rate, freeze=freeze, latex=latex,
                                      source=source, optimizer=optimizer,
                                      batch_size=batch_size, epochs=epochs))

    @classmethod
    def layered(cls, sizes: Sequence[int], activations: str | Sequence[str] = "sigmoid", *,
                bias: str | Sequence[str] = "per-neuron", loss: str = "squared_error",
                notation: Notation | str = "nielsen", inputs: Sequence[float] | None = None,
                targets: Sequence[float] | None = None, weights: Sequence | None = None,
                biases: Sequence | None = None, init_seed: int = 0, name: str | None = None,
                title: str = "", learning_rate: float = 0.1, freeze: Sequence[str] = (),
                source: Source | None = None, optimizer: str | None = None,
                batch_size: int | None = None, epochs: int | None = None) -> "Network":
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
            optimizer, batch_size, epochs: as for :meth:`from_equations`.

        Raises:
            SpecError: for sizes, activations, losses or values that do not fit.
        """
        source = source or Source()
        plan = LayerPlan.make(sizes, activations, bias, loss, notation, source)
        leaves = plan.leaves(inputs, targets, weights, biases, init_seed)
        equations, latex, layers = plan.unroll()
        return cls(layers=layers, **network_fields(
            equations=equations, leaves=leaves, cost=plan.notation.cost,
            name=plan.default_name if name is None else name, title=title,
            learning_rate=learning_rate, freeze=freeze, latex=latex, source=source,
            optimizer=optimizer, batch_size=batch_size, epochs=epochs))

    # ---- queries --------------------------------------------------------------------------

    @property
    def nodes(self) -> list[str]:
        """Equation nodes in an order where every node comes after what it uses."""
        return topological_order(self.equations, self.source)

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
        check_scalar_size(count, self.source,
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
                                    hint=closest(leaf, list(current)))
                current[leaf] = read.number(value, f"{table}.{leaf}", self.source)
            changed[table] = current
        return replace(self, **changed)

    def latex_name(self, name: str) -> str | None:
        """The author's LaTeX spelling of ``name``, if the spec gives one."""
        return self.latex.get(name)
