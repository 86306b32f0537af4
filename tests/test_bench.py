"""The benchmark scripts run and print their tables (speed itself is not asserted: shared,
noisy machines)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_train_small_prints_ratios_against_peers():
    out = run("train_small.py", "--quick", "--skip", "jax")   # jax is a bench-only extra
    for network in ("seed000_vitalflux", "seed004_afteracademy", "seed001_single_neuron",
                    "iris_softmax"):
        assert network in out
    assert "hand-written Numba loop" in out and "PyTorch CPU 1 thread" in out
    ratios = re.findall(r"^\s+(?:hand|NumPy|PyTorch).*?([\d,]+\.\d\d)$", out, re.MULTILINE)
    assert len(ratios) == 9                       # 1 hand loop + 4 NumPy + 4 PyTorch rows
    assert re.search(r"cold start .* (\d+\.\d\d) s, warm start .* (\d+\.\d\d) s", out)


def test_derive_scaling_prints_sizes_and_times():
    out = run("derive_scaling.py", "--quick", "--budget", "2")
    assert re.search(r"4-8-2\s+58\s", out)


def test_sweep_prints_runs_per_second_on_1_and_2_workers_and_a_loop():
    out = run("sweep.py", "--quick")
    rates = re.findall(r"^\s+(plain loop|Dask LocalCluster, [12] workers?).*?([\d.]+) runs/s",
                       out, re.MULTILINE)
    assert [name for name, _ in rates] == ["plain loop", "Dask LocalCluster, 1 worker",
                                           "Dask LocalCluster, 2 workers"]
    assert all(float(rate) > 0 for _, rate in rates)
    assert "× the loop" in out and "cluster start" in out


def test_train_mlp_prints_the_table_with_ratios():
    """--quick runs the smallest case (the digits net) for one round: every peer, both row
    orders, the GEMM peak and the cold and warm start, as the full run prints them."""
    out = run("train_mlp.py", "--quick")
    assert re.search(r"single-thread A @ B peak .*float32 [\d,.]+ GFLOP/s", out)
    case = "64-32-10 digits float64"
    for order in ("fixed", "shuffled"):
        rows = [line for line in out.splitlines() if line.startswith(case)
                and line[26:36].strip() == order]
        assert any("chainrule (matrix form)" in line for line in rows)
        ratios = [line for line in rows if re.search(r"\d+%\s+[\d,]+\.\d\d$", line)]
        assert len(ratios) >= 5, rows       # NumPy ×2, PyTorch ×2, chainrule 2 threads
    assert "JAX jit + lax.scan" in out          # timed, or "skipped: not installed"
    assert re.search(r"cold start .* (\d+\.\d\d) s, warm start .* (\d+\.\d\d) s", out)
