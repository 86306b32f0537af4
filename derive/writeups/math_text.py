"""A LaTeX name (``w^{1}_{21}``, ``\\mathrm{net}_{h1}``, ``\\delta``) as the diagram's
non-LaTeX forms write it: SVG text with raised and lowered tspans, plain Unicode
(``w¹₂₁``), and text safe inside a quoted Mermaid label."""

from __future__ import annotations

import re
from derive.latex_text import html_text, one_line

_GREEK = dict(zip(
    ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu "
     "nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma "
     "Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(),
    "αβγδεεζηθϑικλμνξπϖρϱσςτυφφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
#: the text of the other symbols a spelling may use (latex_text.SPELLING_COMMANDS)
_SYMBOL_TEXT = {**_GREEK, "prime": "′", "partial": "∂", "ell": "ℓ", "nabla": "∇", "infty": "∞",
                "cdot": "·", "times": "×", "star": "⋆", "ast": "∗", "circ": "∘", "bullet": "•",
                "dagger": "†", "ddagger": "‡", "top": "⊤", "intercal": "⊺", "hbar": "ℏ",
                "imath": "ı", "jmath": "ȷ", "aleph": "ℵ", "beth": "ℶ", "vert": "|", "Vert": "‖"}
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([_^])|([{}])|(.)", re.S)


def _math_pieces(latex: str) -> list[tuple[str, int]]:
    """(text, shift) runs of a LaTeX name: shift 0 on the line, -1 raised, +1 lowered; runs
    that Unicode can write as super- or subscripts (digits, some letters) come back on the line."""
    pieces: list[tuple[str, int]] = []
    shift_stack = [0]
    pending: int | None = None
    for command, symbol, script, brace, char in _TOKEN.findall(latex):
        if symbol:            # \{ \} \_ print as themselves; \, \; \! are spacing
            char = symbol if symbol in "{}_" else ""
        if script:
            pending = -1 if script == "^" else 1
            continue
        if brace == "{":
            shift_stack.append(pending if pending is not None else shift_stack[-1])
            pending = None
            continue
        if brace == "}":
            if len(shift_stack) > 1:
                shift_stack.pop()
            continue
        text = _SYMBOL_TEXT.get(command, "") if command else char
        if text.strip() == "" and text != " ":
            continue
        shift = pending if pending is not None else shift_stack[-1]
        pending = None
        pieces.append((text, shift))
    return [(_script(text, shift), 0) if _script(text, shift) else (text, shift)
            for text, shift in pieces]


def svg_math(latex: str) -> str:
    """A LaTeX name such as ``w^{1}_{21}`` or ``\\mathrm{net}_{h1}`` as SVG text with tspans."""
    out, baseline = [], 0
    for text, shift in _math_pieces(latex):
        target = {0: 0, -1: -5, 1: 4}[shift]
        size = ' font-size="70%"' if shift else ""
        dy = f' dy="{target - baseline}"' if target != baseline else ""
        out.append(f"<tspan{dy}{size}>{xml_text(text)}</tspan>")
        baseline = target
    return "".join(out)


def xml_text(text: str) -> str:
    """Text made safe for SVG: :func:`~derive.latex_text.html_text`, the one escaping of
    outside text for HTML, SVG and MathML."""
    return html_text(text)


def mermaid_text(text: str) -> str:
    """Text made safe inside a quoted Mermaid label: every character but letters, digits
    and plain math punctuation written as a ``#code;`` entity, so no quote, bracket, ``|``,
    ``-->``, ``;``, ``%%``, backtick, HTML or line break can end the label or the block."""
    return "".join(ch if ch.isalnum() or ch in _MERMAID_PLAIN else f"#{ord(ch)};"
                   for ch in one_line(text))


#: besides letters and digits: plain math punctuation, and the symbols plain_math writes
_MERMAID_PLAIN = set(" _^'.,+-*/=()′·∂ℓ∇∞×⋆∗∘•†‡⊤⊺ℏıȷℵℶ‖⁽⁾₍₎⁺⁻⁼₊₋₌")


def plain_math(latex: str) -> str:
    """A LaTeX name as plain Unicode text: ``w^{1}_{21}`` → ``w¹₂₁`` (``^``/``_`` otherwise)."""
    return "".join(text if shift == 0 else ("^" if shift < 0 else "_") + text
                   for text, shift in _math_pieces(latex))


_SUPER = dict(zip("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


def _script(text: str, shift: int) -> str | None:
    """``text`` in Unicode super- or subscript characters, if all of them have one."""
    table = {-1: _SUPER, 1: _SUB}.get(shift)
    if table is None or not all(c in table for c in text):
        return None
    return "".join(table[c] for c in text)
