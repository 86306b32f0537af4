"""Fuzzing the readers of user text (issue 8, section 7): the equation parser, the spec reader
and the claim reader, plain and LaTeX. Every generated text is read or refused with a
ChainruleError, never a traceback, and within a time budget.

A few thousand examples here; ``python bench/fuzz.py`` runs a hundred thousand and more.
"""

from __future__ import annotations

import gc
import time

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzzing import TARGETS, attempt

#: CPU seconds one example may take (reading is milliseconds; a hang or a blow-up is not).
#: The CPU time of this thread, not wall time, so that a loaded machine does not fail the suite,
#: and not the process's CPU time either: that counts every thread an earlier test in the same
#: xdist worker left running (a 72 kB product that reads in 0.3 s here was charged 2.1 s in a
#: CI run; what else ran in that worker's process then is the likeliest cause).
#: Each target is warmed up first (its first call imports SymPy's machinery, about a second), and
#: what the worker already holds is frozen out of the garbage collector's walks.
BUDGET = 2.0

SETTINGS = dict(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

#: examples per target (about 3,000 in all)
EXAMPLES = {"equation": 1000, "spec": 600, "claim": 800, "latex-claim": 600}


def _fuzz(name: str):
    target, texts = TARGETS[name]
    attempt(target, "x")  # warm up: imports and SymPy's caches are not the example's time

    @settings(max_examples=EXAMPLES[name], **SETTINGS)
    @given(texts)
    def run(text):
        start = time.thread_time()
        bug = attempt(target, text)
        took = time.thread_time() - start
        assert bug is None, f"{type(bug).__name__}: {bug} on {text[:300]!r}"
        assert took < BUDGET, f"{took:.1f} s on {text[:300]!r}"
    return run


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_readers_refuse_or_read_every_text(name):
    gc.collect()
    gc.freeze()
    try:
        _fuzz(name)()
    finally:
        gc.unfreeze()
