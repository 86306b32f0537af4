"""The built-in example specs in ``examples/``, found by name or path."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from derive.errors import SpecError
from derive.errors import shown
from derive.spec.typed import spec_path

#: What an example's name looks like; any other SPEC argument is taken as a path.
_EXAMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")

#: Where the example specs live: ``examples/`` next to the packages in a checkout or an
#: editable install, else the copy a plain install puts inside this package.
_HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = next((folder for folder in (_HERE.parents[1] / "examples", _HERE / "example_specs")
                     if folder.is_dir()), _HERE / "example_specs")

#: The example `chainrule derive` uses when given no spec: seed 000's 2-3-1 network.
DEFAULT = "seed000_vitalflux"


def example_names() -> list[str]:
    """Names of the example specs (file stems), sorted."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml") if not p.stem.endswith("_claims"))


def example_path(name: str) -> Path:
    """The file of example ``name``."""
    path = EXAMPLES_DIR / f"{name}.toml"
    if not (isinstance(name, str) and _EXAMPLE_NAME.fullmatch(name) and path.is_file()):
        raise SpecError(f"no built-in example {shown(name)}",
                        hint="expected one of " + ", ".join(example_names()))
    return path


def describe(name: str) -> tuple[str, str]:
    """(name, title) of an example, read without building it."""
    data = tomllib.loads(example_path(name).read_text(encoding="utf-8"))
    return data.get("name", name), data.get("title", "")


def resolve(spec: str | None) -> Path:
    """A spec argument as a path: an existing file, an example name, or the default.

    A word that could be an example's name (letters, digits, ``_`` and ``-``) and is not a
    file here is looked up among the examples; anything else is a path, checked by
    :func:`~derive.spec.typed.spec_path` (not empty, no NUL) and read later.
    """
    if spec is None:
        return example_path(DEFAULT)
    path = spec_path(spec)
    if _EXAMPLE_NAME.fullmatch(str(spec)) and not _exists(path):
        return example_path(str(spec))
    return path


def _exists(path: Path) -> bool:
    """Whether ``path`` names anything (False where the name cannot be looked up at all,
    e.g. too long: reading it then gives the error)."""
    try:
        return path.exists()
    except OSError:
        return False


def load_example(name: str = DEFAULT):
    """The :class:`~derive.spec.model.Network` of a built-in example."""
    from derive.spec.model import Network
    return Network.from_toml(example_path(name))
