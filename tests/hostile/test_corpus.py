"""Every case of the hostile-input corpus gives its exit status and its one-line message."""

from __future__ import annotations

import pytest

from tests.hostile.corpus import all_cases, run_api_case, run_case

CLI_CASES, API_CASES = all_cases()


def test_the_corpus_is_not_empty():
    assert len(CLI_CASES) + len(API_CASES) >= 1


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_case(case, tmp_path):
    run_case(case, tmp_path)


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api_case(case, tmp_path):
    run_api_case(case, tmp_path)
