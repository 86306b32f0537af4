import os
from pathlib import Path

# One BLAS and OpenMP thread per test process when pytest-xdist runs one process per core:
# two processes of two threads each on two cores slow each other down (set before numpy is
# imported; the benchmarks' explicit thread limits still apply).
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

import pytest

# The first import of a module in generated/ makes its __pycache__ folder: made here, by the
# package's own import, before any test runs in this process, so that a test comparing
# generated/'s listing before and after a build (tests/codegen/test_modules.py) never sees
# another test process's (pytest-xdist worker's) first import.
import generated  # noqa: F401
from tests.networks import corpus

# modules generated for the tests' own specs go to a scratch per-user cache inside the
# checkout (kept between runs, so Numba's cache stays warm), never to ~/.cache
os.environ.setdefault("CHAINRULE_CACHE_DIR",
                      str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "user-cache"))

CORPUS = corpus()


@pytest.fixture(params=sorted(CORPUS), ids=sorted(CORPUS))
def network(request):
    """Each network of the shared corpus in turn."""
    return CORPUS[request.param]
