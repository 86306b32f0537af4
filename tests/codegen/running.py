"""Running `chainrule train` in the tests: the command, its run folder, a real Ctrl-C."""

from __future__ import annotations

import csv
import json
import os
import signal

from derive.cli import main


def run_cli(capsys, *argv):
    code = main(["train", *map(str, argv), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def metrics(run_dir):
    return json.loads((run_dir / "metrics.json").read_text())


def ctrl_c():
    """A real SIGINT to this process, as a terminal's Ctrl-C sends it."""
    os.kill(os.getpid(), signal.SIGINT)


def interrupt_at(monkeypatch, epoch: int, times: int = 1):
    """Ctrl-C (``times`` in a row) when the progress bar shows ``epoch``."""
    from codegen.training import progress as display
    real = display.Progress.__call__

    def call(self, shown, cost, acc):
        real(self, shown, cost, acc)
        if shown == epoch:
            for _ in range(times):
                ctrl_c()

    monkeypatch.setattr(display.Progress, "__call__", call)


def history_rows(run_dir):
    return list(csv.reader((run_dir / "history.csv").open()))
