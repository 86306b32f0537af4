"""Chains and sums of partials stated in words (derive.claims.prose_chain), through
``check_document`` as a user calls it: in one sentence (``is the product of``, ``is the sum
of … times …``) and as a narrative over several paragraphs (seed 004's way), with the wording
varied, wrong chains judged wrong, and hostile words skipped with a reason or left alone —
never a traceback, and no word of the text in a claim but a quantity the network knows."""

from __future__ import annotations

import re
import time

import pytest

from derive.claims.claim import HOLDS, WRONG
from derive.claims.document import check_document
from derive.spec.examples import load_example

NET = load_example("seed004_afteracademy")
SEVERAL = "stated in words over several sentences"


def _chains(text: str):
    found = check_document(NET, text, file="post.txt")
    return [c for c in found.claims if c.quantity[0] == "deriv"], found


def _one(text: str, quantity: tuple):
    chains, found = _chains(text)
    here = [c for c in chains if c.quantity == quantity]
    assert len(here) == 1, ([(c.text, c.quantity) for c in chains], found.skipped)
    return here[0]


PRODUCT = ("The partial derivative of E_total with respect to w1 is the product of the partial "
           "derivative of E_total with respect to out_h1, the partial derivative of out_h1 with "
           "respect to net_h1 and the partial derivative of net_h1 with respect to w1.")
SUM = ("The derivative of the total error with respect to out(h1) is the sum of the derivative of "
       "the total error with respect to net(o1) times the derivative of net(o1) with respect to "
       "out(h1) and the derivative of the total error with respect to net(o2) multiplied by the "
       "derivative of net(o2) with respect to out(h1).")


@pytest.mark.parametrize("text", [
    PRODUCT,
    PRODUCT.replace("partial derivative", "derivative").replace("with respect to", "w.r.t."),
    PRODUCT.replace(", the partial", " and the partial").replace(" is the product", " equals the product"),
    "By the chain rule, " + PRODUCT[0].lower() + PRODUCT[1:],
])
def test_a_product_in_one_sentence_holds(text):
    got = _one(text, ("deriv", "E", "w1"))
    assert got.verdict.verdict == HOLDS, got.verdict.detail
    assert got.text == "dE_total/dw1 = dE_total/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw1"
    assert got.line == 1


def test_a_sum_of_products_in_one_sentence_holds():
    got = _one(SUM, ("deriv", "E", "H1"))
    assert got.verdict.verdict == HOLDS, got.verdict.detail
    assert got.text.count(" + ") == 1 and got.text.count(" * ") == 2


def test_a_chain_in_words_through_the_wrong_node_is_wrong():
    text = ("The derivative of E_total with respect to w1 is the product of the derivative of "
            "E_total with respect to out_h2 and the derivative of out_h2 with respect to w1.")
    got = _one(text, ("deriv", "E", "w1"))
    assert got.verdict.verdict == WRONG
    assert "out_h2" in got.verdict.detail or "H2" in got.verdict.detail


def test_a_sum_that_misses_an_output_is_wrong():
    text = SUM.replace(" and the derivative of the total error with respect to net(o2) multiplied by the "
                       "derivative of net(o2) with respect to out(h1)",
                       " plus the derivative of the total error with respect to net(o1) times the "
                       "derivative of net(o1) with respect to out(h1)")
    got = _one(text, ("deriv", "E", "H1"))
    assert got.verdict.verdict == WRONG
    assert "misses the path" in got.verdict.detail and "2 times" in got.verdict.detail


NARRATIVE = """We need the partial derivative of the total error with respect to w1. Applying the chain rule, we get:

First, the change in total error with respect to out(h1).

Then the differential of out(h1) w.r.t. net-input of h1. We know out(h1) is a sigmoid function.

We know the formula of net(h1) from the forward pass. Differentiating it w.r.t w1, we get:
"""


def test_a_chain_worked_out_over_paragraphs_is_claimed_where_it_is_named():
    got = _one(NARRATIVE, ("deriv", "E", "w1"))
    assert got.line == 1 and got.note == SEVERAL
    assert got.text == "dE/dw1 = dE/dout(h1) * dout(h1)/dnet(h1) * dnet(h1)/dw1"
    assert got.verdict.verdict == HOLDS, got.verdict.detail
    assert "line 7" in got.source


def test_a_narrative_without_the_chain_rule_claims_nothing():
    chains, _ = _chains(NARRATIVE.replace("Applying the chain rule, we get:", ""))
    assert not [c for c in chains if c.note == SEVERAL]


def test_a_narrative_through_the_wrong_node_is_wrong():
    text = NARRATIVE.replace("h1", "h2").replace("w.r.t w2", "w.r.t w1").replace("respect to w2", "respect to w1")
    got = _one(text, ("deriv", "E", "w1"))
    assert got.text == "dE/dw1 = dE/dout(h2) * dout(h2)/dnet(h2) * dnet(h2)/dw1"
    assert got.verdict.verdict == WRONG


SPLIT = """Let's find the derivative of the loss with respect to out(h1). We split the total error into E(o1) and E(o2).

E(o1) does not directly depend on out(h1). The net-input of o1 depends on the output of h1. So by the chain rule:

We work out the change in the error of o1 with respect to out(h1), and likewise the derivative of E(o2) with respect to out(h1).
"""


def test_a_cost_split_per_output_is_the_sum_over_the_parts():
    got = _one(SPLIT, ("deriv", "E", "H1"))
    assert got.line == 1 and got.note == SEVERAL
    assert got.verdict.verdict == HOLDS, got.verdict.detail
    # the parts reach out(h1) through net(o1), net(o2): the spec names o1, o2 (no net(o1) here)
    assert got.text == "dE/dout(h1) = dE/do1 * do1/dout(h1) + dE/do2 * do2/dout(h1)"


def test_a_split_with_one_part_named_claims_no_sum():
    chains, _ = _chains(SPLIT.replace(", and likewise the derivative of E(o2) with respect to out(h1)", ""))
    assert not [c for c in chains if c.quantity == ("deriv", "E", "H1")]


@pytest.mark.parametrize("text", [
    "The derivative of E_total with respect to w1 is the product of the derivative of foo with "
    "respect to bar and the derivative of bar with respect to w1.",
    "The derivative of E_total with respect to w1 is the product of __import__('os').system('ls').",
    "The derivative of E_total with respect to w1 is the sum of the derivative of E_total with "
    "respect to out_h1 times.",
    "The derivative of E_total with respect to w1 is the product of the derivative of E_total "
    "with respect to out_h1 and then some words.",
])
def test_an_unreadable_product_or_sum_is_skipped_with_its_reason(text):
    chains, found = _chains(text)
    assert not chains
    assert len(found.skipped) == 1, found.skipped
    skip = found.skipped[0]
    assert skip.line == 1 and "derivatives" in skip.reason and "\n" not in skip.reason


def test_a_part_of_the_cost_in_a_product_is_skipped():
    text = ("The derivative of E(o1) with respect to out(h1) is the product of the derivative of "
            "E(o1) with respect to net(o1) and the derivative of net(o1) with respect to out(h1).")
    chains, found = _chains(text)
    assert not chains and "part of the cost" in found.skipped[0].reason


HOSTILE = [
    "the derivative of w1 with respect to w1 is the product of the derivative of w1 with respect to w1.",
    "Differentiating it w.r.t w1. Applying the chain rule. " * 3,
    ("the change in E(total) with respect to " * 2000) + "w1. chain rule.",
    "is the product of " * 5000,
    "break E(total) into E(o1) and E(o2) and E(o3) and E(x__import__) " * 200,
    "does not directly depend on out(h1). depends on " * 2000,
    "the derivative of E_total with respect to out_h1, " * 3000 + " chain rule",
    "\u0000 derivative of \u202e E_total w.r.t. \u200b w1 \U0001f600 chain rule",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_words_give_claims_of_known_names_only_in_bounded_time(text):
    started = time.perf_counter()
    found = check_document(NET, text, file="post.txt")
    assert time.perf_counter() - started < 20
    known = {*NET.equations, *NET.inputs, *NET.targets, *NET.parameters, "E_total", "out_h1", "net_h1",
             "E(total)", "out(h1)", "net(h1)", "net(o1)", "out(o1)", "learning_rate"}
    for c in found.claims:
        names = re.findall(r"(?<![\w(])d?([A-Za-z]\w*(?:\([a-z0-9]+\))?)", c.text)
        assert all(n in known or n[1:] in known or n.startswith("d") and n[1:] in known
                   for n in names), c.text
    for s in found.skipped:
        assert s.reason and "\n" not in s.reason
