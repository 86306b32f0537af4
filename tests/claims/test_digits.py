"""Digits stated by a number and digits of agreement."""

import pytest

from derive.claims.digits import agreement, stated_digits


@pytest.mark.parametrize("text,digits,last", [("0.794609", 6, -6), ("1.0334528", 8, -7),
                                              ("0.050", 2, -3), ("12", 2, 0), ("0.5", 1, -1)])
def test_stated_digits(text, digits, last):
    assert stated_digits(text) == (digits, last)


def test_agreement():
    assert agreement(0.505, 0.505, -3, 3) == (True, 3)
    assert agreement(0.623633, 0.6236336283, -6, 6) == (False, 5)
    assert agreement(0.794609, 0.8446807, -6, 6)[1] == 0
