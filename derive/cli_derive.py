"""Write up the chain-rule derivation of a network: forward pass, cost, every ∂C/∂θ, one update.

With no SPEC, the built-in default (seed 000's 2-3-1 network) is used.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule derive`."""
    parser.add_argument("spec", nargs="?", metavar="SPEC",
                        help="a spec file (.toml) or a built-in example name (see `chainrule examples`)")
    parser.add_argument("--format", choices=("latex", "markdown", "json"), default="markdown",
                        help="output format (default: markdown)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--pdf", action="store_true",
                        help="also compile the LaTeX write-up to PDF (needs pdflatex)")


def run(args: argparse.Namespace) -> int:
    """Derive and print the write-up."""
    import json

    from derive.chain import derive
    from derive.examples import resolve
    from derive.spec import Network
    from derive.values import compute
    derivation = derive(Network.from_toml(resolve(args.spec)))
    print(json.dumps(compute(derivation).as_dict(), indent=2))
    return 0
