"""derive.spec.model: the Network's queries, and the public names of the README."""

from __future__ import annotations

import pytest

from derive import Network, SpecError
from tests.networks import TINY_SPEC
from tests.spec.texts import write

GOOD = TINY_SPEC


def test_missing_value_is_named_when_numbers_are_needed(tmp_path):
    path = write(tmp_path, GOOD.replace("[inputs]\nx = 0.5", 'inputs = ["x"]'))
    net = Network.from_toml(path)
    from derive import compute, derive
    with pytest.raises(SpecError, match="missing value for 'x'"):
        compute(derive(net))


def test_the_public_names_come_from_the_modules_that_hold_them():
    """``from derive import Network, Notation, NOTATIONS`` (the README's API) gives the
    classes of derive.spec.model and derive.spec.notation, and the classmethods build."""
    import derive
    from derive.spec import model, notation
    assert derive.Network is model.Network
    assert derive.Notation is notation.Notation and derive.NOTATIONS is notation.NOTATIONS
    net = derive.Network.from_toml_text(GOOD)
    assert net.nodes == ["z", "a", "E"] and net.text == GOOD
    assert derive.Network.from_mapping({"layers": {"sizes": [2, 1]}}).layers.sizes == (2, 1)
