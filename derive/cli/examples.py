"""List the built-in example networks (use a name wherever a SPEC is asked for)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the list is short."""


def run(args: argparse.Namespace) -> int:
    """Print one line per example: its name, then its title."""
    from derive.spec.examples import DEFAULT, describe, example_names
    for name in example_names():
        _, title = describe(name)
        mark = " (default)" if name == DEFAULT else ""
        print(f"{name:28s} {title}{mark}")
    return 0
