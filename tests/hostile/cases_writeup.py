"""Write-up cases: [latex] spellings that would run TeX primitives or break the document,
bad --params, and work that must not be done before a check (a layered spec without values,
the JSON form of a wide neuron)."""

from __future__ import annotations

from derive.spec.model import Network
from derive.writeups.build import writeup
from tests.hostile.corpus import ApiCase, Case

#: a one-weight free-form spec (the layer write-up cases use it too)
FREE_FORM = """[inputs]
x = 1.0
[targets]
y = 0.5
[parameters]
w = 0.3
[equations]
z = "w*x"
C = "1/2*(z - y)**2"
"""
_SPEC = 'name = "evil"\n' + FREE_FORM.replace("{", "{{").replace("}", "}}") + """[latex]
z = 'z'
w = {spelling}
"""
#: the line of `w = ...` under [latex] in _SPEC
_LINE = 13

#: (case id, the spelling as a TOML string, a word the error must name)
_SPELLINGS = [
    ("input", r"'\input{/etc/passwd}'", r"\input"),
    ("include", r"'\include{/etc/passwd}'", r"\include"),
    ("write18", r"'\write18{touch PWNED}'", r"\write"),
    ("immediate", r"'\immediate\write18{touch PWNED}'", r"\immediate"),
    ("openout", r"'\openout1=/tmp/x'", r"\openout"),
    ("openin", r"'\openin1=/etc/passwd'", r"\openin"),
    ("read", r"'\read1 to \x'", r"\read"),
    ("catcode", r"'\catcode`\%=12'", r"\catcode"),
    ("def", r"'\def\x{\input{/etc/passwd}}\x'", r"\def"),
    ("let", r"'\let\x\input'", r"\let"),
    ("csname", r"'\csname input\endcsname{/etc/passwd}'", r"\csname"),
    ("newcommand", r"'\newcommand{\x}{y}'", r"\newcommand"),
    ("usepackage", r"'\usepackage{shellesc}'", r"\usepackage"),
    ("special", r"'\special{x}'", r"\special"),
    ("jobname", r"'\jobname'", r"\jobname"),
    ("endinput", r"'\endinput'", r"\endinput"),
    ("caret-notation", r"'x^^5cinput{/etc/passwd}'", "^^"),
    ("percent", "'w % the rest is a comment'", "'%'"),
    ("hash", "'#1'", "'#'"),
    ("ampersand", "'a & b'", "'&'"),
    ("dollar", "'$x$'", "'$'"),
    ("tilde", "'~w'", "'~'"),
    ("open-brace", "'w_{1'", "opening brace"),
    ("close-brace", "'w}'", "closing brace"),
    ("newline", '"w\\n\\\\input{x}"', "line break"),
    ("control-character", '"w\\u0000"', "control character"),
    ("double-backslash", r"'w\\\\ x'", r"\\"),
    ("math-end", r"'w\)\input{x}\('", r"\)"),
    ("quote", "'w\"'", "'\"'"),
    ("backtick", "'w`'", "'`'"),
    ("html", "'<script>'", "'<'"),
    ("unicode", "'σ'", "σ"),
    ("empty", "''", "spell something"),
    ("too-long", "'" + "w" * 300 + "'", "at most 200"),
    ("too-deep", "'" + "{" * 80 + "w" + "}" * 80 + "'", "too deep"),
    ("script-without-argument", "'w^'", "without its argument"),
    ("double-script", "'w^1^2'", "double script"),
]


def _spelling_case(name: str, spelling: str, word: str) -> Case:
    return Case(f"writeup-spelling-{name}", ["derive", "{dir}/evil.toml", "-o", "{dir}/w.tex"],
                files={"evil.toml": _SPEC.format(spelling=spelling)},
                words=(f"evil.toml:{_LINE}:", "latex.w", "spelling refused", word,
                       "a spelling may use"))


def _wide_neuron(path) -> None:
    """A sigmoid neuron with 2,000 inputs, every value given."""
    n = 2000
    lines = ['name = "wide"', "[inputs]", *(f"x{i} = {0.001 * i}" for i in range(n)),
             "[targets]", "y = 0.5", "[parameters]", *(f"w{i} = 0.01" for i in range(n)),
             "b = 0.1", "[equations]",
             'z = "' + " + ".join(f"w{i}*x{i}" for i in range(n)) + ' + b"',
             'a = "sigmoid(z)"', 'E = "1/2*(y - a)**2"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _without_values(folder):
    net = Network.from_equations(equations={"z": "w*x"}, inputs={"x": None},
                                 parameters={"w": 0.1})
    return writeup(net)


CASES = [
    *(_spelling_case(*case) for case in _SPELLINGS),
    Case("writeup-params-newline", ["derive", "seed004_afteracademy", "--params", "w1,w9\nx"],
         words=("unknown parameter", "w9")),
    # 57 s before the check came first: a 784-128-10 network is only read, never derived
    Case("writeup-layered-without-values-fails-fast", ["derive", "{dir}/big.toml", "--level",
                                                       "both"],
         files={"big.toml": '[layers]\nsizes = [784, 128, 10]\nactivation = ["tanh", "softmax"]\n'
                            'loss = "categorical_cross_entropy"\n'},
         words=("big.toml", "missing value for 'x1'"), isolated=True, timeout=30),
    # 12-30 s before, most of it printing LaTeX the JSON form discards
    Case("writeup-json-of-a-wide-neuron-prints-no-latex",
         ["derive", "{dir}/wide.toml", "--format", "json", "-o", "{dir}/wide.json"],
         files={"wide.toml": _wide_neuron}, exit=0, isolated=True, timeout=60,
         creates=("wide.json",)),
    Case("writeup-format-disagrees-with-the-suffix",
         ["derive", "xor", "--format", "json", "-o", "{dir}/a.md"],
         words=("--format json", "a.md", "disagree", "a.json")),
    Case("writeup-format-disagrees-with-the-suffix-html",
         ["derive", "xor", "--format", "markdown", "-o", "{dir}/page.HTML"],
         words=("--format markdown", "page.HTML", "page.md")),
    Case("writeup-format-names-an-unknown-suffix", ["derive", "xor", "--format", "json", "-o", "{dir}/a.txt"],
         exit=0, creates=("a.txt",)),
    ApiCase("writeup-api-spelling-write18",
            lambda folder: Network.from_equations(
                equations={"z": "w*x"}, inputs={"x": 1.0}, parameters={"w": 1.0},
                latex={"w": r"\immediate\write18{touch PWNED}"}),
            words=("latex.w", r"\immediate", "a spelling may use"), error="SpecError"),
    ApiCase("writeup-api-spelling-not-math",
            lambda folder: Network.from_equations(
                equations={"z": "w*x"}, inputs={"x": 1.0}, parameters={"w": 1.0},
                latex={"w": "$w$"}),
            words=("latex.w", "'$'"), error="SpecError"),
    ApiCase("writeup-api-missing-value", _without_values,
            words=("missing value for 'x'",), error="SpecError"),
]
