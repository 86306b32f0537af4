"""User text made safe for LaTeX, Markdown and HTML documents: the one place that escapes it.

Two kinds of user text reach a write-up. *Plain text* (titles, names, claim texts, verdict
details) is escaped so that it prints as it is (:func:`tex_text`, :func:`md_text`,
:func:`md_code`, :func:`html_text`, :func:`html_code`). *Math* (a ``[latex]`` spelling, a LaTeX claim) is the user's own markup, so
it is checked instead (:func:`check_math`): it may use the characters and control sequences a
formula needs and nothing else, so no spelling can run a TeX primitive (``\\input``,
``\\write18``, ``\\catcode`` …), end the math early or break the document around it.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest ``[latex]`` spelling of a name (a name's spelling is a few dozen characters).
MAX_SPELLING_CHARS = 200
#: Deepest nesting of braces in checked math (spellings and claims shown as math).
MAX_MATH_DEPTH = 50

# --------------------------------------------------------------------------- plain text

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "&": r"\&",
                "%": r"\%", "$": r"\$", "#": r"\#", "^": r"\^{}", "~": r"\~{}"}
#: characters the roman OT1 font has no glyph for (it prints ¡ ¿ — for < >)
_TEX_ROMAN = {"<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
_TEX_SYMBOLS = {"→": r"$\to$", "∂": r"$\partial$", "σ": r"$\sigma$", "η": r"$\eta$",
                "·": r"$\cdot$", "−": "-", "–": "--", "—": "---", "’": "'", "×": r"$\times$",
                "≈": r"$\approx$", "′": "'", "δ": r"$\delta$",
                # Latin letters pdflatex's default (OT1) fonts draw with their own commands
                "ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "ø": r"\o{}", "Ø": r"\O{}",
                "œ": r"\oe{}", "Œ": r"\OE{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}",
                "å": r"\aa{}", "Å": r"\AA{}"}
#: combining accents of a letter's canonical decomposition → OT1's text-mode accent command
_TEX_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
                "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
                "\u030c": "v", "\u0327": "c"}


def _tex_letter(ch: str) -> str:
    """A non-ASCII character :data:`_TEX_SYMBOLS` does not name, as text-mode LaTeX: an
    accented Latin letter (é, ü, ñ, ç, š …) as accent commands on its ASCII base (\\'{e}),
    anything else as ``?``."""
    base, *marks = unicodedata.normalize("NFD", ch)
    if not (base.isascii() and base.isalpha()) or not marks \
            or any(m not in _TEX_ACCENTS for m in marks):
        return "?"
    out = r"\i{}" if base == "i" else base   # an accent replaces the dot of an i
    for mark in marks:
        out = "\\" + _TEX_ACCENTS[mark] + "{" + out + "}"
    return out


#: line breaks (a blank line inside \section{...} would end a paragraph there) and other
#: control characters: all print as a space
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every line break and control character as a space."""
    return _BREAKS.sub(" ", text)


def tex_text(text: str, math_spans: bool = False, typewriter: bool = False) -> str:
    """Plain text made safe for pdflatex: specials escaped, line breaks as spaces, a few
    symbols as math, accented Latin letters as accent commands, other non-ASCII characters
    as ``?``.

    Args:
        text: any text from outside.
        math_spans: keep ``$...$`` spans as math where :func:`check_math` allows them
            (claims' LaTeX); a span it refuses is escaped as text like the rest.
        typewriter: the text goes into ``\\texttt`` (whose font has ``<``, ``>`` and ``|``).
    """
    if math_spans:
        pieces = re.split(r"(\$[^$]+\$)", text)
        return "".join(tex_math(p[1:-1]) if _is_span(p) else tex_text(p, typewriter=typewriter)
                       for p in pieces)
    table = _TEX_SPECIAL if typewriter else {**_TEX_SPECIAL, **_TEX_ROMAN}
    return "".join(table.get(ch) or _TEX_SYMBOLS.get(ch) or (ch if ord(ch) < 128 else
                                                            _tex_letter(ch))
                   for ch in one_line(text))


def tex_code(text: str) -> str:
    r"""``text`` as ``\texttt{...}``, escaped."""
    return r"\texttt{" + tex_text(text, typewriter=True) + "}"


def tex_math(text: str) -> str:
    r"""``text`` (a claim's LaTeX) as inline math ``\(...\)`` when :func:`check_math` allows
    it with :data:`CLAIM_COMMANDS` (Unicode math symbols written as commands), else as
    escaped ``\texttt`` text."""
    text = tex_unicode(text.strip())
    try:
        check_math(text, CLAIM_COMMANDS)
    except UnsafeLatex:
        return tex_code(text)
    return r"\(" + text + r"\)"


def _is_span(piece: str) -> bool:
    return len(piece) > 2 and piece.startswith("$") and piece.endswith("$")


def tex_unicode(text: str) -> str:
    """Unicode math symbols of a formula as LaTeX commands (pdflatex has no Unicode math)."""
    table = {"–": "-", "−": "-", "—": "-", "’": "'", "′": "'", "·": r"\cdot ",
             "×": r"\times ", "σ": r"\sigma ", "η": r"\eta ", "∂": r"\partial ",
             "δ": r"\delta "}
    return "".join(table.get(ch, ch if ord(ch) < 128 else "?") for ch in text)


# --------------------------------------------------------------------------- Markdown

#: ASCII punctuation that starts something in (GitHub) Markdown inside a line: HTML, code,
#: emphasis, links and images, math, table cells, entities, a heading's closing #s
#: (CommonMark lets a backslash escape any ASCII punctuation)
_MD_SPECIAL = set("\\`*_[]<>|$~&#")


def md_text(text: str) -> str:
    """Plain text made safe for Markdown inside a line (a heading, a caption, a table cell):
    one line, every character that could start HTML (``<script>``), code, emphasis, a link,
    math or a table cell backslash-escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in one_line(text))


def md_code(text: str) -> str:
    """``text`` as a Markdown code span that no backtick or ``|`` inside it can end (the
    fence is longer than any run of backticks in it; ``|`` is escaped for tables)."""
    text = one_line(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_math(text: str) -> str:
    """``text`` as Markdown inline math ``$...$`` when :func:`check_math` allows it (with
    ``|`` escaped for tables), else as a code span."""
    try:
        check_math(text, CLAIM_COMMANDS)
    except UnsafeLatex:
        return md_code(text)
    return "$" + text.replace("|", "\\|") + "$"


def md_text_with_math(text: str) -> str:
    """Plain text whose ``$...$`` spans are math (claims' details), each span kept where
    :func:`check_math` allows it; the rest escaped with :func:`md_text`."""
    pieces = re.split(r"(\$[^$]+\$)", one_line(text))
    return "".join(md_math(p[1:-1]) if _is_span(p) else md_text(p) for p in pieces)


# --------------------------------------------------------------------------- HTML

_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
#: lone surrogates (no UTF-8 form) and the noncharacters U+FFFE/U+FFFF, which HTML refuses
_NOT_HTML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def html_text(text: str) -> str:
    """Plain text made safe for HTML, SVG and MathML, as element content or a quoted
    attribute value: one line, ``& < > " '`` written as entities (so no tag, entity, comment
    or attribute can start inside it: ``<script>`` prints as itself), characters HTML has no
    place for as U+FFFD."""
    text = _NOT_HTML.sub("\ufffd", one_line(text))
    return "".join(_HTML_SPECIAL.get(ch, ch) for ch in text)


def html_code(text: str) -> str:
    """``text`` as an HTML ``<code>`` element, escaped."""
    return "<code>" + html_text(text) + "</code>"


# --------------------------------------------------------------------------- checked math

_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
          "lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi "
          "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
#: commands whose argument is math in another font, or an accent on it
_MATH_ARGUMENT = ("mathrm mathit mathbf mathsf mathtt mathcal mathbb mathfrak boldsymbol "
                  "operatorname hat bar tilde vec dot ddot dddot ddddot check breve acute grave "
                  "mathring widehat widetilde overline underline").split()
#: commands whose argument is text (no scripts, no commands inside)
_TEXT_ARGUMENT = ("text textrm textit textbf textsf texttt").split()
_SYMBOLS = ("prime partial ell nabla infty cdot times star ast circ bullet dagger ddagger top "
            "intercal hbar imath jmath aleph beth vert Vert").split()
#: control symbols: thin, medium, thick and negative spaces, a space, braces, underscore
_CONTROL_SYMBOLS = frozenset(", ; : ! { } _".split() + [" "])

#: control words that may stand alone as an argument (\hat\alpha, x^\prime)
_ATOMS = frozenset(_GREEK + _SYMBOLS)
#: every control word a name's spelling may use
SPELLING_COMMANDS = frozenset(_GREEK + _MATH_ARGUMENT + _TEXT_ARGUMENT + _SYMBOLS)
#: claims shown as math may also use fractions, roots, delimiters, functions and operators
CLAIM_COMMANDS = SPELLING_COMMANDS | frozenset(
    ("frac dfrac tfrac sqrt left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr "
     "exp log ln tanh sin cos sum prod odot otimes div pm mp quad qquad leftarrow "
     "rightarrow to approx ne neq le leq ge geq equiv cdots ldots dots lvert rvert langle "
     "rangle displaystyle textstyle").split())
_ARGUMENTS = {**{c: 1 for c in _MATH_ARGUMENT + _TEXT_ARGUMENT + ["sqrt"]},
              "frac": 2, "dfrac": 2, "tfrac": 2}
#: commands a delimiter must follow
_SIZED = frozenset("left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr".split())
_DELIMITERS = set("()[]|./") | {r"\{", r"\}", r"\langle", r"\rangle", r"\vert", r"\Vert",
                                r"\lvert", r"\rvert"}
#: characters math may hold as they are: letters, digits, spaces and harmless punctuation
_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()[],.'+-*/=|:;!?")
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|(.)", re.S)

#: what a spelling may use, for error messages
ALLOWED = ("letters, digits, spaces, _ ^ { } ( ) [ ] , . ' + - * / = | : ; ! ? and "
           r"\mathrm, \mathit, \mathbf, \text, \operatorname, Greek letters (\alpha ...), "
           r"accents (\hat, \bar, \tilde, \vec, \dot ...), \prime, \partial, \ell, \cdot, "
           r"spaces \, \; \! (the README lists them all)")


class UnsafeLatex(ValueError):
    """Math that uses something outside the allow-list; ``found`` is what (e.g. ``\\input``)."""

    def __init__(self, found: str, reason: str):
        super().__init__(f"{reason}: {found}")
        self.found = found
        self.reason = reason


def check_spelling(spelling: str) -> None:
    """Check a name's ``[latex]`` spelling against the allow-list of :data:`SPELLING_COMMANDS`.

    Raises:
        UnsafeLatex: naming the control sequence or character that is not allowed, or what
            is unbalanced.
    """
    if len(spelling) > MAX_SPELLING_CHARS:
        raise UnsafeLatex(f"{len(spelling)} characters",
                          f"a spelling is at most {MAX_SPELLING_CHARS} characters long")
    if not spelling.strip():
        raise UnsafeLatex("an empty spelling", "a spelling must spell something")
    if _SIMPLE_SPELLING.fullmatch(spelling):
        return            # w^{2}_{11}: a layered network's 100,000 of them need no parse
    check_math(spelling, SPELLING_COMMANDS)


#: letters with braced alphanumeric scripts: allowed math at a glance
_SIMPLE_SPELLING = re.compile(r"[A-Za-z]+(?:\^\{[A-Za-z0-9]+\})?(?:_\{[A-Za-z0-9]+\})?")


class _Group:
    """An open ``{`` or ``\\left`` of checked math: whether it holds text, the arguments its
    last command or script still needs (and whether they are text), the scripts its current
    atom has."""

    def __init__(self, kind: str, text: bool = False):
        self.kind = kind
        self.text = text
        self.pending = 0
        self.text_argument = False
        self.command_argument = False   # pending for a command (not a script)
        self.scripts: set[str] = set()

    def argument(self) -> bool:
        """Take the next piece as an argument if one is pending; else it starts a new atom."""
        if self.pending:
            self.pending -= 1
            return True
        self.scripts = set()
        return False


def check_math(text: str, allowed: frozenset[str] = SPELLING_COMMANDS) -> None:
    """Check that ``text`` is math built only from allowed pieces, balanced, every command
    and script with its argument (so it cannot end the surrounding math or run anything).

    Args:
        text: the math (without ``$`` delimiters).
        allowed: the control words allowed (:data:`SPELLING_COMMANDS` or
            :data:`CLAIM_COMMANDS`).

    Raises:
        UnsafeLatex: what is not allowed, and why.
    """
    if "^^" in text:
        raise UnsafeLatex("^^", "TeX's ^^ character-code notation is not allowed")
    stack = [_Group("top")]
    tokens = _TOKEN.finditer(text)
    for match in tokens:
        word, symbol, char = match.groups()
        if word is not None:
            _command(word, allowed, stack, tokens)
        elif symbol is not None:
            _control_symbol(symbol, stack[-1])
        elif char in "{}":
            _brace(char, stack)
        elif char in "^_'":
            _script(char, stack[-1])
        elif char not in _PLAIN:
            reason = ("a line break or control character is not allowed" if not char.isprintable()
                      else "this character is not allowed")
            raise UnsafeLatex(repr(char), reason)
        elif char != " ":
            _plain(char, stack[-1])
    if stack[-1].pending:
        raise UnsafeLatex("the end", "a command or script without its argument")
    if len(stack) > 1:
        raise UnsafeLatex("{" if stack[-1].kind == "{" else "\\left",
                          "an opening brace without its closing one")


def _command(word: str, allowed: frozenset[str], stack: list[_Group], tokens) -> None:
    group, token = stack[-1], "\\" + word
    if word not in allowed:
        raise UnsafeLatex(token, "this control sequence is not allowed")
    if group.text or (group.pending and group.text_argument):
        raise UnsafeLatex(token, "no command inside \\text{...}")
    needs = _ARGUMENTS.get(word, 0)
    if group.pending and (needs or word not in _ATOMS):
        raise UnsafeLatex(token, "put braces around a command used as an argument")
    if word in _SIZED:
        _delimiter(word, tokens, stack)
    elif not group.argument():
        group.pending, group.text_argument = needs, word in _TEXT_ARGUMENT
        group.command_argument = True


def _plain(char: str, group: _Group) -> None:
    if group.pending and group.command_argument and not char.isalnum():
        raise UnsafeLatex(repr(char), "a command's argument is a letter, a digit or {...}")
    group.argument()


def _control_symbol(symbol: str, group: _Group) -> None:
    if symbol not in _CONTROL_SYMBOLS:
        raise UnsafeLatex("\\" + symbol, "this control sequence is not allowed")
    if symbol not in "{}_" and group.pending:
        raise UnsafeLatex("\\" + symbol, "spacing cannot be the argument of a command or script")
    if symbol in "{}_":
        group.argument()          # spacing (\, \;) between atoms is neither


def _brace(char: str, stack: list[_Group]) -> None:
    group = stack[-1]
    if char == "{":
        if len(stack) > MAX_MATH_DEPTH:
            raise UnsafeLatex(f"{MAX_MATH_DEPTH} levels", "braces nest too deep")
        text = group.text or (group.pending > 0 and group.text_argument)
        group.argument()
        stack.append(_Group("{", text=text))
        return
    if group.kind != "{":
        raise UnsafeLatex("}", "a closing brace without its opening one")
    if group.pending:
        raise UnsafeLatex("}", "a command or script without its argument")
    stack.pop()


def _script(char: str, group: _Group) -> None:
    if char == "'" and group.text:
        return                    # an apostrophe in \text{it's}
    if group.pending:
        raise UnsafeLatex(char, "a command or script without its argument")
    if group.text:
        raise UnsafeLatex(char, "no scripts inside \\text{...}")
    if char == "'":
        if "^" in group.scripts:
            raise UnsafeLatex("'", "a prime after a superscript (write the prime first)")
        return
    if char in group.scripts:
        raise UnsafeLatex(char * 2, "a double script (put braces around one of them)")
    group.scripts.add(char)
    group.pending, group.text_argument, group.command_argument = 1, False, False


def _delimiter(word: str, tokens, stack: list[_Group]) -> None:
    """Read the delimiter after ``\\left``, ``\\right`` or ``\\big`` …, and open or close
    the group of a ``\\left`` … ``\\right`` pair."""
    for match in tokens:
        w, s, c = match.groups()
        if c != " ":
            delimiter = "\\" + w if w else "\\" + s if s else c
            break
    else:
        raise UnsafeLatex("\\" + word, "a delimiter must follow")
    if delimiter not in _DELIMITERS:
        raise UnsafeLatex(f"\\{word}{delimiter}", "not a delimiter")
    if word not in ("left", "right"):
        stack[-1].argument()      # \big( is one atom
    elif word == "left":
        if len(stack) > MAX_MATH_DEPTH:
            raise UnsafeLatex(f"{MAX_MATH_DEPTH} levels", "delimiters nest too deep")
        stack[-1].argument()
        stack.append(_Group("left"))
    elif stack[-1].kind != "left":
        raise UnsafeLatex("\\right", "a \\right without its \\left")
    else:
        stack.pop()
