"""Running `chainrule sweep` in the tests: the command registered, the CLI run in-process.

An editable install made before the sweep command existed has no entry point for it; until
it is reinstalled (`pip install -e .`), :func:`ensure_registered` adds it to what
``derive.cli.commands`` finds (a no-op once the entry point is there; tests/cli checks the
entry points themselves).
"""

from __future__ import annotations

import derive.cli as cli

COMMAND, MODULE = "sweep", "codegen.cli.sweep"


def ensure_registered() -> None:
    """Make ``derive.cli.commands`` list the sweep command (in ORDER's place) if it does not."""
    if getattr(cli.commands, "adds_sweep", False):
        return
    found_by_entry_points = cli.commands

    def commands() -> dict[str, str]:
        found = found_by_entry_points()
        if COMMAND in found:
            return found
        found = dict(found, **{COMMAND: MODULE})
        rank = {name: i for i, name in enumerate(cli.ORDER)}
        return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(rank)),
                                                            item[0])))
    commands.adds_sweep = True
    cli.commands = commands


def run_sweep(capsys, *argv) -> tuple[int, str, str]:
    """``chainrule sweep ARGV --quiet`` in this process: (exit status, stdout, stderr)."""
    ensure_registered()
    code = cli.main(["sweep", *map(str, argv), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err
