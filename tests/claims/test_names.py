"""The names a claim may use: an alias is an author's spelling, not another name."""

import pytest

from derive.claims.check import check
from derive.errors import ClaimError
from derive.spec.examples import load_example


def test_an_alias_may_not_be_another_name_of_the_network():
    with pytest.raises(ClaimError, match="'w5' is already a name of the network"):
        check(load_example("seed004_afteracademy"), ["o1 = 0.75"], {"w5": "O1"})
