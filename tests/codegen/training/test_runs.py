"""A run's files: the plot's title, a plot that fails, the history's columns and measures."""

from __future__ import annotations

import numpy as np
import pytest

import codegen
from codegen.training.data import load
from codegen.training.loop import Settings, train
from tests.codegen.running import ctrl_c, metrics, run_cli


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
