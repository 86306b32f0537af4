"""Where a generated module comes from, as its header tells it: the spec's file and its hash.

Both are printed into every module (``# Spec file:``, ``SPEC_HASH``) and read back by
:mod:`codegen.modules` to decide whether a module is current, so they live below the printers
and the build alike.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from pathlib import Path

from derive import __version__
from derive.spec.model import Network

#: The checkout (or installed tree) that holds ``derive/``, ``codegen/`` and ``generated/``:
#: headers name files relative to it, so they are the same in every clone.
CHECKOUT_DIR = Path(__file__).resolve().parent.parent


#: a big module's companion file (its parameters' names and starting values) is named as the
#: module, with this in place of ``.py``
COMPANION_SUFFIX = ".chainrule.npz"


def companion_path(module: str | Path) -> Path:
    """The companion file of the module at ``module``: ``net.py`` → ``net.chainrule.npz``."""
    module = Path(module)
    return module.with_name(module.stem + COMPANION_SUFFIX)


#: The folders whose Python source does not shape a module's text (write-ups, claims, the
#: command line, the training driver); every other file of derive/ and codegen/ does.
NOT_PRINTING = ("derive/writeups", "derive/claims", "derive/cli", "derive/latex_text.py",
                "derive/mathml.py", "codegen/cli", "codegen/training")


def printer_sources() -> list[Path]:
    """The source files a generated module's text comes from: the derivation and the
    printers (derive/ and codegen/ but :data:`NOT_PRINTING`), in a fixed order."""
    files = [p for package in ("derive", "codegen") for p in (CHECKOUT_DIR / package).rglob("*.py")]
    return sorted(p for p in files
                  if not p.relative_to(CHECKOUT_DIR).as_posix().startswith(NOT_PRINTING))


@functools.cache
def printer_digest() -> str:
    """sha256 of :func:`printer_sources` (paths and text, line ends made LF), so that a
    module printed by another chainrule — the same version number, a changed printer — is
    not taken as current."""
    digest = hashlib.sha256()
    for path in printer_sources():
        digest.update(path.relative_to(CHECKOUT_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def spec_hash(network: Network, dtype: str = "float64", form: str = "auto") -> str:
    """sha256 of all a generated module is printed from: the network (names in their order,
    equations, values, training options, the layers and notation of a layered spec), where it
    came from, chainrule's version and the source of its derivation and printers
    (:func:`printer_digest`), the dtype and the form."""
    layers = dataclasses.asdict(network.layers) if network.layers else None
    content = {"name": network.name, "title": network.title,
               # lists of pairs, not objects: the order is the module's layout (PARAM_NAMES …)
               "inputs": list(network.inputs.items()),
               "targets": list(network.targets.items()),
               "parameters": list(network.parameters.items()),
               "equations": [(n, e.text) for n, e in network.equations.items()],
               "cost": network.cost, "freeze": list(network.freeze),
               "learning_rate": network.learning_rate, "layers": layers,
               "file": spec_file(network), "version": __version__,
               "printer": printer_digest(), "dtype": dtype,
               **({"form": form} if form != "auto" else {})}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def spec_file(network: Network) -> str:
    """The spec's file as a header shows it: ``examples/NAME.toml`` for a built-in example
    (wherever it is installed, so its committed module stays current), else relative to the
    checkout when inside it."""
    if not network.source.file:
        return "(built in Python)"
    if is_example(network):
        return f"examples/{Path(network.source.file).name}"
    return relative(network.source.file)


def relative(path: str | Path) -> str:
    """``path`` relative to the checkout (so headers are the same in every clone)."""
    try:
        return str(Path(path).resolve().relative_to(CHECKOUT_DIR))
    except (ValueError, OSError):
        return str(path)


def is_example(network: Network) -> bool:
    """Whether ``network`` was read from one of the built-in example files."""
    from derive.spec.examples import EXAMPLES_DIR
    path = resolved(network)
    return path is not None and path.parent == EXAMPLES_DIR.resolve() and path.is_file()


def resolved(network: Network) -> Path | None:
    """The absolute path of the spec's file (None when it has none, or none a path can be)."""
    try:
        return Path(network.source.file).resolve() if network.source.file else None
    except (OSError, ValueError, RuntimeError):
        return None
