"""What a claim may name: the network's names, the authors' aliases and LaTeX spellings of
them, the words for the learning rate, and the functions a claim may call."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Iterable, Mapping

from derive.claims.latex_scan import latex_key
from derive.errors import ClaimError
from derive.vocabulary import FUNCTIONS

if TYPE_CHECKING:
    from derive.spec.model import Network

#: how authors write the learning rate
LEARNING_RATE_NAMES = ("eta", "learning_rate", "learningRate", "lr", "alpha", "learningrate")
ETA = "eta"

#: functions a claim may call: the spec's, the step function of ReLU derivatives, and the
#: derivatives written with a prime (``sigmoid'(z)``, ``σ'(z)``, ``\sigma'(z)``)
PRIMED = ("sigmoid", "tanh", "relu", "softplus")
CLAIM_FUNCTIONS = (*FUNCTIONS, "Heaviside", "step", *(f"{f}_prime" for f in PRIMED))


def claim_function(name: str):
    """The SymPy function a claim calls as ``name``."""
    import sympy
    from derive.functions import function
    if name == "Heaviside":
        return sympy.Heaviside
    if name == "step":
        return lambda x: sympy.Heaviside(x, 0)
    if name.endswith("_prime"):
        f = function(name[:-len("_prime")])
        return lambda x: _derivative_of(f, x)
    return function(name)


def _derivative_of(f, x):
    """f'(x) for a registered function of one argument."""
    import sympy
    u = sympy.Symbol("_u", real=True)
    return sympy.diff(f(u), u).xreplace({u: x})


class Names:
    """The names a claim may use: the network's, its aliases and LaTeX spellings."""

    def __init__(self, network: "Network", aliases: Mapping[str, str] | None = None):
        self.network = network
        self.nodes = list(network.equations)
        self.leaves = [*network.inputs, *network.targets, *network.parameters]
        self.known = set(self.nodes) | set(self.leaves)
        self.aliases = dict(aliases or {})
        for alias, name in self.aliases.items():
            if not isinstance(alias, str) or not isinstance(name, str) or not alias.strip():
                raise ClaimError(f"alias {alias!r} = {name!r}: an alias maps an author's "
                                 f"spelling (a non-empty text) to a network name",
                                 key=f"aliases.{alias}", hint='e.g. "out(h1)" = "H1"')
            if name not in self.known:
                raise ClaimError(f"alias {alias!r} names {name!r}, which is not in the network",
                                 key=f"aliases.{alias}", hint=_closest_hint(name, self.known))
            if alias in self.known and alias != name:
                raise ClaimError(f"alias {alias!r} = {name!r}: {alias!r} is already a name of "
                                 f"the network", key=f"aliases.{alias}",
                                 hint="an alias is an author's spelling of a name, not another "
                                      "name")
        self.latex = self._latex_table()
        #: name → the first author spelling given for it
        self.alias_of = {}
        for alias, name in self.aliases.items():
            self.alias_of.setdefault(name, alias)

    def _latex_table(self) -> dict[tuple, str]:
        table: dict[tuple, str] = {}
        for name in self.known:
            m = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
            if m:
                table[(m.group(1), "", m.group(2))] = name
            m = re.fullmatch(r"([A-Za-z]+)(\d+)_(\d+)", name)
            if m:
                table[(m.group(1), m.group(2), m.group(3))] = name
            table[(name, "", "")] = name
        for name, spelling in self.network.latex.items():
            key = latex_key(spelling)
            if key is not None:
                table[key] = name
        return table

    def spelling(self, name: str, latex: bool) -> str:
        """How to show ``name``: the author's LaTeX spelling in a LaTeX claim."""
        if name == ETA and name not in self.known:
            return r"\eta" if latex else name
        if latex:
            return self.network.latex.get(name) or _default_latex(name)
        return name

    def delta_of(self, name: str) -> str | None:
        """The node whose δ (∂cost/∂node) ``delta_o1`` / ``deltao1`` / ``delta_`` + name names."""
        m = re.fullmatch(r"delta_?(\w+)", name)
        if m and name not in self.known and m.group(1).lstrip("_") in self.nodes:
            return m.group(1).lstrip("_")
        return None

    def resolve(self, name: str) -> str | None:
        """The network name written as ``name`` (learning rate words become ``eta``)."""
        if name in self.known:
            return name
        if name in LEARNING_RATE_NAMES:
            return ETA
        return None

    def closest(self, name: str) -> list[str]:
        """Up to three known names most like ``name`` (same first letter first)."""
        pool = sorted(self.known) + sorted(self.aliases)
        close = difflib.get_close_matches(name, pool, n=8, cutoff=0.4)
        score = lambda c: (difflib.SequenceMatcher(None, name, c).ratio()  # noqa: E731
                           + 0.2 * (c[:1] == name[:1]))
        return sorted(close, key=lambda c: -score(c))[:3]


def _default_latex(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z])(\d+)_(\d+)", name)
    if m:
        return f"{m.group(1)}^{{{m.group(2)}}}_{{{m.group(3)}}}"
    m = re.fullmatch(r"([A-Za-z])_?(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


def _closest_hint(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.4)
    return ("closest known: " + ", ".join(close)) if close else None
