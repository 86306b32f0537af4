"""The ``chainrule`` command: one subcommand per job, each in its own light module.

Each command module has ``add_arguments(parser)`` and ``run(args) -> int`` and imports its
heavy machinery (SymPy, Numba) inside ``run``, so ``--help`` and warm starts stay fast.
The commands are entry points of the group ``chainrule.commands`` (``pyproject.toml``), so
this parser, which sits below code generation, never imports the ``codegen`` and ``train``
commands that sit above it — as pytest finds its plugins.
Options go anywhere after the command, before, between or after its positionals
(``chainrule check SPEC --format json "o1 = 0.8446"``), as in every argparse CLI.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from importlib.metadata import entry_points

from derive import __version__
from derive.errors import ChainruleError, printable
from derive.interrupts import Interrupts

#: The entry-point group naming each command's module.
GROUP = "chainrule.commands"

#: The order ``--help`` lists the commands in (a command not named here comes after these).
ORDER = ("derive", "check", "spec", "codegen", "train", "sweep", "examples")


def commands() -> dict[str, str]:
    """Each command's name and the module holding its ``add_arguments`` and ``run``, in the
    order of :data:`ORDER`."""
    found = {point.name: point.value for point in entry_points(group=GROUP)}
    if not found:
        raise SystemExit("chainrule: error: no commands are registered: install chainrule "
                         "(`pip install -e .` in a checkout)")
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0])))


class _Parser(argparse.ArgumentParser):
    """argparse with a usage error on one line: the error and where the usage is (argparse
    itself prints the whole usage first); every subcommand's parser is one too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {printable(message)} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``chainrule`` and all its subcommands."""
    top = _Parser(
        prog="chainrule",
        description="Derive a neural network's gradients through the chain rule, write the "
                    "derivation up (LaTeX, Markdown, JSON), check textbook claims against it, "
                    "and emit Numba-jitted trainers.",
        epilog="Run `chainrule COMMAND --help` for the options of a command.")
    top.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in commands().items():
        module = import_module(module_name)
        doc = (module.__doc__ or "").strip()
        command = sub.add_parser(name, help=doc.splitlines()[0] if doc else None,
                                 description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return top


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line parsed with options anywhere after the command.

    argparse cannot parse intermixed options through subparsers, so the command is found
    first (the first word that is not an option) and its own parser reads the rest with
    ``parse_intermixed_args``; anything before the command (``--help``, ``--version``) and
    a missing or unknown command go to the top-level parser, which answers as usual.
    """
    top = parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = _subcommands(top)
    at = next((i for i, word in enumerate(argv) if not word.startswith("-")), None)
    if at is None or argv[at] not in commands:
        return top.parse_args(argv)
    if at:
        top.parse_args(argv[:at])  # exits with --help or --version, or a usage error
    args = commands[argv[at]].parse_intermixed_args(argv[at + 1:])
    args.command = argv[at]
    return args


def _subcommands(top: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in top._actions:  # argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def main(argv: list[str] | None = None) -> int:
    """Run ``chainrule`` with ``argv``; errors in user input print in one line, exit 2;
    Ctrl-C prints "interrupted" and exits 130 (after saving what there is to save)."""
    args = parse(argv)
    if not getattr(args, "run", None):
        parser().print_help()
        return 2
    try:
        with Interrupts():  # an error a Ctrl-C caused leaves as KeyboardInterrupt
            return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print(f"chainrule {args.command}: interrupted", file=sys.stderr)
        return 130
    except ChainruleError as err:
        print(f"chainrule {args.command}: error: {printable(err)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
