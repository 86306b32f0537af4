"""The hostile-input corpus: each case is an input a careless or hostile user gives chainrule,
with the exit status and the key words of the one-line message it must give.

A case is run through the real CLI (``derive.cli.main``) in a folder of its own, in-process
(fast) or, for inputs that could hang or blow up memory, in a subprocess with a time limit and
a memory cap. Every case is also held to the rules every error obeys: no traceback, one line
that says ``error``, no file left behind half-written.

The cases live in ``cases_*.py`` files beside this one (one per area); each defines ``CASES``.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: memory cap of an isolated case (address space), well below what the machine has
MEMORY_CAP = 3 * 1024 ** 3


@dataclass
class Case:
    """One command line with the files it reads, and what it must answer.

    ``argv`` and the file names may hold ``{dir}`` (the case's folder) and ``{examples}``.
    A file's content is text, bytes, or a callable given the path that writes it itself
    (for big, binary or special files).
    """

    id: str
    argv: list[str]
    files: dict[str, Any] = field(default_factory=dict)
    exit: int = 2
    words: tuple[str, ...] = ()
    isolated: bool = False
    timeout: float = 60.0
    #: files the run may leave in the case's folder besides its inputs (globs)
    creates: tuple[str, ...] = ()


@dataclass
class ApiCase:
    """A call of the Python API that must raise a :class:`~derive.errors.ChainruleError`
    whose message holds ``words``; ``call`` gets the case's folder."""

    id: str
    call: Callable[[Path], Any]
    words: tuple[str, ...] = ()
    error: str = "ChainruleError"


@dataclass
class Outcome:
    """What a run gave."""

    code: int
    out: str
    err: str


def _fill(text: str, folder: Path) -> str:
    return text.replace("{dir}", str(folder)).replace("{examples}", str(EXAMPLES))


def prepare(case: Case, folder: Path) -> list[str]:
    """Write the case's files into ``folder``; returns its argv with the places filled in."""
    for name, content in case.files.items():
        path = Path(_fill(name, folder))
        if not path.is_absolute():
            path = folder / path
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [_fill(a, folder) for a in case.argv]


class _Timeout(BaseException):
    pass


def run_in_process(argv: list[str], folder: Path, timeout: float) -> Outcome:
    """``chainrule ARGV`` in this process, in ``folder``, with an alarm after ``timeout``."""
    from derive.cli import main

    def alarm(signum, frame):
        raise _Timeout(f"ran past {timeout:g} s")

    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    cwd = os.getcwd()
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:        # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(cwd)
    return Outcome(code, out.getvalue(), err.getvalue())


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_isolated(argv: list[str], folder: Path, timeout: float) -> Outcome:
    """``chainrule ARGV`` in a subprocess with a time limit and a memory cap."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        done = subprocess.run([sys.executable, "-m", "derive.cli", *argv], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_cap_memory, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"chainrule {' '.join(argv)[:200]} ran past {timeout:g} s") from None
    return Outcome(done.returncode, done.stdout, done.stderr)


def run_case(case: Case, folder: Path) -> Outcome:
    """Run ``case`` in ``folder`` and hold it to the rules; returns what it gave."""
    argv = prepare(case, folder)
    before = {p for p in folder.rglob("*")}
    runner = run_isolated if case.isolated else run_in_process
    outcome = runner(argv, folder, case.timeout)
    check_outcome(case, outcome)
    left = {p for p in folder.rglob("*")} - before
    stray = [p for p in left if not any(p.match(g) or p.name == g for g in case.creates)
             and not any(part in ("__pycache__",) for part in p.parts)]
    assert not stray, f"{case.id}: left {sorted(map(str, stray))[:5]} behind"
    return outcome


def error_line(err: str) -> str:
    """The last line of standard error that is not a progress bar or a status message."""
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def check_outcome(case: Case, outcome: Outcome) -> None:
    """The rules every case obeys, then the case's own exit status and words."""
    assert "Traceback" not in outcome.err, f"{case.id}: traceback:\n{outcome.err[-3000:]}"
    assert outcome.code == case.exit, (
        f"{case.id}: exit {outcome.code}, expected {case.exit}\n{outcome.err[-2000:]}")
    if case.exit == 2:
        line = error_line(outcome.err)
        assert "error" in line, f"{case.id}: no error line in {outcome.err[-2000:]!r}"
        assert len(line) < 2000, f"{case.id}: the error line is {len(line)} characters long"
        errors = [x for x in outcome.err.splitlines() if "error:" in x]
        assert len(errors) == 1, f"{case.id}: {len(errors)} error lines: {errors[:3]}"
        for word in case.words:
            assert word.lower() in line.lower(), f"{case.id}: {word!r} not in {line!r}"


def run_api_case(case: ApiCase, folder: Path) -> str:
    """Call ``case.call`` and check that it raises the named ChainruleError with the words."""
    import derive.errors as errors
    expected = getattr(errors, case.error)
    try:
        case.call(folder)
    except expected as err:
        message = str(err)
    else:
        raise AssertionError(f"{case.id}: no {case.error} raised")
    assert "\n" not in message, f"{case.id}: a message of several lines: {message!r}"
    for word in case.words:
        assert word.lower() in message.lower(), f"{case.id}: {word!r} not in {message!r}"
    return message


def all_cases() -> tuple[list[Case], list[ApiCase]]:
    """Every case of every ``cases_*.py`` file here."""
    import importlib
    cli, api = [], []
    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        module = importlib.import_module(f"tests.hostile.{path.stem}")
        for case in module.CASES:
            (api if isinstance(case, ApiCase) else cli).append(case)
    ids = [c.id for c in cli + api]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"case ids used twice: {sorted(duplicates)}"
    return cli, api
