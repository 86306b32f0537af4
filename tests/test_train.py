"""Training from the user's side: `chainrule train`, the data sources, the Trainer estimator."""

from __future__ import annotations

import csv
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

import codegen
from codegen.training.data import load, prepare
from codegen.training.estimator import Trainer
from codegen.training.loop import Settings, train
from derive.cli import main
from derive.errors import ChainruleError, DataError


ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *argv):
    code = main(["train", *map(str, argv), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def metrics(run_dir):
    return json.loads((run_dir / "metrics.json").read_text())


# --------------------------------------------------------------------------- the CLI

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
    from codegen.training import loop as trainer
    calls = {"n": 0}
    real = trainer.Progress.__call__

    def interrupt_after_three(self, epoch, cost, acc):
        real(self, epoch, cost, acc)
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(trainer.Progress, "__call__", interrupt_after_three)
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


# --------------------------------------------------------------------------- data files

def test_csv_source(tmp_path):
    m = codegen.build("seed004_afteracademy")
    path = tmp_path / "rows.csv"
    path.write_text("y2,x1,x2,y1,note\n0.9,0.1,0.2,0.05,a\n0.8,0.3,0.4,0.1,b\n")
    data = load(f"csv:{path}", m)
    np.testing.assert_array_equal(data.X, [[0.1, 0.2], [0.3, 0.4]])
    np.testing.assert_array_equal(data.Y, [[0.05, 0.9], [0.1, 0.8]])


def test_csv_errors_name_file_and_line(tmp_path):
    m = codegen.build("seed004_afteracademy")
    path = tmp_path / "rows.csv"
    path.write_text("x1,x2,y1\n0.1,0.2,0.05\n")
    with pytest.raises(DataError) as missing:
        load(f"csv:{path}", m)
    assert str(missing.value).startswith(f"{path}:1:") and "'y2'" in str(missing.value)
    path.write_text("x1,x2,y1,y2\n0.1,0.2,0.05,0.9\n0.1,oops,0.05,0.9\n")
    with pytest.raises(DataError) as bad:
        load(f"csv:{path}", m)
    assert str(bad.value).startswith(f"{path}:3:")


def test_npz_source(tmp_path):
    m = codegen.build("seed004_afteracademy")
    path = tmp_path / "rows.npz"
    np.savez(path, x1=[0.1, 0.3], x2=[0.2, 0.4], y1=[0.05, 0.1], y2=[0.9, 0.8])
    data = load(f"npz:{path}", m)
    np.testing.assert_array_equal(data.Y, [[0.05, 0.9], [0.1, 0.8]])
    np.savez(path, X=np.ones((3, 2)), Y=np.zeros((3, 2)))
    assert load(f"npz:{path}", m).X.shape == (3, 2)


# --------------------------------------------------------------------------- Python API

def test_train_function_follows_the_module_step_by_step():
    m = codegen.build("seed004_afteracademy")
    data = load("synthetic", m, samples=64)
    settings = Settings(epochs=3, batch_size=8, optimizer="momentum", lr=0.3, seed=5)
    result = train(m, data.X, data.Y, settings)
    params, state, t = m.INITIAL_PARAMS.copy(), np.zeros((2, len(m.PARAM_NAMES))), 0
    for epoch in range(1, 4):
        _, t = m.train_epoch(params, state, t, data.X, data.Y, 8, 1, settings.hyper(m), 5 + epoch)
    np.testing.assert_array_equal(result.params, params)
    assert result.epochs == 3 and t == 3 * 8


def test_trainer_with_cross_val_score():
    from sklearn.datasets import load_iris
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), Trainer("iris_softmax", epochs=200))
    scores = cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.mean() >= 0.93, scores


def test_trainer_regression_score_and_predict():
    m = codegen.build("seed004_afteracademy")
    data = load("synthetic", m, samples=500)
    model = Trainer("seed004_afteracademy", epochs=200, optimizer="adam", lr=0.01)
    model.fit(data.X, data.Y)
    assert model.predict(data.X).shape == (500, 2)
    assert model.score(data.X, data.Y) > 0.9
    assert model.history_[-1] < model.history_[0]


# --------------------------------------------------------------------------- Ctrl-C

def ctrl_c():
    """A real SIGINT to this process, as a terminal's Ctrl-C sends it."""
    os.kill(os.getpid(), signal.SIGINT)


def interrupt_at(monkeypatch, epoch: int, times: int = 1):
    """Ctrl-C (``times`` in a row) when the progress bar shows ``epoch``."""
    from codegen.training import loop as trainer
    real = trainer.Progress.__call__

    def call(self, shown, cost, acc):
        real(self, shown, cost, acc)
        if shown == epoch:
            for _ in range(times):
                ctrl_c()

    monkeypatch.setattr(trainer.Progress, "__call__", call)


def history_rows(run_dir):
    return list(csv.reader((run_dir / "history.csv").open()))


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


# --------------------------------------------------------------------------- the run's files

def finished_run(epochs: int = 4, classifier: bool = True):
    from codegen.training.loop import Epoch, Result
    module = codegen.build("xor")
    result = Result(module.INITIAL_PARAMS.copy())
    for k in range(epochs):
        result.records.append(Epoch(k + 1, 1.0 / (k + 1), 0.5 + k / 10, 1.2 / (k + 1),
                                    0.4 + k / 10) if classifier
                              else Epoch(k + 1, 1.0 / (k + 1), None, 1.2 / (k + 1)))
    result.epochs = epochs
    return module, result


@pytest.mark.parametrize("name", ["net $\\foo$", "$", "a $x^{2$ b", "n\nimport os\r#",
                                  "\\input{/etc/passwd}", "x" * 10_000, "日本語 ネット"])
def test_any_spec_name_titles_the_plot(tmp_path, name):
    """The title is plain text: mathtext would fail on `$\\foo$` after the whole training."""
    from codegen.training.runs import write_run
    module, result = finished_run()
    problems = []
    written = write_run(tmp_path, module, result,
                        {"spec": name, "optimizer": "sgd", "batch_size": 4}, warn=problems.append)
    assert not problems
    assert [p.name for p in written] == ["metrics.json", "params.npz", "history.csv",
                                         "learning_curve.png"]
    assert (tmp_path / "learning_curve.png").read_bytes().startswith(b"\x89PNG")


def test_a_plot_that_fails_costs_only_the_plot(tmp_path, monkeypatch):
    from codegen.training import runs
    module, result = finished_run()

    def broken(result, metrics):
        raise ValueError("no font\nsecond line")

    monkeypatch.setattr(runs, "_plot", broken)
    problems = []
    written = runs.write_run(tmp_path, module, result, {"spec": "s"}, warn=problems.append)
    assert [p.name for p in written] == ["metrics.json", "params.npz", "history.csv"]
    assert problems == ["could not draw learning_curve.png (ValueError: no font)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv", "metrics.json",
                                                          "params.npz"]


def test_history_holds_the_columns_measured():
    from codegen.training.runs import history_csv
    _, result = finished_run(2)
    assert history_csv(result).splitlines() == [
        "epoch,train_cost,test_cost,train_accuracy,test_accuracy",
        "1,1.0,1.2,0.5,0.4", "2,0.5,0.6,0.6,0.5"]
    _, result = finished_run(2, classifier=False)
    assert history_csv(result).splitlines()[0] == "epoch,train_cost,test_cost"


def test_history_is_measured_after_each_epoch():
    """Each row is the cost of the parameters the epoch left (not the running mean of the
    batch costs during it), on the training rows and on the held-out rows."""
    m = codegen.build("seed004_afteracademy")
    data = load("synthetic", m, samples=200)
    train_set, test_set = data.split(0.25, 0)
    settings = Settings(epochs=3, batch_size=8, lr=0.3, seed=1)
    result = train(m, train_set.X, train_set.Y, settings, test=(test_set.X, test_set.Y))
    params, state, t = m.INITIAL_PARAMS.copy(), np.zeros((2, len(m.PARAM_NAMES))), 0
    for epoch, record in enumerate(result.records, start=1):
        assert record.epoch == epoch
        _, t = m.train_epoch(params, state, t, train_set.X, train_set.Y, 8, 0,
                             settings.hyper(m), 1 + epoch)
        assert record.train_cost == m.cost(params, train_set.X, train_set.Y)
        assert record.test_cost == m.cost(params, test_set.X, test_set.Y)
        assert record.train_accuracy is None and record.test_accuracy is None


def test_a_long_run_measures_every_kth_epoch_and_the_last(monkeypatch):
    from codegen.training import loop as trainer
    monkeypatch.setattr(trainer, "MAX_HISTORY_ROWS", 4)
    m = codegen.build("xor")
    data = load("xor", m)
    result = train(m, data.X, data.Y, Settings(epochs=11, batch_size=4))
    assert [r.epoch for r in result.records] == [1, 3, 6, 9, 11] and result.epochs == 11
    assert result.records[-1].train_cost == m.cost(result.params, data.X, data.Y)


def test_a_long_run_interrupted_between_measures_measures_where_it_stopped(monkeypatch):
    from codegen.training import loop as trainer
    monkeypatch.setattr(trainer, "MAX_HISTORY_ROWS", 4)
    m = codegen.build("xor")
    data = load("xor", m)

    def stop(epoch, cost, acc):
        if epoch == 5:
            ctrl_c()

    result = train(m, data.X, data.Y, Settings(epochs=40, batch_size=4), on_epoch=stop)
    assert result.interrupted and result.epochs == 5
    assert [r.epoch for r in result.records] == [1, 5]
    assert result.records[-1].train_cost == m.cost(result.params, data.X, data.Y)


def test_a_spec_named_with_mathtext_trains_and_saves_everything(capsys, tmp_path, monkeypatch):
    """The issue's reproducer end to end: `net $\\foo$` trained fully, then the plot title
    failed and nothing was saved. The module goes to a folder of the test's own."""
    from codegen import modules
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(modules, "GENERATED_DIR", tmp_path / "cache", raising=False)
    spec = tmp_path / "dollar_net.toml"
    spec.write_text(
        'name = "net $\\\\foo$"\n'
        '[inputs]\nx = 0.5\n[targets]\ny = 1\n[parameters]\nw = 0.3\nb = 0.1\n'
        '[equations]\nz = "w*x + b"\no = "sigmoid(z)"\nE = "(o - y)**2/2"\n'
        '[training]\ncost = "E"\nlearning_rate = 0.5\n', encoding="utf-8")
    run_dir = tmp_path / "run"
    code, out, err = run_cli(capsys, spec, "--data", "synthetic", "--samples", 50, "--epochs",
                             3, "-o", run_dir)
    assert code == 0, err
    assert metrics(run_dir)["spec"] == "net $\\foo$"
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "history.csv", "learning_curve.png", "metrics.json", "params.npz"]
    assert "could not draw" not in err
