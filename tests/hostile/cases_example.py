"""Cases that pin the corpus runner itself: a missing spec, an unknown command option."""

from tests.hostile.corpus import Case

CASES = [
    Case("missing-spec", ["derive", "{dir}/nothing.toml"], words=("no such spec file",)),
    Case("unknown-option", ["derive", "--no-such-option"], words=("unrecognized",)),
]
