"""LaTeX math → MathML, the markup browsers lay out natively: the write-ups' formulas in an
HTML page with no script, no font and nothing fetched.

It reads the math chainrule prints (SymPy's LaTeX of the derivation, the spellings and claim
math that :mod:`derive.latex_text`'s allow-list lets through) and the rest of what authors
commonly type in a formula; anything else is refused with :class:`NotMathML` naming it, and
the caller shows the source as code instead. The output is built only from this module's own
element and attribute names; every character of the input reaches it through
:func:`~derive.latex_text.html_text`, so no input can open a tag, an attribute or a link.

Why one file: the converter is one recursive-descent parser over one token stream, and its
tables (symbols, fonts, delimiters) are what it dispatches on; split, each half would be
unreadable without the other.
"""

from __future__ import annotations

import re

from derive.latex_text import (CLAIM_COMMANDS, UnsafeLatex, check_math, html_code, html_text,
                               one_line, tex_unicode)

#: Groups, arguments and delimiter pairs nested deeper than this are refused (Python's stack).
MAX_DEPTH = 150


class NotMathML(ValueError):
    """LaTeX this converter has no MathML for; ``found`` is what (e.g. ``\\foo``)."""

    def __init__(self, found: str):
        super().__init__(f"no MathML for {found}")
        self.found = found


# --------------------------------------------------------------------------- tables

_GREEK = dict(zip(
    ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa "
     "lambda mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi "
     "psi omega").split(), "αβγδϵεζηθϑικϰλμνξοπϖρϱσςτυϕφχψω"))
_CAPITAL_GREEK = dict(zip("Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split(),
                          "ΓΔΘΛΞΠΣΥΦΨΩ"))
#: control words that are an ordinary symbol (<mi>)
_IDENTIFIERS = {"partial": "∂", "ell": "ℓ", "nabla": "∇", "infty": "∞", "hbar": "ℏ",
                "imath": "ı", "jmath": "ȷ", "aleph": "ℵ", "beth": "ℶ", "emptyset": "∅",
                "varnothing": "∅", "top": "⊤", "bot": "⊥", "Re": "ℜ", "Im": "ℑ", "wp": "℘"}
#: control words that are an operator, a relation or punctuation (<mo>)
_OPERATORS = {
    "cdot": "⋅", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "∙", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "ominus": "⊖",
    "dagger": "†", "ddagger": "‡", "intercal": "⊺", "prime": "′", "approx": "≈", "ne": "≠",
    "neq": "≠", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "lt": "<", "gt": ">",
    "equiv": "≡", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "setminus": "∖", "wedge": "∧", "land": "∧",
    "vee": "∨", "lor": "∨", "neg": "¬", "lnot": "¬", "forall": "∀", "exists": "∃",
    "perp": "⊥", "parallel": "∥", "mid": "∣", "colon": ":", "leftarrow": "←", "gets": "←",
    "rightarrow": "→", "to": "→", "leftrightarrow": "↔", "Leftarrow": "⇐",
    "Rightarrow": "⇒", "Leftrightarrow": "⇔", "implies": "⟹", "iff": "⟺", "mapsto": "↦",
    "longrightarrow": "⟶", "longleftarrow": "⟵", "uparrow": "↑", "downarrow": "↓",
    "cdots": "⋯", "ldots": "…", "dots": "…", "vdots": "⋮", "ddots": "⋱", "cdotp": "⋅"}
#: large operators: (character, limits above and below in display math?)
_LARGE = {"sum": ("∑", True), "prod": ("∏", True), "coprod": ("∐", True),
          "bigcup": ("⋃", True), "bigcap": ("⋂", True), "bigoplus": ("⨁", True),
          "bigotimes": ("⨂", True), "bigodot": ("⨀", True), "int": ("∫", False),
          "iint": ("∬", False), "oint": ("∮", False)}
_FUNCTIONS = frozenset("log ln lg exp sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos "
                       "arctan arg deg det dim gcd hom ker Pr".split())
#: named operators whose scripts go below in display math, as \sum's do
_LIMIT_FUNCTIONS = frozenset("lim liminf limsup max min sup inf argmax argmin".split())
#: delimiters after \left, \right, \big … (and as control words anywhere)
_DELIMITERS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "/": "/", ".": "",
               "\\{": "{", "\\}": "}", "\\|": "‖", "\\langle": "⟨", "\\rangle": "⟩",
               "\\vert": "|", "\\Vert": "‖", "\\lvert": "|", "\\rvert": "|", "\\lVert": "‖",
               "\\rVert": "‖", "\\lfloor": "⌊", "\\rfloor": "⌋", "\\lceil": "⌈",
               "\\rceil": "⌉", "\\lbrace": "{", "\\rbrace": "}", "\\backslash": "∖"}
#: \big … sizes (em), as amsmath sets them at 10 pt
_BIG = {"big": 1.2, "Big": 1.623, "bigg": 2.047, "Bigg": 2.470}
_BIG.update({f"{k}{side}": v for k, v in list(_BIG.items()) for side in "lrm"})
#: accents: the mark above (or below), and whether it stretches over its argument
_ACCENTS = {"hat": ("ˆ", False), "bar": ("¯", False), "tilde": ("˜", False),
            "vec": ("→", False), "dot": ("˙", False), "ddot": ("¨", False),
            "dddot": ("⃛", False), "ddddot": ("⃜", False), "check": ("ˇ", False),
            "breve": ("˘", False), "acute": ("´", False), "grave": ("`", False),
            "mathring": ("˚", False), "widehat": ("^", True), "widetilde": ("~", True),
            "overline": ("‾", True), "overrightarrow": ("→", True),
            "overleftarrow": ("←", True)}
_UNDER_ACCENTS = {"underline": ("_", True)}
_SPACES = {",": "0.1667em", ":": "0.2222em", ">": "0.2222em", ";": "0.2778em", " ": "0.25em",
           "quad": "1em", "qquad": "2em", "enspace": "0.5em", "thinspace": "0.1667em",
           "medspace": "0.2222em", "thickspace": "0.2778em"}
#: control words that change only sizes or spacing TeX's way: read and left out
_IGNORED = frozenset("displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits "
                     "Large large LARGE huge Huge small normalsize mathstrut strut "
                     "nonumber notag".split())
_CHAR_OPERATORS = {"-": "−", "*": "∗", "'": "′"}
_PLAIN_FENCES = set("()[]|")
#: font commands → the Unicode Mathematical Alphanumeric style of their letters
_FONTS = {"mathrm": "normal", "operatorname": "normal", "mathit": "italic", "mathbf": "bold",
          "boldsymbol": "bold-italic", "bm": "bold-italic", "mathsf": "sans-serif",
          "mathtt": "monospace", "mathcal": "script", "mathscr": "script",
          "mathbb": "double-struck", "mathfrak": "fraktur"}
_TEXT_FONTS = {"text": None, "textrm": None, "mbox": None, "textit": "italic",
               "textbf": "bold", "textsf": "sans-serif", "texttt": "monospace",
               "textnormal": None}
#: (capital A, small a, digit 0, capital Greek Α, small Greek α) of each style
_STYLE_START = {"bold": (0x1D400, 0x1D41A, 0x1D7CE, 0x1D6A8, 0x1D6C2),
                "italic": (0x1D434, 0x1D44E, None, 0x1D6E2, 0x1D6FC),
                "bold-italic": (0x1D468, 0x1D482, 0x1D7CE, 0x1D71C, 0x1D736),
                "script": (0x1D49C, 0x1D4B6, None, None, None),
                "fraktur": (0x1D504, 0x1D51E, None, None, None),
                "double-struck": (0x1D538, 0x1D552, 0x1D7D8, None, None),
                "sans-serif": (0x1D5A0, 0x1D5BA, 0x1D7E2, None, None),
                "monospace": (0x1D670, 0x1D68A, 0x1D7F6, None, None)}
#: letters Unicode had before the block, left out of it
_STYLE_HOLES = {"italic": {"h": "ℎ"},
                "script": dict(zip("BEFHILMRego", "ℬℰℱℋℐℒℳℛℯℊℴ")),
                "fraktur": dict(zip("CHIRZ", "ℭℌℑℜℨ")),
                "double-struck": dict(zip("CHNPQRZ", "ℂℍℕℙℚℝℤ"))}
_NEGATED = {"=": "≠", "in": "∉", "equiv": "≢", "subset": "⊄", "le": "≰", "leq": "≰",
            "ge": "≱", "geq": "≱", "sim": "≁", "approx": "≉"}
_ENVIRONMENTS = {"matrix": ("", ""), "smallmatrix": ("", ""), "pmatrix": ("(", ")"),
                 "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"), "vmatrix": ("|", "|"),
                 "Vmatrix": ("‖", "‖"), "cases": ("{", ""), "array": ("", ""),
                 "aligned": ("", ""), "align": ("", ""), "align*": ("", ""),
                 "split": ("", ""), "gathered": ("", "")}
#: elements taller than a line of text, which \left … \right grows around
_TALL = ("<mfrac", "<munder", "<mtable", "<msqrt", "<mroot")


def styled(text: str, style: str | None) -> str:
    """``text``'s letters and digits in a Unicode math style (``bold``: 𝐖, 𝟏)."""
    if style in (None, "normal"):
        return text
    upper, lower, digit, capital, small = _STYLE_START[style]
    holes = _STYLE_HOLES.get(style, {})
    out = []
    for ch in text:
        if ch in holes:
            out.append(holes[ch])
        elif "A" <= ch <= "Z":
            out.append(chr(upper + ord(ch) - 65))
        elif "a" <= ch <= "z":
            out.append(chr(lower + ord(ch) - 97))
        elif "0" <= ch <= "9" and digit:
            out.append(chr(digit + ord(ch) - 48))
        elif "Α" <= ch <= "Ω" and capital:
            out.append(chr(capital + ord(ch) - 0x391))
        elif "α" <= ch <= "ω" and small:
            out.append(chr(small + ord(ch) - 0x3B1))
        else:
            out.append(ch)
    return "".join(out)


def _tag(name: str, *children: str, attrs: str = "") -> str:
    return f"<{name}{attrs}>{''.join(children)}</{name}>"


def _mo(text: str, attrs: str = "") -> str:
    return _tag("mo", html_text(text), attrs=attrs)


def _mi(text: str, attrs: str = "") -> str:
    return _tag("mi", html_text(text), attrs=attrs)


def _row(items: list[str]) -> str:
    return items[0] if len(items) == 1 else _tag("mrow", *items)


def _space(width: str) -> str:
    return f'<mspace width="{width}"></mspace>'


# --------------------------------------------------------------------------- the parser

_TOKEN = re.compile(r"\\(operatorname\*|[A-Za-z]+)|\\(.)|(\s+)|(\d+(?:\.\d+)?|\.\d+)|(.)", re.S)
_WORD, _SYMBOL, _NUMBER, _CHAR = 1, 2, 4, 5


class _Parser:
    """One formula's tokens, read left to right into MathML."""

    def __init__(self, tex: str):
        self.tex = tex
        self.tokens = [(m.lastindex, m.group(m.lastindex), m.start(), m.end())
                       for m in _TOKEN.finditer(tex) if m.lastindex != 3]
        self.i = 0
        self.depth = 0
        self.style: str | None = None
        self.after_large = False    # the last item was a large operator (∑): a sign may follow

    # ---- tokens ----

    def peek(self, ahead: int = 0):
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else (0, "", len(self.tex), len(self.tex))

    def take(self):
        token = self.peek()
        if token[0] == 0:
            raise NotMathML("the end of the formula where more was needed")
        self.i += 1
        return token

    def at(self, kind: int, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token[0] == kind and token[1] == text

    def expect(self, kind: int, text: str) -> None:
        if not self.at(kind, text):
            raise NotMathML(f"{self.peek()[1] or 'the end'} where {text} was needed")
        self.i += 1

    # ---- rows, items, arguments ----

    def formula(self) -> str:
        items = self.row(lambda t: t[0] == 0)
        return _row(items) if items else "<mrow></mrow>"

    def row(self, stop) -> list[str]:
        """Items up to (not including) the first token ``stop`` says ends the row."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise NotMathML(f"math nested more than {MAX_DEPTH} levels deep")
        items = []
        while not stop(self.peek()):
            kind, text, _, _ = self.peek()
            if kind == 0:
                raise NotMathML("an opening { or \\left without its closing one")
            if kind == _CHAR and text in "}&" or kind == _SYMBOL and text == "\\" \
                    or kind == _WORD and text in ("right", "end"):
                shown = text if kind == _CHAR else "\\" + text
                raise NotMathML(f"{shown} out of place")
            if kind == _CHAR and text in "+-" and (_starts_operand(items) or self.after_large):
                self.i += 1     # a sign (-0.6, = -0.6): prefix, so no space after it
                items.append(_mo(_CHAR_OPERATORS.get(text, text), attrs=' form="prefix"'))
                continue
            item = self.item()
            if item:
                items.append(item)
        self.depth -= 1
        return items

    def group(self) -> str:
        """``{ … }``: the braces already seen at the current token."""
        self.expect(_CHAR, "{")
        items = self.row(lambda t: t[0] == _CHAR and t[1] == "}")
        self.i += 1
        return _tag("mrow", *items)

    def item(self) -> str | None:
        """An atom with its scripts and primes."""
        if self.peek()[0] == _CHAR and self.peek()[1] in "^_'":
            base, kind = "<mrow></mrow>", "ord"
        else:
            base, kind = self.atom()
            if not base:
                return None
        sub = sup = None
        primes = 0
        while self.peek()[0] == _CHAR and self.peek()[1] in "^_'":
            char = self.take()[1]
            if char == "'":
                primes += 1
                continue
            if (sup if char == "^" else sub) is not None:
                raise NotMathML(f"a double script {char}{char}")
            argument = self.argument()
            sup, sub = (argument, sub) if char == "^" else (sup, argument)
        if primes:
            mark = _mo("′" * primes)
            sup = mark if sup is None else _tag("mrow", mark, sup)
        out = _scripted(base, sub, sup, under=kind == "limits")
        self.after_large = kind == "limits"
        return out + _space("0.1667em") if kind == "function" else out

    def argument(self) -> str:
        """The argument of a command or a script: a group, or a single token."""
        kind, text, start, end = self.peek()
        if kind == _CHAR and text == "{":
            return self.group()
        if kind == _NUMBER and len(text) > 1:       # x^23 is x² 3, as TeX reads it
            self.tokens[self.i] = (kind, text[1:], start + 1, end)
            return _tag("mn", html_text(text[0]))
        if kind == _CHAR and text in "}&^_":
            raise NotMathML(f"{text} where an argument was needed")
        base, _ = self.atom()
        if not base:
            raise NotMathML(f"\\{text} as an argument")
        return base

    # ---- atoms ----

    def atom(self) -> tuple[str | None, str]:
        """One atom without its scripts, and its kind: ord, function (a thin space after
        it), limits (scripts below and above)."""
        kind, text, _, _ = self.take()
        if kind == _CHAR:
            return self.char(text), "ord"
        if kind == _NUMBER:
            return _tag("mn", html_text(styled(text, self.style))), "ord"
        if kind == _SYMBOL:
            return self.symbol(text), "ord"
        return self.word(text)

    def char(self, char: str) -> str:
        if char == "{":
            self.i -= 1
            return self.group()
        if char.isalpha():
            return self.letters(char)
        if char == "~":
            return _space("0.25em")
        if char in "#$%&\\":
            raise NotMathML(char)
        if char in _PLAIN_FENCES:
            return _mo(char, attrs=' stretchy="false"')
        if char == "/":
            return _mo(char, attrs=' lspace="0" rspace="0"')
        return _mo(_CHAR_OPERATORS.get(char, char))

    def letters(self, first: str) -> str:
        """A letter; in a font other than italic, the run of letters it starts (one word,
        ``\\mathrm{net}``), up to a letter that carries a script."""
        if self.style is None:
            return _mi(first)
        run = first
        while self.peek()[0] == _CHAR and self.peek()[1].isalpha() \
                and not (self.peek(1)[0] == _CHAR and self.peek(1)[1] in "^_'"):
            run += self.take()[1]
        attrs = ' mathvariant="normal"' if self.style == "normal" and len(run) == 1 else ""
        return _mi(styled(run, self.style), attrs=attrs)

    def symbol(self, symbol: str) -> str:
        if symbol in _SPACES:
            return _space(_SPACES[symbol])
        if symbol == "!":
            return ""                    # a negative thin space: nothing lost without it
        if symbol in "{}":
            return _mo(symbol, attrs=' stretchy="false"')
        if symbol == "|":
            return _mo("‖", attrs=' stretchy="false"')
        if symbol in "_%#&$":
            return _mo(symbol)
        raise NotMathML("\\" + symbol)

    def word(self, word: str) -> tuple[str | None, str]:
        if word in _GREEK:
            return _mi(styled(_GREEK[word], self.style)), "ord"
        if word in _CAPITAL_GREEK:
            letter = styled(_CAPITAL_GREEK[word], self.style)
            normal = ' mathvariant="normal"' if letter == _CAPITAL_GREEK[word] else ""
            return _mi(letter, attrs=normal), "ord"
        if word in _IDENTIFIERS:
            return _mi(_IDENTIFIERS[word]), "ord"
        if word in _OPERATORS:
            return _mo(_OPERATORS[word]), "ord"
        if word in _LARGE:
            char, limits = _LARGE[word]
            return _mo(char), "limits" if limits else "ord"
        if word in _FUNCTIONS:
            return _mi(word), "function"
        if word in _LIMIT_FUNCTIONS:
            return _mo(word, attrs=' movablelimits="true"'), "limits"
        if word in _SPACES:
            return _space(_SPACES[word]), "ord"
        if word in _IGNORED:
            return "", "ord"
        if word in _DELIMITERS_WORDS:
            return _mo(_DELIMITERS["\\" + word], attrs=' stretchy="false"'), "ord"
        handler = _HANDLERS.get(word.rstrip("*"))
        if handler is None:
            raise NotMathML("\\" + word)
        return handler(self, word)

    def delimiter(self, after: str) -> str:
        kind, text, _, _ = self.take()
        key = text if kind == _CHAR else "\\" + text
        if key not in _DELIMITERS:
            raise NotMathML(f"\\{after}{key}")
        return _DELIMITERS[key]

    # ---- commands ----

    def font(self, word: str) -> tuple[str, str]:
        outer, self.style = self.style, _FONTS[word.rstrip("*")]
        try:
            body = self.argument()
        finally:
            self.style = outer
        return body, "function" if word.startswith("operatorname") else "ord"

    def text(self, word: str) -> tuple[str, str]:
        """``\\text{…}``: its characters as they are (braces dropped, ``\\{`` ``\\_`` …
        as the character, spacing commands as a space)."""
        start, level = self.peek()[3], 1
        self.expect(_CHAR, "{")
        while level:
            kind, char, _, end = self.take()
            if kind == _WORD:
                raise NotMathML(f"\\{char} inside \\{word}")
            level += (kind == _CHAR and char == "{") - (kind == _CHAR and char == "}")
        raw = self.tex[start:end - 1]
        content = re.sub(r"\\([{}_%&#$ ])|\\[,;:!]|[{}~]", _text_char, raw)
        return _tag("mtext", html_text(styled(content, _TEXT_FONTS[word]))), "ord"

    def frac(self, word: str) -> tuple[str, str]:
        fraction = _tag("mfrac", self.argument(), self.argument())
        style = {"dfrac": "true", "tfrac": "false"}.get(word)
        if style:
            fraction = _tag("mstyle", fraction, attrs=f' displaystyle="{style}"')
        return fraction, "ord"

    def binom(self, word: str) -> tuple[str, str]:
        stack = _tag("mfrac", self.argument(), self.argument(), attrs=' linethickness="0"')
        return _tag("mrow", _mo("("), stack, _mo(")")), "ord"

    def sqrt(self, word: str) -> tuple[str, str]:
        if self.at(_CHAR, "["):
            self.i += 1
            index = _row(self.row(lambda t: t[0] == _CHAR and t[1] == "]") or ["<mrow></mrow>"])
            self.i += 1
            return _tag("mroot", self.argument(), index), "ord"
        return _tag("msqrt", self.argument()), "ord"

    def left(self, word: str) -> tuple[str, str]:
        opening = self.delimiter("left")
        items = self.row(lambda t: t[0] == _WORD and t[1] == "right")
        self.i += 1
        closing = self.delimiter("right")
        # a fence stretches only around something tall: the browser's stretched glyph is
        # wider than the plain one even where it need not grow (TeX's \left( around h_1)
        tall = any(tag in item for item in items for tag in _TALL)
        fence = f' fence="true" stretchy="{"true" if tall else "false"}"'
        return _tag("mrow", *([_mo(opening, attrs=fence)] if opening else []), *items,
                    *([_mo(closing, attrs=fence)] if closing else [])), "ord"

    def middle(self, word: str) -> tuple[str, str]:
        return _mo(self.delimiter("middle"), attrs=' stretchy="true"'), "ord"

    def big(self, word: str) -> tuple[str, str]:
        size = f'{_BIG[word]}em'
        char = self.delimiter(word)
        attrs = f' stretchy="true" symmetric="true" minsize="{size}" maxsize="{size}"'
        return (_mo(char, attrs=attrs) if char else ""), "ord"

    def accent(self, word: str) -> tuple[str, str]:
        mark, wide = _ACCENTS.get(word) or _UNDER_ACCENTS[word]
        stretch = ' stretchy="true"' if wide else ' stretchy="false"'
        if word in _UNDER_ACCENTS:
            return _tag("munder", self.argument(), _mo(mark, attrs=stretch),
                        attrs=' accentunder="true"'), "ord"
        return _tag("mover", self.argument(), _mo(mark, attrs=stretch),
                    attrs=' accent="true"'), "ord"

    def stack(self, word: str) -> tuple[str, str]:
        over, base = self.argument(), self.argument()
        return _tag("munder" if word == "underset" else "mover", base, over), "ord"

    def phantom(self, word: str) -> tuple[str, str]:
        return _tag("mphantom", self.argument()), "ord"

    def negated(self, word: str) -> tuple[str, str]:
        kind, text, _, _ = self.take()
        if text not in _NEGATED or kind not in (_CHAR, _WORD):
            raise NotMathML(f"\\not{text}")
        return _mo(_NEGATED[text]), "ord"

    def substack(self, word: str) -> tuple[str, str]:
        self.expect(_CHAR, "{")
        rows = self.cells(lambda t: t[0] == _CHAR and t[1] == "}")
        return _table(rows, attrs=' class="substack"'), "ord"

    def environment(self, word: str) -> tuple[str, str]:
        name = self.name()
        if name not in _ENVIRONMENTS:
            raise NotMathML(f"\\begin{{{name}}}")
        if name == "array" and self.at(_CHAR, "{"):
            self.name()                  # the column spec
        rows = self.cells(lambda t: t[0] == _WORD and t[1] == "end")
        if self.name() != name:
            raise NotMathML(f"\\end of another environment than {name}")
        table = _table(rows)
        opening, closing = _ENVIRONMENTS[name]
        if not opening:
            return table, "ord"
        fence = ' fence="true" stretchy="true"'
        return _tag("mrow", _mo(opening, attrs=fence), table,
                    *([_mo(closing, attrs=fence)] if closing else [])), "ord"

    def name(self) -> str:
        """``{name}`` of an environment (or an array's column spec), as text."""
        self.expect(_CHAR, "{")
        text = ""
        while not self.at(_CHAR, "}"):
            kind, piece, _, _ = self.take()
            if kind not in (_CHAR, _NUMBER):
                raise NotMathML("\\" + piece)
            text += piece
        self.i += 1
        return text

    def cells(self, end) -> list[list[str]]:
        """Rows of ``&``-separated cells, rows ended by ``\\\\``, up to ``end`` (taken)."""
        rows, cells = [], []
        while True:
            items = self.row(lambda t: end(t) or t[0] == _CHAR and t[1] == "&"
                             or t[0] == _SYMBOL and t[1] == "\\")
            cells.append(_row(items) if items else "")
            kind, text, _, _ = self.take()
            if kind == _CHAR and text == "&":
                continue
            if kind == _SYMBOL:
                rows.append(cells)
                cells = []
                continue
            if cells != [""] or not rows:
                rows.append(cells)
            return rows


_DELIMITERS_WORDS = frozenset(k[1:] for k in _DELIMITERS if k[1:].isalpha())
_HANDLERS = {
    **{w: _Parser.font for w in _FONTS}, **{w: _Parser.text for w in _TEXT_FONTS},
    **{w: _Parser.frac for w in ("frac", "dfrac", "tfrac", "cfrac")},
    **{w: _Parser.big for w in _BIG}, **{w: _Parser.accent for w in (*_ACCENTS, *_UNDER_ACCENTS)},
    **{w: _Parser.stack for w in ("overset", "underset", "stackrel")},
    "binom": _Parser.binom, "sqrt": _Parser.sqrt, "left": _Parser.left,
    "middle": _Parser.middle, "phantom": _Parser.phantom, "not": _Parser.negated,
    "substack": _Parser.substack, "begin": _Parser.environment}


def _starts_operand(items: list[str]) -> bool:
    """Whether a + or − here is a sign, as TeX reads it: at the start of a row, or after an
    operator or relation that is not a closing bracket (or a large operator: the parser
    knows)."""
    if not items:
        return True
    last = items[-1]
    return last.startswith("<mo") and not re.search(r"[)\]|}‖⟩⌋⌉]</mo>$", last)


def _text_char(match: re.Match) -> str:
    """A piece of ``\\text{…}``'s source as the text it prints."""
    if match.group(1):
        return match.group(1)
    return "" if match.group(0) in "{}" else " "


def _scripted(base: str, sub: str | None, sup: str | None, under: bool) -> str:
    if sub is None and sup is None:
        return base
    names = ("munder", "mover", "munderover") if under else ("msub", "msup", "msubsup")
    if sup is None:
        return _tag(names[0], base, sub)
    if sub is None:
        return _tag(names[1], base, sup)
    return _tag(names[2], base, sub, sup)


def _table(rows: list[list[str]], attrs: str = "") -> str:
    """An ``<mtable>`` (its cells centred: browsers do not align MathML columns)."""
    return _tag("mtable", *(_tag("mtr", *(_tag("mtd", cell) for cell in cells))
                            for cells in rows), attrs=attrs)


# --------------------------------------------------------------------------- public


def to_mathml(tex: str) -> str:
    """The MathML of LaTeX math ``tex`` (without ``$``), for inside a ``<math>`` element.

    Raises:
        NotMathML: what in ``tex`` has no MathML here, or is unbalanced.
    """
    try:
        return _Parser(tex).formula()
    except RecursionError:
        raise NotMathML("math nested too deep") from None


def math_element(content: str, display: bool = False) -> str:
    """A ``<math>`` element around MathML ``content``; ``display``: in display style (full
    size fractions, limits above and below), for the cells of a display."""
    return _tag("math", content, attrs=' displaystyle="true"' if display else "")


def html_math(text: str) -> str:
    """A claim's LaTeX as inline MathML, when :func:`~derive.latex_text.check_math` allows it
    with :data:`~derive.latex_text.CLAIM_COMMANDS` (Unicode symbols as their commands) and it
    converts; else as escaped ``<code>``."""
    text = text.strip()
    commands = tex_unicode(text)
    if commands.count("?") == text.count("?"):     # every Unicode symbol had a command
        text = commands
    try:
        check_math(text, CLAIM_COMMANDS)
        return math_element(to_mathml(text))
    except (UnsafeLatex, NotMathML):
        return html_code(text)


def html_text_with_math(text: str) -> str:
    """Plain text whose ``$...$`` spans are math (claims' details), each span shown as MathML
    where :func:`html_math` allows it; the rest escaped with
    :func:`~derive.latex_text.html_text`."""
    pieces = re.split(r"(\$[^$]+\$)", one_line(text))
    return "".join(html_math(p[1:-1]) if len(p) > 2 and p[0] == p[-1] == "$" else html_text(p)
                   for p in pieces)
