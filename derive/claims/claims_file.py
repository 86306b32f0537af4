"""Files of claims: TOML (``claims = [...]`` with optional ``[aliases]``) or plain text, one
claim per line, each claim with the line it is on (for reports)."""

from __future__ import annotations

import bisect
import re

from derive.errors import ClaimError

#: Largest claims file read (bytes): a post's claims fit in a few kilobytes.
MAX_CLAIMS_FILE_SIZE = 1_000_000


def load_claims(path: str) -> tuple[list[str], list[int], dict[str, str]]:
    """Read a claims file: TOML ``claims = [...]`` (with optional ``[aliases]``) or one per line.

    Returns:
        (claims, their line numbers, aliases).

    Raises:
        ClaimError: naming the file and line.
    """
    text = _read_claims_text(str(path))
    if str(path).endswith(".toml"):
        return _load_toml(text, str(path))
    return _load_lines(text, str(path))


def _read_claims_text(path: str) -> str:
    """The text of a claims file: a regular file of UTF-8 text, at most
    :data:`MAX_CLAIMS_FILE_SIZE` bytes (a FIFO or a device would block or never end)."""
    from derive.files import decode_text, read_regular
    data = read_regular(path, MAX_CLAIMS_FILE_SIZE, ClaimError, "claims file",
                        missing_hint="give a .toml file with claims = [...] or a text file")
    return decode_text(data, path, ClaimError, "claims file")


def _load_lines(text: str, file: str) -> tuple[list[str], list[int], dict[str, str]]:
    """One claim per line; '#' starts a comment (at the start of a line or after a space)."""
    claims, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        body = re.sub(r"\s+#.*$", "", line).strip()
        if body and not body.startswith("#"):
            claims.append(body)
            lines.append(number)
    if not claims:
        raise ClaimError("the claims file holds no claims", file=file,
                         hint="one claim per line; lines starting with '#' are comments")
    return claims, lines, {}


def _load_toml(text: str, file: str):
    import tomllib
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise ClaimError("not valid TOML: arrays or tables nested too deeply", file=file,
                         hint="expected claims = [\"...\", ...]") from None
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        message = re.sub(r"\s*\(at (line|end).*\)$", "", str(err))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        raise ClaimError(f"not valid TOML: {message}", file=file, line=line,
                         hint="expected claims = [\"...\", ...]") from None
    claims = data.get("claims")
    line = _line_starting(text, "claims")
    if not isinstance(claims, list) or not claims:
        raise ClaimError("expected claims = [\"...\", ...], a non-empty list of strings",
                         file=file, line=line)
    for number, claim in enumerate(claims, start=1):
        if not isinstance(claim, str):
            raise ClaimError(f"claim {number} is {claim!r}, not a string", file=file, line=line,
                             hint="write each claim in quotes")
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        raise ClaimError("[aliases] must map author spellings to network names", file=file,
                         line=_line_starting(text, "[aliases"),
                         hint='expected [aliases] with lines such as "out(h1)" = "H1"')
    unknown = set(data) - {"claims", "aliases", "spec", "title"}
    if unknown:
        raise ClaimError(f"unknown key {sorted(unknown)[0]!r}", file=file,
                         hint="expected claims, aliases, spec or title")
    return claims, _claim_lines(text, claims), dict(aliases)


def _line_starting(text: str, start: str) -> int | None:
    """The first line of ``text`` that starts with ``start`` (spaces ignored)."""
    return next((i for i, line in enumerate(text.splitlines(), 1)
                 if line.strip().startswith(start)), None)


def _claim_lines(text: str, claims: list[str]) -> list[int | None]:
    """The line of each claim string in a TOML text (the first line not taken by an earlier
    claim nor a comment that holds the claim's start), by searches over the whole text: a
    loop over the lines for each claim would take minutes on a big file."""
    searchable = re.sub(r"(?m)^[ \t]*#.*$", lambda m: " " * len(m.group()), text)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out, used = [], set()
    for claim in claims:
        probe = claim[:24]
        found = [_first_free_line(searchable, starts, p, used)
                 for p in {probe, probe.replace("\\", "\\\\")} if p]
        line = min((f for f in found if f), default=None)
        if line:
            used.add(line)
        out.append(line)
    return out


def _first_free_line(text: str, starts: list[int], probe: str, used: set[int]) -> int | None:
    """The first line (1-based) holding ``probe`` that is not in ``used``."""
    pos = 0
    while (at := text.find(probe, pos)) >= 0:
        line = bisect.bisect_right(starts, at)
        if line not in used:
            return line
        pos = starts[line] if line < len(starts) else len(text)
    return None
