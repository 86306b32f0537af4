"""LaTeX → PDF: pdflatex run in a sandbox (a temporary folder, no shell escape, paranoid file
access, a time limit), so that even a hostile document cannot run commands or read files."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from derive.errors import ChainruleError
from derive.files import write_atomic


def tex_engine() -> str | None:
    """The path of pdflatex, if one is installed."""
    return shutil.which("pdflatex")


#: Longest a pdflatex run may take (the largest write-ups compile in a few seconds).
MAX_PDFLATEX_SECONDS = 120


def tex_environment(folder: str) -> dict[str, str]:
    """The environment pdflatex runs in: no shell escape, and paranoid file access (no
    reading or writing outside ``folder``: no absolute paths, no ``..``, no dot files),
    whatever the local texmf.cnf says."""
    env = dict(os.environ)
    env.update(shell_escape="f", openin_any="p", openout_any="p", TEXMFOUTPUT=folder)
    return env


def compile_pdf(latex: str, pdf_path: Path, log_path: Path | None = None) -> Path:
    """Compile a LaTeX document with pdflatex into ``pdf_path`` (and its log into
    ``log_path``, when given, whether it compiles or not).

    pdflatex runs in a temporary folder, without shell escape, allowed to read and write
    only inside that folder (and to read its own installed files), non-interactively, and
    for at most :data:`MAX_PDFLATEX_SECONDS`: even a hostile document cannot run commands
    or copy a local file into the PDF.

    Raises:
        ChainruleError: no TeX engine is installed, the document does not compile (with
            the first error line of the log), or pdflatex runs too long.
    """
    engine = tex_engine()
    if engine is None:
        raise ChainruleError("no TeX engine found (pdflatex is not on PATH)",
                             hint="install one, e.g. `apt-get install texlive-latex-recommended "
                                  "texlive-pictures`, or leave out --pdf")
    with tempfile.TemporaryDirectory(prefix="chainrule-tex-") as tmp:
        source = Path(tmp) / "writeup.tex"
        source.write_text(latex, encoding="utf-8")
        command = [engine, "-no-shell-escape", "-no-parse-first-line",
                   "-interaction=nonstopmode", "-halt-on-error", source.name]
        try:
            run = subprocess.run(command, cwd=tmp, env=tex_environment(tmp),
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 errors="replace", timeout=MAX_PDFLATEX_SECONDS)
        except subprocess.TimeoutExpired:
            raise ChainruleError(f"pdflatex ran past {MAX_PDFLATEX_SECONDS} s on the "
                                 "write-up", hint="leave out --pdf, or compile the .tex "
                                                  "yourself") from None
        pdf, log = Path(tmp) / "writeup.pdf", Path(tmp) / "writeup.log"
        if log_path is not None and log.exists():
            write_atomic(log_path, log.read_bytes())
        if run.returncode != 0 or not pdf.exists():
            lines = [ln for ln in run.stdout.splitlines() if ln.startswith("!")]
            raise ChainruleError("pdflatex could not compile the write-up: "
                                 + (lines[0] if lines else f"exit {run.returncode}"))
        write_atomic(pdf_path, pdf.read_bytes())
    return Path(pdf_path)
