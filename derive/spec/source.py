"""Where a spec came from: its file and the line of each ``table.key`` in it, so that every
error about a value points at the line that wrote it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from derive.errors import SpecError


@dataclass
class Source:
    """Where a spec came from, and the line of each ``table.key`` in it (for errors)."""

    file: str | None = None
    lines: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of_toml(cls, file: str, text: str) -> "Source":
        """Index the lines of the keys and tables of a TOML text."""
        lines: dict[str, int] = {}
        table = ""
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            # a header is a whole line: `[[0.1, 0.2], ...` inside a multi-line array is not one
            header = re.fullmatch(r"""\[\[?\s*([A-Za-z0-9_.\-"' ]+?)\s*\]\]?\s*(?:#.*)?""",
                                  stripped)
            if header:
                table = header.group(1).strip().strip('"')
                lines.setdefault(table, number)
                continue
            key = re.match(r"""("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""", stripped)
            if key:
                name = key.group(1).strip("\"'")
                lines.setdefault(f"{table}.{name}" if table else name, number)
        return cls(file, lines)

    def error(self, key: str, message: str, hint: str | None = None) -> SpecError:
        """A :class:`SpecError` at ``key`` (``table.key``), located at its line if known."""
        line = self.lines.get(key)
        if line is None and "." in key:
            line = self.lines.get(key.rsplit(".", 1)[0])
        return SpecError(message, file=self.file, line=line, key=key or None, hint=hint)
