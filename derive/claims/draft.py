"""A free-form spec drafted from a post: its equations, its worked numbers and its words.

The statements :func:`derive.claims.scan.scan` finds are read with the spec's own parser
(:func:`derive.spec.expr.parse`; nothing is evaluated): ``h1 = w1 * x1 + w4 * x2 + b1`` is a
node's equation; ``h1 = 0.25 * 0.1 + 0.15 * 0.2 + 0.45 = 0.505``, laid over it operand by
operand, gives each leaf its starting value; ``y1 = 0.05`` a leaf's value. Author spellings
become names: ``H(h1)`` and ``out(h1)`` name the activation of h1 (``H1``), ``net(o1)`` is
o1, ``E(total)`` the cost. What the post does not write down is guessed and marked
(``# guessed: …`` on its line): an activation node's function (the one the post names, else
sigmoid), a cost it only describes (half the squared error of each target against the
output of its index), a leaf's role (inputs, targets, weights and biases are found where the
post's words say so: ``x1 and x2 are the input``, ``the weight w5``), a value it never states.

The TOML is built from checked pieces only: names the spec reader accepts, finite numbers,
expressions printed back from their parsed trees, strings through :func:`toml_string`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from derive.claims.names import LEARNING_RATE_NAMES
from derive.claims.scan import format_of, scan
from derive.claims.draft_trees import no_cycle, printed
from derive.claims.spellings import COST_WORDS, NET_WORDS, OUT_WORDS, TOTAL_WORDS
from derive.errors import ClaimError
from derive.spec import expr as ex
from derive.spec import limits
from derive.vocabulary import FUNCTIONS

_IDENT = re.compile(r"[A-Za-z][A-Za-z_0-9]*\Z")
_SPELLING = re.compile(r"(?<![\w.])([A-Za-z][A-Za-z0-9]*)\s*\(\s*([A-Za-z][A-Za-z0-9]*)\s*\)")
_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_LIST = _NAME + r"(?:\s*,\s*(?:and\s+)?" + _NAME + r"|\s+and\s+" + _NAME + r")*"
_ROLES = {"input": "inputs", "target": "targets", "weight": "parameters", "bias": "parameters",
          "parameter": "parameters", "label": "targets", "output": "targets"}
_ROLE_WORD = (r"(?P<role>inputs?|targets?|weights?|bias(?:es)?|parameters?|labels?|"
              r"(?:desired|expected|correct|true|target)\s+outputs?)")
_NAMED_BY = re.compile(r"(?P<names>" + _LIST + r")\s+(?:is|are)\s+(?:the\s+)?(?:\w+\s+)?" + _ROLE_WORD,
                       re.IGNORECASE)
_NAMING = re.compile(r"\b(?:the\s+)?" + _ROLE_WORD + r"\s+(?:of\s+)?(?P<names>" + _LIST + r")")
_RATE = re.compile(r"learning[\s_-]+rate\s+(?:of\s+|is\s+|=\s*)?(\d+(?:\.\d+)?|\.\d+)", re.IGNORECASE)
_SQUARED = re.compile(r"squared\s+error|E\s*\(\s*total\s*\)", re.IGNORECASE)
_ARRAY_CODE = re.compile(r"\b(?:np|numpy|torch|tf)\.\w+|@")
_PRODUCT_CODE = re.compile(r"\b(?:np|numpy|torch|tf)\.(?:dot|matmul)\b|@")
_GRADIENT = re.compile(r"d_?([A-Za-z]\w*)\Z")
_GUESSED_VALUE = 0.1
_GUESSED_RATE = 0.1


@dataclass
class Draft:
    """A drafted spec: its parts, what was guessed (name → why), and its TOML text."""

    inputs: dict[str, float] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, float] = field(default_factory=dict)
    equations: dict[str, str] = field(default_factory=dict)
    cost: str = ""
    learning_rate: float = _GUESSED_RATE
    guessed: dict[str, str] = field(default_factory=dict)
    title: str = ""

    def toml(self) -> str:
        """The draft as TOML text that :meth:`Network.from_toml_text` reads."""
        out = ["# drafted by `chainrule spec --from`: check every line marked guessed",
               "name = " + toml_string("drafted"), "title = " + toml_string(self.title), ""]
        for table in ("inputs", "targets", "parameters"):
            out.append(f"[{table}]")
            out += [self._line(n, _number(v)) for n, v in getattr(self, table).items()]
            out.append("")
        out.append("[equations]")
        out += [self._line(n, toml_string(e)) for n, e in self.equations.items()]
        out += ["", "[training]", self._line("cost", toml_string(self.cost), "cost"),
                self._line("learning_rate", _number(self.learning_rate), "learning_rate"), ""]
        return "\n".join(out)

    def _line(self, name: str, value: str, key: str | None = None) -> str:
        why = self.guessed.get(key or name)
        return f"{_checked_name(name)} = {value}" + (f"  # guessed: {_comment(why)}" if why else "")


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _number(value: float) -> str:
    if not isinstance(value, float) or not math.isfinite(value):
        raise ClaimError(f"a drafted value is not a finite number: {value!r}")
    return repr(value)


def _comment(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _checked_name(name: str) -> str:
    if not usable(name) and name not in ("cost", "learning_rate"):
        raise ClaimError(f"a drafted name is not usable: {name[:80]!r}")
    return name


def usable(name: str) -> bool:
    """Whether the spec reader accepts ``name`` as the name of a leaf or a node."""
    return (bool(_IDENT.match(name)) and len(name) <= limits.MAX_NAME_LENGTH
            and name not in FUNCTIONS and not name.startswith("delta_"))


def draft_spec(text: str, format: str | None = None, file: str | None = None) -> Draft:
    """Draft a free-form spec from a post.

    Args:
        text: the post (Markdown, LaTeX, HTML or plain text).
        format: ``text``, ``markdown``, ``latex`` or ``html``; by default from ``file``.
        file: the post's name, for messages and the title.

    Returns:
        The draft; :meth:`Draft.toml` is its spec text.

    Raises:
        ClaimError: the post has no equation of names, or its equations form a cycle.
    """
    found = scan(text, format or format_of(file))
    prose = " ".join(p.text for p in found.prose)
    reader = _Reader()
    for st in found.statements:
        reader.read(st.text, st.line)
    reader.drop_gradients()
    if not reader.equations:
        code = f": line {reader.code[0]} ({reader.code[1][:80]}) is array code, which the drafter " \
            "does not read" if reader.code else ""
        raise ClaimError("found no equation of names (such as h1 = w1*x1 + b1) to draft a spec "
                         "from" + code, file=file,
                         hint="a post with its forward equations written out, one name each")
    words = prose + " " + " ".join(st.text for st in found.statements)
    reader.activations(words)
    no_cycle(reader.equations, reader.lines, file)
    draft = Draft(title="drafted from " + (file or "a post"))
    draft.equations = {n: printed(t) for n, t in reader.equations.items()}
    draft.guessed.update(reader.guessed)
    _leaves(draft, reader, prose)
    _cost(draft, reader, words)
    rate = _RATE.search(prose) or _RATE.search(words)
    stated = [v for n, v in reader.values.items() if n in LEARNING_RATE_NAMES]
    if rate or stated:
        draft.learning_rate = float(rate.group(1)) if rate else stated[0]
    else:
        draft.guessed["learning_rate"] = "the post states no learning rate"
    return draft


class _Reader:
    """The statements read in document order: equations, stated values, worked numbers."""

    def __init__(self):
        self.equations: dict[str, ex.Node] = {}
        self.lines: dict[str, int] = {}
        self.values: dict[str, float] = {}
        self.worked: list[tuple[str, ex.Node]] = []
        self.guessed: dict[str, str] = {}
        self.spelled: dict[str, tuple[str, str]] = {}  # H1 → ("H", "h1")
        self.code: tuple[int, str] | None = None        # the first line of array code read

    def name_of(self, f: str, arg: str) -> str | None:
        """The name a spelling ``f(arg)`` stands for (None: a cost's part, left alone)."""
        low = f.lower()
        if arg.lower() in TOTAL_WORDS:
            return f if low in COST_WORDS else None
        if low in NET_WORDS:
            return arg
        if low in COST_WORDS:
            return None
        index = re.search(r"\d+$", arg)
        name = f + index.group() if len(f) == 1 and index else (
            arg[0].upper() + arg[1:] if low in OUT_WORDS else f"{f}_{arg}")
        if name != arg:
            self.spelled.setdefault(name, (f, arg))
        return name

    def respell(self, text: str) -> str:
        def one(m: re.Match) -> str:
            f, arg = m.group(1), m.group(2)
            if f in FUNCTIONS:
                return m.group()
            name = self.name_of(f, arg)
            return f" {name} " if name else m.group()
        return _SPELLING.sub(one, text)

    def read(self, text: str, line: int) -> None:
        parts = _top_equal(self.respell(text))
        trees = []
        for part in parts:
            try:
                trees.append(ex.parse(part, FUNCTIONS))
            except ex.ExprError:
                self._array_code(text, line)
                return
        left, rest = trees[0], trees[1:]
        if not isinstance(left, ex.Name) or not usable(left.id) or not rest:
            return
        name = left.id
        for tree in rest:
            used = {n.id for n in ex.names(tree)}
            if used and name not in self.equations and name not in used and all(map(usable, used)):
                self.equations[name], self.lines[name] = tree, line
            elif not used:
                self.worked.append((name, tree))
                if isinstance(tree, ex.Num):
                    value = float(tree.text)
                    if math.isfinite(value):
                        self.values.setdefault(name, value)

    def _array_code(self, text: str, line: int) -> None:
        """Keep the line of array code a forward pass is most likely written in (``np.dot``
        first, else the first ``np.`` line) for the message of a post without equations."""
        if not _ARRAY_CODE.search(text):
            return
        if self.code is None or (_PRODUCT_CODE.search(text) and not _PRODUCT_CODE.search(self.code[1])):
            self.code = (line, " ".join(text.split()))

    def drop_gradients(self) -> None:
        """Gradient lines (``dA = A - y``, ``dW = dA * X``, ``d_o1 = …``) are no forward
        equations: a ``d`` name of a name of the post, or one computed from such lines."""
        named = set(self.equations) | {m.id for t in self.equations.values() for m in ex.names(t)}
        dropped: set[str] = set()
        while True:
            more = {n for n, t in self.equations.items() if n not in dropped and (
                (m := _GRADIENT.match(n)) and m.group(1) in named - {n}
                or any(u.id in dropped for u in ex.names(t)) and _GRADIENT.match(n))}
            if not more:
                break
            dropped |= more
        for name in dropped:
            del self.equations[name]

    def activations(self, words: str) -> None:
        """Nodes the post names by a spelling only (``out(o1)``): activations, guessed."""
        self.respell(words)
        named = [f for f in FUNCTIONS if re.search(r"\b" + f + r"\b", words, re.IGNORECASE)]
        function = named[0] if named else "sigmoid"
        for name, (f, arg) in self.spelled.items():
            if (name not in self.equations and arg in self.equations and usable(name)
                    and (len(f) == 1 or f.lower() in OUT_WORDS)):
                self.equations[name] = ex.Call(function, (ex.Name(arg, 0),), 0)
                how = f"the post names {function}" if named else "the post names no function"
                self.guessed[name] = f"{f}({arg}) read as {function}({arg}) ({how})"


def _top_equal(text: str) -> list[str]:
    """``a = b = c`` cut at its equals signs (not at ``==``, ``<=``, ``>=``, ``!=``)."""
    return [p.strip() for p in re.split(r"(?<![=<>!])=(?!=)", text)]


def _aligned(equation: ex.Node, worked: ex.Node) -> dict[str, float]:
    """The numbers a worked line puts where its equation has leaves (same shape only)."""
    out, todo = {}, [(equation, worked)]
    while todo:
        a, b = todo.pop()
        if isinstance(a, ex.Name):
            if isinstance(b, ex.Num):
                out[a.id] = float(b.text)
            continue
        if type(a) is not type(b) or getattr(a, "op", None) != getattr(b, "op", None) \
                or getattr(a, "func", None) != getattr(b, "func", None):
            return {}
        pairs = list(zip(ex.children(a), ex.children(b)))
        if len(ex.children(a)) != len(ex.children(b)):
            return {}
        todo += pairs
    return out


def _roles(prose: str) -> dict[str, str]:
    """Leaf roles the post's words give (``x1 and x2 are the input``, ``the weight w5``)."""
    out: dict[str, str] = {}
    for pattern in (_NAMED_BY, _NAMING):
        for m in pattern.finditer(prose):
            word = re.sub(r"(?<=[a-z]{4})e?s$", "", m.group("role").lower()).split()[-1]
            role = _ROLES[word]
            for name in re.findall(_NAME, m.group("names")):
                if name.lower() != "and":
                    out.setdefault(name, role)
    return out


def _family(name: str) -> str:
    return re.sub(r"\d+$", "", name)


def _leaves(draft: Draft, reader: _Reader, prose: str) -> None:
    equations = reader.equations
    values = dict(reader.values)
    for name, tree in reader.worked:
        if name in equations:
            for leaf, value in _aligned(equations[name], tree).items():
                if math.isfinite(value):
                    values.setdefault(leaf, value)
    used = {m.id for t in equations.values() for m in ex.names(t)}
    leaves = sorted((used - set(equations)), key=_order)
    stated_only = sorted((n for n in values if n not in used and n not in equations
                          and n not in LEARNING_RATE_NAMES and usable(n)), key=_order)
    roles = _roles(prose)
    families = {_family(n): r for n, r in roles.items()}
    compared = _compared(equations)
    for name in leaves + stated_only:
        role = roles.get(name) or families.get(_family(name))
        if role is None and name in compared:
            role = "targets"
            draft.guessed[name] = f"a leaf the post gives no role: read as a target (compared with {compared[name]})"
        if role is None:
            role = "targets" if name in stated_only else (
                "inputs" if name[0] in "xX" else "parameters")
            draft.guessed[name] = f"a leaf the post gives no role: read as one of the {role}"
        value = values.get(name)
        if value is None:
            value = _GUESSED_VALUE
            why = draft.guessed.get(name, "")
            draft.guessed[name] = (why + "; " if why else "") + "the post states no value"
        getattr(draft, role)[name] = value


def _compared(equations: dict[str, ex.Node]) -> dict[str, str]:
    """Leaves an equation subtracts from a node or a node from (``y - o1``): a leaf → the node."""
    out: dict[str, str] = {}
    for tree in equations.values():
        for n in ex.postorder(tree):
            if isinstance(n, ex.Binary) and n.op == "-":
                a, b = n.left, n.right
                for leaf, node in ((a, b), (b, a)):
                    if isinstance(leaf, ex.Name) and isinstance(node, ex.Name) \
                            and leaf.id not in equations and node.id in equations:
                        out.setdefault(leaf.id, node.id)
    return out


def _order(name: str) -> tuple:
    index = re.search(r"\d+$", name)
    return (_family(name), int(index.group()[:9]) if index else -1, name)


def _cost(draft: Draft, reader: _Reader, words: str) -> None:
    used = {m.id for t in reader.equations.values() for m in ex.names(t)}
    sinks = sorted((n for n in draft.equations if n not in used), key=_order)
    with_targets = [n for n in sinks if {m.id for m in ex.names(reader.equations[n])} & set(draft.targets)]
    if len(with_targets) == 1:
        draft.cost = with_targets[0]
        return
    spelled = [n for n, (f, arg) in reader.spelled.items() if arg.lower() in TOTAL_WORDS]
    name = next((n for n in spelled if usable(n) and n not in draft.equations), None)
    if draft.targets and not with_targets:
        name = name or next(n for n in ("E", "E_total", "cost_") if n not in draft.equations
                            and n not in draft.targets and n not in draft.parameters
                            and n not in draft.inputs)
        pairs = list(zip(sorted(draft.targets, key=_order), sinks))
        if pairs:
            draft.equations[name] = " + ".join(f"1/2*({t} - {o})**2" for t, o in pairs)
            draft.cost = name
            how = "the post's squared error" if _SQUARED.search(words) else "the post states none"
            draft.guessed["cost"] = f"{name} stands for the post's total error"
            draft.guessed[name] = (
                "half the squared error of " + ", ".join(f"{t} against {o}" for t, o in pairs)
                + f" ({how})")
            return
    draft.cost = (with_targets or sinks)[-1]
    if len(with_targets or sinks) > 1:
        draft.guessed["cost"] = "the last of the nodes nothing else uses"
