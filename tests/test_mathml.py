"""LaTeX → MathML (:mod:`derive.mathml`) and the HTML escaping of outside text
(:func:`derive.latex_text.html_text`): the structure each construct becomes, well-formed XML
for everything it accepts, a clear refusal of everything else, and no input that can put a
tag, an attribute or an entity of its own into the output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.latex_text import CLAIM_COMMANDS, html_code, html_text
from derive.mathml import (MAX_DEPTH, NotMathML, html_math, html_text_with_math, math_element,
                           styled, to_mathml)

#: every element and attribute the converter may write
ELEMENTS = {"math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msub", "msup", "msubsup",
            "munder", "mover", "munderover", "mfrac", "msqrt", "mroot", "mstyle", "mtable",
            "mtr", "mtd", "mphantom"}
ATTRIBUTES = {"display", "displaystyle", "mathvariant", "stretchy", "fence", "lspace", "rspace",
              "width", "symmetric", "minsize", "maxsize", "accent", "accentunder",
              "movablelimits", "linethickness", "class", "form"}


def tree(tex: str) -> ET.Element:
    """The converted formula, parsed as XML (so it must be well-formed)."""
    root = ET.fromstring(math_element(to_mathml(tex)))
    for element in root.iter():
        assert element.tag in ELEMENTS, element.tag
        assert set(element.attrib) <= ATTRIBUTES, element.attrib
    return root


def shape(tex: str) -> str:
    """The element structure of a formula as a compact string: mfrac(mi,mi)."""
    def walk(e: ET.Element) -> str:
        children = list(e)
        if not children:
            return f"{e.tag}:{e.text or ''}"
        return f"{e.tag}(" + ",".join(walk(c) for c in children) + ")"
    return walk(tree(tex)[0])


@pytest.mark.parametrize("tex, expected", [
    (r"\frac{a}{b}", "mfrac(mrow(mi:a),mrow(mi:b))"),
    ("w_{1}", "msub(mi:w,mrow(mn:1))"),
    ("w^{1}_{21}", "msubsup(mi:w,mrow(mn:21),mrow(mn:1))"),
    ("x^23", "mrow(msup(mi:x,mn:2),mn:3)"),                       # TeX's reading: x² 3
    ("a'", "msup(mi:a,mo:′)"),
    (r"\partial C", "mrow(mi:∂,mi:C)"),
    (r"\mathrm{net}_{h1}", "msub(mrow(mi:net),mrow(mi:h,mn:1))"),
    (r"\mathbf{1}", "mrow(mn:𝟏)"),
    (r"\mathbf{W}", "mrow(mi:𝐖)"),
    (r"\delta", "mi:δ"),
    (r"\Delta", "mi:Δ"),
    (r"a - b", "mrow(mi:a,mo:−,mi:b)"),
    (r"\sum_{k=1}^{n} a_k", "mrow(munderover(mo:∑,mrow(mi:k,mo:=,mn:1),mrow(mi:n)),"
                            "msub(mi:a,mi:k))"),
    (r"\sqrt{x}", "msqrt(mrow(mi:x))"),
    (r"\sqrt[3]{x}", "mroot(mrow(mi:x),mn:3)"),
    (r"\hat{y}", "mover(mrow(mi:y),mo:ˆ)"),
    (r"\text{(frozen)}", "mtext:(frozen)"),
    (r"\left(a\right)", "mrow(mo:(,mi:a,mo:))"),
    (r"\left. a \right|", "mrow(mi:a,mo:|)"),
    (r"\begin{pmatrix}1 & 2\\3 & 4\end{pmatrix}",
     "mrow(mo:(,mtable(mtr(mtd(mn:1),mtd(mn:2)),mtr(mtd(mn:3),mtd(mn:4))),mo:))"),
    (r"\not= \cdot \odot", "mrow(mo:≠,mo:⋅,mo:⊙)"),
])
def test_each_construct_becomes_its_element(tex, expected):
    assert shape(tex) == expected


def test_fences_grow_only_around_something_tall():
    """TeX's \\left( around h_1 is a plain bracket; around a fraction it grows."""
    assert tree(r"\left(h_{1}\right)").find(".//mo").get("stretchy") == "false"
    assert tree(r"\left(\frac{a}{b}\right)").find(".//mo").get("stretchy") == "true"


def test_a_sign_is_a_prefix_and_a_difference_is_not():
    """TeX reads the − of ``= -0.6`` and ``(-y)`` as a sign (no space after it)."""
    signs = [mo.get("form") for mo in tree(r"= -0.6 - 0.1 \cdot \left(-y\right) - (a) - b")
             .iter("mo") if mo.text == "−"]
    assert signs == ["prefix", None, "prefix", None, None]
    after_sum = tree(r"\sum_{i=1}^{n} - \log y_{i}").find("mrow/mo")
    assert (after_sum.text, after_sum.get("form")) == ("−", "prefix")


def test_a_number_that_overflowed_prints_as_text():
    assert shape(r"\text{nan}") == "mtext:nan"


def test_unicode_math_styles():
    assert styled("Wx1", "bold") == "𝐖𝐱𝟏"
    assert styled("BEh", "script") == "ℬℰ𝒽"                 # letters Unicode had before
    assert styled("h", "italic") == "ℎ"
    assert styled("R", "double-struck") == "ℝ"
    assert styled("δ", "bold-italic") == "𝜹"


@pytest.mark.parametrize("tex, found", [
    (r"\foo", r"\foo"), (r"\input{x}", r"\input"), ("{a", "without its closing"),
    ("a}", "}"), (r"\left( a", "without its closing"), (r"a \right)", r"\right"),
    ("x^", "the end"), ("x^1^2", "double script"), ("a & b", "&"), ("$x$", "$"),
    ("a % b", "%"), (r"\begin{foo}", r"\begin{foo}"), (r"\text{\input{x}}", r"\input"),
    (r"\left\foo a \right)", r"\left\foo"), ("{" * (MAX_DEPTH + 5) + "}" * (MAX_DEPTH + 5),
                                              "nested more than"),
])
def test_what_has_no_mathml_is_refused_by_name(tex, found):
    with pytest.raises(NotMathML, match=None) as error:
        to_mathml(tex)
    assert found in str(error.value)


def test_deep_nesting_is_refused_not_a_crash():
    for depth in (200, 2000, 20000):
        with pytest.raises(NotMathML):
            to_mathml(r"\frac{" * depth + "x" + "}{y}" * depth)


@pytest.mark.parametrize("text", ["<script>", "a & b", '"x"', "'y'", "</math>", "&lt;",
                                  "\u2028line\nbreak", "\ud800 lone surrogate"])
def test_html_text_leaves_no_markup(text):
    escaped = html_text(text)
    assert not set(escaped) & set("<>\"'\n\u2028\ud800")
    assert all(piece.split(";")[0] in ("amp", "lt", "gt", "quot", "#x27")
               for piece in escaped.split("&")[1:])
    ET.fromstring(f'<p title="{escaped}">{escaped}</p>')     # text and attribute alike


def test_html_text_shows_the_text_as_it_is():
    import html
    text = "<b>α & 'β'</b> &amp;"
    assert html.unescape(html_text(text)) == text
    assert html_code(text) == "<code>" + html_text(text) + "</code>"


_PIECES = list("{}^_'&$%#\\<>\"ab1 .()") + [r"\frac", r"\left", r"\right", r"\text", "\\\\",
                                                r"\begin{matrix}", r"\end{matrix}", r"\partial"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_input_gives_wellformed_mathml_or_a_refusal(tex):
    try:
        markup = math_element(to_mathml(tex))
    except NotMathML:
        return
    root = ET.fromstring(markup)
    assert all(e.tag in ELEMENTS and set(e.attrib) <= ATTRIBUTES for e in root.iter())


@pytest.mark.parametrize("claim", [
    r"\frac{\partial C}{\partial w^2_{11}} = \frac{\partial C}{\partial a^3_1}\frac{\partial a^3_1}{\partial Z^3_1}",
    r"\delta^L = \nabla_a C \odot \sigma'(z^L)",
    r"\frac{\partial E}{\partial w_5} = (O_1 - y_1) σ",
])
def test_claim_math_allowed_by_the_allow_list_is_mathml(claim):
    shown = html_math(claim)
    assert shown.startswith("<math>") and "\\" not in shown
    ET.fromstring(shown)


@pytest.mark.parametrize("claim", [r"\input{x} = 1", "a < b", r"\text{</math><script>}",
                                   r"\unknown x", "x ∮ y"])
def test_other_claim_math_is_escaped_code(claim):
    shown = html_math(claim)
    assert shown.startswith("<code>") and "<script" not in shown and "</math" not in shown


def test_a_details_math_spans_become_mathml_and_the_rest_text():
    shown = html_text_with_math(r"goes through $Z^3_2$, not <b>$x$</b> or $\input{y}$")
    root = ET.fromstring(f"<p>{shown}</p>")
    assert [e.tag for e in root] == ["math", "math", "code"]
    assert "&lt;b&gt;" in shown


def test_the_claim_commands_all_convert():
    """Every control word the allow-list lets into claim math has MathML here."""
    arguments = {"frac": "{a}{b}", "dfrac": "{a}{b}", "tfrac": "{a}{b}", "sqrt": "{a}",
                 "left": "( a \\right)", "right": None}
    for word in sorted(CLAIM_COMMANDS):
        if word == "right":
            continue
        tail = arguments.get(word, "{a}" if word.startswith(("math", "text", "operatorname",
                                                             "bold")) else " a")
        if word in ("big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
                    "biggr"):
            tail = "( a"
        if word in ("hat", "bar", "tilde", "vec", "dot", "ddot", "dddot", "ddddot", "check",
                    "breve", "acute", "grave", "mathring", "widehat", "widetilde", "overline",
                    "underline"):
            tail = "{a}"
        tree(f"\\{word}{tail}")
