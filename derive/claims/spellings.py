r"""The author's spellings mapped to the spec's names, and code read as claims.

*Spellings* such as ``H(h1)``, ``out(o1)``, ``net(o1)``, ``E(total)`` (or ``out_o1``) become
aliases where the spec's equations leave one reading: ``H(h1)`` is the node named H plus h1's
index whose equation uses h1 (``H1 = sigmoid(h1)``); ``out(n)`` (``output``, ``a``, ``act``)
the node whose equation is an activation of n; ``net(n)`` (``in``, ``input``, ``z``) n itself
when n is a weighted sum, its argument when n is an activation; ``E(total)`` the cost when E
(or error, loss, cost) names it. A spelling with no single reading is not guessed; the
claims using it are skipped, naming the candidates (give ``[aliases]`` for it). ``\ell`` is
the cost when the cost is named L, l or ell.

*Code* (:class:`Code`): the post's variables, read in document order. A list of numbers
(``X = np.array([0.5, 0.3, 0.2])``) names the spec's family of leaves with those values in
that order (x1, x2, x3), a number (``bias = 0.1``) the one leaf with that value whose name
starts the variable's; ``d`` + a name (``dA``, ``dW``) is the derivative of the cost by it, so
``dA = A - y`` claims ∂L/∂A = A − y, and ``dW = dA * X`` claims ∂L/∂w_i = (A − y)·x_i for each
i (a later line uses dA's value, as the code does). When a gradient is another gradient
times the inputs of the node its parameters feed (``dW = dA * X``, X = ∂Z/∂w), the code uses
that factor as the node's gradient, and so claims it: ∂L/∂Z = A − y. ``weights -= lr * dW``
is the update of each parameter; ``np.dot(X, weights)`` the sum of products; ``np.exp`` exp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from derive.claims.names import CLAIM_FUNCTIONS, LEARNING_RATE_NAMES
from derive.spec import expr as ex

if TYPE_CHECKING:
    from derive.spec.model import Network

OUT_WORDS = ("out", "output", "a", "act", "activation")
NET_WORDS = ("net", "in", "input", "z", "netinput")
COST_WORDS = ("e", "error", "loss", "cost", "c", "l", "j")
TOTAL_WORDS = ("total", "tot", "sum")
#: Most spellings inferred (and most left open) per document: every claim is matched against
#: each alias, so a document of a hundred thousand made-up spellings must not make them all.
MAX_SPELLINGS = 1_000

_CALL = re.compile(r"(?<![\w.\\])([A-Za-z][A-Za-z0-9]*)(?:\s*\(\s*|_)([A-Za-z][A-Za-z0-9]*)(\s*\))?")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_VECTOR = re.compile(r"\s*(?:np\.array|numpy\.array|torch\.tensor|np\.asarray)?\s*\(?\s*\[\s*("
                     + _NUMBER + r"(?:\s*,\s*" + _NUMBER + r"){0,999})\s*,?\s*\]\s*\)?\s*")
_LEFT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*([-+*/]?=)(?!=)")
_CODE_FUNCS = re.compile(r"(?<![\w.])(?:np|numpy|math|torch)\.(exp|log|sqrt|tanh|abs)(?=\s*\()")
_DOT = re.compile(r"(?<![\w.])(?:np|numpy|torch)\.(?:dot|matmul|inner)\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)"
                  r"|(?<![\w.])([A-Za-z_]\w*)\s*@\s*([A-Za-z_]\w*)")
_WORD = re.compile(r"(?<![\w.'])[A-Za-z_][A-Za-z0-9_]*(?![\w(])")


def _index(name: str) -> str:
    m = re.search(r"\d+$", name)
    return m.group() if m else ""


def activation_of(network: "Network", node: str) -> str | None:
    """The argument ``u`` when ``node = f(u)`` for one function f of the spec, else None."""
    eq = network.equations.get(node)
    tree = getattr(eq, "tree", None)
    if isinstance(tree, ex.Call) and len(tree.args) == 1 and isinstance(tree.args[0], ex.Name):
        return tree.args[0].id
    return None


def uses(network: "Network", node: str) -> set[str]:
    """The names a node's equation uses."""
    tree = getattr(network.equations.get(node), "tree", None)
    return {n.id for n in ex.postorder(tree) if isinstance(n, ex.Name)} if tree else set()


class Spellings:
    """Author spellings of one network found in a document: inferred aliases, the ones left
    open (spelling → its candidates), and the user's, which win."""

    def __init__(self, network: "Network", aliases: Mapping[str, str] | None = None):
        self.network = network
        self.known = {*network.equations, *network.inputs, *network.targets, *network.parameters}
        self.user = dict(aliases or {})
        self.inferred: dict[str, str] = {}
        self.open: dict[str, list[str]] = {}

    @property
    def aliases(self) -> dict[str, str]:
        return {**self.inferred, **self.user}

    def infer(self, texts: Iterable[str]) -> None:
        """Find the call and underscore spellings (``H(h1)``, ``E_total``) of ``texts``."""
        for text in texts:
            if len(self.inferred) >= MAX_SPELLINGS:
                return
            for m in _CALL.finditer(text):
                f, arg, closed = m.group(1), m.group(2), m.group(3)
                called = "(" in m.group()
                if called and not closed:
                    continue
                spelling = f"{f}({arg})" if called else f"{f}_{arg}"
                if (spelling in self.user or spelling in self.inferred or spelling in self.known
                        or f in CLAIM_FUNCTIONS or spelling in self.open):
                    continue
                found = self.readings(f, arg)
                if len(found) == 1:
                    self.inferred[spelling] = found[0]
                elif len(self.open) < MAX_SPELLINGS and (
                        found or (called and (arg in self.known or arg.lower() in TOTAL_WORDS))):
                    self.open[spelling] = found

    def readings(self, f: str, arg: str) -> list[str]:
        """The spec names ``f(arg)`` can mean (one: it is inferred)."""
        net, low = self.network, f.lower()
        if arg.lower() in TOTAL_WORDS:
            return [net.cost] if f == net.cost or low in COST_WORDS else []
        if arg not in self.known:
            return []
        if low in OUT_WORDS:
            return sorted(m for m in net.equations if activation_of(net, m) == arg)
        if low in NET_WORDS:
            inner = activation_of(net, arg)
            return [inner] if inner else ([arg] if arg in net.equations else [])
        name = f + _index(arg)
        if _index(arg) and name in net.equations and arg in uses(net, name):
            return [name]
        return []

    def normal(self, text: str) -> str:
        r"""``text`` with the spaced spellings closed up (``out (o1)`` → ``out(o1)``) and
        ``\ell`` as the cost where the cost is named L, l or ell."""
        def close(m: re.Match) -> str:
            joined = f"{m.group(1)}({m.group(2)})"
            return joined if joined in self.aliases or joined in self.open else m.group()
        text = re.sub(r"(?<![\w.])([A-Za-z][A-Za-z0-9]*)\s+\(\s*([A-Za-z][A-Za-z0-9]*)\s*\)", close, text)
        if "\\ell" in text and self.network.cost in ("L", "l", "ell"):
            text = re.sub(r"\\ell(?![A-Za-z])", " " + self.network.cost + " ", text)
        return text

    def open_note(self, text: str) -> str:
        """Why a claim using a spelling with no single reading was not read, or ''."""
        for spelling, found in self.open.items():
            if spelling in text:
                can = (" could be " + " or ".join(found)) if found else " names no node of the spec"
                return f"{spelling}{can}: give it in [aliases] (--aliases FILE or --alias)"
        return ""


@dataclass
class Code:
    """The variables of a post's code, read statement by statement in document order."""

    spellings: Spellings
    names: dict[str, str] = field(default_factory=dict)          # bias → b
    vectors: dict[str, list[str]] = field(default_factory=dict)  # X → [x1, x2, x3]
    values: dict[str, object] = field(default_factory=dict)      # dA → "A - y" | [per element]
    gradients: dict[str, str] = field(default_factory=dict)      # dA → A (whose gradient)
    used_as: set[str] = field(default_factory=set)

    @property
    def net(self) -> "Network":
        return self.spellings.network

    def read(self, text: str) -> tuple[list[tuple[str, str]], str]:
        """The claims a statement makes: ([(claim text, note)], why it makes none or '')."""
        text = _CODE_FUNCS.sub(lambda m: m.group(1), self.spellings.normal(text))
        text = _DOT.sub(self._dot, text)
        left = _LEFT.match(text)
        if not left or "\\" in text:
            return [(self._substitute(text), "")], ""
        var, op, rhs = left.group(1), left.group(2), text[left.end():].strip()
        known = self.spellings.known
        if var in known or var in LEARNING_RATE_NAMES or var in self.names:
            name = self.names.get(var, var)
            if op == "=":
                return [(f"{var} = {self._substitute(rhs)}", "")], ""
            return self._augmented([name], op, rhs)
        if var in self.vectors:
            return self._augmented(self.vectors[var], op, rhs)
        vector = _VECTOR.fullmatch(rhs)
        if vector and op == "=":
            return self._define_vector(var, [float(v) for v in vector.group(1).split(",")])
        if re.fullmatch(_NUMBER, rhs) and op == "=":
            return self._define_scalar(var, float(rhs))
        subject = self._gradient_subject(var)
        if subject is not None and op == "=":
            return self._gradient(var, subject, rhs)
        return [(self._substitute(text), "")], ""

    # ---- definitions
    def _define_vector(self, var: str, values: list[float]):
        families = [f for f in _families(self.net) if [self._value(n) for n in f] == values]
        if len(families) > 1:
            families = [f for f in families if var.lower().startswith(re.sub(r"\d+$", "", f[0]).lower()[:1])]
        if len(families) != 1:
            return [], (f"{var} holds {len(values)} numbers that are the values of "
                        f"{'no family' if not families else 'several families'} of the spec's "
                        f"inputs, targets or parameters")
        self.vectors[var] = families[0]
        return [], ""

    def _define_scalar(self, var: str, value: float):
        leaves = [n for n in (*self.net.inputs, *self.net.targets, *self.net.parameters)
                  if self._value(n) == value and var.lower().startswith(re.sub(r"\d+$", "", n).lower())]
        if len(leaves) != 1:
            return [(f"{var} = {value!r}", "")], ""  # the reader names the unknown symbol
        self.names[var] = leaves[0]
        return [], ""

    def _value(self, name: str) -> float | None:
        net = self.net
        return {**net.inputs, **net.targets, **net.parameters}.get(name)

    # ---- gradients
    def _gradient_subject(self, var: str) -> str | list[str] | None:
        """Whose gradient ``dV``/``d_V`` names: a spec name, a code vector, or a family of
        parameters by its letter (``dW``: w1, w2, w3; ``dB``: b)."""
        m = re.fullmatch(r"d_?([A-Za-z]\w*)", var)
        if not m:
            return None
        v = m.group(1)
        if v in self.spellings.known:
            return v
        if v in self.names:
            return self.names[v]
        if v in self.vectors:
            return self.vectors[v]
        family = [n for n in self.net.parameters if re.sub(r"\d+$", "", n).lower() == v.lower()]
        return (family[0] if len(family) == 1 else sorted(family, key=_number)) if family else None

    def _gradient(self, var: str, subject, rhs: str):
        cost = self.net.cost
        self.gradients[var] = subject if isinstance(subject, str) else ""
        if isinstance(subject, str):
            value = self._substitute(rhs)
            self.values[var] = value
            claims = [(f"d{cost}/d{subject} = {value}", f"{var} is d{cost}/d{subject}")]
        else:
            per = [self._substitute(rhs, i) for i in range(len(subject))]
            self.values[var] = per
            claims = [(f"d{cost}/d{p} = {v}", f"{var} is d{cost}/d{p} for each {p}")
                      for p, v in zip(subject, per)]
        return claims + self._used_as(subject, rhs), ""

    def _used_as(self, subject, rhs: str) -> list[tuple[str, str]]:
        """``dW = dA * X``: the code uses dA as the gradient of the node the parameters feed."""
        params = [subject] if isinstance(subject, str) else subject
        fed = [n for n in self.net.equations if set(params) <= uses(self.net, n)]
        factors = [f.strip() for f in rhs.split("*")]
        out = []
        for f in factors:
            node = self.gradients.get(f)
            if (len(fed) == 1 and node and node != fed[0] and f not in self.used_as
                    and isinstance(self.values.get(f), str)):
                self.used_as.add(f)
                cost = self.net.cost
                out.append((f"d{cost}/d{fed[0]} = {self.values[f]}",
                            f"{f} as the code uses it: the gradient at {fed[0]}"))
        return out

    def _augmented(self, targets: list[str], op: str, rhs: str):
        if op == "=" or op[0] not in "+-" or not all(t in self.net.parameters for t in targets):
            return [], f"an assignment {op} to {', '.join(targets)}, not an update of parameters"
        out = []
        for i, t in enumerate(targets):
            value = self._substitute(rhs, i if len(targets) > 1 else None)
            out.append((f"{t}+ = {t} {op[0]} ({value})", f"the update of {t}"))
        return out, ""

    # ---- substitution
    def _dot(self, m: re.Match) -> str:
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        u, v = self.vectors.get(a), self.vectors.get(b)
        if not u or not v or len(u) != len(v):
            return m.group()
        return "(" + " + ".join(f"{p}*{q}" for p, q in zip(u, v)) + ")"

    def _substitute(self, text: str, i: int | None = None) -> str:
        """Code variables replaced: names by the spec's, values by themselves in brackets,
        vectors by their ``i``-th element."""
        def one(m: re.Match) -> str:
            word = m.group()
            if word in self.names:
                return self.names[word]
            if word in self.vectors and i is not None and i < len(self.vectors[word]):
                return self.vectors[word][i]
            value = self.values.get(word)
            if isinstance(value, list) and i is not None and i < len(value):
                return f"({value[i]})"
            if isinstance(value, str):
                return f"({value})"
            return word
        return _WORD.sub(one, text)


def _number(name: str) -> int:
    return int(_index(name) or 0)


def _families(network: "Network") -> list[list[str]]:
    """Leaves named a letter run plus 1, 2, … n (x1, x2, x3), as families in index order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for kind, leaves in (("i", network.inputs), ("t", network.targets), ("p", network.parameters)):
        for n in leaves:
            m = re.fullmatch(r"([A-Za-z]+)(\d+)", n)
            if m:
                groups.setdefault((kind, m.group(1)), []).append(n)
    return [sorted(g, key=_number) for g in groups.values()
            if sorted(map(_number, g)) == list(range(1, len(g) + 1))]
