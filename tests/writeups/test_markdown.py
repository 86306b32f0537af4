"""The Markdown form (:mod:`derive.writeups.markdown`) against hostile text: a title cannot add
a heading, HTML, a link or a line to the Mermaid block."""

from __future__ import annotations

import re


from derive.cli import main
from derive.spec.model import Network
from derive.writeups.build import writeup
from tests.writeups.support import HOSTILE_TITLE, small_spec


def test_a_hostile_title_keeps_the_markdown_structure(tmp_path, capsys):
    spec = small_spec(tmp_path, head=f"title = {HOSTILE_TITLE!r}".replace("'", '"')
                      .replace("\n", "\\n").replace("\r", "\\r").replace("\u2028", "\\u2028"))
    out = tmp_path / "my notes (v1).md"
    assert main(["derive", str(spec), "-o", str(out)]) == 0
    capsys.readouterr()
    text = out.read_text()
    assert text.splitlines()[0].startswith("# T ") and "end" in text.splitlines()[0]
    assert not any(line.startswith("# injected") for line in text.splitlines())
    assert "<script>" not in text and "[x](y)" not in text
    assert "](my%20notes%20%28v1%29.svg)" in text
    for mermaid in re.findall(r"```mermaid\n(.*?)\n```", writeup(Network.from_toml(spec))
                              .markdown(), re.S):
        assert "injected" not in mermaid
