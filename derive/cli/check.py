"""Check textbook claims (formulas, chains of partials, numbers, update rules) against a network.

Claims are written in the network's own names, in plain math (names may carry TeX-style
indices: w^1_{21}, O_1) or in LaTeX, e.g.
  chainrule check seed004_afteracademy "dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1" "o1 = 0.794609"
  chainrule check seed000_vitalflux "dC/dw^2_{11} = (a^3_1 - y)*a^2_1"
  chainrule check seed000_vitalflux --claims examples/seed000_vitalflux_claims.toml
  chainrule check seed004_afteracademy --from examples/posts/seed004_afteracademy.txt

On a layered spec a claim may be general, for any layer l and neuron j, k (README, "General
claims"), e.g.
  chainrule check seed002_insidelearningmachines "dC/dw^i_{jk} = y^{i-1}_k delta^i_j"

With --from FILE (Markdown, LaTeX, HTML or plain text) every statement of the document is
found and checked: math, code lines, equations and numbers in prose, each reported with its
line; the author's spellings (H(h1), out(o1), E(total)) are inferred from the spec where its
equations leave one reading, else taken from --aliases FILE (a TOML [aliases] table: a claims
file will do) or --alias. What is found but cannot be read is listed as skipped.

Verdicts: holds (✓), wrong (✗), rounding (≈: a number that agrees with the truth to fewer
digits than it states), cannot read (?: unknown symbol or malformed claim).

Exit status: 0 when every claim holds or is only off by rounding; 1 when any claim is wrong;
2 when any claim cannot be read (or the spec or claims file cannot be read). With --from,
skipped pieces do not count: 2 only when the spec or the document cannot be read.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule check`."""
    parser.add_argument("spec", metavar="SPEC",
                        help="a spec file (.toml) or a built-in example name (see `chainrule examples`)")
    parser.add_argument("claims", nargs="*", metavar="CLAIM",
                        help='a claim, e.g. "dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1" (quote it)')
    parser.add_argument("--claims", dest="claims_file", metavar="FILE",
                        help="a claims file: TOML with claims = [...] (and optional [aliases] "
                             "mapping author spellings such as \"out(h1)\" to names), or a text "
                             "file with one claim per line ('#' starts a comment line)")
    parser.add_argument("--from", dest="document", metavar="FILE",
                        help="check every claim of a document: Markdown (.md), LaTeX (.tex), "
                             "HTML (.html) or plain text (any other name)")
    parser.add_argument("--aliases", dest="aliases_file", metavar="FILE",
                        help="with --from: a TOML file whose [aliases] table maps author "
                             "spellings to network names (a claims file will do)")
    parser.add_argument("--alias", action="append", default=[], metavar="SPELLING=NAME",
                        help='an author spelling of a network name, e.g. --alias "out(h1)=H1"')
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                        help="report format (default: text)")


def _aliases(pairs: list[str]) -> dict[str, str]:
    from derive.errors import ClaimError
    out = {}
    for pair in pairs:
        spelling, sep, name = pair.rpartition("=")
        if not sep or not spelling.strip() or not name.strip():
            raise ClaimError(f"--alias expects SPELLING=NAME, got {pair!r}")
        out[spelling.strip()] = name.strip()
    return out


def _line_of(path: str | None, key: str | None) -> int | None:
    """The line of an ``[aliases]`` entry in a claims file, if it is there."""
    if not path or not key or not key.startswith("aliases."):
        return None
    from pathlib import Path
    spelling = key.split(".", 1)[1]
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith((f'"{spelling}"', f"'{spelling}'", f"{spelling} ")):
            return number
    return None


def run(args: argparse.Namespace) -> int:
    """Check the claims and print the report; the exit status says the worst verdict."""
    from derive.claims.check import check
    from derive.claims.claim import UNREADABLE, WRONG
    from derive.claims.claims_file import load_claims
    from derive.claims.report import render
    from derive.errors import ClaimError
    from derive.spec.examples import resolve
    from derive.spec.model import Network

    if args.document or args.aliases_file:
        return _run_document(args)
    claims, lines, aliases = list(args.claims), [None] * len(args.claims), {}
    if args.claims_file:
        more, more_lines, aliases = load_claims(args.claims_file)
        claims += more
        lines += more_lines
    aliases.update(_aliases(args.alias))
    if not claims:
        raise ClaimError("no claims to check", hint="give claims after SPEC or --claims FILE")
    network = Network.from_toml(resolve(args.spec))
    try:
        verdicts = check(network, claims, aliases, lines)
    except ClaimError as err:  # a bad alias table: locate it in the claims file
        raise err.located(file=args.claims_file, line=_line_of(args.claims_file, err.key)) from None
    sys.stdout.write(render(verdicts, args.format) + "\n")
    found = {v.verdict for v in verdicts}
    if UNREADABLE in found:
        return 2
    return 1 if WRONG in found else 0


def _run_document(args: argparse.Namespace) -> int:
    """``--from FILE``: every claim of the document, in document order; skipped pieces listed."""
    from derive.claims.document import check_document, load_aliases, read_document
    from derive.errors import ClaimError
    from derive.spec.examples import resolve
    from derive.spec.model import Network

    if not args.document:
        raise ClaimError("--aliases is read with --from FILE",
                         hint="give the document to check with --from FILE")
    if args.claims or args.claims_file:
        raise ClaimError("--from checks a document: give claims, --claims FILE or --from FILE, "
                         "not both", hint="the aliases of a claims file: --aliases FILE")
    aliases = load_aliases(args.aliases_file) if args.aliases_file else {}
    aliases.update(_aliases(args.alias))
    text = read_document(args.document)
    network = Network.from_toml(resolve(args.spec))
    try:
        result = check_document(network, text, aliases, file=args.document)
    except ClaimError as err:  # a bad alias: locate it in the aliases file
        raise err.located(file=args.aliases_file, line=_line_of(args.aliases_file, err.key)) from None
    sys.stdout.write(result.render(args.format) + "\n")
    return 1 if result.wrong else 0
