"""derive.spec.typed: reading spec files as a hostile author may write them, and the TOML
nesting scan."""

from __future__ import annotations

import pytest

from derive import Network, SpecError
from derive.spec.typed import MAX_TOML_DEPTH, check_toml_depth


@pytest.mark.parametrize("text", [
    'name = "' + "[" * 50 + '"',                         # in a basic string
    "name = '" + "{" * 50 + "'",                         # in a literal string
    'title = """\n' + "[" * 50 + '\n\\""" """""',        # in a multi-line string, escaped quotes
    "title = '''\n" + "[" * 50 + "\n'''''",              # in a multi-line literal string
    "# " + "[" * 50,                                     # in a comment
    'a = "#"\nb = [' + "[" * 10 + "]" * 11,              # a '#' in a string is no comment
    "x = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH,  # at the limit
])
def test_the_nesting_scan_reads_strings_and_comments_as_toml_does(text):
    check_toml_depth(text, "f.toml")


def test_the_nesting_scan_names_the_line_where_it_goes_too_deep():
    text = 'a = "[[[["\n# [[[[\nb = 1\nc = ' + "[" * (MAX_TOML_DEPTH + 1) + "]" * 40
    with pytest.raises(SpecError) as err:
        check_toml_depth(text, "f.toml")
    assert err.value.line == 4 and str(err.value).startswith("f.toml:4: ")


def test_a_byte_order_mark_and_windows_line_ends_are_read(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'[inputs]\r\nx = 1\r\n[parameters]\r\nw = 2\r\n'
                     b'[equations]\r\nE = "w*x"\r\n')
    assert Network.from_toml(path).parameters == {"w": 2.0}


def test_file_names_in_errors_stay_on_one_short_line(tmp_path):
    odd = tmp_path / "a\nb\u2028c.toml"
    with pytest.raises(SpecError) as err:
        Network.from_toml(odd)
    assert str(err.value).isprintable() and "a\\nb\\u2028c.toml" in str(err.value)
    with pytest.raises(SpecError) as err:
        Network.from_toml("x" * 5000)
    assert len(str(err.value)) < 300
