"""What the write-up tests share: a TeX engine (or a skip), the CLI's output, a PDF's text,
small specs to make hostile, and the well-formedness of a Mermaid block.

The golden files (tests/golden/) hold the exact Markdown, LaTeX and SVG of two examples
(tests/writeups/test_document.py checks them).
"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path

import pytest

from derive.cli import main
from derive.writeups.diagram import Diagram
from derive.writeups.pdf import tex_engine

GOLDEN = Path(__file__).parents[1] / "golden"
GOLDEN_EXAMPLES = ["seed004_afteracademy", "seed000_vitalflux"]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def require_tex() -> None:
    """Skip without pdflatex on a developer's machine; in CI its absence is a failure."""
    if tex_engine() is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing in CI: .ci/run must install a TeX engine")
        pytest.skip("pdflatex is not installed")


#: a number no write-up prints by itself: if it shows up in a PDF, the file holding it was read
SECRET = "31415926535897"


def pdf_text(pdf: bytes) -> str:
    """The text a PDF shows, roughly: the strings of its (inflated) content streams, each
    TJ array's pieces joined (kerning between them dropped)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    out = []
    for chunk in chunks:
        for array in re.findall(rb"\[(.*?)\]\s*TJ|\((.*?)\)\s*Tj", chunk, re.S):
            body = b"".join(array)
            out.append(b"".join(re.findall(rb"\(((?:\\.|[^\\)])*)\)", body)) or body)
    return b" ".join(out).decode("latin-1")


def small_spec(tmp_path: Path, extra: str = "", name: str = "evil.toml", head: str = "") -> Path:
    spec = tmp_path / name
    spec.write_text(head + "\n[inputs]\nx = 1.0\n[targets]\ny = 0.5\n[parameters]\nw = 0.3\n"
                    '[equations]\nz = "w*x"\nC = "1/2*(z - y)**2"\n' + extra, encoding="utf-8")
    return spec


HOSTILE_TITLE = ("T\n# injected heading\r\n<script>alert(1)</script> | a ` b [x](y) $\\input{z}$ "
                 "% # & _ ^ ~ \\ { } \u2028 end")


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def assert_mermaid_is_well_formed(text: str, diagram: Diagram) -> None:
    lines = text.split("\n")
    assert lines[0] == "flowchart LR"
    assert len(lines) == 1 + len(diagram.vertices) + len(diagram.edges)
    label = r'(?:[^"`<>\[\]{}|;%#\n]|#\d+;)*'     # entities are the only ; and #
    node = re.compile(rf'    n\d+(?:\(\("{label}(?: \| {label})*"\)\)|\["{label}"\])')
    edge = re.compile(rf'    n\d+ -(?:->|\.->)(?:\|"{label}"\|)? n\d+')
    body = lines[1:]
    assert all(node.fullmatch(x) for x in body[:len(diagram.vertices)]), body
    assert all(edge.fullmatch(x) for x in body[len(diagram.vertices):]), body
