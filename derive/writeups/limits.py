"""The write-up levels and the size above which a layered network is written up per layer
(light: the command line reads them for ``--help`` without importing SymPy)."""

from derive.spec.limits import UNROLL_ABOVE

#: ``chainrule derive --level`` and ``writeup(level=...)``: the general equations and the
#: worked example (``both``), the general equations alone, or the worked example alone.
LEVELS = ("both", "general", "scalar")

#: A layered network with more parameters than this gets the per-layer write-up
#: (derive/writeups/big.py): the spec's bound for not unrolling a network.
BIG_WRITEUP_ABOVE = UNROLL_ABOVE
