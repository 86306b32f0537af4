"""Claims files: each claim's line found fast, byte order marks and unicode lines kept apart."""

from derive.claims.claims_file import load_claims


def test_claim_lines_of_a_big_claims_file_are_found_fast(tmp_path):
    """A thousand claims among many comment lines: each claim's line is found by searching
    the text, not by a loop over every line for every claim."""
    import time
    lines = ["# " + "o1 = 0.8446 " * 8] * 8_000 + ["claims = ["]
    lines += [f'  "o1 = 0.{i:04d}",' for i in range(1000)] + ["]"]
    path = tmp_path / "c.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    claims, numbers, _ = load_claims(str(path))
    assert time.perf_counter() - start < 2
    assert numbers == list(range(8_002, 9_002)) and claims[7] == "o1 = 0.0007"


def test_claims_files_keep_byte_order_marks_and_unicode_lines_apart(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes('\ufeff# ∂E/∂w\nclaims = [\n  "o1 = 1",\n  "o2 = \u2028 2"]\n'.encode("utf-8"))
    claims, numbers, _ = load_claims(str(path))
    assert claims == ["o1 = 1", "o2 = \u2028 2"] and numbers == [3, 4]
