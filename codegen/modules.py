"""Spec → an up-to-date generated module in ``generated/``, imported and ready to train.

:func:`build` reuses a module whose header hash matches the spec (then no SymPy is imported
and Numba's cache makes the start warm); otherwise it derives, prints and writes the module
atomically, so a crash or Ctrl-C never leaves half a file behind.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

from derive import __version__
from derive.spec import Network

#: Where generated modules live: the ``generated`` package next to ``derive``.
GENERATED_DIR = Path(__file__).resolve().parent.parent / "generated"
_HASH_LINE = re.compile(r"^SPEC_HASH = '([0-9a-f]{64})'$", re.MULTILINE)


def spec_hash(network: Network, dtype: str = "float64", form: str = "auto") -> str:
    """sha256 of all a generated module is printed from: the network (equations, values,
    names, training options), where it came from, chainrule's version and the dtype."""
    content = {"name": network.name, "title": network.title, "inputs": network.inputs,
               "targets": network.targets, "parameters": network.parameters,
               "equations": {n: e.text for n, e in network.equations.items()},
               "cost": network.cost, "freeze": list(network.freeze),
               "learning_rate": network.learning_rate,
               "loss": network.layers.loss if network.layers else None,
               "file": spec_file(network), "version": __version__, "dtype": dtype,
               **({"form": form} if form != "auto" else {})}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def load_spec(spec: str | Path | Network) -> Network:
    """A spec given as a Network, a path or an example name."""
    if isinstance(spec, Network):
        return spec
    from derive.examples import resolve
    return Network.from_toml(resolve(str(spec)))


def module_name(network: Network, dtype: str = "float64") -> str:
    """The generated module's name: the spec file's stem, else the network's name."""
    stem = Path(network.source.file).stem if network.source.file else network.name
    name = re.sub(r"\W", "_", stem)
    if name[:1].isdigit():
        name = "net_" + name
    return name + ("_f32" if dtype == "float32" else "")


def module_path(spec: str | Path | Network, dtype: str = "float64") -> Path:
    """Where :func:`build` writes the module of ``spec``."""
    return GENERATED_DIR / f"{module_name(load_spec(spec), dtype)}.py"


def regenerate_command(network: Network, path: Path, dtype: str, form: str = "auto") -> str:
    """The command line that writes this module again (paths relative to the checkout)."""
    option = " --dtype float32" if dtype == "float32" else ""
    option += f" --form {form}" if form != "auto" else ""
    return f"chainrule codegen {spec_file(network)} -o {relative(path)}{option}"


def spec_file(network: Network) -> str:
    """The spec's file as a header shows it: relative to the checkout when inside it."""
    return relative(network.source.file) if network.source.file else "(built in Python)"


def relative(path: str | Path) -> str:
    """``path`` relative to the checkout (so headers are the same in every clone)."""
    try:
        return str(Path(path).resolve().relative_to(GENERATED_DIR.parent.resolve()))
    except ValueError:
        return str(path)


def is_current(path: Path, network: Network, dtype: str, form: str = "auto") -> bool:
    """Whether the module at ``path`` was generated from this very spec (by its hash)."""
    if not path.is_file():
        return False
    found = _HASH_LINE.search(path.read_text(encoding="utf-8"))
    return bool(found) and found.group(1) == spec_hash(network, dtype, form)


def write(network: Network, path: Path | None = None, dtype: str = "float64",
          form: str = "auto") -> Path:
    """Derive, print and atomically write the module of ``network``; returns its path."""
    from codegen.emit import emit_module
    from derive.files import write_atomic
    path = Path(path) if path else GENERATED_DIR / f"{module_name(network, dtype)}.py"
    command = regenerate_command(network, path, dtype, form)
    write_atomic(path, emit_module(network, dtype, command, form))
    return path


def build(spec: str | Path | Network, *, dtype: str = "float64",
          out: str | Path | None = None, form: str = "auto") -> ModuleType:
    """The imported generated module of ``spec``, written first unless it is up to date.

    Args:
        spec: a :class:`~derive.spec.Network`, a spec file or an example name.
        dtype: ``"float64"`` or ``"float32"``.
        out: where the module goes (default ``generated/<spec stem>.py``).
        form: ``"auto"``, ``"scalar"`` or ``"index"`` (see :func:`codegen.emit.emit_module`).

    Returns:
        The module (see its ``PARAM_NAMES``, ``gradient``, ``train`` …).
    """
    network = load_spec(spec)
    path = Path(out) if out else GENERATED_DIR / f"{module_name(network, dtype)}.py"
    if not is_current(path, network, dtype, form):
        write(network, path, dtype, form)
    return load_module(path)


def load_module(path: Path) -> ModuleType:
    """Import a generated module from its file (as ``generated.<stem>`` when it lives there)."""
    path = Path(path).resolve()
    name = (f"generated.{path.stem}" if path.parent == GENERATED_DIR.resolve()
            else f"chainrule_generated_{path.stem}")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
