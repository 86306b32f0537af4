"""derive.spec.examples: spec arguments that are neither an example nor a readable file."""

from __future__ import annotations

import pytest

from derive import Network, SpecError
from derive.spec.examples import resolve


@pytest.mark.parametrize("argument,words", [
    ("", "path is empty"), ("..", "is a folder"), ("a\0b", "NUL"),
    ("n" * 5000, "too long"), ("nope", "no built-in example 'nope'"),
    ("bad name", "no such spec file"),
])
def test_odd_spec_arguments(argument, words):
    with pytest.raises(SpecError, match=words):
        Network.from_toml(resolve(argument))
