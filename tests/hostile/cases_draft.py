"""Hostile posts for `chainrule spec --from`: one line naming the file, exit 2."""

from __future__ import annotations

from tests.hostile.corpus import Case


CASES = [
    Case("draft-no-equations", ["spec", "--from", "{dir}/post.txt"],
         {"post.txt": "A post of words only.\n"}, words=("post.txt", "no equation")),
    Case("draft-cycle", ["spec", "--from", "{dir}/post.txt"],
         {"post.txt": "a = b + x1\n\nb = 2 * a\n"}, words=("post.txt", "cycle")),
    Case("draft-not-names", ["spec", "--from", "{dir}/post.txt"],
         {"post.txt": "h-1 = 0.5\n\nΩ = 2 = 2\n\n1 = x + y\n"}, words=("post.txt", "no equation")),
    Case("draft-megabyte-of-nothing", ["spec", "--from", "{dir}/post.txt"],
         {"post.txt": "= ( [ $ " * 130_000}, words=("post.txt", "no equation")),
    Case("draft-not-utf8", ["spec", "--from", "{dir}/post.txt"],
         {"post.txt": b"h1 = w1 * x1\n\xff\xfe"}, words=("post.txt",)),
    Case("draft-folder-output", ["spec", "--from", "{examples}/posts/seed004_afteracademy.txt",
                                 "-o", "{dir}"], words=("folder",)),
]
