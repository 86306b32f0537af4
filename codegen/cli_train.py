"""(being built)"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of this command."""
    parser.add_argument("spec", nargs="?", metavar="SPEC")


def run(args: argparse.Namespace) -> int:
    """Not built yet."""
    from derive.errors import ChainruleError
    raise ChainruleError("this command is not built yet")
