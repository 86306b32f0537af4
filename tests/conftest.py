import pytest

from tests.networks import corpus

CORPUS = corpus()


@pytest.fixture(params=sorted(CORPUS), ids=sorted(CORPUS))
def network(request):
    """Each network of the shared corpus in turn."""
    return CORPUS[request.param]
