"""The :class:`~derive.writeups.document.Document`: its formats by name, its notebook forms,
and the golden files.

Golden files (tests/golden/) hold the exact Markdown and LaTeX of two examples; after a
reviewed change, refresh them with
``CHAINRULE_UPDATE_GOLDEN=1 bash dev.sh test tests/writeups/test_document.py``.
"""

from __future__ import annotations

import os

import pytest

from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup
from tests.networks import corpus
from tests.writeups.support import GOLDEN, GOLDEN_EXAMPLES


def test_notebook_reprs():
    document = writeup(corpus()["seed004"])
    assert document._repr_markdown_().startswith("# ")
    assert "](data:image/svg+xml;base64," in document._repr_markdown_()   # notebooks: inline SVG
    assert document._repr_latex_().startswith("$$")


@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
@pytest.mark.parametrize("fmt,suffix", [("markdown", ".md"), ("latex", ".tex")])
def test_golden(name, fmt, suffix):
    document = writeup(Network.from_toml(example_path(name)))
    text = document.render(fmt, diagram_href=f"{name}.svg")
    golden = GOLDEN / f"{name}{suffix}"
    if os.environ.get("CHAINRULE_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        (GOLDEN / f"{name}.svg").write_text(document.svg(), encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), \
        f"{golden} changed; review, then refresh with CHAINRULE_UPDATE_GOLDEN=1"
    assert document.svg() == (GOLDEN / f"{name}.svg").read_text(encoding="utf-8")


def test_every_format_by_name_is_the_method_of_that_name():
    """render() looks a format up in RENDERERS; an unknown one is an error naming them all."""
    from derive.errors import ChainruleError
    from derive.writeups.document import RENDERERS
    document = writeup(corpus()["seed004"])
    assert list(RENDERERS) == ["latex", "markdown", "html", "json"]
    for name in RENDERERS:
        assert document.render(name) == getattr(document, name)()
    assert document.render("markdown", "w.svg") == document.markdown("w.svg")
    with pytest.raises(ChainruleError, match="unknown format 'pdf'") as error:
        document.render("pdf")
    assert error.value.hint == "expected latex, markdown, html or json"
