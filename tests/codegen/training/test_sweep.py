"""Sweeps from Python on a real LocalCluster of 2 worker processes: the grid, the runs and
their rows (checked against the same trainings in a plain loop), a failed run, Ctrl-C, and
the Trainer estimator in GridSearchCV on Dask."""

from __future__ import annotations

import os
import pickle
import signal
from dataclasses import replace

import numpy as np
import pytest

from codegen.training.grid import MAX_RUNS, grid_runs
from codegen.training.loop import Settings, scorer, train
from codegen.training.sweep import SWEEP_FOLDER, ModuleCode, Run, execute, plan, resized
from codegen.modules import build, cache_dir, load_spec
from derive.errors import ChainruleError

#: the Dask sweeps run in one test process, one cluster at a time (pytest-xdist)
pytestmark = pytest.mark.xdist_group("dask")

XOR_SETTINGS = Settings(epochs=60, batch_size=4)


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes, one thread each, for the whole module."""
    import logging

    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster) as client:
        yield client


def test_the_runs_are_the_grid_product_in_order():
    runs = grid_runs({"lr": [0.1, 0.5], "optimizer": ["sgd", "adam"], "seeds": 2},
                     Settings(seed=7))
    assert len(runs) == 8 and [r.number for r in runs] == list(range(1, 9))
    assert runs[0].swept == {"lr": 0.1, "optimizer": "sgd", "seed": 7}
    assert runs[1].swept == {"lr": 0.1, "optimizer": "sgd", "seed": 8}   # the last key fastest
    assert runs[-1].settings == Settings(lr=0.5, optimizer="adam", seed=8)
    assert plan("xor", "xor", {"seeds": 2, "lr": [0.1]}).swept == ["seed", "lr"]
    assert grid_runs({"hidden": [3, (2, 5)]})[1].hidden == (2, 5)


def test_the_run_count_is_checked_before_the_product_is_made():
    huge = {"lr": [0.001 * (i + 1) for i in range(1000)], "seed": list(range(1000)),
            "epochs": list(range(1, 1001))}   # a billion runs: refused at once
    with pytest.raises(ChainruleError, match=f"1,000,000,000 runs .* limit of {MAX_RUNS:,}"):
        grid_runs(huge)


def test_hidden_sizes_rebuild_a_layered_spec():
    xor = load_spec("xor")
    assert resized(xor, (3,)).layers.sizes == (2, 3, 1)
    assert len(resized(xor, (3,)).parameters) == 2 * 3 + 3 + 3 * 1 + 1
    assert resized(xor, None) is xor
    with pytest.raises(ChainruleError, match="free-form"):
        resized(load_spec("seed004_afteracademy"), (3,))
    with pytest.raises(ChainruleError, match="2 sizes for 1 hidden layers"):
        resized(xor, (3, 4))


def test_the_rows_are_what_a_plain_loop_trains(client):
    """Every row's costs are those of the same training done here, in a plain loop (same
    module, same rows, same settings: the same numbers)."""
    sweep = plan("xor", "xor", {"lr": [0.1, 0.5], "optimizer": ["sgd", "adam"]},
                 XOR_SETTINGS)
    outcome = execute(sweep, client)
    assert not outcome.interrupted and len(outcome.rows) == 4
    module = build("xor")
    X, Y = sweep.rows.X, sweep.rows.Y
    for run, row in zip(sweep.runs, outcome.rows):
        assert row["run"] == run.number and row["error"] == ""
        assert (row["lr"], row["optimizer"]) == (run.swept["lr"], run.swept["optimizer"])
        result = train(module, X, Y, run.settings)
        expected = scorer(module, (X, Y))(result.params)
        assert row["train_cost"] == pytest.approx(expected.train_cost, rel=1e-12)
        assert row["train_accuracy"] == expected.train_accuracy
        assert row["test_cost"] == row["train_cost"]   # XOR's four rows serve for both
        assert row["seconds"] > 0 and row["epochs_trained"] == 60
    adam = [r for r in outcome.rows if r["optimizer"] == "adam"]
    assert min(r["train_cost"] for r in adam) < 0.1


def test_folds_are_dealt_from_the_seed_and_keep_the_classes_in_proportion():
    from codegen.training.sweep_rows import fold_numbers
    Y = np.repeat(np.eye(3), [30, 12, 9], axis=0)
    folds = fold_numbers(Y, 3, seed=4)
    assert np.array_equal(folds, fold_numbers(Y, 3, seed=4))        # the same seed, the same folds
    assert not np.array_equal(folds, fold_numbers(Y, 3, seed=5))
    assert sorted(set(folds)) == [1, 2, 3]
    for label, count in enumerate((30, 12, 9)):                       # each class split alike
        assert [int(np.sum(folds[Y[:, label] == 1] == f)) for f in (1, 2, 3)] == [count // 3] * 3
    plain = fold_numbers(np.arange(10.0)[:, None], 4, seed=0)
    assert sorted(np.bincount(plain)[1:]) == [2, 2, 3, 3]
    with pytest.raises(ChainruleError, match="folds=11 needs at least 11 rows"):
        fold_numbers(np.zeros((10, 1)), 11, seed=0)


def test_folds_are_a_swept_fold_and_no_setting():
    runs = grid_runs({"lr": [0.1, 0.5], "folds": 3})
    assert [(r.swept["lr"], r.fold) for r in runs] == [(lr, f) for lr in (0.1, 0.5) for f in (1, 2, 3)]
    assert runs[0].settings == runs[2].settings == Settings(lr=0.1)
    for bad in (1, 0, -2, 2.5, True, [3]):
        with pytest.raises(ChainruleError, match="folds"):
            grid_runs({"folds": bad})
    with pytest.raises(ChainruleError, match="test fraction"):
        plan("xor", "xor", {"folds": 2}, XOR_SETTINGS, test_fraction=0.2)


def test_each_fold_trains_on_the_others_and_is_measured_on_its_own(client):
    """Every row of a folds sweep is the training, done here in a plain loop, on all the rows
    but its fold's, measured on its fold's; the best settings average over the folds."""
    from codegen.training.sweep_rows import fold_numbers
    from codegen.training.sweep_results import best
    sweep = plan("xor", "synthetic", {"lr": [0.1, 0.5], "folds": 3}, Settings(epochs=5, batch_size=8),
                 samples=60)
    assert sweep.swept == ["lr", "fold"]
    folds = fold_numbers(sweep.rows.Y, 3, seed=0)
    assert np.array_equal(sweep.rows.folds, folds) and len(sweep.rows.X) == 60
    outcome = execute(sweep, client)
    assert [(r["lr"], r["fold"]) for r in outcome.rows] == [(lr, f) for lr in (0.1, 0.5) for f in (1, 2, 3)]
    module = build("xor")
    X, Y = sweep.rows.X, sweep.rows.Y
    for run, row in zip(sweep.runs, outcome.rows):
        held = folds == run.fold
        result = train(module, X[~held], Y[~held], run.settings, test=(X[held], Y[held]))
        expected = scorer(module, (X[~held], Y[~held]), (X[held], Y[held]))(result.params)
        assert row["error"] == "" and row["test_cost"] == pytest.approx(expected.test_cost, rel=1e-12)
        assert row["train_cost"] == pytest.approx(expected.train_cost, rel=1e-12)
    found = best(outcome.rows, sweep.swept, "test_cost")
    assert found.runs == 3 and set(found.settings) == {"lr"}
    mean = np.mean([r["test_cost"] for r in outcome.rows if r["lr"] == found.settings["lr"]])
    assert found.value == pytest.approx(mean, rel=1e-12)


def test_the_spec_learning_rate_is_in_each_row(client):
    sweep = plan("xor", "xor", {"optimizer": ["sgd", "adam"]}, XOR_SETTINGS)
    assert {run.settings.lr for run in sweep.runs} == {load_spec("xor").learning_rate}


def test_a_failed_run_is_a_row_with_its_error(client):
    """A run whose module does not even import fails on its worker; the others run, on
    workers that do not find the client's file (as on another machine) and so write the
    text they receive into their own cache folder."""
    sweep = plan("xor", "xor", {"lr": [0.1, 0.5]}, XOR_SETTINGS)
    (good,) = sweep.codes.values()
    # a text of its own (one comment more), so that no worker has loaded it already
    good = ModuleCode(good.stem, good.text + "# sent to a worker without the file\n")
    elsewhere = replace(good, path="/nowhere/xor.py")
    broken = ModuleCode("broken", "raise RuntimeError('no such module')\n")
    runs = sweep.runs + [Run(3, {"lr": 0.1, "hidden": (7,)}, sweep.runs[0].settings)]
    sweep = replace(sweep, runs=runs, codes={None: elsewhere, (7,): broken})
    rows = execute(sweep, client).rows
    received = cache_dir() / SWEEP_FOLDER / "received" / f"xor_{good.digest[:16]}.py"
    assert received.read_text(encoding="utf-8") == good.text
    assert [r["run"] for r in rows] == [1, 2, 3]
    assert rows[0]["error"] == rows[1]["error"] == "" and "train_cost" in rows[1]
    assert "does not import" in rows[2]["error"] and "\n" not in rows[2]["error"]
    assert "train_cost" not in rows[2] and rows[2]["hidden"] == "7"


def test_ctrl_c_cancels_the_remaining_runs_and_keeps_the_finished(client):
    """A real SIGINT when the first row arrives: the sweep stops, its rows are kept."""
    sweep = plan("xor", "xor", {"lr": [0.05 * (i + 1) for i in range(12)]},
                 Settings(epochs=40_000, batch_size=4))
    seen = []

    def on_row(row):
        seen.append(row)
        if len(seen) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    outcome = execute(sweep, client, on_row=on_row)
    assert outcome.interrupted
    assert 1 <= len(outcome.rows) < 12
    assert all(r["error"] == "" and r["epochs_trained"] == 40_000 for r in outcome.rows)
    assert [r["run"] for r in outcome.rows] == sorted(r["run"] for r in outcome.rows)
    client.cancel(list(client.futures.values()))   # nothing left over for the next test


def test_the_trainer_pickles_and_clones():
    from sklearn.base import clone
    from codegen import Trainer
    X, y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 1, 0])
    model = Trainer("xor", epochs=300, batch_size=4, optimizer="adam", lr=0.05)
    assert clone(model).get_params() == model.get_params()
    fitted = model.fit(X, y)
    copy = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(copy.predict(X), fitted.predict(X)) and copy.score(X, y) == 1.0
    assert hasattr(fitted, "module_")   # pickling it left the original whole


def test_the_trainer_in_grid_search_on_dask(client):
    """GridSearchCV's fits run on the cluster's workers (joblib's dask backend) and choose
    the settings that learn XOR."""
    import joblib
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from codegen import Trainer
    rng = np.random.default_rng(0)
    X = np.tile([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], (10, 1))
    X = X + rng.normal(0, 0.05, X.shape)
    y = np.tile([0, 1, 1, 0], 10)
    search = GridSearchCV(Trainer("xor", epochs=200, batch_size=8, lr=0.05),
                          {"optimizer": ["sgd", "adam"]}, cv=StratifiedKFold(2))
    from distributed import get_task_stream
    with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        search.fit(X, y)
    assert stream.data, "no task ran on the cluster"
    assert search.best_params_ == {"optimizer": "adam"}
    assert search.best_score_ >= 0.9


def test_a_worker_gets_a_big_modules_companion_with_its_text(tmp_path, monkeypatch):
    """A module whose names and starting values are in a companion file (784-64-10) reaches
    a worker that shares no disk with the client as text and companion bytes together: the
    worker writes both into its cache folder and imports the module from there."""
    from codegen.origin import companion_path
    from codegen.training import sweep as sweeps
    from derive.spec.model import Network
    monkeypatch.setenv("CHAINRULE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("codegen.modules.compile_module", lambda module: None)  # import only
    net = Network.layered([784, 64, 10], ["relu", "softmax"], loss="cce", init_seed=0,
                          name="mlp-784-64-10")
    module = build(net, out=tmp_path / "client" / "mlp.py")
    code = sweeps._code(net, "float64", module)
    assert code.companion == companion_path(module.__file__).read_bytes()
    sent = pickle.loads(pickle.dumps(replace(code, path="/nowhere/mlp.py")))
    received = sweeps.worker_module(sent)
    assert received.__file__ != module.__file__
    assert received.PARAM_NAMES == module.PARAM_NAMES
    np.testing.assert_array_equal(received.INITIAL_PARAMS, module.INITIAL_PARAMS)
    assert companion_path(received.__file__).read_bytes() == code.companion
