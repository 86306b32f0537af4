"""The document scanner: every format's statements with their lines and columns, the prose
left for numbers in words, and linear time on hostile text."""

from __future__ import annotations

import time

import pytest

from derive.claims.document import check_document
from derive.claims.scan import format_of, scan
from derive.spec.examples import load_example


def texts(document: str, format: str = "text") -> list[tuple[int, int, str]]:
    return [(s.line, s.column, s.text) for s in scan(document, format).statements]


def test_formats_from_file_names():
    assert [format_of(n) for n in ("a.md", "b.TEX", "c.html", "d.txt", None, "e")] == \
        ["markdown", "latex", "html", "text", "text", "text"]


def test_markdown_math_and_code():
    doc = ("# Post\n"
           "Inline $o_1 = 0.79$ and \\(h_1 = 0.505\\), then\n"
           "$$\nE = \\frac{1}{2}(y_1 - O_1)^2\n$$\n"
           "\\[ H_1 = \\sigma(h_1) \\]\n"
           "```python\n"
           "dW = dA * X\n"
           "```\n"
           "Money: $5 and $10 is not math.\n")
    found = texts(doc, "markdown")
    assert (2, 9, "o_1 = 0.79") in found and (2, 27, "h_1 = 0.505") in found
    assert (4, 1, "E = \\frac{1}{2}(y_1 - O_1)^2") in found
    assert (6, 4, "H_1 = \\sigma(h_1)") in found
    assert (8, 1, "dW = dA * X") in found
    assert len(found) == 5
    prose = " ".join(p.text for p in scan(doc, "markdown").prose)
    assert "dW" not in prose and "0.79" not in prose  # code and math are not prose


def test_latex_environments_rows_and_comments():
    doc = ("\\begin{align}\n"
           "  h_1 &= w_1 x_1 + b_1 \\\\\n"
           "  H_1 &= \\sigma(h_1) \\label{eq:h}\n"
           "\\end{align}\n"
           "% o_1 = 99 is a comment\n"
           "\\begin{equation*} x_1 = 0.1, \\quad x_2 = 0.2 \\end{equation*}\n")
    found = [t for _, _, t in texts(doc, "latex")]
    assert "h_1  = w_1 x_1 + b_1" in found and "H_1  = \\sigma(h_1)" in found
    assert "x_1 = 0.1" in found and "\\quad x_2 = 0.2" in found
    assert not any("99" in t for t in found)


def test_html_tags_entities_and_scripts():
    doc = ("<html><head><script>var a = 1;</script></head><body>\n"
           "<p>o<sub>1</sub> = 0.794609</p><p>E &minus; 1 = 2</p>\n"
           "<!-- h1 = 3\n -->\n"
           "<pre>dB = dA</pre>\n</body></html>\n")
    found = texts(doc, "html")
    assert [t for _, _, t in found] == ["o_1 = 0.794609", "E − 1 = 2", "dB = dA"]
    assert [line for line, _, _ in found] == [2, 2, 5]


def test_wordpress_latex_and_chained_statements():
    doc = ("- [latex]\\Large w^1_{11}, b_1[/latex] for the first layer\n"
           "[latex]\\frac{\\partial C}{\\partial b_2} = a - y[/latex]\n"
           "h1 = 0.25 * 0.1 + 0.45 = 0.505\n"
           "d_error/d_w21 = d_error/d_o1\n"
           "= (o1 - y) * o1\n")
    found = texts(doc)
    assert found[0] == (2, 8, "\\frac{\\partial C}{\\partial b_2} = a - y")
    assert found[1] == (3, 1, "h1 = 0.25 * 0.1 + 0.45 = 0.505")
    assert found[2] == (4, 1, "d_error/d_w21 = d_error/d_o1 = (o1 - y) * o1")
    assert len(found) == 3  # a list of symbols states nothing


def test_prose_equations_end_at_words_and_calls_are_not_looked_into():
    doc = ("Let's assume the value of y1 = 0.05 and the value of y2 = 0.95 which are right.\n"
           "model.add(Dense(64, input_dim=784)) (where x1 = 0.1)\n"
           "a == b, c <= d, e => f\n")
    assert [t for _, _, t in texts(doc)] == ["y1 = 0.05", "y2 = 0.95", "x1 = 0.1"]


def test_a_code_line_glued_to_the_next_by_a_lost_line_break():
    doc = "dB = dA\nbias -= learning_rate * dBprint(\"Updated bias:\", bias)\n"
    assert [t for _, _, t in texts(doc)] == ["dB = dA", "bias -= learning_rate * dB"]


# =========================================================================== hostile text

HOSTILE = {
    "dollars": "$" * 1_000_000,
    "dollar-pairs": "$a=b" * 250_000,
    "display-openers": "\\[" * 500_000,
    "latex-openers": "[latex]" * 140_000,
    "environments": "\\begin{align}" * 70_000,
    "braces": "{" * 100_000 + "a = b" + "}" * 100_000,
    "parens": "(" * 100_000 + "a = b" + ")" * 100_000,
    "long-line": "a = " + "b + " * 25_000 + "c",
    "equals": "a=" * 50_000 + "b",
    "words": "the value of " * 8_000,
    "numbers": "o1 is 0.5 and " * 7_000,
    "tags": "<p" * 300_000,
    "sub": "<sub>" * 200_000,
    "backslashes": "\\" * 1_000_000,
    "mixed": ("$$ \\( [latex] x = ( { " * 40_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_is_scanned_in_linear_time(name):
    text = HOSTILE[name]
    for format in ("text", "markdown", "latex", "html"):
        start = time.process_time()
        scan(text, format)
        assert time.process_time() - start < 6.0, (name, format)


#: prose a reader of claims in words walks: each repeated until about a megabyte
HOSTILE_PROSE = {
    "depends-on": "E(total) does not directly depend on out(h1). The net-input of o1 depends "
                  "on out(h1).\n",
    "chain-rule": "By the chain rule, the derivative of E(total) with respect to w1. "
                  "Differentiating it w.r.t out(h1). ",
    "product-of": "The partial derivative of E(total) with respect to w1 is the product of "
                  "dE/dO1 and dO1/dw1. ",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PROSE))
def test_hostile_prose_is_checked_in_linear_time(name):
    """Claims stated in words, read from a document of a megabyte that repeats one sentence
    (the chain of 'depends on' links was quadratic in them: 19 s for this size)."""
    net = load_example("seed004_afteracademy")
    sentence = HOSTILE_PROSE[name]
    text = sentence * (1_000_000 // len(sentence))
    start = time.process_time()
    check_document(net, text)
    assert time.process_time() - start < 6.0, name


def test_a_hostile_document_checked_end_to_end_skips_what_it_cannot_read():
    net = load_example("seed004_afteracademy")
    doc = ("h1 = " + "(" * 40 + "w1" + ")" * 40 + "\n"   # nested deeper than a claim may be
           "o1 = os.system('rm -rf x') + __import__('os')\n"
           "$\\input{/etc/passwd} = 1$\n"
           "out (o1) is 0.6888201\n"
           "h1 = " + "w1 + " * 2_600 + "x1\n")          # a statement longer than 10,000
    found = check_document(net, doc)
    assert [c.text for c in found.claims] == ["out(o1) = 0.6888201"]
    assert {s.line for s in found.skipped} == {1, 2, 3, 5}
    assert all(s.reason for s in found.skipped)
