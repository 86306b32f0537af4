"""Fuzz the readers of user text, nightly style: the equation parser, the spec reader and the
claim reader (plain and LaTeX), with the grammar-aware strategies of ``tests/fuzzing.py``.

Every text must be read or refused with a ChainruleError (never another exception) within a
time budget. Prints, per reader and in all, the examples run, the tracebacks, the cases past
the budget and the slowest case; exits 1 if any traceback or any case past the budget.

    python bench/fuzz.py                      # 100,000 examples, spread over the readers
    python bench/fuzz.py --examples 2000000 --seed 7 --only claim
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fuzzing, from anywhere

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzzing import TARGETS, attempt  # noqa: E402

#: share of the examples each reader gets
SHARES = {"equation": 0.35, "spec": 0.25, "claim": 0.25, "latex-claim": 0.15}


@dataclass
class Tally:
    """What one reader's run found."""

    examples: int = 0
    bugs: list = field(default_factory=list)  # (text, where, what)
    slow: list = field(default_factory=list)  # (seconds, text)
    slowest: tuple = (0.0, "")


class Hang(BaseException):
    """An example stopped at ten times the budget (a hang must not stop the whole run)."""


def _stop(signum, frame):
    raise Hang


def fuzz(name: str, examples: int, budget: float, run_seed: int) -> Tally:
    """Run ``examples`` generated texts through one reader."""
    target, texts = TARGETS[name]
    tally = Tally()
    signal.signal(signal.SIGALRM, _stop)

    @seed(run_seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(texts)
    def run(text):
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, 10 * budget)
        try:
            bug = attempt(target, text)
        except Hang:
            bug = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        took = time.perf_counter() - start
        tally.examples += 1
        if bug is not None:
            tally.bugs.append((text, *where(bug)))
        if took > budget:
            tally.slow.append((took, text))
        if took > tally.slowest[0]:
            tally.slowest = (took, text)

    run()
    return tally


def where(bug: BaseException) -> tuple[str, str]:
    """(the innermost chainrule frame as file:line in function, the exception in one line)."""
    frames = [f for f in traceback.extract_tb(bug.__traceback__)
              if "/derive/" in f.filename or "/codegen/" in f.filename] or \
        traceback.extract_tb(bug.__traceback__)
    frame = frames[-1]
    return (f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno} "
            f"in {frame.name}", f"{type(bug).__name__}: {bug}"[:200])


def shown(text: str, limit: int = 160) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"


def report(name: str, tally: Tally, seconds: float) -> None:
    took, text = tally.slowest
    print(f"{name:12} {tally.examples:>9,} examples  {len(tally.bugs):>3} tracebacks  "
          f"{len(tally.slow):>3} past the budget  {seconds:7.1f} s  slowest {took:.3f} s: "
          f"{shown(text, 60)}")
    shortest = {}
    for text, place, what in tally.bugs:  # one reproducer per place, the shortest found
        if (place, what.split(":")[0]) not in shortest or len(text) < len(shortest[place, what.split(":")[0]][0]):
            shortest[place, what.split(":")[0]] = (text, what)
    for (place, _), (text, what) in sorted(shortest.items()):
        print(f"  {what} at {place}, e.g. on {shown(text, 400)}")
    for took, text in sorted(tally.slow, reverse=True)[:3]:
        print(f"  {took:.2f} s on {shown(text)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000,
                        help="examples in all, spread over the readers (default 100,000)")
    parser.add_argument("--budget", type=float, default=2.0,
                        help="seconds one example may take (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="the run's seed (default 0)")
    parser.add_argument("--only", choices=sorted(TARGETS), action="append",
                        help="fuzz only this reader (may be repeated)")
    args = parser.parse_args(argv)
    names = args.only or list(SHARES)
    total_share = sum(SHARES[n] for n in names)
    totals = Tally()
    start = time.perf_counter()
    for name in names:
        began = time.perf_counter()
        tally = fuzz(name, max(1, round(args.examples * SHARES[name] / total_share)),
                     args.budget, args.seed)
        report(name, tally, time.perf_counter() - began)
        totals.examples += tally.examples
        totals.bugs += tally.bugs
        totals.slow += tally.slow
        totals.slowest = max(totals.slowest, tally.slowest, key=lambda t: t[0])
    took, text = totals.slowest
    print(f"in all: {totals.examples:,} examples run, tracebacks {len(totals.bugs)}, "
          f"past the {args.budget:g} s budget {len(totals.slow)}, slowest case {took:.3f} s "
          f"({shown(text, 60)}), {time.perf_counter() - start:.0f} s")
    return 1 if totals.bugs or totals.slow else 0


if __name__ == "__main__":
    sys.exit(main())
