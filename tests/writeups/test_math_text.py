"""LaTeX names as the diagram's other forms write them (:mod:`derive.writeups.math_text`)."""

from __future__ import annotations

from derive.writeups.math_text import mermaid_text, plain_math, svg_math, xml_text


def test_scripts_become_unicode_where_unicode_has_them():
    assert plain_math("w^{1}_{21}") == "w¹₂₁"
    assert plain_math(r"\delta_{o1}") == "δₒ₁"
    assert plain_math(r"\mathrm{net}_{q}") == "net_q"      # no subscript q: _ instead


def test_svg_text_lowers_what_unicode_cannot_and_escapes_the_rest():
    assert svg_math("a_{q}") == '<tspan>a</tspan><tspan dy="4" font-size="70%">q</tspan>'
    assert "<b>" not in svg_math("<b>") and "&lt;" in svg_math("<b>")


def test_text_is_safe_in_xml_and_in_a_quoted_mermaid_label():
    assert xml_text("a\nb <&>") == "a b &lt;&amp;&gt;"
    assert mermaid_text('x"] --> y') == "x#34;#93; --#62; y"
