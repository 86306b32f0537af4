"""The HTML write-up (:mod:`derive.writeups.html`), read as a file: one self-contained page
(nothing it could fetch or run, a strict Content-Security-Policy), every formula and number of
the Markdown write-up in it as MathML, the claims with their marks, and the ways to get it
(``--format html``, the ``.html`` suffix, ``Document.html()``, ``_repr_html_``). The page in a
real browser: tests/writeups/test_html_browser.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive.claims.check import check
from derive.claims.claims_file import load_claims
from derive.mathml import math_element, to_mathml
from derive.spec.examples import example_path
from derive.spec.model import Network
from derive.writeups.build import writeup
from derive.writeups.html import CSP
from derive.writeups.levels import has_example
from tests.hostile.cases_html import CASES as HOSTILE_CASES
from tests.hostile.cases_html import PAYLOADS
from tests.hostile.corpus import run_case
from tests.networks import corpus
from tests.writeups.pages import EXAMPLES, claims_file, example_page, parse
from tests.writeups.support import run_cli

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def test_format_html_writes_one_page(capsys, tmp_path):
    out = tmp_path / "w.html"
    code, _, err = run_cli(capsys, "derive", "seed004_afteracademy", "--format", "html",
                           "-o", str(out))
    assert code == 0 and "wrote" in err
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.html"]     # no .svg beside it


@pytest.mark.parametrize("suffix", [".html", ".htm", ".HTML"])
def test_the_suffix_chooses_html(capsys, tmp_path, suffix):
    out = tmp_path / f"w{suffix}"
    assert run_cli(capsys, "derive", "seed001_single_neuron", "-o", str(out))[0] == 0
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_a_folder_gets_the_specs_name_with_html(capsys, tmp_path):
    assert run_cli(capsys, "derive", "xor", "--format", "html", "-o", f"{tmp_path}/")[0] == 0
    assert (tmp_path / "xor.html").read_text().startswith("<!DOCTYPE html>")


def test_standard_output_gets_the_page(capsys):
    code, out, _ = run_cli(capsys, "derive", "seed001_single_neuron", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")


def test_document_html_and_the_notebook_form():
    document = writeup(corpus()["seed004"])
    page = document.html()
    assert page == document.render("html")
    fragment = document._repr_html_()
    assert fragment.startswith('<article class="chainrule">') and "<style>" in fragment
    assert "<html" not in fragment and "<head" not in fragment
    assert fragment in page                        # the notebook shows the page's article
    parse(fragment)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_page_is_self_contained(name):
    """Well-formed, only the elements a write-up has, nothing that loads or runs: no
    script, link, image, frame or font; the only URL is the SVG's namespace."""
    page = example_page(name)
    root = parse(page)
    urls = re.findall(r"\b(?:https?|ftp|file|data|javascript):[^\s\"'<>)]*",
                      page.replace(CSP, ""))
    assert urls == [SVG_NAMESPACE] * page.count(f'xmlns="{SVG_NAMESPACE}"') == [SVG_NAMESPACE]
    assert "@import" not in page and "@font-face" not in page
    head = root.find("head")
    assert [m.attrib for m in head.findall("meta")][:2] == [
        {"charset": "utf-8"}, {"http-equiv": "Content-Security-Policy", "content": CSP}]
    assert "default-src 'none'" in CSP and "script-src" not in CSP


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_formula_of_the_markdown_is_mathml_in_the_page(name):
    """Each ``$…$`` and each aligned line of the Markdown write-up is in the page as the
    MathML of the same LaTeX, and no formula was left as TeX source."""
    markdown, page = example_page(name, "markdown"), example_page(name)
    formulas = _markdown_formulas(markdown)
    assert len(formulas) > 20
    missing = [f for f in formulas if _mathml(f) not in page]
    assert not missing, missing[:5]
    assert 'class="tex"' not in page                # no formula fell back to its source


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_number_of_the_markdown_is_in_the_page(name):
    """The numbers the Markdown write-up prints (outside its diagram: the image, its alt
    text, a Mermaid block), each as often in the page's text (outside its SVG diagram)."""
    markdown, page = example_page(name, "markdown"), example_page(name)
    markdown = re.sub(r"```mermaid\n.*?```|!\[[^\]]*\]\([^)]*\)", "", markdown, flags=re.S)
    wanted, shown = Counter(_numbers(markdown)), Counter(_numbers(_page_text(page)))
    # a spec without a worked example (it trains from data) prints its sizes, not values
    assert len(wanted) > (10 if has_example(Network.from_toml(example_path(name))) else 4)
    short = {n: (count, shown[n]) for n, count in wanted.items() if shown[n] < count}
    assert not short, short


@pytest.mark.parametrize("name", [n for n in EXAMPLES if claims_file(n)])
def test_the_claims_have_their_marks(name):
    """One row per checked claim, in order, with the mark of its verdict."""
    claims, _, aliases = load_claims(str(claims_file(name)))
    verdicts = check(Network.from_toml(example_path(name)), claims, aliases)
    rows = re.findall(r'<tr class="(\w+)"><td class="mark">(.)</td>', example_page(name))
    mark = {"holds": "✓", "wrong": "✗", "rounding": "≈", "cannot read": "?"}
    verdict_class = {"holds": "holds", "wrong": "wrong", "rounding": "rounding",
                     "cannot read": "unreadable"}
    assert rows == [(verdict_class[v.verdict], mark[v.verdict]) for v in verdicts]
    assert {"✓", "✗"} <= {m for _, m in rows}
    assert "<h2>Checked claims</h2>" in example_page(name)


def test_latex_claims_are_mathml_and_plain_ones_code():
    page = example_page("seed000_vitalflux")          # its claims are LaTeX
    claims = page.split("<h2>Checked claims</h2>")[1]
    assert "\\frac" not in claims and "\\partial" not in claims and "<code>" not in claims
    plain = example_page("seed004_afteracademy").split("<h2>Checked claims</h2>")[1]
    assert "<code>dE(total)/dw5 = " in plain


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=[c.id for c in HOSTILE_CASES])
def test_hostile_text_is_inert_in_the_file(case, tmp_path):
    """The hostile corpus' HTML cases: each page parses with no element or attribute of
    the payload's, and the payload shows as its own text."""
    run_case(case, tmp_path)
    page = (tmp_path / "w.html").read_text(encoding="utf-8")
    root = parse(page)
    title = case.files["evil.toml"].split("'''")[1]
    assert root.find("head/title").text == title
    assert "".join(root.find("body/article/h1").itertext()) == title
    assert "<script" not in page and "<img" not in page and "<iframe" not in page


def test_the_hostile_corpus_covers_the_usual_tricks():
    joined = " ".join(PAYLOADS.values())
    for trick in ("<script>", "onerror=", "javascript:", "</math>", "</title>", "</style>",
                  "&lt;", "&#60;", "<!--", "http-equiv", "srcdoc", "<base", "alert(", "@import"):
        assert trick in joined, trick


# --------------------------------------------------------------------------- helpers


def _markdown_formulas(markdown: str) -> list[str]:
    """The LaTeX of every inline ``$…$`` and every line of every ``$$`` display."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = re.sub(r"(`+).*?\1", "", text)                  # code spans: claims as text
    formulas = []
    for block in re.findall(r"\$\$\n(.*?)\n\$\$", text, flags=re.S):
        body = block.removeprefix("\\begin{aligned}\n").removesuffix("\n\\end{aligned}")
        for line in body.split(" \\\\\n"):
            left, right = line.split("&", 1)
            formulas += [f for f in (left.strip(), right) if f]
    text = re.sub(r"\$\$\n.*?\n\$\$", "", text, flags=re.S)
    formulas += [f.replace("\\|", "|") for f in re.findall(r"(?<!\\)\$([^$]+)\$", text)]
    return formulas


def _mathml(tex: str) -> str:
    """The MathML the page holds for ``tex`` (displays' cells are in display style)."""
    return to_mathml(tex)


def _numbers(text: str) -> list[str]:
    """Every number in ``text`` (digits in a Unicode math style read as plain ones)."""
    plain = "".join(str(unicodedata.digit(c)) if 0x1D7CE <= ord(c) <= 0x1D7FF else c
                    for c in text)
    return re.findall(r"[0-9]+(?:\.[0-9]+)?", plain)


class _Text(HTMLParser):
    """The page's text outside its style and its SVG diagram."""

    def __init__(self):
        super().__init__()
        self.skip, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "svg", "title")

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "svg", "title")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _page_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.parts)


def test_the_helpers_find_what_they_look_for(tmp_path: Path):
    """The formula and number extraction above sees formulas and numbers (a check that
    cannot fail asserts nothing)."""
    md = "text $a_{1}$ and `$b$`\n\n$$\n\\begin{aligned}\nx &= 0.5 \\\\\n&= y\n\\end{aligned}\n$$\n"
    assert _markdown_formulas(md) == ["x", "= 0.5", "= y", "a_{1}"]
    assert _numbers("w₁ 0.25 𝟏 x2") == ["0.25", "1", "2"]
    assert "0.5" in _page_text(f"<p>{math_element(to_mathml('0.5'))}</p><svg><text>9</text></svg>")
    assert "9" not in _page_text("<svg><text>9</text></svg>")
