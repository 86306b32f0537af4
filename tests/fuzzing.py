"""Grammar-aware hypothesis strategies and targets for fuzzing the readers of user text: the
equation parser, the spec reader and the claim reader (plain and LaTeX).

A target takes one generated text and either reads it or raises a
:class:`~derive.errors.ChainruleError`; anything else it raises is a bug. ``tests/test_fuzz.py``
runs a few thousand examples in the suite, ``bench/fuzz.py`` a hundred thousand and more.
"""

from __future__ import annotations

from functools import lru_cache

from hypothesis import strategies as st

from derive.errors import ChainruleError
from derive.vocabulary import ACTIVATIONS, FUNCTIONS, LOSSES

# --------------------------------------------------------------------------- tokens

#: names of seed 004's network, so that generated text often means something
NAMES = ("x1", "x2", "y1", "y2", "w1", "w5", "b1", "b2", "h1", "H1", "o1", "O1", "O2", "E")

NUMBERS = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0", "0.0", "1e400", "1e-400", "0e99999999", "1e308", "2.5e-3", ".5", "5.",
                     "1" * 120, "0." + "3" * 150, "9" * 400, "1e-99999999", "00012", "1.e5"]),
    st.text("0123456789.eE+-", min_size=1, max_size=12),
)
IDENTIFIERS = st.one_of(st.sampled_from(NAMES), st.sampled_from(FUNCTIONS),
                        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True))
OPERATORS = st.sampled_from(["+", "-", "*", "/", "**", "^", "(", ")", ",", " ", "=", "'"])
JUNK = st.one_of(st.characters(), st.sampled_from(["\\", "{", "}", "$", "#", "\n", "\r", "\x00",
                                                   "\u2028", "∂", "σ", "η", "−", "·", "²", "δ"]))
TOKENS = st.lists(st.one_of(NUMBERS, IDENTIFIERS, OPERATORS, OPERATORS, JUNK), max_size=40).map(
    "".join)


# --------------------------------------------------------------------------- expressions

def _expressions(leaf) -> st.SearchStrategy[str]:
    """Nested expressions over ``leaf``: operators, signs, calls, parentheses."""
    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "^", " "]), inner).map(
                lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(st.sampled_from(["-", "+", "--"]), inner).map("".join),
            st.tuples(st.sampled_from(FUNCTIONS + ("foo", "Heaviside", "step", "sigmoid_prime")),
                      st.lists(inner, min_size=0, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"),
            inner.map(lambda e: f"({e})"),
        )
    return st.recursive(leaf, extend, max_leaves=24)


LEAVES = st.one_of(NUMBERS, IDENTIFIERS)


@st.composite
def deep(draw, inner: st.SearchStrategy[str]) -> str:
    """Attacks on the depth and size limits: a wrapper repeated up to a few hundred times,
    or a chain of thousands of operands."""
    core = draw(inner)
    kind = draw(st.sampled_from(["wrap", "chain", "signs", "tower"]))
    n = draw(st.integers(1, 600))
    if kind == "wrap":
        left, right = draw(st.sampled_from([("(", ")"), ("sigmoid(", ")"), ("log(1 + ", ")"),
                                            ("1/(1 + ", ")"), ("exp(-", ")"),
                                            ("leaky_relu(", ", 0.1)")]))
        return left * n + core + right * n
    if kind == "chain":
        op = draw(st.sampled_from(["*", "+", "-", "/", " "]))
        return op.join([core] * (n * 5))
    if kind == "signs":
        return "-" * (n * 10) + core
    return "**".join([core] * min(n, 80))


EXPRESSIONS = st.one_of(_expressions(LEAVES), deep(_expressions(LEAVES)), TOKENS)


# --------------------------------------------------------------------------- LaTeX

LATEX_PIECES = st.sampled_from([
    r"\frac{", "}{", "}", "{", r"\partial ", r"\mathrm{d}", "^{", "_{", "^", "_", r"\sigma",
    r"\sigma'", r"\left(", r"\right)", r"\left[", r"\right]", r"\cdot ", r"\times ", r"\,",
    r"\;", r"\mathrm{net}", r"\text{error}", r"\eta ", r"\alpha ", r"\delta", r"\sqrt{",
    r"\exp", r"\log", r"\tanh", "e^{", r"\prime", "'", "$", "[latex]", "[/latex]", r"\input{x}",
    r"\def", r"\\", "\\", r"\dfrac{", r"\operatorname{", r"\boldsymbol{", " ", "=", "+", "-",
    "(", ")", "w", "a", "z", "C", "E", "O", "_1", "^2", "_{11}", "^{3}", "x", "y", "1", "0.5",
])
LATEX = st.one_of(
    st.lists(st.one_of(LATEX_PIECES, LATEX_PIECES, NUMBERS, IDENTIFIERS), max_size=40).map("".join),
    st.integers(1, 400).map(lambda n: r"\frac{1}{" * n + "x" + "}" * n),
    st.integers(1, 400).map(lambda n: "{" * n + "x" + "}" * n),
)


# --------------------------------------------------------------------------- claims

LEFT_SIDES = st.one_of(
    st.sampled_from(NAMES),
    st.tuples(st.sampled_from(["d", "∂", "d_"]), st.sampled_from(NAMES), st.sampled_from(NAMES)).map(
        lambda t: f"{t[0]}{t[1]}/{t[0]}{t[2]}"),
    st.sampled_from(["w1+", "w5'", "new w1", "E after", "δ_o1", "delta_O1", "w1^+", "w1(new)",
                     r"\frac{\partial E}{\partial w_5}", r"w^{2+}_{11}", r"\delta^3_1", "O_1",
                     "dE/dw^1_{21}", ""]),
    TOKENS,
)
CLAIMS = st.one_of(
    st.tuples(LEFT_SIDES, st.lists(st.one_of(EXPRESSIONS, LATEX), min_size=1, max_size=3)).map(
        lambda t: " = ".join([t[0], *t[1]])),
    st.tuples(LEFT_SIDES, LATEX).map(lambda t: f"{t[0]} = {t[1]}"),
    TOKENS,
    st.text(max_size=60),
)


# --------------------------------------------------------------------------- TOML specs

TOML_KEYS = st.one_of(st.sampled_from(NAMES + ("cost", "learning_rate", "freeze", "sizes",
                                               "activation", "activations", "bias", "loss",
                                               "preset", "weight", "first_layer", "inputs",
                                               "targets", "weights", "biases", "init_seed",
                                               "name", "title", "weight_index")),
                      IDENTIFIERS)


def _quoted(text: str) -> str:
    """A TOML basic string holding ``text`` (control characters escaped)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


TOML_SCALARS = st.one_of(
    EXPRESSIONS.map(_quoted), st.sampled_from(ACTIVATIONS + tuple(LOSSES)).map(_quoted),
    st.integers(-10**20, 10**20).map(str), st.floats().map(
        lambda f: {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(f), repr(f))),
    st.sampled_from(["true", "false", "1979-05-27", "[]", "{}", "[[]]", '["a"]', "{a = 1}",
                     "[1, 2]", "[2, 3, 1]", "[0]", "[100000, 10]", "[-1, 2]", '"', "'x'"]),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4).map(lambda v: "[" + ", ".join(v) + "]"),
                            st.lists(st.tuples(TOML_KEYS, inner), max_size=3).map(
                                lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}")),
    max_leaves=10)
TABLES = st.sampled_from(["inputs", "targets", "parameters", "equations", "training", "latex",
                          "layers", "notation", "values", "unknown", "equations.x"])


@st.composite
def toml_specs(draw) -> str:
    """Specs made of TOML fragments: known tables with random keys and values, or an example
    spec with some lines replaced, dropped or repeated."""
    if draw(st.booleans()):
        lines = []
        for _ in range(draw(st.integers(0, 8))):
            lines.append(f"[{draw(TABLES)}]")
            for _ in range(draw(st.integers(0, 5))):
                lines.append(f"{draw(TOML_KEYS)} = {draw(TOML_VALUES)}")
        return "\n".join(lines) + "\n"
    lines = _example_lines(draw(st.sampled_from(_EXAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        key = lines[i].split("=")[0].strip() if "=" in lines[i] else draw(TOML_KEYS)
        lines[i] = draw(st.sampled_from([
            f"{key} = {draw(TOML_VALUES)}", "", lines[i] * 2, lines[i][: len(lines[i]) // 2],
            f"[{draw(TABLES)}]", lines[max(0, i - 1)]]))
    return "\n".join(lines) + "\n"


_EXAMPLES = ("seed004_afteracademy", "seed000_vitalflux", "seed001_single_neuron",
             "seed003_spotintelligence", "iris_softmax", "xor")


@lru_cache(maxsize=None)
def _example_text(name: str) -> str:
    from derive.spec.examples import EXAMPLES_DIR
    return (EXAMPLES_DIR / f"{name}.toml").read_text(encoding="utf-8")


def _example_lines(name: str) -> list[str]:
    return _example_text(name).splitlines()


SPECS = st.one_of(toml_specs(), st.text(max_size=200))


# --------------------------------------------------------------------------- targets

def read_equation(text: str) -> None:
    """Parse an equation and build its SymPy expression."""
    import sympy
    from derive.spec import expr as ex
    from derive.functions import function
    tree = ex.parse(text, FUNCTIONS)
    ex.to_sympy(tree, lambda ref: sympy.Symbol(ref.id, real=True), function)


def read_spec(text: str) -> None:
    """Read a spec from TOML text."""
    from derive.spec.model import Network
    Network.from_toml_text(text, file="fuzz.toml")


@lru_cache(maxsize=None)
def checker(example: str = "seed004_afteracademy"):
    """A claim checker of an example network (derived once)."""
    from derive.claims.check import Checker
    from derive.spec.examples import load_example
    return Checker(load_example(example))


def read_claim(text: str, example: str = "seed004_afteracademy") -> None:
    """Read a claim about an example network and build each of its sides in SymPy."""
    from derive.claims.reading import read_claim as read
    check = checker(example)
    claim = read(text, check.names)
    for side in claim.sides:
        check.claim_expr(side)


def read_latex_claim(text: str) -> None:
    """Read a claim about seed 000's layered network, whose names have LaTeX spellings."""
    read_claim(text, "seed000_vitalflux")


#: name → (target, the strategy of its texts)
TARGETS = {"equation": (read_equation, EXPRESSIONS), "spec": (read_spec, SPECS),
           "claim": (read_claim, CLAIMS),
           "latex-claim": (read_latex_claim, st.one_of(CLAIMS, LATEX.map("C = ".__add__)))}


def attempt(target, text: str) -> BaseException | None:
    """Run ``target`` on ``text``; the exception that is a bug (not a ChainruleError), if any."""
    try:
        target(text)
    except ChainruleError:
        return None
    except Exception as err:  # noqa: BLE001 - every other exception is what the fuzzer hunts
        return err
    return None
