"""`chainrule train` from the command line: runs that learn, their errors, and Ctrl-C at every
stage of a run."""

from __future__ import annotations

import csv
import os
import signal
import time

import numpy as np
import pytest

import codegen
from codegen.training.data import load, prepare
from codegen.training.loop import Settings, train
from derive.cli import main
from derive.errors import ChainruleError
from tests.codegen.running import ctrl_c, history_rows, interrupt_at, metrics, run_cli
from tests.networks import ROOT


def test_xor_reaches_a_small_cost(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "examples/xor.toml", "--data", "xor", "--optimizer", "adam",
                           "--lr", "0.05", "--epochs", "500", "--batch-size", "4",
                           "-o", tmp_path / "xor")
    assert code == 0
    m = metrics(tmp_path / "xor")
    assert m["train_cost"] < 0.01 and m["test_accuracy"] == 1.0
    assert "train cost" in out and "wrote" in out


def test_iris_held_out_accuracy(capsys, tmp_path):
    """Default settings; held-out accuracy over five different splits (30 rows each), and on
    each split at least what scikit-learn's logistic regression reaches, less one row."""
    from sklearn.linear_model import LogisticRegression
    module = codegen.build("iris_softmax")
    accuracies = []
    for seed in range(5):
        run_dir = tmp_path / f"iris{seed}"
        assert run_cli(capsys, "iris_softmax", "--data", "iris", "--seed", seed,
                       "-o", run_dir)[0] == 0
        accuracies.append(metrics(run_dir)["test_accuracy"])
        train_set, test_set = prepare(*load("iris", module).split(0.2, seed))
        peer = LogisticRegression(max_iter=1000).fit(train_set.X, train_set.Y.argmax(1))
        assert accuracies[-1] >= peer.score(test_set.X, test_set.Y.argmax(1)) - 1 / 30, seed
    assert np.mean(accuracies) >= 0.93, accuracies
    assert min(accuracies) >= 0.85, accuracies


def test_run_directory(capsys, tmp_path):
    run_dir = tmp_path / "run"
    code, _, _ = run_cli(capsys, "seed004_afteracademy", "--data", "synthetic", "--epochs", 30,
                         "-o", run_dir)
    assert code == 0
    m = metrics(run_dir)
    assert {"train_cost", "test_cost", "epochs", "samples_per_second", "optimizer"} <= set(m)
    assert m["epochs"] == 30 and m["test_cost"] < 0.01
    rows = list(csv.reader((run_dir / "history.csv").open()))
    # per epoch, the costs measured after it, on the training and on the held-out rows
    assert rows[0] == ["epoch", "train_cost", "test_cost"] and len(rows) == 31
    costs = [float(r[1]) for r in rows[1:]]
    assert costs[-1] < costs[0]
    assert float(rows[-1][1]) == m["train_cost"] and float(rows[-1][2]) == m["test_cost"]
    assert (run_dir / "learning_curve.png").read_bytes().startswith(b"\x89PNG")
    params = np.load(run_dir / "params.npz")
    assert sorted(params.files) == sorted(codegen.build("seed004_afteracademy").PARAM_NAMES)


def test_divergence_names_the_epoch(capsys, tmp_path):
    code, _, err = run_cli(capsys, "seed000_vitalflux", "--data", "synthetic", "--lr", "1e6",
                           "-o", tmp_path / "run")
    assert code == 2
    assert "in epoch" in err and "smaller learning rate" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()  # a failed run leaves nothing behind


def test_a_rising_cost_is_reported(capsys, tmp_path):
    """Cross-entropy through the safe log forms stays finite however large the step: the run
    ends, and the summary says the cost rose and what to try."""
    code, out, err = run_cli(capsys, "xor", "--data", "xor", "--lr", "1e6", "--epochs", 5,
                             "-o", tmp_path / "run")
    assert code == 0
    assert "the cost rose from" in err and "smaller learning rate than 1e+06" in err


@pytest.mark.parametrize("option, value, message", [
    ("--lr", "-1", "learning rate must be positive"),
    ("--lr", "nan", "learning rate must be positive"),
    ("--momentum", "1.5", "momentum must be in [0, 1)"),
    ("--beta2", "1", "beta2 must be in [0, 1)"),
    ("--eps", "0", "eps must be positive"),
    ("--weight-decay", "-0.1", "weight decay must be at least 0"),
])
def test_bad_hyperparameters_are_clear_errors(capsys, tmp_path, option, value, message):
    code, _, err = run_cli(capsys, "xor", "--data", "xor", option, value, "-o", tmp_path / "r")
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("option, value, expected", [
    ("--test-fraction", "1.5", "expected a fraction in [0, 1)"),
    ("--samples", "1", "expected a whole number of at least 2"),
    ("--epochs", "0", "expected a whole number of at least 1"),
])
def test_bad_numbers_are_usage_errors(capsys, tmp_path, option, value, expected):
    with pytest.raises(SystemExit) as stop:
        main(["train", "xor", "--data", "synthetic", option, value, "-o", str(tmp_path / "r")])
    assert stop.value.code == 2 and expected in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_no_rows_is_a_clear_error():
    with pytest.raises(ChainruleError, match="no rows to train on"):
        train(codegen.build("xor"), np.zeros((0, 2)), np.zeros((0, 1)), Settings(epochs=1))


def test_ctrl_c_keeps_what_was_trained(capsys, tmp_path, monkeypatch):
    from codegen.training import progress as display
    calls = {"n": 0}
    real = display.Progress.__call__

    def interrupt_after_three(self, epoch, cost, acc):
        real(self, epoch, cost, acc)
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(display.Progress, "__call__", interrupt_after_three)
    code, _, err = run_cli(capsys, "seed004_afteracademy", "--data", "synthetic",
                           "-o", tmp_path / "run")
    assert code == 130
    assert "interrupted after 3 epochs" in err
    m = metrics(tmp_path / "run")
    assert m["interrupted"] and m["epochs"] == 3
    assert (tmp_path / "run" / "params.npz").exists()


def test_unknown_source_and_wrong_sizes(capsys, tmp_path):
    code, _, err = run_cli(capsys, "seed004_afteracademy", "--data", "mnist")
    assert code == 2 and "unknown data source 'mnist'" in err
    code, _, err = run_cli(capsys, "seed004_afteracademy", "--data", "iris")
    assert code == 2 and "iris has 3 classes" in err and "4 inputs" in err


@pytest.mark.parametrize("times", [1, 2])
def test_ctrl_c_on_a_classifier_keeps_history_accuracy_and_params_together(
        capsys, tmp_path, monkeypatch, times):
    """Ctrl-C (or two within a moment) ends the run after the epoch under way; history,
    accuracy and parameters describe the same epochs, and the parameters are the ones the
    last recorded epoch left."""
    interrupt_at(monkeypatch, 3, times)
    run_dir = tmp_path / "run"
    code, _, err = run_cli(capsys, "iris_softmax", "--data", "iris", "--epochs", 500,
                           "-o", run_dir)
    assert code == 130 and "Traceback" not in err
    assert "interrupted after 3 epochs" in err
    m = metrics(run_dir)
    assert m["interrupted"] and m["epochs"] == 3
    rows = history_rows(run_dir)
    assert rows[0] == ["epoch", "train_cost", "test_cost", "train_accuracy", "test_accuracy"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert float(rows[-1][1]) == m["train_cost"] and float(rows[-1][4]) == m["test_accuracy"]
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "history.csv", "learning_curve.png", "metrics.json", "params.npz"]


def test_ctrl_c_while_the_run_is_written_still_saves_it_whole(capsys, tmp_path, monkeypatch):
    from codegen.training import runs
    real = runs._plot

    def plot_through_ctrl_c(result, metrics):
        ctrl_c()
        ctrl_c()
        return real(result, metrics)

    monkeypatch.setattr(runs, "_plot", plot_through_ctrl_c)
    run_dir = tmp_path / "run"
    code, out, err = run_cli(capsys, "xor", "--data", "xor", "--epochs", 5, "-o", run_dir)
    assert code == 130 and "Traceback" not in err
    assert "interrupted after the last epoch; the run was saved whole" in err
    assert metrics(run_dir)["epochs"] == 5 and len(history_rows(run_dir)) == 6
    assert (run_dir / "learning_curve.png").read_bytes().startswith(b"\x89PNG")


def test_ctrl_c_during_the_compile_is_one_line(capsys, tmp_path, monkeypatch):
    """Numba can turn a Ctrl-C in the middle of a compile into another error (RuntimeError:
    no compiled object yet); it still ends as "interrupted", 130, with no run folder."""
    from codegen.training import loop as trainer

    def compile_cut_short(*args):
        try:
            ctrl_c()
            time.sleep(1)
        except KeyboardInterrupt:
            raise RuntimeError("no compiled object yet for <Library 'step_sgd'>") from None

    monkeypatch.setattr(trainer, "_compile", compile_cut_short)
    code, _, err = run_cli(capsys, "xor", "--data", "xor", "-o", tmp_path / "run")
    assert code == 130
    assert err.strip().splitlines() == ["chainrule train: interrupted"]
    assert not (tmp_path / "run").exists()


def test_ctrl_c_during_the_numba_compile_waits_for_it(capsys, tmp_path, monkeypatch):
    """A Ctrl-C while the trainer compiles is taken once the compile is done (raised inside
    LLVM's callbacks it was printed as an ignored exception): 130, one line, no run folder."""
    from codegen import modules

    finished = []

    def compile_with_ctrl_c(module):
        ctrl_c()
        time.sleep(0.2)             # a held Ctrl-C: the compile goes on to its end
        finished.append(module.__name__)

    monkeypatch.setattr(modules, "compile_module", compile_with_ctrl_c)
    code, _, err = run_cli(capsys, "xor", "--data", "xor", "-o", tmp_path / "run")
    assert code == 130 and finished
    assert err.strip().splitlines() == ["chainrule train: interrupted"]
    assert not (tmp_path / "run").exists()


def test_ctrl_c_in_a_real_run_from_a_terminal(tmp_path):
    """The user's case: a classifier trained in a terminal, Ctrl-C twice once the progress
    bar moves. The run ends with status 130, one "interrupted" line and its files saved."""
    import fcntl
    import pty
    import re
    import struct
    import subprocess
    import sys
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a bar's width
    run_dir = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "derive.cli", "train", "iris_softmax", "--data", "iris",
         "--epochs", "1000000", "-o", str(run_dir)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)))
    os.close(slave)
    seen, deadline = b"", time.monotonic() + 120
    try:
        while not re.search(rb"\b([2-9]\d|\d{3,})/1000000\b", seen):
            assert time.monotonic() < deadline and process.poll() is None, seen[-2000:]
            seen += os.read(master, 4096)
        process.send_signal(signal.SIGINT)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        while True:  # the rest of what it wrote to the terminal
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        process.kill()
        os.close(master)
    err = seen.decode("utf-8", "replace")
    assert process.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "interrupted after" in err
    epochs = metrics(run_dir)["epochs"]
    rows = history_rows(run_dir)  # a long run: the first epoch, every 1000th, and the last
    assert epochs >= 20 and rows[1][0] == "1" and rows[-1][0] == str(epochs)
    assert b"wrote" in out
