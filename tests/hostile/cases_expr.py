"""Hostile equations, claims and claims files: deep nesting, huge or broken numbers, values
with no finite real float64 value, and claims files that are not text or not files.

Each reproducer of issue 8 (sections 4 and 5) that belongs to expressions and claims is here;
the behaviour that does not fit a one-line error (a trainable leaky_relu slope, the exact
columns) is in tests/spec/test_expr.py and tests/spec/test_expr_numbers.py.
"""

from __future__ import annotations

import os

from tests.hostile.corpus import ApiCase, Case


def spec(equation: str, w: float = 0.5) -> str:
    """A free-form spec whose node z has ``equation`` (x an input, w a parameter)."""
    return (f'[inputs]\nx = 0.3\n[targets]\ny = 0.1\n[parameters]\nw = {w}\n'
            f'[equations]\nz = "{equation}"\nE = "(z - y)**2"\n[training]\ncost = "E"\n')


def derive_case(id_: str, equation: str, words=(), exit_: int = 2, w: float = 0.5) -> Case:
    """``chainrule derive s.toml --format json`` on a spec with ``z = equation``."""
    located = ("s.toml", "equations.z") if exit_ == 2 else ()
    return Case(f"expr-{id_}", ["derive", "s.toml", "--format", "json"],
                files={"s.toml": spec(equation, w)}, exit=exit_, words=located + tuple(words))


def parse_case(id_: str, text: str, words=()) -> ApiCase:
    """``derive.spec.expr.parse(text)`` must raise an ExprError holding ``words``."""
    def call(folder):
        from derive.spec.expr import parse
        from derive.vocabulary import FUNCTIONS
        parse(text, FUNCTIONS)
    return ApiCase(f"expr-parse-{id_}", call, words=tuple(words))


def spec_text_case(id_: str, equation: str, words=()) -> ApiCase:
    """``Network.from_toml_text`` must raise a SpecError naming the key and ``words``."""
    def call(folder):
        from derive.spec.model import Network
        Network.from_toml_text(spec(equation), file="s.toml")
    return ApiCase(f"expr-spec-{id_}", call, words=("s.toml:8", "equations.z") + tuple(words),
                   error="SpecError")


def claim_case(id_: str, claim: str, words=()) -> ApiCase:
    """``read_claim`` on seed 004's network must raise a ClaimError holding ``words``."""
    def call(folder):
        from derive.claims.names import Names
        from derive.claims.reading import read_claim
        from derive.spec.examples import load_example
        read_claim(claim, Names(load_example("seed004_afteracademy")))
    return ApiCase(f"expr-claim-{id_}", call, words=tuple(words), error="ClaimError")


def claims_file_case(id_: str, name: str, content, words=()) -> Case:
    """``chainrule check seed004_afteracademy --claims NAME`` with the file written."""
    files = {name: content} if content is not None else {}
    return Case(f"expr-claims-file-{id_}", ["check", "seed004_afteracademy", "--claims", name],
                files=files, words=(name,) + tuple(words))


def _fifo(path):
    os.mkfifo(path)


def _folder(path):
    path.mkdir()


def _big(path):
    path.write_text('claims = ["o1 = 0.8446"]\n' + "#" * 2_000_000 + "\n", encoding="utf-8")


NESTS = ("nests deeper than 32", "column")
NOT_FINITE = ("not a finite real number",)

CASES = [
    # ---- deep nesting: refused while parsing, at the column where it goes past the limit
    derive_case("paren-300", "(" * 300 + "x" + ")" * 300, NESTS + ("column 33",)),
    spec_text_case("sigmoid-500", "sigmoid(" * 500 + "x" + ")" * 500, NESTS),
    spec_text_case("power-chain-2000", "**".join(["w"] * 2000), NESTS),
    derive_case("power-chain-caret", "^".join(["w"] * 40), NESTS),
    derive_case("unary-5000", "-" * 5000 + "x", exit_=0),            # one sign, read in a loop
    derive_case("product-3000", "*".join(["x"] * 3000) + "*w", exit_=0),
    derive_case("product-3000-names", "*".join(["w"] * 3000), exit_=0),
    spec_text_case("one-megabyte", "+".join(["w"] * 500_000), ("characters long", "100,000")),
    parse_case("paren-1000", "(" * 1000 + "1" + ")" * 1000, NESTS),
    parse_case("calls-in-args", "sigmoid(" * 40 + "1" + ")" * 40, NESTS + ("column 257",)),
    parse_case("exponents", "2**" * 40 + "1", NESTS),
    # ---- numbers
    derive_case("digits-5000", "x*1." + "3" * 5000, ("5,002 characters", "more than the 100")),
    derive_case("exponent-literal", "x*1e-99999999", ("beyond float64's range",)),
    derive_case("huge-integer", "x*" + "9" * 400, ("characters",)),
    derive_case("divide-by-zero", "x/0", NOT_FINITE + ("divides by zero", "column 2")),
    derive_case("zero-by-zero", "0/0*x", NOT_FINITE + ("divides by zero",)),
    derive_case("divide-by-folded-zero", "x/(1 - 1)", ("divides by zero", "column 2")),
    derive_case("zero-negative-power", "x*0**-1", ("divides by zero",)),
    derive_case("log-0", "log(0)*x", NOT_FINITE + ("log(0)", "column 1")),
    derive_case("log-minus-1", "log(-1)*x", ("log(-1) is not a real number",)),
    derive_case("sqrt-minus-1", "sqrt(-1)*x", ("sqrt(-1) is not a real number",)),
    derive_case("negative-root", "x*(-8)**(1/3)", ("not a real number", "non-integer power")),
    derive_case("exp-overflow-literal", "x*exp(1000)", ("exp(1000) is too large for float64",)),
    derive_case("literal-product-overflow", "1e300*1e300*x", ("1e+300*1e+300 is too large",)),
    derive_case("product-overflow", "x*1e300*1e300", exit_=0),     # inf, as float64 has it
    derive_case("big-exponent", "x**100", ("exponent 100", "±64")),
    derive_case("log-of-cancelled", "log(x - x)", ("not a finite real number", "divides by zero")),
    derive_case("one-over-cancelled", "w/(x - x)", ("divides by zero",)),
    # ---- hangs: exact integer powers are refused before SymPy computes them
    derive_case("ten-tower", "10**10**10*x", ("10**10000000000 is too large for float64",
                                              "column 3")),
    derive_case("nine-tower", "9**9**9*x", ("9**387420489 is too large for float64",)),
    derive_case("underflow-tower", "x*0.1**100000000", ("too small for float64",)),
    Case("expr-a-is-ten-tower", ["derive", "s.toml"], files={"s.toml": (
        '[inputs]\nx = 1\n[parameters]\nw = 1\n[equations]\na = "10**10**10"\n'
        'E = "w*x*a"\n[training]\ncost = "E"\n')}, words=("s.toml:6", "equations.a",
                                                          "too large for float64")),
    # ---- values with no finite real value in the worked example: the node is named
    derive_case("sqrt-negative-value", "sqrt(w - 1)", ("value of z", "square root of a negative")),
    derive_case("complex-power", "(x - 1)**w", ("value of z", "non-integer power"), w=0.3),
    derive_case("log-negative-value", "log(w - 1)", ("value of z", "log of a negative number")),
    derive_case("overflow-value", "exp(w*x*1000)", ("value of z", "overflows float64"), w=1000),
    derive_case("divide-by-zero-value", "x/(w - 0.5)", ("value of z", "divides by zero")),
    derive_case("leaky-relu-slope", "leaky_relu(x - 1, w)", exit_=0),
    # ---- claims: the same limits, through the claim reader
    claim_case("paren-300", "o1 = " + "(" * 300 + "1" + ")" * 300, NESTS),
    claim_case("sigmoid-500", "o1 = " + "sigmoid(" * 500 + "1" + ")" * 500, NESTS),
    claim_case("power-chain", "o1 = " + "**".join(["O1"] * 2000), NESTS),
    claim_case("frac-500", "o1 = " + r"\frac{1}{" * 500 + "1" + "}" * 500,
               ("nests deeper than 32 levels of groups", "column")),
    claim_case("left-brace-500", r"o_1 = \, " + "{" * 500 + "1" + "}" * 500, ("nests deeper",)),
    claim_case("sqrt-500", r"o_1 = " + r"\sqrt{" * 500 + "1" + "}" * 500, ("nests deeper",)),
    claim_case("one-megabyte", "o1 = " + "1+" * 500_000 + "1", ("10,000",)),
    claim_case("digits-5000", "o1 = 0." + "8" * 5000, ("more than the 100",)),
    claim_case("ten-tower", "o1 = 10**10**10", ("too large for float64", "column 8")),
    claim_case("nine-tower", "o1 = 9**9**9", ("too large for float64",)),
    claim_case("zero-by-zero", "o1 = 0/0", ("divides by zero",)),
    claim_case("log-0", "E = log(0)", ("log(0)",)),
    claim_case("not-a-text", None, ("not NoneType",)),
    # ---- claims files that are not UTF-8 text files of a sensible size
    claims_file_case("binary", "c.txt", bytes(range(256)) * 4, ("not UTF-8",)),
    claims_file_case("nul", "c.txt", b"o1 = 0.8\x00\n", ("binary data",)),
    claims_file_case("utf16", "c.toml", 'claims = ["o1 = 0.8446"]\n'.encode("utf-16"),
                     ("UTF-16", "save it as UTF-8")),
    claims_file_case("latin1", "c.txt", "o1 = 0.8446 # é\n".encode("latin-1"), ("not UTF-8",)),
    claims_file_case("huge", "c.toml", _big, ("larger than the limit of 1,000,000 bytes",)),
    claims_file_case("folder", "c.toml", _folder, ("is a folder",)),
    claims_file_case("missing", "c.toml", None, ("no such claims file",)),
    Case("expr-claims-file-fifo", ["check", "seed004_afteracademy", "--claims", "c.txt"],
         files={"c.txt": _fifo}, words=("c.txt", "not a regular file"), isolated=True,
         timeout=30),
    Case("expr-claims-file-dev-zero", ["check", "seed004_afteracademy", "--claims", "/dev/zero"],
         words=("/dev/zero", "not a regular file")),
    claims_file_case("deep-arrays", "c.toml", "claims = " + "[" * 5000 + "]" * 5000 + "\n",
                     ("nested too deeply",)),
    claims_file_case("claims-not-strings", "c.toml", 'claims = [["o1 = 1"]]\n',
                     ("not a string", "c.toml:1")),
    claims_file_case("claims-a-table", "c.toml", 'claims = {a = 1}\n', ("non-empty list",)),
    claims_file_case("aliases-a-list", "c.toml", 'claims = ["o1 = 1"]\naliases = ["x"]\n',
                     ("[aliases] must map",)),
    claims_file_case("alias-a-table", "c.toml", 'claims = ["o1 = 1"]\n[aliases.x]\ny = "H1"\n',
                     ("[aliases] must map", "c.toml:2")),
    claims_file_case("alias-empty", "c.toml", 'claims = ["o1 = 1"]\n[aliases]\n"" = "H1"\n',
                     ("non-empty",)),
    claims_file_case("alias-unknown", "c.toml", 'claims = ["o1 = 1"]\n[aliases]\n"o(1)" = "Q"\n',
                     ("'Q'", "not in the network")),
    claims_file_case("too-many", "c.txt", "o1 = 0.8446\n" * 1001, ("1,001 claims", "more than the 1,000")),
    claims_file_case("no-claims", "c.txt", "# only a comment\n", ("no claims",)),
]

CASES += [
    # SymPy asks the sign of a nested constant by evaluating it again at every level
    derive_case("nested-constant-calls", "w*" + "exp(-" * 30 + "1" + ")" * 30,
                ("more than 4 function calls", "column 128")),
    claim_case("nested-constant-calls", "y1 = " + "exp(-" * 30 + "1" + ")" * 30,
               ("more than 4 function calls",)),
]

CASES += [
    derive_case("cancelled-constant-calls", "w*" + "exp(-" * 30 + "(x - x)" + ")" * 30,
                ("more than 4 function calls",)),
    derive_case("tiny-fractional-exponent", "w*(1.5749736258072778e+25 ^ -1.1125369292536007e-308)",
                exit_=0),       # an exact 10**324-th root ran for minutes
]
