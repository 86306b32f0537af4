"""Running `chainrule spec` in the tests: the command registered, the CLI run in-process.

An editable install made before the spec command existed has no entry point for it; until it
is reinstalled (`pip install -e .`), :func:`ensure_registered` adds it to what
``derive.cli.commands`` finds (a no-op once the entry point is there).
"""

from __future__ import annotations

import derive.cli as cli

COMMAND, MODULE = "spec", "derive.cli.spec"


def ensure_registered() -> None:
    """Make ``derive.cli.commands`` list the spec command (in ORDER's place) if it does not."""
    if getattr(cli.commands, "adds_spec", False):
        return
    found_before = cli.commands

    def commands() -> dict[str, str]:
        found = found_before()
        if COMMAND not in found:
            found[COMMAND] = MODULE
        rank = {name: i for i, name in enumerate(cli.ORDER)}
        return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))
    commands.adds_spec = True
    for name in ("adds_sweep",):  # keep the sweep helper's mark: it wraps this in turn
        if getattr(found_before, name, False):
            setattr(commands, name, True)
    cli.commands = commands


def run_spec(capsys, *argv) -> tuple[int, str, str]:
    """``chainrule spec ARGV`` in this process: (exit status, stdout, stderr)."""
    ensure_registered()
    code = cli.main(["spec", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err
