"""Reading one claim: author spellings mapped to network names by the aliases, the text made
plain (LaTeX when it holds a backslash), split at ``=``, its left side read as a value, an
updated value or a derivative, each right side parsed, and every name checked.

Nothing a claim says is evaluated as Python: the parser of :mod:`derive.spec.expr` reads
each side into a tree.
"""

from __future__ import annotations

import re
from typing import Mapping

from derive.claims.claim import Claim, Target, chain_terms, tree_names
from derive.claims.names import Names
from derive.claims.read_general import LOOKS_GENERAL, read_general
from derive.claims.read_latex import latex_to_plain
from derive.claims.read_plain import ClaimParser, ClaimText, indexed_names, plain_text
from derive.errors import ClaimError
from derive.spec import expr as ex
from derive.vocabulary import FUNCTIONS

#: Longest claim read (characters): a textbook's claims are a line or two; a longer text is
#: not checked (its names and aliases are looked up by passes over the whole text).
MAX_CLAIM_LENGTH = 10_000


_AFTER = [re.compile(r"new\s+(?P<n>[A-Za-z_]\w*)\Z"),
          re.compile(r"(?P<n>[A-Za-z_]\w*?)\s*"
                     r"(\+|'|\^\s*\+|\^\s*\(\s*\+\s*\)|\(\s*new\s*\)|_new|\s+after|\s+new)\Z")]


def _apply_aliases(text: str, aliases: Mapping[str, str], used: dict[str, str]) -> tuple[str, list[int]]:
    """Replace author spellings (``out(h1)``, also as ``dout(h1)``) by network names.

    Returns:
        The new text and, per character, its 0-based offset in ``text`` (for error columns);
        ``used`` receives name → the spelling this text used for it.
    """
    cols = list(range(len(text)))
    used.clear()
    for alias in sorted(aliases, key=len, reverse=True):
        pattern = re.escape(alias)
        if alias[:1].isalnum() or alias[:1] == "_":
            pattern = r"(?<![A-Za-z0-9_])(?:[d∂]_?)?" + pattern
        if alias[-1:].isalnum() or alias[-1:] == "_":
            pattern += r"(?![A-Za-z0-9_])"
        pieces, pos, out_cols = [], 0, []
        for m in re.finditer(pattern, text):
            prefix = m.group()[:len(m.group()) - len(alias)]  # "", "d", "d_" or "∂"
            used.setdefault(aliases[alias], alias)
            pieces += [text[pos:m.start()], prefix + aliases[alias]]
            out_cols += cols[pos:m.start()] + [cols[m.start()]] * (len(prefix) + len(aliases[alias]))
            pos = m.end()
        pieces.append(text[pos:])
        text, cols = "".join(pieces), out_cols + cols[pos:]
    return text, cols


def read_claim(text: str, names: Names) -> Claim:
    """Read one claim.

    Args:
        text: the claim, plain (``dE/dw5 = (O1 - y1)*H1``) or LaTeX (holds a backslash).
        names: the network's names and aliases.

    Raises:
        ClaimError: malformed text (with its column) or an unknown symbol (with the closest
            known names).
    """
    if not isinstance(text, str):
        raise ClaimError(f"a claim is a text, not {type(text).__name__} {text!r:.40}")
    if len(text) > MAX_CLAIM_LENGTH:
        raise ClaimError(f"the claim is {len(text):,} characters long, longer than the "
                         f"{MAX_CLAIM_LENGTH:,} read", hint="check its parts as separate claims")
    try:
        return _read_scalar(text, names)
    except ClaimError:
        general = general_claim(text, names)
        if general is None:
            raise
        return general


def general_claim(text: str, names: Names) -> Claim | None:
    """A claim with free layer and neuron indices (``delta^l = ((w^{l+1})^T delta^{l+1}) *
    sigma'(z^l)``), read by :mod:`derive.claims.read_general`; None for a claim that shows
    no sign of being one (its scalar reading's error stands).

    Raises:
        ClaimError: a general claim that cannot be read (its column and what was expected
            there), or one about a free-form network.
    """
    sign = LOOKS_GENERAL.search(text)
    if sign is None:
        return None
    layers = names.network.layers
    if layers is None:
        raise ClaimError(f"'{sign.group().strip()}' at column {sign.start() + 1} makes this a "
                         f"general claim (layer indices, ^T, ⊙, ∇, ℓ), which needs a layered "
                         f"network: {names.network.name!r} is free-form",
                         hint="check it against a spec with [layers], or write the claim in "
                              "the network's own names")
    g = read_general(text, layers.notation)
    return Claim(text, Target("general", g.side_texts[0]), g.sides[1:], g.side_texts[1:],
                 g.latex, general=g)


def _read_scalar(text: str, names: Names) -> Claim:
    """A claim in the network's own names (the scalar level)."""
    spelled: dict[str, str] = {}
    latex = "\\" in text
    indexed = {} if latex else indexed_names(text, names)
    source, offsets = _apply_aliases(text, {**indexed, **names.aliases}, spelled)
    if latex:
        normal, display = latex_to_plain(source, names)
    else:
        normal, display = plain_text(source), {}
    normal.cols = [offsets[c - 1] + 1 if 0 < c <= len(offsets) else c for c in normal.cols]
    plain = normal.text
    parts = [m.start() for m in re.finditer("=", plain)]
    if not parts:
        raise ClaimError("a claim needs '=' (e.g. dE/dw5 = ... or o1 = 0.79)",
                         hint="write the claim as left side = right side")
    bounds = [-1] + parts + [len(plain)]
    pieces = [(plain[a + 1:b], a + 1) for a, b in zip(bounds, bounds[1:])]
    target = _read_target(*pieces[0], normal, names, text if latex else None)
    sides, texts = [], []
    for piece, start in pieces[1:]:
        try:
            sides.append(ClaimParser(piece, names).parse())
        except ex.ExprError as err:
            column = normal.column(start + err.column - 1)
            message = re.sub(r" at column \d+$", "", err.message)
            hint = err.hint
            if message.startswith("unknown function"):
                hint = ("a node the author writes as a call, e.g. out(h1), needs an alias "
                        "(--alias 'out(h1)=H1' or [aliases] in a claims file); functions are "
                        + ", ".join(FUNCTIONS))
            raise ClaimError(f"{message} at column {column}", hint=hint) from None
        texts.append(piece.strip())
    prefix = "∂" if "∂" in text else ("d_" if re.search(r"(?<![A-Za-z0-9_])d_\w", plain) else "d")
    claim = Claim(text, target, sides, texts, latex, display, prefix, spelled, bool(indexed))
    _check_names(claim, names, normal, pieces)
    return claim


def _read_target(piece: str, start: int, normal: ClaimText, names: Names,
                 latex: str | None = None) -> Target:
    lhs = re.sub(r"\s+", " ", piece.strip())
    col = normal.column(start + len(piece) - len(piece.lstrip()))
    if not lhs:
        raise ClaimError(f"nothing before '=' at column {col}", hint="expected a name or dA/dB")
    tokens = ClaimParser(lhs, names).tokens
    if len(tokens) == 2 and tokens[0].kind == "deriv":
        num, den = tokens[0].text.split("/")
        return Target("deriv", num, den, col)
    if len(tokens) == 2 and tokens[0].kind == "name" and names.delta_of(tokens[0].text):
        return Target("deriv", names.network.cost, names.delta_of(tokens[0].text), col)
    if len(tokens) == 2 and tokens[0].kind == "name":
        return Target("value", tokens[0].text, None, col)
    for pattern in _AFTER:
        m = pattern.match(lhs)
        if m:
            return Target("after", m.group("n"), None, col)
    shown = repr(lhs)
    if latex is not None:  # the author's LaTeX up to the '=', not its plain reading
        end = normal.column(start + len(piece))
        shown = "'" + (latex[col - 1:end - 1].strip() or lhs) + "'"
    raise ClaimError(f"cannot read the left side {shown} at column {col}",
                     hint="expected a name (o1), a derivative (dE/dw5"
                          + (r", \frac{\partial E}{\partial w_5}" if latex is not None else "")
                          + ") or an updated parameter (w1+, w1', new w1)")


def _check_names(claim: Claim, names: Names, normal: ClaimText, pieces) -> None:
    """Raise for the first unknown symbol outside chains (chains report their own)."""
    t = claim.target
    for name in [t.name] + ([t.den] if t.den else []):
        if not names.resolve(name):
            raise _unknown(name, t.pos, names, claim)
    chain_sides = {i for i, side in enumerate(claim.sides) if chain_terms(side) is not None}
    for i, side in enumerate(claim.sides):
        if i in chain_sides:
            continue
        for name, pos in tree_names(side):
            if not names.resolve(name):
                raise _unknown(name, normal.column(pieces[i + 1][1] + pos), names, claim)


def _unknown(name: str, column: int, names: Names, claim: Claim) -> ClaimError:
    shown = claim.display.get(name, name)
    close = names.closest(name)
    if claim.latex:
        close = [names.spelling(c, True) if c in names.known else c for c in close]
    hint = ("closest known: " + ", ".join(close)) if close else "not a symbol of this network"
    return ClaimError(f"unknown symbol '{shown}' at column {column}", hint=hint)
