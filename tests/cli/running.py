"""Running a `chainrule` command in the tests' own process."""

from __future__ import annotations

from derive import cli


def run_command(capsys, *argv) -> tuple[int, str, str]:
    """``chainrule ARGV`` in this process: (exit status, stdout, stderr)."""
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err
