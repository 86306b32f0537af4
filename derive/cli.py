"""The ``chainrule`` command: one subcommand per job, each in its own light module.

Each command module has ``add_arguments(parser)`` and ``run(args) -> int`` and imports its
heavy machinery (SymPy, Numba) inside ``run``, so ``--help`` and warm starts stay fast.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from derive import __version__
from derive.errors import ChainruleError

#: subcommand → module holding its add_arguments and run
COMMANDS = {
    "derive": "derive.cli_derive",
    "check": "derive.cli_check",
    "codegen": "codegen.cli_codegen",
    "train": "codegen.cli_train",
    "examples": "derive.cli_examples",
}


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``chainrule`` and all its subcommands."""
    top = argparse.ArgumentParser(
        prog="chainrule",
        description="Derive a neural network's gradients through the chain rule, write the "
                    "derivation up (LaTeX, Markdown, JSON), check textbook claims against it, "
                    "and emit Numba-jitted trainers.",
        epilog="Run `chainrule COMMAND --help` for the options of a command.")
    top.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = import_module(module_name)
        doc = (module.__doc__ or "").strip()
        command = sub.add_parser(name, help=doc.splitlines()[0] if doc else None,
                                 description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run ``chainrule`` with ``argv``; errors in user input print in one line, exit 2."""
    args = parser().parse_args(argv)
    if not getattr(args, "run", None):
        parser().print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ChainruleError as err:
        print(f"chainrule {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"chainrule {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
