"""The HTML write-up in a real browser (headless Chromium, Debian's package): every example's
page (with its claims) renders without a console error, its math is laid out as MathML (no
TeX source left in the text, every formula a box of its own, fractions stacked), its diagram
is an SVG of the right size; every hostile page of tests/hostile/cases_html.py runs nothing,
fetches nothing and shows its hostile text as text. A screenshot of each page is kept under
.pytest_cache/artifacts/html/ (the path is printed).
"""

from __future__ import annotations

import re

import pytest

from derive.cli import main
from derive.latex_text import one_line
from tests.hostile.cases_html import CASES as HOSTILE_CASES
from tests.hostile.cases_html import FLAG
from tests.hostile.corpus import run_case
from tests.writeups.pages import (EXAMPLES, chromium, claims_file, example_file, example_page,
                                  screenshot, visit)
from tests.writeups.test_big import big_spec  # noqa: F401  (a fixture: the 784-64-10 spec)

#: one Chromium for the file (pytest-xdist runs a group in one process)
pytestmark = pytest.mark.xdist_group("chromium")

#: TeX source a reader must never see: a control word, or a $ of inline math
RAW_TEX = re.compile(r"\\[A-Za-z]+|\$")
#: elements that could run or load something
ACTIVE = "script, iframe, frame, object, embed, img, image, a, link, base, form, meta[http-equiv=refresh]"

#: the layout of a page, measured in it: MathML elements and their boxes, fractions, the SVG
_MEASURE = """() => {
  const box = e => e.getBoundingClientRect();
  const maths = [...document.querySelectorAll('math')];
  const fractions = [...document.querySelectorAll('mfrac')].map(f => {
    const [top, bottom] = [...f.children].map(box);
    return top.bottom <= bottom.top + 1 && top.width > 0 && bottom.width > 0; });
  const svg = document.querySelector('figure svg');
  return {
    maths: maths.length,
    mathml: maths.filter(m => m instanceof MathMLElement).length,
    empty: maths.filter(m => box(m).width <= 0 || box(m).height <= 0).length,
    fractions: fractions.length, stacked: fractions.filter(Boolean).length,
    displays: document.querySelectorAll('table.aligned').length,
    svg: svg ? [box(svg).width, box(svg).height, svg.querySelectorAll('circle').length] : null,
    active: document.querySelectorAll(%r).length,
  };
}""" % ACTIVE


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _clean(seen) -> None:
    """Nothing went wrong and nothing else was loaded: no console error or warning, no page
    error, no dialog, no request besides the page itself."""
    assert [m for m in seen.console if m[0] in ("error", "warning")] == []
    assert seen.errors == [] and seen.dialogs == []
    assert seen.requests == [seen.page.url]


def _laid_out(seen, page: str) -> str:
    """The page (its source ``page``) rendered cleanly, every formula laid out as MathML,
    the diagram drawn; returns the text a reader sees."""
    _clean(seen)
    text = seen.page.inner_text("body")
    assert not RAW_TEX.findall(text), RAW_TEX.findall(text)[:5]
    m = seen.page.evaluate(_MEASURE)
    assert m["maths"] == page.count("<math") > 50
    assert m["mathml"] == m["maths"] and m["empty"] == 0        # laid out, each a box
    assert m["fractions"] > 0 and m["stacked"] == m["fractions"]
    assert m["displays"] == page.count('<table class="aligned">') > 5
    width, height, circles = m["svg"]
    assert width > 200 and height > 100 and circles >= 3
    assert m["active"] == 0
    return text


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_renders_in_chromium(browser, name):
    seen = visit(browser, example_file(name))
    try:
        text = _laid_out(seen, example_page(name))
        if claims_file(name):
            assert "Checked claims" in text and "✓" in text and "✗" in text
        screenshot(seen, name)
    finally:
        seen.page.close()


def test_a_per_layer_writeup_renders_in_chromium(browser, big_spec, tmp_path):  # noqa: F811
    """A 784-64-10 network's write-up (its general equations, the numbers per layer): the
    sections the builders make come out in HTML with no HTML code of their own."""
    out = tmp_path / "mnist.html"
    assert main(["derive", big_spec, "-o", str(out)]) == 0
    seen = visit(browser, out)
    try:
        text = _laid_out(seen, out.read_text(encoding="utf-8"))
        assert "The general equations" in text and "784" in text
        screenshot(seen, "mnist-784-64-10")
    finally:
        seen.page.close()


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=[c.id for c in HOSTILE_CASES])
def test_hostile_pages_run_nothing(browser, case, tmp_path):
    run_case(case, tmp_path)
    seen = visit(browser, tmp_path / "w.html")
    try:
        _clean(seen)
        assert seen.page.evaluate(f"typeof window.{FLAG}") == "undefined"
        assert seen.page.evaluate(_MEASURE)["active"] == 0
        title = case.files["evil.toml"].split("'''")[1]
        assert seen.page.inner_text("h1") == one_line(title).strip()
        assert seen.page.title() == one_line(title).strip()
        if case.id == "html-all":
            screenshot(seen, case.id)
    finally:
        seen.page.close()


@pytest.mark.parametrize("with_policy", [True, False])
def test_the_content_security_policy_stops_a_script_that_got_in(browser, tmp_path, with_policy):
    """Were a script to get into a page, its policy would stop it; the same page without the
    policy runs it (so the flag this file and the hostile test watch does catch a script)."""
    page = example_page("seed001_single_neuron", claims=False)
    if not with_policy:
        page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    injected = page.replace("<body>", f"<body><script>window.{FLAG} = 1</script>"
                                      f'<img src="x.png" onerror="window.{FLAG} = 2">')
    path = tmp_path / "injected.html"
    path.write_text(injected, encoding="utf-8")
    seen = visit(browser, path)
    try:
        ran = seen.page.evaluate(f"window.{FLAG}")
        if with_policy:
            assert ran is None
            assert any("Content Security Policy" in text for _, text in seen.console)
            assert seen.loaded == [seen.page.url]               # the image was not fetched
        else:
            assert ran in (1, 2)
    finally:
        seen.page.close()
