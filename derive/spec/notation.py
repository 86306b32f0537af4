"""How an author names the symbols of a layered network (:class:`Notation`), and the named
presets (:data:`NOTATIONS`): Nielsen's book, and seed 000's post."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.spec import limits
from derive.spec import typed as read
from derive.spec.source import Source


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
            if not re.fullmatch(rf"[A-Za-z]{{1,{limits.MAX_LETTERS}}}", letters):
                raise source.error(f"notation.{key}",
                                   f"a letter must be 1 to {limits.MAX_LETTERS} ASCII letters",
                                   hint=f"got {read.kind(letters)}")
            if letters in owner:  # names are the letter and digits: one letter, one kind
                both = (owner[letters], key)   # point at the one the spec sets
                given = next((k for k in both if f"notation.{k}" in source.lines), key)
                other = both[0] if given == both[1] else both[1]
                raise source.error(f"notation.{given}", f"the letter {letters!r} is also the "
                                   f"{other} letter", hint="give each kind its own letter")
            owner[letters] = key
        read.whole(self.first_layer, "notation.first_layer", source, 0, limits.MAX_FIRST_LAYER)


#: Named notations: Nielsen's book, and seed 000's (w^1_{21}, a^2_3, Z^3_1, b_1).
NOTATIONS = {
    "nielsen": Notation(),
    "seed000": Notation(preactivation="Z", weight_layer="source", bias_layer="source"),
}
