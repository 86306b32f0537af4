"""The write-up of a network at the level asked for: :func:`writeup`, ``from derive import
writeup``.

Three levels (:data:`LEVELS`):

- ``scalar``: the unrolled network, a chain per parameter (:mod:`derive.writeups.build`);
- ``general``: the general equations of a layered network (:mod:`derive.writeups.general`);
- ``both``: the network, the general equations, then the worked numbers: the scalar
  level's for a network of at most ``BIG_WRITEUP_ABOVE`` parameters, else the per-layer ones
  of :mod:`derive.writeups.big`.

By default a free-form network is written up at the scalar level, a layered one at the
scalar level when it is small and as ``both`` (per layer) when it is big; the command line
(``chainrule derive --level``) defaults to ``both`` for every layered spec.
"""

from __future__ import annotations

import difflib
from typing import Sequence

from derive.errors import ChainruleError
from derive.spec.model import Network
from derive.writeups.big import BigBuilder, big_json, default_sample, is_big
from derive.writeups.build import writeup as scalar_writeup
from derive.writeups.diagram import Diagram
from derive.writeups.document import Document
from derive.writeups.parts import Section
from derive.writeups.limits import LEVELS
from derive.writeups.printing import DIGITS


class _Joined:
    """The sections of two builders: the first one's network section, the general level,
    then the rest of the first one's."""

    def __init__(self, worked: Document, general: list[Section]):
        self.worked, self.general = worked, general

    def sections(self) -> list[Section]:
        first, *rest = self.worked.sections
        return [first, *self.general, *rest]

    def diagram(self) -> Diagram:
        return self.worked.diagram


class _GeneralOnly:
    """The sections of the general level alone (its diagram is the per-layer one)."""

    def __init__(self, general: list[Section], diagram):
        self.general, self._diagram = general, diagram

    def sections(self) -> list[Section]:
        return self.general

    def diagram(self) -> Diagram:
        return self._diagram()


def has_example(spec: Network) -> bool:
    """Whether the spec gives a worked example: a value for every input and target (a spec
    meant for training from data gives none, and its write-up is the general level alone)."""
    return all(value is not None for table in (spec.inputs, spec.targets)
               for value in table.values())


def writeup(spec: Network, *, level: str | None = None, learning_rate: float | None = None,
            digits: int = DIGITS, claims: Sequence[str] = (),
            aliases: dict[str, str] | None = None,
            parameters: Sequence[str] | None = None) -> Document:
    """The write-up of a network at ``level``.

    Args:
        spec: a :class:`~derive.spec.model.Network` (with values for every leaf, but at
            the general level alone).
        level: ``"scalar"``, ``"general"`` or ``"both"`` (:data:`LEVELS`); None: ``"both"``
            for a layered network above ``BIG_WRITEUP_ABOVE`` parameters (``"general"`` when
            it gives no worked example), else ``"scalar"``.
        learning_rate: η of the update step; the spec's when omitted.
        digits: significant digits of printed numbers.
        claims: claim texts to check and append (the scalar level's checker).
        aliases: author spellings → network names, for the claims.
        parameters: the parameters whose chains are written up (default: all at the scalar
            level; the first weight and bias of each layer in a per-layer write-up).

    Raises:
        ChainruleError: an unknown level, the general level of a free-form network, or an
            unknown parameter name.
    """
    if level is None:
        level = "scalar" if not is_big(spec) else "both" if has_example(spec) else "general"
    if level not in LEVELS:
        raise ChainruleError(f"unknown level {level!r}", hint="expected both, general or scalar")
    if level == "scalar" or (level == "both" and spec.layers is None):
        return scalar_writeup(spec, learning_rate=learning_rate, digits=digits, claims=claims,
                              aliases=aliases, parameters=parameters)
    if spec.layers is None:
        raise ChainruleError(f"{spec.name!r} is a free-form network: the general level needs a "
                             "layered one", hint="use --level scalar, or give [layers]")
    from derive.layer import derive_layers
    from derive.writeups.general import general_json, general_sections
    derivation = derive_layers(spec)
    general = general_sections(derivation)
    data = {"general": general_json(derivation)}
    title = spec.title or spec.name
    if level == "general":
        def builder():
            sample = BigBuilder(derivation, None, digits, [], general)
            return _GeneralOnly([Section(["The network"], list(sample.overview())), *general],
                                sample.diagram)
        return Document(title, None, builder, data=lambda: data)
    if not is_big(spec):
        scalar = scalar_writeup(spec, learning_rate=learning_rate, digits=digits,
                                claims=claims, aliases=aliases, parameters=parameters)
        return Document(title, scalar.values, lambda: _Joined(scalar, general),
                        claims=scalar.appendix if claims else None, data=lambda: data)
    return _big(spec, derivation, general, data, learning_rate, digits, claims, aliases,
                parameters)


def _big(spec, derivation, general, data, learning_rate, digits, claims, aliases,
         parameters) -> Document:
    """The per-layer write-up of a big layered network."""
    from derive.writeups.layer_values import compute_layers
    spec.require_values()
    for name in parameters or ():
        if name not in spec.parameters:
            close = difflib.get_close_matches(name, list(spec.parameters)[:5000], n=3,
                                              cutoff=0.3)
            raise ChainruleError(f"unknown parameter {name!r}",
                                 hint=("closest: " + ", ".join(close)) if close else None)
    if claims:
        raise ChainruleError("--claims are checked at the scalar level, which does not take "
                             f"{len(spec.parameters):,} parameters",
                             hint="check the claims of a smaller network of the same layers")
    sample = list(parameters) if parameters else default_sample(derivation)
    values = compute_layers(derivation, learning_rate)
    data = {**big_json(derivation, values, sample), **data}
    return Document(spec.title or spec.name, None,
                    lambda: BigBuilder(derivation, values, digits, sample, general),
                    data=lambda: data)
