"""Runs per second of a sweep on a Dask LocalCluster of 1 and 2 worker processes, against
the same runs in a plain loop in this process.

The sweep trains the XOR net (examples/xor.toml, 2-4-1) over a grid of learning rates,
optimizers and seeds. Every side starts warm: the module is loaded and compiled in this
process and on every worker before the clock starts, so the rates compare the runs
themselves (with the cluster's cost of sending them and their rows back); the cluster's start
is timed apart.

    python bench/sweep.py            # 24 runs of 20,000 epochs
    python bench/sweep.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codegen.training.loop import Settings  # noqa: E402
from codegen.training.sweep import execute, local_client, plan, run_one, worker_module  # noqa: E402,E501


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: few, short runs")
    args = parser.parse_args()
    epochs, seeds = (500, 2) if args.quick else (20_000, 4)
    grid = {"lr": [0.1, 0.5, 1.0], "optimizer": ["sgd", "adam"], "seeds": seeds}
    sweep = plan("xor", "xor", grid, Settings(epochs=epochs, batch_size=4))
    (code,) = sweep.codes.values()
    runs = len(sweep.runs)
    print(f"sweep of {runs} runs: xor 2-4-1, {epochs:,} epochs each, grid lr × optimizer × "
          f"{seeds} seeds")

    worker_module(code)  # warm: loaded and compiled here, as on the workers below
    started = time.perf_counter()
    rows = [run_one(run, code, sweep.rows) for run in sweep.runs]
    loop = runs / (time.perf_counter() - started)
    assert all(not row["error"] for row in rows), rows
    print(f"  plain loop in this process   {loop:10.2f} runs/s")

    starts = []
    for workers in (1, 2):
        begun = time.perf_counter()
        with local_client(workers) as client:
            client.run(worker_module, code)  # every worker warm before the clock starts
            starts.append(time.perf_counter() - begun)
            outcome = execute(sweep, client)
        assert len(outcome.rows) == runs and not any(r["error"] for r in outcome.rows)
        rate = runs / outcome.seconds
        plural = "" if workers == 1 else "s"
        print(f"  Dask LocalCluster, {workers} worker{plural}  {rate:10.2f} runs/s   "
              f"({rate / loop:.2f}× the loop)")
    print(f"  cluster start (not in the rates): 1 worker {starts[0]:.1f} s, "
          f"2 workers {starts[1]:.1f} s")


if __name__ == "__main__":
    main()
