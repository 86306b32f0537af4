import os
from pathlib import Path

import pytest

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
