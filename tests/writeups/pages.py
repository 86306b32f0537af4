"""What the HTML write-up tests share: every example's page (and its Markdown) written by the
CLI once per session, the page parsed as XML with the elements and attributes it may hold,
and a headless Chromium (Debian's, driven by playwright) that opens a page and records all
it did: console messages, page errors, dialogs, requests.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from derive.cli import main
from derive.spec.examples import example_names, example_path

ROOT = Path(__file__).resolve().parents[2]
#: screenshots the browser tests keep (not committed: .pytest_cache is ignored)
ARTIFACTS = ROOT / ".pytest_cache" / "artifacts" / "html"
CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: every example, with its claims file where it has one
EXAMPLES = example_names()

#: the elements a write-up page may hold: its HTML, MathML and the diagram's SVG
HTML_ELEMENTS = {"html", "head", "meta", "title", "body", "style", "article", "section", "h1",
                 "h2", "h3", "h4", "h5", "h6", "p", "div", "table", "thead", "tbody", "tr",
                 "th", "td", "code", "pre", "figure", "figcaption", "span"}
MATHML_ELEMENTS = {"math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msub", "msup",
                   "msubsup", "munder", "mover", "munderover", "mfrac", "msqrt", "mroot",
                   "mstyle", "mtable", "mtr", "mtd", "mphantom"}
SVG_ELEMENTS = {"svg", "defs", "marker", "path", "rect", "circle", "line", "text", "tspan"}
#: attributes that load or run something; none may appear anywhere
ACTIVE_ATTRIBUTES = {"src", "href", "srcdoc", "action", "formaction", "data", "srcset",
                     "background", "poster", "xlink:href", "ping"}


def claims_file(name: str) -> Path | None:
    path = example_path(name).with_name(f"{name}_claims.toml")
    return path if path.exists() else None


@functools.cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="chainrule-html-"))


@functools.cache
def example_page(name: str, fmt: str = "html", claims: bool = True) -> str:
    """The write-up of example ``name`` in ``fmt`` as ``chainrule derive`` writes it (with
    the example's claims when ``claims`` and it has some)."""
    out = _folder() / f"{name}-{claims}.{'md' if fmt == 'markdown' else fmt}"
    argv = ["derive", name, "-o", str(out), "--format", fmt]
    if claims and claims_file(name):
        argv += ["--claims", str(claims_file(name))]
    assert main(argv) == 0
    return out.read_text(encoding="utf-8")


def example_file(name: str, claims: bool = True) -> Path:
    """The path of :func:`example_page`'s HTML file."""
    example_page(name, "html", claims)
    return _folder() / f"{name}-{claims}.html"


def parse(page: str) -> ET.Element:
    """The page as XML: it must be well-formed, and hold only the elements a write-up has
    and no attribute that loads or runs anything."""
    root = ET.fromstring(page)
    for element in root.iter():
        tag = element.tag.split("}")[-1]           # the SVG's namespace
        assert tag in HTML_ELEMENTS | MATHML_ELEMENTS | SVG_ELEMENTS, tag
        for attribute, value in element.attrib.items():
            name = attribute.split("}")[-1].lower()
            assert name not in ACTIVE_ATTRIBUTES and not name.startswith("on"), attribute
            assert "javascript:" not in value.lower() and "url(" not in value.lower() \
                or value == "url(#arrow)", (attribute, value)
    return root


# --------------------------------------------------------------------------- the browser


def _missing(why: str) -> None:
    """Skip on a developer's machine; in CI a missing browser is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} (in CI: .ci/run installs it through dev.sh setup)")
    pytest.skip(why)


@contextmanager
def chromium():
    """A headless Chromium: Debian's package (``CHAINRULE_CHROMIUM`` names another)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium is not installed ({CHROMIUM}): apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """A page opened in the browser, and all it did."""

    page: object
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)      # asked for (a blocked one too)
    loaded: list[str] = field(default_factory=list)        # and got


def visit(browser, path: Path, width: int = 1000) -> Visit:
    """Open the file ``path`` in a new page and wait until it has loaded."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    seen = Visit(page)
    page.on("console", lambda m: seen.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("requestfinished", lambda r: seen.loaded.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(200)     # a timer or a late onload would have fired by now
    return seen


def screenshot(seen: Visit, name: str) -> Path:
    """Keep a screenshot of the whole page as a test artifact; returns (and prints) its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    seen.page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
