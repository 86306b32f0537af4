"""Hostile grids and options for `chainrule sweep`: each is one line naming what is wrong,
exit status 2, before any run starts (no cluster is started for any of them).

The spec is the xor example (a layered 2-4-1 net; its module is committed), seed 004's for
a free-form one.
"""

from __future__ import annotations

import numpy as np

from codegen.training.grid import MAX_RUNS, grid_runs
from tests.hostile.cases_data import npz_bytes
from tests.hostile.corpus import ApiCase, Case



def sweep(*grid: str, spec: str = "xor", options: tuple[str, ...] = ()) -> list[str]:
    """``chainrule sweep SPEC --data xor --grid GRID... OPTIONS`` (output in the case's folder)."""
    data = "xor" if spec == "xor" else "synthetic"
    return ["sweep", spec, "--data", data, "--quiet", "-o", "{dir}/out", *options,
            "--grid", *grid]


def case(id: str, grid: tuple[str, ...], *words: str, **options) -> Case:
    return Case(f"sweep-{id}", sweep(*grid, **options), words=words)


MANY = ",".join(str(i) for i in range(MAX_RUNS + 1))

CASES = [
    case("no-equals", ("lr",), "KEY=VALUES"),
    case("no-key", ("=0.1",), "KEY=VALUES"),
    case("unknown-key", ("lrr=0.1",), "unknown setting", "'lrr'", "did you mean 'lr'"),
    case("unknown-key-control-chars", ("l\x1b[2J\nr=0.1",), "unknown setting", "\\x1b"),
    case("empty-values", ("lr=",), "empty value"),
    case("empty-value-between", ("lr=0.1,,0.2",), "empty value"),
    case("trailing-comma", ("optimizer=sgd,",), "empty value"),
    case("key-twice", ("lr=0.1", "lr=0.2"), "lr is given twice"),
    case("seed-and-seeds", ("seed=1", "seeds=2"), "seed is given twice"),
    case("value-twice", ("lr=0.1,0.1",), "lists 0.1 twice"),
    case("hidden-twice", ("hidden=2,2",), "hidden lists 2 twice"),
    case("huge-product", ("lr=" + ",".join(f"0.{i + 1}" for i in range(9)),
                          "epochs=" + ",".join(str(i) for i in range(1, 2001))),
         "18,000 runs", "limit of 10,000", "MAX_RUNS"),
    case("huge-single", ("seed=" + MANY,), "10,001 runs", "limit of 10,000"),
    case("huge-seeds", ("seeds=1000000",), "seeds", "at most 10000"),
    case("lr-negative", ("lr=0.1,-1",), "grid lr", "positive number", "'-1'"),
    case("lr-zero", ("lr=0",), "positive number"),
    case("lr-nan", ("lr=nan",), "positive number"),
    case("lr-inf", ("lr=inf",), "positive number"),
    case("lr-huge-text", ("lr=" + "9" * 100_000,), "positive number", "characters"),
    case("lr-word", ("lr=fast",), "positive number", "'fast'"),
    case("momentum-one", ("momentum=0.5,1",), "momentum", "[0, 1)"),
    case("beta2-negative", ("beta2=-0.1",), "beta2", "[0, 1)"),
    case("eps-zero", ("eps=0",), "eps", "positive"),
    case("weight-decay-negative", ("weight_decay=-1e-3",), "weight_decay", "at least 0"),
    case("epochs-zero", ("epochs=0",), "epochs", "at least 1"),
    case("epochs-huge", ("epochs=10000001",), "epochs", "at most 1000000"),
    case("epochs-fraction", ("epochs=1.5",), "epochs", "whole number"),
    case("batch-size-zero", ("batch_size=0,4",), "batch_size", "at least 1"),
    case("seed-negative", ("seed=-1",), "seed", "at least 0"),
    case("seed-huge", ("seed=2147483648",), "seed", "at most 2147483647"),
    case("seeds-list", ("seeds=1,2",), "seeds is one count"),
    case("seeds-zero", ("seeds=0",), "seeds", "at least 1"),
    case("seeds-past-the-largest", ("seeds=5",), "largest seed",
         options=("--seed", "2147483647")),
    case("folds-one", ("lr=0.1", "folds=1"), "folds must be a whole number from 2"),
    case("folds-zero", ("folds=0",), "folds must be a whole number from 2", "got 0"),
    case("folds-negative", ("folds=-3",), "folds must be a whole number from 2"),
    case("folds-list", ("folds=2,3",), "folds is one count"),
    case("folds-word", ("folds=five",), "grid folds", "whole number", "'five'"),
    case("folds-huge-text", ("folds=" + "9" * 100_000,), "grid folds", "whole number"),
    case("folds-past-the-rows", ("folds=5",), "folds=5 needs at least 5 rows", "has 4",
         "at most folds=4"),
    case("folds-with-a-test-fraction", ("folds=2",), "test fraction", "--test-fraction",
         options=("--test-fraction", "0.25")),
    case("folds-with-a-test-fraction-of-zero", ("folds=2",), "test fraction",
         options=("--test-fraction", "0")),
    case("fold-named", ("fold=1,2",), "unknown setting", "'fold'", "folds"),
    Case("sweep-folds-with-the-data-test-split",
         ["sweep", "xor", "--data", "npz:{dir}/d.npz", "--quiet", "-o", "{dir}/out",
          "--grid", "folds=2"],
         files={"d.npz": npz_bytes(x_train=np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]),
                                   y_train=np.array([[0.0], [1], [1], [0]]),
                                   x_test=np.array([[0.0, 1]]), y_test=np.array([[1.0]]))},
         words=("d.npz", "held-out rows of its own", "folds")),
    case("optimizer-unknown", ("optimizer=sgd,lbfgs",), "optimizer", "'lbfgs'", "adam"),
    case("hidden-zero", ("hidden=0",), "hidden", "at least 1"),
    case("hidden-garbage", ("hidden=16xx8",), "hidden", "whole number"),
    case("hidden-huge", ("hidden=300000",), "hidden", "at most 250000"),
    case("hidden-past-the-layered-limit", ("hidden=200000",), "parameters", "250,000"),
    case("hidden-count", ("hidden=2x3",), "2 sizes for 1 hidden layers"),
    case("hidden-free-form", ("hidden=2,4",), "layered spec", "free-form",
         spec="seed004_afteracademy"),
    case("option-and-grid", ("lr=0.1,0.2",), "--lr and the grid's lr", options=("--lr", "0.3")),
    case("workers-and-scheduler", ("lr=0.1",), "--workers is for the local cluster",
         options=("--workers", "2", "--scheduler", "tcp://127.0.0.1:8786")),
    case("workers-zero", ("lr=0.1",), "--workers", options=("--workers", "0")),
    case("scheduler-not-an-address", ("lr=0.1",), "not a Dask scheduler's address",
         options=("--scheduler", "not an address")),
    case("scheduler-unknown-scheme", ("lr=0.1",), "unknown address scheme",
         options=("--scheduler", "foo://host:1")),
    case("scheduler-bad-port", ("lr=0.1",), "port 99999999",
         options=("--scheduler", "tcp://127.0.0.1:99999999")),
    case("accuracy-of-a-regression", ("lr=0.1",), "needs a classifier",
         spec="seed004_afteracademy", options=("--metric", "test_accuracy", "--epochs", "1")),
    case("metric-unknown", ("lr=0.1",), "--metric", options=("--metric", "loss")),
    Case("sweep-no-grid", ["sweep", "xor", "--data", "xor", "--quiet"], words=("--grid",)),
    Case("sweep-grid-without-values", ["sweep", "xor", "--data", "xor", "--grid"],
         words=("--grid",)),
    Case("sweep-output-is-a-file", ["sweep", "xor", "--data", "xor", "--quiet", "-o", "{dir}/f",
                                    "--grid", "lr=0.1"],
         files={"f": "a file"}, words=("not a folder",)),
    ApiCase("sweep-api-unknown-key", lambda d: grid_runs({"learning_rate": [0.1]}),
            words=("unknown setting", "'learning_rate'")),
    ApiCase("sweep-api-empty-grid", lambda d: grid_runs({}), words=("the grid is empty",)),
    ApiCase("sweep-api-a-string-of-values", lambda d: grid_runs({"optimizer": "adam"}),
            words=("optimizer has no values",)),
    ApiCase("sweep-api-no-values", lambda d: grid_runs({"lr": []}), words=("lr has no values",)),
    ApiCase("sweep-api-bad-lr", lambda d: grid_runs({"lr": [0.1, -2.0]}),
            words=("the grid's lr", "positive")),
    ApiCase("sweep-api-bool-epochs", lambda d: grid_runs({"epochs": [True]}),
            words=("epochs must be a whole number",)),
    ApiCase("sweep-api-bad-hidden", lambda d: grid_runs({"hidden": [(4, 0)]}),
            words=("hidden", "not hidden layer sizes")),
    ApiCase("sweep-api-folds-one", lambda d: grid_runs({"folds": 1}), words=("folds", "from 2")),
    ApiCase("sweep-api-folds-a-list", lambda d: grid_runs({"folds": [5]}), words=("folds", "whole number")),
    ApiCase("sweep-api-folds-bool", lambda d: grid_runs({"folds": True}), words=("folds", "whole number")),
    ApiCase("sweep-api-fold", lambda d: grid_runs({"fold": [1]}), words=("unknown setting fold", "folds=K")),
    ApiCase("sweep-api-seed-and-seeds", lambda d: grid_runs({"seed": [0], "seeds": 2}),
            words=("seed and seeds",)),
]
