"""Layer write-up cases: the general level of a free-form spec, an unknown level, a
parameter a per-layer write-up does not have, claims on a network the scalar level cannot
take, and a hostile title in a layered spec's general level (escaped, so it compiles)."""

from __future__ import annotations

from tests.hostile.cases_writeup import FREE_FORM
from tests.hostile.corpus import Case

_FREE = FREE_FORM

_BIG = ("[layers]\nsizes = [30, 10, 3]\nactivations = [\"tanh\", \"softmax\"]\n"
        "loss = \"categorical_cross_entropy\"\n[values]\ninit_seed = 1\n"
        f"inputs = {[0.25] * 30}\ntargets = [0.0, 1.0, 0.0]\n")

CASES = [
    Case("layerwriteup-general-of-free-form", ["derive", "{dir}/f.toml", "--level", "general"],
         files={"f.toml": _FREE}, words=("free-form network", "general level needs a layered")),
    Case("layerwriteup-unknown-level", ["derive", "{dir}/f.toml", "--level", "tensor"],
         files={"f.toml": _FREE}, words=("--level", "invalid choice")),
    Case("layerwriteup-big-unknown-param", ["derive", "{dir}/b.toml", "--params", "w7_1_1"],
         files={"b.toml": _BIG}, words=("unknown parameter 'w7_1_1'",)),
    Case("layerwriteup-big-claims", ["derive", "{dir}/b.toml", "--claims", "{dir}/c.txt"],
         files={"b.toml": _BIG, "c.txt": "dC/dw2_1_1 = 0\n"},
         words=("claims are checked at the scalar level",)),
]
