"""Document cases (`chainrule check SPEC --from FILE`): files that are not documents (missing,
a folder, a FIFO, a device, too big, not UTF-8) give one error line; hostile documents
(a megabyte of dollars, braces nested 100,000 deep, a 100,000-character line, TeX primitives
in math, scripts in HTML) are read to the end in bounded time, their unreadable pieces
skipped, never an error for the run."""

from __future__ import annotations

import os

from tests.hostile.cases_data import sparse_file
from tests.hostile.corpus import Case


def _check(document: str, *more: str) -> list[str]:
    return ["check", "seed004_afteracademy", "--from", document, *more]


def _fifo(path) -> None:
    os.mkfifo(path)


def _folder(path) -> None:
    path.mkdir()


def _document(id_: str, name: str, content, exit: int = 0, timeout: float = 60.0) -> Case:
    """A hostile document that must be checked to the end (exit 0, or 1 for a wrong claim)."""
    return Case(f"scan-{id_}", _check(f"{{dir}}/{name}"), files={name: content}, exit=exit,
                isolated=True, timeout=timeout)


CASES = [
    Case("scan-missing", _check("{dir}/post.md"), words=("post.md", "no such document")),
    Case("scan-folder", _check("{dir}/post"), files={"post": _folder}, words=("is a folder",)),
    Case("scan-fifo", _check("{dir}/post.txt"), files={"post.txt": _fifo},
         words=("post.txt", "not a regular file"), isolated=True, timeout=30),
    Case("scan-dev-zero", _check("/dev/zero"), words=("not a regular file",), isolated=True,
         timeout=30),
    Case("scan-too-big", _check("{dir}/big.md"), files={"big.md": sparse_file(3 * 2**20)},
         words=("big.md", "larger than the limit", "2 MiB"), isolated=True, timeout=30),
    Case("scan-utf16", _check("{dir}/p.txt"), files={"p.txt": "o1 = 1".encode("utf-16")},
         words=("UTF-16",)),
    Case("scan-nul", _check("{dir}/p.txt"), files={"p.txt": b"o1 = 1\n\x00"},
         words=("p.txt:2", "NUL")),
    Case("scan-latin1", _check("{dir}/p.txt"), files={"p.txt": b"h1 = 0.505\nw\xe9 = 1\n"},
         words=("p.txt:2", "not UTF-8")),
    Case("scan-with-claims", _check("{dir}/p.txt", "h1 = 0.505"), files={"p.txt": "h1 = 0.505"},
         words=("not both",)),
    Case("scan-with-claims-file", _check("{dir}/p.txt", "--claims", "{examples}/seed004_afteracademy_claims.toml"),
         files={"p.txt": "h1 = 0.505"}, words=("not both", "--aliases")),
    Case("scan-aliases-without-from", ["check", "seed004_afteracademy", "--aliases", "{dir}/a.toml"],
         files={"a.toml": "[aliases]\n"}, words=("--from",)),
    Case("scan-aliases-missing", _check("{dir}/p.txt", "--aliases", "{dir}/a.toml"),
         files={"p.txt": "h1 = 0.505"}, words=("a.toml", "no such aliases file")),
    Case("scan-aliases-not-toml", _check("{dir}/p.txt", "--aliases", "{dir}/a.toml"),
         files={"p.txt": "h1 = 0.505", "a.toml": "[aliases\n"}, words=("a.toml", "not valid TOML")),
    Case("scan-aliases-not-texts", _check("{dir}/p.txt", "--aliases", "{dir}/a.toml"),
         files={"p.txt": "h1 = 0.505", "a.toml": "[aliases]\nx = 3\n"},
         words=("a.toml", "[aliases]")),
    Case("scan-alias-to-nothing", _check("{dir}/p.txt", "--aliases", "{dir}/a.toml"),
         files={"p.txt": "h1 = 0.505", "a.toml": 'claims = ["x = 1"]\n[aliases]\n"out(h1)" = "H9"\n'},
         words=("a.toml:3", "H9", "not in the network")),
    _document("dollars", "d.md", "$" * 1_000_000),
    _document("dollar-equalities", "d.md", "$a=b$" * 200_000),
    _document("nested-braces", "d.tex", "$" + "{" * 100_000 + "h1 = 0.505" + "}" * 100_000 + "$"),
    _document("nested-parens", "d.txt", "h1 = " + "(" * 100_000 + "0.505" + ")" * 100_000),
    _document("long-line", "d.txt", "h1 = " + "w1 + " * 20_000 + "x1\n"),
    _document("tex-primitives", "d.tex",
              "\\[ \\input{/etc/passwd} = \\write18{touch PWNED} \\]\n"
              "$h_1 = \\csname input\\endcsname$\n\\begin{align} o1 &= \\def\\x{1} \\end{align}\n"),
    _document("html-script", "d.html",
              "<script>h1 = 99</script><p>h<sub>1</sub> = 0.505 <img onerror=alert(1) src=x></p>"
              "<!-- unclosed comment " + "o1 = 1 " * 10_000),
    _document("unclosed-everything", "d.md", "$$ \\[ \\( [latex] \\begin{equation} ``` <p " * 20_000),
    _document("one-long-paragraph", "d.txt", "".join(f"Q{i}(h1) = 0.5\n" for i in range(100_000))),
    _document("many-claims", "d.txt", "h1 is 0.505 and " * 60_000),
    _document("wrong-number", "d.txt", "The output o1 is 0.794609.\n", exit=1),
    _document("control-characters", "d.txt", "h1 = 0.505\x1b[2J\x07\u2028\no1 = 0.794609\x1b]0;x\x07\n",
              exit=1),
]
