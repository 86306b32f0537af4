"""Plain text made safe for LaTeX (pdflatex, no extra packages): shared by write-ups and
claim reports."""

from __future__ import annotations

import re

TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&",
            "%": r"\%", "$": r"\$", "#": r"\#", "^": r"\^{}", "~": r"\~{}",
            "→": r"$\to$", "∂": r"$\partial$", "σ": r"$\sigma$", "η": r"$\eta$",
            "·": r"$\cdot$", "−": "-", "–": "--", "—": "---", "’": "'", "×": r"$\times$",
            "≈": r"$\approx$", "′": "'"}


def tex_text(text: str, math_spans: bool = False) -> str:
    """Plain text made safe for pdflatex (specials escaped, a few symbols as math); with
    ``math_spans``, ``$...$`` spans are kept as math."""
    if math_spans:
        pieces = re.split(r"(\$[^$]+\$)", text)
        return "".join(tex_unicode(p) if p.startswith("$") and p.endswith("$") and len(p) > 1
                       else tex_text(p) for p in pieces)
    return "".join(TEX_TEXT.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


def tex_unicode(text: str) -> str:
    """Unicode math symbols of a formula as LaTeX commands (pdflatex has no Unicode math)."""
    table = {"–": "-", "−": "-", "—": "-", "’": "'", "′": "'", "·": r"\cdot ",
            "×": r"\times ", "σ": r"\sigma ", "η": r"\eta ", "∂": r"\partial "}
    return "".join(table.get(ch, ch if ord(ch) < 128 else "?") for ch in text)
