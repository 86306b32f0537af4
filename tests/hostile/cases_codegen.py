"""Hostile input to `chainrule codegen` and `codegen.build`: output paths that would shadow a
module, overwrite a package's ``__init__``, replace a device or outgrow the file system's name
limit; names, titles and paths that used to run code on import (now: exit 0, one module)."""

from __future__ import annotations

import json
import os

from tests.hostile.corpus import ApiCase, Case


def _spec(name: str = "net", title: str = "") -> str:
    return (f"name = {json.dumps(name)}\ntitle = {json.dumps(title)}\n"
            "[inputs]\nx = 0.5\n[targets]\ny = 0.25\n[parameters]\nw = 0.3\n"
            '[equations]\nh = "sigmoid(w*x)"\nE = "(h - y)**2"\n[training]\ncost = "E"\n')


SPEC = {"s.toml": _spec()}
PAYLOAD = 'import os; open("PWNED", "w").write("x")'


def _fifo(path) -> None:
    os.mkfifo(path)


def _codegen(argv_tail: list[str]) -> list[str]:
    return ["codegen", "{dir}/s.toml", *argv_tail]


def _build(folder, out: str, **options):
    import codegen
    from derive.spec.model import Network
    (folder / "s.toml").write_text(_spec(), encoding="utf-8")
    return codegen.build(Network.from_toml(folder / "s.toml"), out=folder / out, **options)


CASES = [
    Case("codegen-output-shadows-numba", _codegen(["-o", "{dir}/numba.py"]), SPEC,
         words=("numba.py", "shadow")),
    Case("codegen-output-shadows-np", _codegen(["-o", "{dir}/np.py"]), SPEC,
         words=("np.py", "shadow")),
    Case("codegen-output-package-init", _codegen(["-o", "{dir}/__init__.py"]), SPEC,
         words=("__init__.py", "shadow")),
    Case("codegen-output-stdlib", _codegen(["-o", "{dir}/json.py"]), SPEC,
         words=("json.py", "shadow")),
    Case("codegen-output-not-py", _codegen(["-o", "{dir}/m.txt"]), SPEC, words=("m.txt", ".py")),
    Case("codegen-output-device", _codegen(["-o", "/dev/null"]), SPEC,
         words=("/dev/null", "regular file")),
    Case("codegen-output-fifo", _codegen(["-o", "{dir}/pipe.py"]), {**SPEC, "pipe.py": _fifo},
         words=("pipe.py", "regular file")),
    Case("codegen-output-name-too-long", _codegen(["-o", "{dir}/" + "m" * 300 + ".py"]), SPEC,
         words=("too long",)),
    Case("codegen-output-under-a-file", _codegen(["-o", "{dir}/s.toml/m.py"]), SPEC,
         words=("cannot write", "s.toml")),
    Case("codegen-index-form-of-free-form", _codegen(["--form", "index", "-o", "{dir}/m.py"]),
         SPEC, words=("index form", "layered")),
    # the reproducers: a clean module, and nothing else in the folder
    Case("codegen-name-newline", _codegen(["-o", "{dir}/m.py"]),
         {"s.toml": _spec(name=f"n\n{PAYLOAD}\n#")}, exit=0, creates=("m.py",)),
    Case("codegen-name-carriage-return", _codegen(["-o", "{dir}/m.py"]),
         {"s.toml": _spec(name=f"n\r{PAYLOAD}\r#")}, exit=0, creates=("m.py",)),
    Case("codegen-name-triple-quote", _codegen(["-o", "{dir}/m.py"]),
         {"s.toml": _spec(name=f'n"""; {PAYLOAD}; """')}, exit=0, creates=("m.py",)),
    Case("codegen-name-backslash-u", _codegen(["-o", "{dir}/m.py"]),
         {"s.toml": _spec(name="n\\u00zz")}, exit=0, creates=("m.py",)),
    Case("codegen-title-newline", _codegen(["-o", "{dir}/m.py"]),
         {"s.toml": _spec(title=f"t\n{PAYLOAD}\n#")}, exit=0, creates=("m.py",)),
    Case("codegen-output-path-newline", _codegen(["-o", f"{{dir}}/o\n{PAYLOAD}\n#/m.py"]), SPEC,
         exit=0, creates=("m.py", "o*")),
    Case("codegen-output-folder", _codegen(["-o", "{dir}/out/"]), SPEC, exit=0,
         creates=("out", "s.py")),
    ApiCase("codegen-api-out-shadows-numba", lambda d: _build(d, "numba.py"),
            words=("numba.py", "shadow"), error="ChainruleError"),
    ApiCase("codegen-api-out-not-py", lambda d: _build(d, "m.so"), words=(".py",)),
    ApiCase("codegen-api-unknown-dtype", lambda d: _build(d, "m.py", dtype="float16"),
            words=("dtype", "float16")),
    ApiCase("codegen-api-unknown-form", lambda d: _build(d, "m.py", form="diagonal"),
            words=("form", "diagonal")),
    ApiCase("codegen-api-matrix-form-of-free-form", lambda d: _build(d, "m.py", form="matrix"),
            words=("matrix form", "layered")),
    Case("codegen-matrix-form-of-free-form", _codegen(["-o", "{dir}/m.py", "--form", "matrix"]),
         SPEC, words=("matrix form", "layered")),
]
