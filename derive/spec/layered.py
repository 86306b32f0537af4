"""The layered builder: sizes, activations, bias modes, a loss and a :class:`Notation` → the
scalar equations, LaTeX spellings and starting values of the network, named as the author
names them (:class:`LayerPlan`), and the record of what the layered spec said
(:class:`Layers`). The checks both spec forms share run on the result in
:mod:`derive.spec.reader`."""

from __future__ import annotations

import math
import numbers
import random
from dataclasses import dataclass
from typing import Any, Sequence

from derive.errors import SpecError
from derive.spec import limits
from derive.spec import typed as read
from derive.spec.notation import NOTATIONS, Notation
from derive.spec.source import Source
from derive.vocabulary import ACTIVATIONS, BIAS_MODES, LOSSES


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


def _sizes(sizes: Any, source: Source) -> list[int]:
    """The checked ``sizes`` of a layered spec: 2 to MAX_LAYERS + 1 positive whole numbers."""
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                       for s in sizes)):
        raise read.wrong(sizes, "layers.sizes", "a list of at least two positive whole numbers "
                         "(sizes must list the neurons of each layer)", source,
                         hint="expected e.g. sizes = [2, 3, 1]")
    if len(sizes) - 1 > limits.MAX_LAYERS:
        raise source.error("layers.sizes", f"{len(sizes) - 1:,} layers after the input layer "
                                           f"are more than the limit of {limits.MAX_LAYERS}")
    return [int(s) for s in sizes]


def _check_layered_size(sizes: list[int], modes: list[str], source: Source) -> None:
    """A :class:`SpecError` when the layers hold more than MAX_LAYERED_PARAMETERS parameters
    (counted from the sizes, before anything is unrolled)."""
    biases = {"per-neuron": lambda n: n, "shared": lambda n: 1, "none": lambda n: 0}
    count = sum(a * b + biases[mode](b) for a, b, mode in zip(sizes, sizes[1:], modes))
    if count > limits.MAX_LAYERED_PARAMETERS:
        raise source.error("layers.sizes", f"{count:,} parameters are more than a layered "
                                           f"spec's limit of {limits.MAX_LAYERED_PARAMETERS:,}",
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
class LayerPlan:
    """The checked shape of a layered network, and the names its notation gives."""

    sizes: list[int]
    activations: list[str]
    biases: list[str]
    loss: str
    notation: Notation
    source: Source

    @classmethod
    def make(cls, sizes, activations, bias, loss, notation, source: Source) -> "LayerPlan":
        """The plan of :meth:`~derive.spec.model.Network.layered`'s arguments of the same names,
        checked."""
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

    @property
    def default_name(self) -> str:
        """The network's name when the spec gives none: ``mlp-`` and the sizes."""
        return "mlp-" + "-".join(str(s) for s in self.sizes)

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
    def _input_names(self) -> list[str]:
        return self._leaf_names(self.notation.input, self.sizes[0])[0]

    @property
    def _target_names(self) -> list[str]:
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

    def leaves(self, inputs, targets, weights, biases, init_seed) -> dict[str, dict]:
        """The leaf tables (inputs, targets, parameters) of the network, from the values given
        (see :meth:`~derive.spec.model.Network.layered`), checked."""
        init_seed = read.whole(init_seed, "values.init_seed", self.source, 0,
                               limits.MAX_INIT_SEED, expected="a whole number from 0 to 2**63 - 1")
        return {"inputs": self._leaf_values(self._input_names, inputs, "values.inputs"),
                "targets": self._leaf_values(self._target_names, targets, "values.targets"),
                "parameters": self._parameter_values(weights, biases, init_seed)}

    def _leaf_values(self, names: list[str], values, key: str) -> dict[str, float | None]:
        if values is None:
            return {n: None for n in names}
        given = self._shaped(values, (len(names),), key, "")
        return dict(zip(names, given))

    def _parameter_values(self, weights, biases, init_seed: int) -> dict[str, float]:
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
