"""Document → JSON: every number by name, at full precision (no LaTeX work at all)."""

from __future__ import annotations

import json
import math


def render(doc, diagram_href: str | None = None) -> str:
    """Every number of a :class:`~derive.writeups.document.Document` by name: values, cost,
    gradients, updated, cost_after (a value that overflowed is the string "inf", "-inf" or
    "nan": JSON has no such numbers; a JSON form has no diagram, so ``diagram_href`` is unused),
    and what the document adds (``doc.data``: the general level's rules, a big network's
    per-layer numbers).
    """
    data = doc.values.as_dict() if doc.values is not None else {}
    if doc.data is not None:
        data.update(doc.data())
    return json.dumps(_json_safe(data), indent=2, allow_nan=False) + "\n"


def _json_safe(data):
    """``data`` with non-finite floats as the strings "inf", "-inf", "nan"."""
    if isinstance(data, dict):
        return {key: _json_safe(value) for key, value in data.items()}
    if isinstance(data, float) and not math.isfinite(data):
        return str(data)
    return data
