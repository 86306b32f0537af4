"""Hostile general claims (free layer and neuron indices): deep nesting, sums inside sums,
huge layers and indices, unknown letters, layers beyond the network, a general claim about a
free-form network. Each is a "cannot read" verdict with one line saying where and what was
expected, within a time limit (the judge evaluates every layer, index and sample, so a claim
that multiplies that work must be refused, not run)."""

from __future__ import annotations

import signal

from tests.hostile.corpus import ApiCase

#: seconds a hostile general claim may take to be refused
TIME_LIMIT = 60


class _Late(BaseException):
    """Raised by the alarm (a BaseException: no handler of the judge swallows it)."""


def _network(name: str):
    from derive.spec.examples import load_example
    from derive.spec.model import Network
    if name == "nielsen":
        return Network.layered([2, 3, 3, 2], "sigmoid", inputs=[0.3, -0.6], targets=[0.2, 0.7])
    return load_example(name)


def general_case(id_: str, claim: str, words=(), network: str = "nielsen") -> ApiCase:
    """``check(network, [claim])`` must give "cannot read" (raised here as its ClaimError)."""
    def call(folder):
        from derive.claims.check import check
        from derive.claims.claim import UNREADABLE
        from derive.errors import ClaimError

        def late(signum, frame):
            raise _Late(f"{claim[:60]!r} ran past {TIME_LIMIT} s")
        previous = signal.signal(signal.SIGALRM, late)
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
        try:
            [verdict] = check(_network(network), [claim])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if verdict.verdict != UNREADABLE:
            raise AssertionError(f"{claim[:60]!r}: {verdict.verdict}, not cannot read")
        raise ClaimError(verdict.detail)
    return ApiCase(f"general-{id_}", call, words=tuple(words), error="ClaimError")


_DEEP = "(" * 40 + "delta^{l+1}" + ")" * 40
_SUMS = "delta^l_k = " + " ".join(f"sum_{c}" for c in "pqrsuvmjg") + " w^{l+1}_{jk}"
_LETTERS = "pqrsuvmgh"
_WIDE = ("delta^l_k = " + " ".join(f"sum_{c}" for c in _LETTERS) + " "
         + " ".join(f"delta^l_{c}" for c in _LETTERS) + " delta^l_k")

CASES = [
    general_case("deep-parentheses", f"delta^l = {_DEEP}", ("nests deeper than 32", "column")),
    general_case("deep-latex-groups", r"\delta^l = " + "{" * 40 + r"\delta^l" + "}" * 40,
                 ("nests deeper than 32",)),
    general_case("deep-fractions", r"\delta^l = " + r"\frac{1}{" * 40 + "2" + "}" * 40,
                 ("nests deeper than 32",)),
    general_case("sums-inside-sums", _SUMS, ("names nothing indexed",)),
    general_case("sums-multiplying-work", _WIDE, ("more than", "steps")),
    general_case("huge-layer", "dC/dw^{1000000000}_{jk} = a^{l-1}_k delta^l_j",
                 ("layer superscript '1000000000'", "at most 6 digits", "column 8")),
    general_case("power-tower-layer", "delta^l = w^{l+10**9}",
                 ("layer superscript 'l+10**9'", "column 14")),
    general_case("layer-beyond-the-network", "delta^{l+7} = (w^{l+8})^T delta^{l+8}",
                 ("names a layer the network has not", "1 … 4")),
    general_case("numbered-layer-beyond", r"\delta^{9} = \delta^L",
                 ("names a layer the network has not",)),
    general_case("huge-index", "dC/dw^l_{999999,1} = a^{l-1}_1 delta^l_{999999}",
                 ("the left side has no value", "does not exist")),
    general_case("index-too-long", "dC/dw^l_{1234567,1} = delta^l_1",
                 ("cannot read the index '1234567'",)),
    general_case("unknown-letter", "dC/dq^l_{jk} = a^{l-1}_k delta^l_j",
                 ("unknown symbol 'q' at column 5", "spec's letters")),
    general_case("unknown-command", r"\delta^l = \foo^{l} \delta^{l+1}",
                 ("unknown symbol", "column 12")),
    general_case("two-layer-letters", "delta^l = (w^{i+1})^T delta^{l+1}",
                 ("two layer variables",)),
    general_case("free-index-on-the-right", "delta^l_k = w^{l+1}_{jk}",
                 ("index j is free on the right side",)),
    general_case("unclosed-group", r"\delta^L = \nabla_a C \odot \sigma'(z^{L",
                 ("unclosed '{'",)),
    general_case("lone-equals", "delta^l =", ("a side is empty",)),
    general_case("free-form-network", r"\partial\ell / \partial w^i = (\partial\ell / \partial z^i) y^{i-1}",
                 ("needs a layered network", "free-form"), network="seed004_afteracademy"),
]
