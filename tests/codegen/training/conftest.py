"""The xor module the training tests train."""

from __future__ import annotations

import pytest

import codegen


@pytest.fixture(scope="module")
def xor():
    return codegen.build("xor")
