"""Write up the chain-rule derivation of a network: forward pass, cost, every ∂C/∂θ, one update.

With no SPEC, the built-in default (seed 000's 2-3-1 network) is used. Examples:
  chainrule derive                                    Markdown of the default example
  chainrule derive seed004_afteracademy --format json every number by name
  chainrule derive examples/xor.toml -o xor.tex --pdf LaTeX (TikZ diagram) and its PDF
  chainrule derive seed000_vitalflux -o notes.md      Markdown, with the diagram in notes.svg
  chainrule derive seed004_afteracademy -o w.html     one HTML page (MathML, inline SVG)
  chainrule derive seed004_afteracademy --claims examples/seed004_afteracademy_claims.toml
  chainrule derive seed004_afteracademy --params w1,w5  only these parameters' chains
  chainrule derive seed000_vitalflux --level general  the general equations of a layered spec

The format follows -o's suffix (.tex, .md, .html, .json); --format names it for any other
suffix, and one that disagrees with a known suffix (--format json -o a.md) is refused.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from derive.cli.options import POSITIVE, announce, bounded
from derive.writeups.limits import BIG_WRITEUP_ABOVE, LEVELS
from derive.errors import ChainruleError, printable
from derive.files import is_folder, writable_target

_SUFFIX_FORMAT = {".tex": "latex", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                  ".htm": "html", ".json": "json"}
_FORMAT_SUFFIX = {"latex": ".tex", "markdown": ".md", "html": ".html", "json": ".json"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule derive`."""
    parser.add_argument("spec", nargs="?", metavar="SPEC",
                        help="a spec file (.toml) or a built-in example name (see `chainrule "
                             "examples`); default: seed000_vitalflux")
    parser.add_argument("--format", choices=("latex", "markdown", "html", "json"),
                        help="output format (default: from -o's suffix, else markdown)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write here instead of standard output (a folder: the spec's name with the "
                             "format's suffix inside it; Markdown also writes the "
                             "diagram next to it as FILE's name with .svg; on standard output "
                             "the diagram is a Mermaid block, which GitHub renders)")
    parser.add_argument("--pdf", action="store_true",
                        help="also compile the LaTeX write-up to PDF with pdflatex (next to -o, "
                             "else SPEC's name with .pdf in the current folder)")
    parser.add_argument("--claims", metavar="FILE",
                        help="check the claims in FILE (see `chainrule check`) and add a "
                             "'Checked claims' section")
    parser.add_argument("--lr", type=POSITIVE, metavar="ETA",
                        help="learning rate of the update step (default: the spec's)")
    parser.add_argument("--params", metavar="NAMES",
                        help="write up the chains of these parameters only, comma-separated "
                             "(e.g. w1,w5; the rest of the write-up stays whole)")
    parser.add_argument("--level", choices=LEVELS, metavar="LEVEL",
                        help="both, general or scalar: the general equations of a layered "
                             "spec (index and matrix form, each with its reason), the worked "
                             "example unrolled per parameter, or both (default: both for a "
                             "layered spec, scalar for a free-form one; a layered spec of more "
                             f"than {BIG_WRITEUP_ABOVE} parameters is worked per layer, with "
                             "the chains of the --params, by default the first weight and "
                             "bias of each layer)")
    parser.add_argument("--digits", default=6, metavar="N",
                        type=bounded(int, 1, 17, what="a whole number from 1 to 17"),
                        help="significant digits of printed numbers (default: 6; JSON keeps all)")


def run(args: argparse.Namespace) -> int:
    """Derive, write the document (and the diagram, the PDF) where asked."""
    from derive.spec.examples import resolve
    from derive.spec.model import Network
    from derive.files import write_atomic
    from derive.writeups.levels import has_example, writeup
    from derive.writeups.pdf import compile_pdf

    spec_path = resolve(args.spec)
    network = Network.from_toml(spec_path)
    fmt = args.format or _SUFFIX_FORMAT.get(Path(args.output or "").suffix.lower(), "markdown")
    output = _output_path(args.output, spec_path, fmt)
    named = _SUFFIX_FORMAT.get(output.suffix.lower()) if output is not None else None
    if named is not None and named != fmt:
        raise ChainruleError(f"--format {fmt} and -o {printable(output)} disagree: {output.suffix} "
                             f"is the suffix of {named}",
                             hint=f"name the file {printable(output.with_suffix(_FORMAT_SUFFIX[fmt]).name)}, "
                                  "or leave out --format")
    _refuse_overwriting_inputs(output, [spec_path, args.claims])
    if output is not None:
        writable_target(output)                 # a device or a FIFO is refused before the work
    claims, aliases = _claims(args.claims)
    only = None if args.params is None else [p.strip() for p in args.params.split(",")
                                             if p.strip()]
    if only == []:
        raise ChainruleError("--params names no parameter", hint="e.g. --params w1,w5")
    level = args.level or ("scalar" if network.layers is None else "both")
    if args.level is None and network.layers is not None and not has_example(network):
        level = "general"
        print(f"chainrule derive: {printable(network.name)} gives no worked example (no values "
              "for its inputs and targets): writing the general equations only",
              file=sys.stderr)
    if level != "general":
        network.require_values()  # a missing value is said before the long work
    announce("derive", network, "deriving")
    document = writeup(network, level=level, learning_rate=args.lr, digits=args.digits,
                       claims=claims, aliases=aliases, parameters=only)
    svg = output.with_suffix(".svg") if output and fmt == "markdown" else None
    text = document.render(fmt, diagram_href=svg.name if svg else None)
    if fmt == "json" and claims:
        text = _with_claim_verdicts(text, network, claims, aliases)
    if args.pdf:  # before any text is written: a failed compile leaves nothing half-done
        pdf = output.with_suffix(".pdf") if output else Path(spec_path.stem + ".pdf")
        compile_pdf(document.latex(), pdf)
        print(f"chainrule derive: wrote {printable(pdf)}", file=sys.stderr)
    if output is None:
        sys.stdout.write(text)
        return 0
    if svg:
        write_atomic(svg, document.svg())
    write_atomic(output, text)
    print(f"chainrule derive: wrote {printable(output)}" + (f" and {printable(svg)}" if svg else ""),
          file=sys.stderr)
    return 0


def _output_path(output: str | None, spec_path: Path, fmt: str) -> Path | None:
    """Where -o says to write: a file, or for a folder (an existing one, or a path ending in
    a separator) the spec's name with the format's suffix inside it."""
    if output is None or output == "-":                     # "-": standard output
        return None
    separators = tuple(s for s in (os.sep, os.altsep) if s)
    if output.endswith(separators) or is_folder(output):
        return Path(output) / (spec_path.stem + _FORMAT_SUFFIX[fmt])
    return Path(output)


def _refuse_overwriting_inputs(output: Path | None, inputs: list) -> None:
    """A write-up must not replace the spec or the claims it was made from (``-o net.toml``)."""
    if output is None:
        return
    written = {output, output.with_suffix(".svg"), output.with_suffix(".pdf")}
    for source in filter(None, inputs):
        if any(_same_file(path, source) for path in written):
            raise ChainruleError(f"-o {printable(output)} would overwrite the input "
                                 f"{printable(source)}", hint="write the write-up elsewhere")


def _same_file(a: Path, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _claims(path: str | None) -> tuple[list[str], dict[str, str]]:
    if not path:
        return [], {}
    from derive.claims.claims_file import load_claims
    claims, _lines, aliases = load_claims(path)
    return claims, aliases


def _with_claim_verdicts(text: str, network, claims, aliases) -> str:
    import json

    from derive.claims.check import check
    from derive.claims.report import render
    data = json.loads(text)
    data["claims"] = json.loads(render(check(network, claims, aliases), "json"))
    return json.dumps(data, indent=2) + "\n"
