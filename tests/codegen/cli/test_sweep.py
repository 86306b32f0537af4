"""`chainrule sweep` from the command line: on its own LocalCluster, on a scheduler's address,
a failed run, and a terminal's Ctrl-C (SIGINT to the whole process group)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.cli.running import run_command
from tests.networks import ROOT

#: the Dask sweeps run in one test process, one cluster at a time (pytest-xdist)
pytestmark = pytest.mark.xdist_group("dask")

XOR = ["xor", "--data", "xor", "--epochs", "80", "--batch-size", "4"]


@pytest.fixture(scope="module")
def scheduler():
    """The address of a LocalCluster of 2 worker processes started apart from the command."""
    import logging

    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        yield cluster.scheduler_address


def rows(folder):
    with (folder / "sweep.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_grid_on_the_local_cluster(capsys, tmp_path):
    code, out, err = run_command(capsys, "sweep", "--quiet", *XOR, "--grid", "lr=0.1,0.5", "optimizer=sgd,adam",
                               "hidden=2,4", "seeds=2", "--workers", "2", "-o", tmp_path / "s")
    assert code == 0, err
    found = rows(tmp_path / "s")
    assert len(found) == 16 and [int(r["run"]) for r in found] == list(range(1, 17))
    assert list(found[0])[:4] == ["run", "hidden", "optimizer", "lr"]
    assert {"train_cost", "test_cost", "train_accuracy", "seconds", "error"} <= set(found[0])
    assert {(r["lr"], r["optimizer"], r["hidden"], r["seed"]) for r in found} == {
        (lr, o, h, s) for lr in ("0.1", "0.5") for o in ("sgd", "adam") for h in ("2", "4")
        for s in ("0", "1")}
    assert all(r["error"] == "" and float(r["seconds"]) > 0 for r in found)
    assert (tmp_path / "s" / "sweep.png").read_bytes().startswith(b"\x89PNG")
    best = min(found, key=lambda r: float(r["test_cost"]))
    assert f"optimizer={best['optimizer']}" in out and "best test_cost" in out
    assert "mean over 2 seeds" in out and "16 of 16 runs" in out


def test_folds_on_a_scheduler_address(capsys, tmp_path, scheduler):
    code, out, err = run_command(capsys, "sweep", "--quiet", "xor", "--data", "synthetic", "--samples", "40",
                                 "--epochs", "5", "--grid", "lr=0.1,0.5", "folds=4", "--scheduler", scheduler,
                                 "-o", tmp_path / "s")
    assert code == 0, err
    found = rows(tmp_path / "s")
    assert [(r["lr"], r["fold"]) for r in found] == [(lr, str(f)) for lr in ("0.1", "0.5") for f in (1, 2, 3, 4)]
    assert all(r["error"] == "" and float(r["test_cost"]) >= 0 for r in found)
    assert "mean over 4 folds" in out and "best test_cost" in out and "8 of 8 runs" in out
    assert (tmp_path / "s" / "sweep.png").read_bytes().startswith(b"\x89PNG")


def test_a_grid_on_a_scheduler_address(capsys, tmp_path, scheduler):
    code, out, err = run_command(capsys, "sweep", "--quiet", *XOR, "--grid", "lr=0.2,0.4", "--optimizer", "adam",
                               "--scheduler", scheduler, "-o", tmp_path / "s")
    assert code == 0, err
    found = rows(tmp_path / "s")
    assert [r["lr"] for r in found] == ["0.2", "0.4"]
    assert all(r["optimizer"] == "adam" and "hidden" not in r for r in found)
    assert "best test_cost" in out and "lr=" in out


def test_a_failed_run_is_a_row_and_the_sweep_goes_on(capsys, tmp_path, scheduler):
    code, out, err = run_command(capsys, "sweep", "--quiet", "seed000_vitalflux", "--data", "synthetic",
                               "--samples", "200", "--epochs", "20", "--grid", "lr=0.01,1e6",
                               "--scheduler", scheduler, "-o", tmp_path / "s")
    assert code == 1
    ok, failed = rows(tmp_path / "s")
    assert ok["error"] == "" and float(ok["test_cost"]) >= 0
    assert "in epoch" in failed["error"] and failed["test_cost"] == ""
    assert "1 of 2 runs failed" in err and "run 2:" in err
    assert "best test_cost" in out and "lr=0.01" in out


def test_ctrl_c_in_a_terminal_cancels_and_keeps_the_finished_rows(tmp_path):
    """SIGINT to the command's whole process group, as a terminal sends it, while runs are
    under way: the workers (which ignore it) are not killed mid-run, the client cancels the
    rest, writes the rows it has, exits 130, and no traceback is printed."""
    folder = tmp_path / "s"
    script = ("import sys\n"
              "if __name__ == '__main__':\n"
              "    from derive.cli import main\n"
              "    sys.exit(main(sys.argv[1:]))\n")
    (tmp_path / "cli.py").write_text(script)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, str(tmp_path / "cli.py"), "sweep", "xor", "--data", "xor",
            "--batch-size", "4", "--epochs", "200000", "--grid",
            "lr=" + ",".join(str(0.05 * i) for i in range(1, 31)), "--workers", "1",
            "-o", str(folder)]
    process = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not folder.exists() and process.poll() is None:
            time.sleep(0.2)   # the folder is made just before the cluster starts
        time.sleep(6)         # the cluster up and runs under way
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert "Traceback" not in err, err
    assert "interrupted:" in err and "were cancelled" in err
    kept = rows(folder)
    assert len(kept) < 30 and all(r["error"] == "" for r in kept)
    assert f"{len(kept)} of 30 runs" in out
