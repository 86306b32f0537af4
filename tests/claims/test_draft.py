"""A spec drafted from a post (`derive.claims.draft`): seed 004's draft derives the post's
numbers as the hand-written spec does and flags the same claims wrong; hostile posts give
one error or a draft whose guesses are all marked."""

from __future__ import annotations

import math
import tomllib

import pytest

from derive.claims.document import check_document
from derive.claims.draft import draft_spec, toml_string
from derive.errors import ClaimError
from derive.scalar.chain import derive
from derive.scalar.values import compute
from derive.spec.examples import EXAMPLES_DIR
from derive.spec.model import Network

POST = EXAMPLES_DIR / "posts" / "seed004_afteracademy.txt"
HAND = EXAMPLES_DIR / "seed004_afteracademy.toml"


@pytest.fixture(scope="module")
def drafted():
    text = POST.read_text(encoding="utf-8")
    draft = draft_spec(text, file=str(POST))
    return draft, Network.from_toml_text(draft.toml(), file="draft.toml")


def test_seed004_draft_has_the_posts_leaves_and_values(drafted):
    draft, net = drafted
    hand = Network.from_toml(HAND)
    assert net.inputs == hand.inputs and net.targets == hand.targets
    assert net.parameters == hand.parameters
    assert set(net.equations) == set(hand.equations) and net.cost == hand.cost == "E"
    assert net.learning_rate == hand.learning_rate == 0.5
    # what the post only describes is marked; what it writes out is not
    assert set(draft.guessed) == {"H1", "H2", "O1", "O2", "E", "cost"}
    lines = draft.toml().splitlines()
    assert [ln.split(" ")[0] for ln in lines if "# guessed:" in ln] == ["H1", "H2", "O1", "O2", "E", "cost"]
    assert 'h1 = "w1 * x1 + w4 * x2 + b1"' in lines


def test_seed004_draft_derives_the_hand_written_numbers(drafted):
    _, net = drafted
    ours, theirs = compute(derive(net)), compute(derive(Network.from_toml(HAND)))
    shared = set(ours.values) & set(theirs.values)
    assert shared >= {"h1", "h2", "H1", "H2", "o1", "o2", "O1", "O2", "E"}
    for name in shared:
        assert math.isclose(ours.values[name], theirs.values[name], rel_tol=1e-12), name
    for p in theirs.gradients:
        assert math.isclose(ours.gradients[p], theirs.gradients[p], rel_tol=1e-12), p
    assert math.isclose(ours.cost_after, theirs.cost_after, rel_tol=1e-12)
    assert round(ours.values["h1"], 6) == 0.505 and round(ours.values["h2"], 6) == 0.541


def test_seed004_draft_flags_the_same_claims(drafted):
    _, net = drafted
    text = POST.read_text(encoding="utf-8")

    def verdicts(network):
        result = check_document(network, text, file=str(POST))
        return [(c.line, c.source, c.verdict.verdict) for c in result.claims]

    ours, theirs = verdicts(net), verdicts(Network.from_toml(HAND))
    assert ours == theirs
    assert sum(v == "wrong" for *_, v in ours) == 8


def test_toml_string_escapes_per_toml():
    nasty = 'a "quoted" \\ back\nslash\t\x00\x7f ] = [x]\n[evil]'
    assert tomllib.loads("k = " + toml_string(nasty))["k"] == nasty


@pytest.mark.parametrize("post", [
    "", "Just words, no maths at all. The learning rate of 0.5 is nice.",
    "y1 = 0.05 and 2 = 3",
    "$$ \\frac{a}{b} = c $$",
])
def test_no_equation_is_one_error(post):
    with pytest.raises(ClaimError, match="found no equation of names") as err:
        draft_spec(post, file="post.txt")
    assert "\n" not in str(err.value) and "post.txt" in str(err.value)


def test_a_cycle_is_one_error_with_its_line():
    with pytest.raises(ClaimError, match=r"cycle: (a → b → a|b → a → b)") as err:
        draft_spec("intro\n\na = b + x1\n\nb = 2 * a\n", file="post.txt")
    assert "post.txt:" in str(err.value)


def test_names_that_are_not_identifiers_are_not_drafted():
    post = ("h-1 = w1 * x1\n\nh' = w1 * x1\n\nΩ = w1 * x1\n\nsigmoid = x1 + 1\n\ndelta_h = w1*x1\n\n"
            f"{'n' * 100} = w1 * x1\n\nh1 = w1 * x1 + b1\n")
    draft = draft_spec(post)
    assert set(draft.equations) == {"h1"}
    Network.from_toml_text(draft.toml())


def test_a_bare_post_gives_a_draft_with_everything_guessed():
    draft = draft_spec("z = a*u + c\n\nout = z*z\n")
    net = Network.from_toml_text(draft.toml())
    leaves = {*net.inputs, *net.targets, *net.parameters}
    assert leaves == {"a", "u", "c"}
    assert set(draft.guessed) >= leaves | {"learning_rate"}
    assert net.cost == "out"
    for line in draft.toml().splitlines():
        key = line.split(" = ")[0]
        if key in leaves | {"learning_rate"}:
            assert "# guessed:" in line


def test_a_megabyte_post_drafts_quickly():
    import time
    post = ("h1 = w1 * x1 + b1\n\nh1 = 0.5 * 0.1 + 0.2 = 0.25\n\n"
            + ("the weight w1 is nice; out (h1) is 0.56. " * 25_000)[:1_000_000])
    start = time.perf_counter()
    draft = draft_spec(post)
    assert time.perf_counter() - start < 20
    net = Network.from_toml_text(draft.toml())
    assert net.parameters == {"w1": 0.5, "b1": 0.2} and net.inputs == {"x1": 0.1}


# ----------------------------------------------------------------- the other seed posts

def _seed(name: str) -> tuple[str, str]:
    path = EXAMPLES_DIR / "posts" / f"{name}.txt"
    return path.read_text(encoding="utf-8"), str(path)


def test_seed003_draft_is_the_posts_network_with_its_guesses_marked():
    """Seed 003 writes its network out but states no number: the draft is the hand-written
    spec's network (the same leaves in the same roles, the same equations), every value
    marked guessed; derived at the hand-written spec's values it gives the same numbers."""
    text, file = _seed("seed003_spotintelligence")
    draft = draft_spec(text, file=file)
    net = Network.from_toml_text(draft.toml(), file="draft.toml")
    hand = Network.from_toml(EXAMPLES_DIR / "seed003_spotintelligence.toml")
    assert set(net.inputs) == set(hand.inputs) and set(net.targets) == set(hand.targets) == {"y"}
    assert set(net.parameters) == set(hand.parameters) and net.cost == hand.cost == "error"
    assert set(net.equations) == set(hand.equations)
    leaves = [*hand.inputs, *hand.targets, *hand.parameters]
    assert all("the post states no value" in draft.guessed[n] for n in leaves)
    assert "learning_rate" in draft.guessed
    assert "y" not in draft.guessed or "desired output" not in draft.guessed["y"]
    values = {**hand.inputs, **hand.targets, **hand.parameters}
    at_hand = Network.from_toml_text(_with_values(draft, values), file="draft.toml")
    ours, theirs = compute(derive(at_hand)), compute(derive(hand))
    for name in ("h1", "h2", "o1", "error"):
        assert ours.values[name] == pytest.approx(theirs.values[name], rel=1e-12)


def _with_values(draft, values):
    for table in ("inputs", "targets", "parameters"):
        setattr(draft, table, {n: float(values[n]) for n in getattr(draft, table)})
    return draft.toml()


@pytest.mark.parametrize("name, words", [
    # array code (np.dot, np.exp) and gradient lines (dA = A - y): no forward equation of names
    ("seed001_single_neuron", ("line 53", "array code", "np.dot")),
    # general rules (layer indices), no network with names
    ("seed000_vitalflux", ("no equation of names",)),
    ("seed002_insidelearningmachines", ("no equation of names",)),
])
def test_a_seed_without_a_network_of_names_is_one_error(name, words):
    text, file = _seed(name)
    with pytest.raises(ClaimError) as err:
        draft_spec(text, file=file)
    line = str(err.value)
    assert "\n" not in line and file in line
    for word in words:
        assert word in line, line


def test_gradient_lines_are_not_forward_equations():
    post = "Z = w1*x1 + b\nA = sigmoid(Z)\nL = (A - y)**2\ndA = A - y\ndZ = dA * A * (1 - A)\n"
    draft = draft_spec(post, file="p.txt")
    assert set(draft.equations) == {"Z", "A", "L"} and draft.cost == "L"
    net = Network.from_toml_text(draft.toml(), file="draft.toml")
    assert set(net.targets) == {"y"} and set(net.inputs) == {"x1"}


def test_a_leaf_the_cost_compares_with_an_output_is_a_target():
    draft = draft_spec("h = sigmoid(w*u + b)\nloss = 1/2*(t - h)**2\n", file="p.txt")
    assert set(draft.targets) == {"t"} and "u" not in draft.targets
