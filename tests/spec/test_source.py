"""derive.spec.source: errors point at the line of their key."""

from __future__ import annotations

import pytest

from derive import Network, SpecError


def test_lines_after_a_multi_line_array_are_located_right(tmp_path):
    text = ("[layers]\nsizes = [2, 3, 1]\n[values]\nweights = [\n"
            "  [[0.1, 0.4], [-0.3, 0.2], [0.25, -0.15]],\n  [[0.5, -0.6, 0.3]],\n]\n"
            "init_seed = -4\n")
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        Network.from_toml(path)
    assert err.value.line == 8 and "values.init_seed" in str(err.value)
