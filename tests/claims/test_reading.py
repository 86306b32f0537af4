"""Reading a claim's left side and its errors' columns."""

import pytest

from derive.claims.names import Names
from derive.claims.reading import read_claim
from derive.errors import ClaimError
from tests.claims.examples import NET


def test_reader_kinds():
    names = Names(NET["seed004_afteracademy"], {"out(h1)": "H1"})
    assert read_claim("w1+ = 0.2", names).target.kind == "after"
    assert read_claim("new w1 = 0.2", names).target.kind == "after"
    assert read_claim("w1' = 0.2", names).target.kind == "after"
    t = read_claim("dE/dout(h1) = 1", names).target
    assert (t.kind, t.name, t.den) == ("deriv", "E", "H1")
    with pytest.raises(ClaimError, match="column 6"):
        read_claim("o1 = * 2", names)
