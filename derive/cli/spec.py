"""Draft a free-form spec from a post: its equations, its worked numbers, its words.

  chainrule spec --from examples/posts/seed004_afteracademy.txt -o afteracademy.toml
  chainrule check afteracademy.toml --from examples/posts/seed004_afteracademy.txt

The draft holds the nodes (each equation the post writes out; an activation it only names,
such as out(o1), as that function of its node), the leaves with the post's starting values
(inputs, targets and parameters, by the post's words where it names them), the cost and the
learning rate. Every line the post did not settle ends in ``# guessed: …``: read those
before trusting a check against the draft.

Exit status: 0 with the draft written (to stdout, or to OUT.toml with -o); 2 when the post
cannot be read or has no equation to draft from (one line naming the file).
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule spec`."""
    parser.add_argument("--from", dest="document", metavar="FILE", required=True,
                        help="the post: Markdown (.md), LaTeX (.tex), HTML (.html) or plain "
                             "text (any other name)")
    parser.add_argument("-o", "--output", metavar="OUT.toml",
                        help="write the draft here (default: standard output)")


def run(args: argparse.Namespace) -> int:
    """Draft the spec, check that it reads back, and write it."""
    from derive.claims.document import read_document
    from derive.claims.draft import draft_spec
    from derive.spec.model import Network

    text = read_document(args.document)
    toml = draft_spec(text, file=args.document).toml()
    Network.from_toml_text(toml, file=args.output or "<draft>")  # a draft that reads back
    if args.output:
        from derive.files import write_atomic
        write_atomic(args.output, toml)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(toml)
    return 0
