"""The LaTeX form (:mod:`derive.writeups.latex`): every write-up fits the page (long lines
broken, tall diagrams scaled, long tables split), and hostile titles compile as text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.cli import main
from derive.spec.model import Network
from derive.writeups.build import writeup
from derive.writeups.pdf import compile_pdf
from tests.networks import EXAMPLES, written_up_examples
from tests.writeups.support import HOSTILE_TITLE, require_tex, small_spec


#: every example's spec (its claims files are not networks) that has a scalar write-up
SPECS = [EXAMPLES / f"{name}.toml" for name in written_up_examples()]


#: how far a line may stick out into the margin (pt): less than a letter
OVERFULL_TOLERANCE = 5.0


def assert_fits_the_page(network: Network, folder: Path) -> None:
    """pdflatex reports no overfull box of the write-up wider or taller than the tolerance."""
    log = folder / "w.log"
    compile_pdf(writeup(network).latex(), folder / "w.pdf", log_path=log)
    text = log.read_text(encoding="latin-1")
    assert "Output written" in text
    overfull = [(float(pt), line) for pt, line in
                re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\)(.*)", text)]
    assert not [o for o in overfull if o[0] > OVERFULL_TOLERANCE], overfull


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_every_example_fits_the_page(spec, tmp_path):
    """No line of a write-up runs off the page (long closed forms such as seed 004's ∂E/∂b1
    are broken over lines)."""
    require_tex()
    assert_fits_the_page(Network.from_toml(spec), tmp_path)


def test_a_tall_network_fits_the_page(tmp_path):
    """40 inputs: a diagram taller than the page is scaled down, a table longer than a page
    is set as several."""
    require_tex()
    assert_fits_the_page(Network.layered([40, 1], "sigmoid", inputs=[0.1] * 40, targets=[1.0]),
                         tmp_path)


def test_a_hostile_title_and_name_compile_as_text(tmp_path, capsys):
    require_tex()
    spec = small_spec(tmp_path, head=f"name = {HOSTILE_TITLE!r}".replace("'", '"')
                      .replace("\n", "\\n").replace("\r", "\\r").replace("\u2028", "\\u2028"))
    out = tmp_path / "w.tex"
    assert main(["derive", str(spec), "-o", str(out), "--pdf"]) == 0
    capsys.readouterr()
    tex = out.read_text()
    assert r"\input{z}" not in tex
    section = next(line for line in tex.splitlines() if line.startswith(r"\section*{T"))
    assert section.endswith("end}")
    assert (tmp_path / "w.pdf").exists()
