"""The built-in example specs in ``examples/``, found by name or path."""

from __future__ import annotations

import tomllib
from pathlib import Path

from derive.errors import SpecError

#: Where the example specs live (next to the packages in a checkout or editable install).
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"

#: The example `chainrule derive` uses when given no spec: seed 000's 2-3-1 network.
DEFAULT = "seed000_vitalflux"


def example_names() -> list[str]:
    """Names of the example specs (file stems), sorted."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml") if not p.stem.endswith("_claims"))


def example_path(name: str) -> Path:
    """The file of example ``name``."""
    path = EXAMPLES_DIR / f"{name}.toml"
    if not path.is_file():
        raise SpecError(f"no built-in example {name!r}",
                        hint="expected one of " + ", ".join(example_names()))
    return path


def describe(name: str) -> tuple[str, str]:
    """(name, title) of an example, read without building it."""
    data = tomllib.loads(example_path(name).read_text(encoding="utf-8"))
    return data.get("name", name), data.get("title", "")


def resolve(spec: str | None) -> Path:
    """A spec argument as a path: an existing file, an example name, or the default."""
    if spec is None:
        return example_path(DEFAULT)
    path = Path(spec)
    if path.exists() or path.suffix == ".toml" or "/" in spec:
        return path
    return example_path(spec)


def load_example(name: str = DEFAULT):
    """The :class:`~derive.spec.Network` of a built-in example."""
    from derive.spec import Network
    return Network.from_toml(example_path(name))
