"""How derivation time and expression size grow with network size: δ accumulation vs plain diff.

For sigmoid MLPs of growing size this prints, per network: the number of parameters and
connections, the time chainrule takes to derive every ∂C/∂θ (reverse δ accumulation over the
graph) and the operation count of all its expressions; then, side by side, plain
``sympy.diff`` of the fully expanded cost for every parameter, where it finishes within the
time budget (each plain run is in a subprocess that is stopped at the budget).

    python bench/derive_scaling.py            # budget 60 s per plain run
    python bench/derive_scaling.py --budget 5 --quick
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

import sympy

from derive import Network, derive

SIZES = [[2, 2, 1], [2, 3, 2], [4, 4, 2], [4, 8, 2], [4, 8, 8, 2], [4, 8, 8, 8, 2],
         [8, 16, 16, 4], [16, 32, 32, 10], [32, 64, 64, 10]]


def connections(sizes: list[int]) -> int:
    """Weights plus biases of a per-neuron-bias MLP."""
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def chainrule_run(sizes: list[int]) -> tuple[float, int]:
    """Seconds to derive every gradient by δ accumulation, and the operation count."""
    net = Network.layered(sizes, "sigmoid")
    start = time.perf_counter()
    d = derive(net)
    elapsed = time.perf_counter() - start
    return elapsed, d.size()


def _plain(sizes: list[int], out: mp.Queue) -> None:
    net = Network.layered(sizes, "sigmoid")
    from derive.scalar.graph import build_graph
    graph = build_graph(net)
    start = time.perf_counter()
    cost = graph.expanded(graph.cost)
    grads = [sympy.diff(cost, graph.symbols[p]) for p in graph.parameters]
    elapsed = time.perf_counter() - start
    out.put((elapsed, sum(sympy.count_ops(g) for g in grads)))


def plain_run(sizes: list[int], budget: float) -> tuple[float, int] | None:
    """Plain sympy.diff of the expanded cost per parameter, or None past ``budget`` seconds."""
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_plain, args=(sizes, queue))
    proc.start()
    proc.join(budget)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds allowed to each plain sympy.diff run (default 60)")
    parser.add_argument("--quick", action="store_true", help="only the first five sizes")
    args = parser.parse_args()
    sizes_list = SIZES[:5] if args.quick else SIZES
    print(f"{'network':>18} {'params':>7} {'chainrule s':>12} {'ops':>9} {'ops/param':>9}"
          f" {'plain diff s':>13} {'plain ops':>12} {'speed-up':>9}")
    plain_gave_up = False
    for sizes in sizes_list:
        elapsed, ops = chainrule_run(sizes)
        n = connections(sizes)
        plain = None if plain_gave_up else plain_run(sizes, args.budget)
        if plain is None:
            plain_gave_up = True
            plain_cols = f"{'> ' + format(args.budget, 'g'):>13} {'-':>12} {'-':>9}"
        else:
            plain_cols = f"{plain[0]:13.3f} {plain[1]:12d} {plain[0] / elapsed:8.0f}x"
        name = "-".join(map(str, sizes))
        print(f"{name:>18} {n:7d} {elapsed:12.3f} {ops:9d} {ops / n:9.2f} {plain_cols}", flush=True)


if __name__ == "__main__":
    main()
