"""The chain judge: a chain of partials (``dE/dw1 = dE/dH1 * dH1/dh1 * dh1/dw1``, sums of such
products) against the graph — every factor a dependency, each product a path from the
derivative's top to its bottom, and every path of the graph counted exactly once."""

from __future__ import annotations

from derive.claims.claim import HOLDS, WRONG, Claim, Deriv, chain_terms
from derive.claims.context import Context, Part
from derive.errors import ClaimError


def is_chain(context: Context, claim: Claim, tree) -> bool:
    """Whether a right side is a sum of products of derivatives (a lone one is a formula)."""
    return chain_terms(tree) is not None


def judge_chain(context: Context, claim: Claim, tree) -> Part:
    """Judge a chain side: the paths its products cover against the graph's paths."""
    terms = chain_terms(tree)
    t = claim.target
    latex = claim.latex
    top, bottom = context.names.resolve(t.name), context.names.resolve(t.den or "")
    if t.kind != "deriv":
        raise ClaimError("a chain of partials must follow a derivative, e.g. dE/dw5 = dE/dO1 * ...")
    problems: list[str] = []
    covered: dict[tuple, int] = {}
    for factors in terms:
        paths = _term_paths(context, claim, factors, top, bottom, problems)
        for p in paths:
            covered[p] = covered.get(p, 0) + 1
    true_paths = context.paths_between(top, bottom)
    arrow = (" \\to " if latex else " → ").join
    show = lambda p: context.math(arrow(context.spell(n, claim) for n in p), claim)  # noqa: E731
    for p in true_paths:
        if covered.get(p, 0) == 0:
            problems.append(f"misses the path {show(p)}")
        elif covered[p] > 1:
            problems.append(f"counts the path {show(p)} {covered[p]} times")
    expected = " + ".join(
        (" \\cdot " if latex else " * ").join(context.show_deriv(a, b, claim) for a, b in zip(p, p[1:]))
        for p in true_paths) or "0"
    if problems:
        return Part("chain", WRONG, expected, "; ".join(dict.fromkeys(problems)) + ".")
    sums = [f"{context.math(context.show_deriv(a, b, claim), claim)} sums "
            f"{len(context.paths_between(a, b))} paths"
            for factors in terms for a, b in ((context.names.resolve(f.num), context.names.resolve(f.den))
                                              for f in factors)
            if len(context.paths_between(a, b)) > 1]
    note = f" ({'; '.join(dict.fromkeys(sums))})" if sums else ""
    return Part("chain", HOLDS, expected, "every factor is a dependency of the graph and "
                                          f"every path is counted once{note}.")


def _term_paths(context: Context, claim: Claim, factors, top, bottom, problems) -> list[tuple]:
    """The graph paths one product of derivatives covers; none when it is broken (and
    ``problems`` says how)."""
    latex = claim.latex
    show = lambda n: context.math(claim.display.get(n, n), claim) if latex else n  # noqa: E731
    ok = True
    for f in factors:
        for n in (f.num, f.den):
            if not context.names.resolve(n):
                close = context.names.closest(n)
                close = [context.math(context.names.spelling(c, latex), claim)
                         for c in close if c in context.names.known]
                problems.append(f"{_show_written(claim, f)} goes through {show(n)}, "
                                f"which is not a node of the network"
                                + (f" (closest: {', '.join(close)})" if close else ""))
                ok = False
    if not ok:
        return []
    names = [(context.names.resolve(f.num), context.names.resolve(f.den)) for f in factors]
    for a, b in names:
        if a != b and not context.depends(a, b):
            problems.append(f"{context.math(context.show_deriv(a, b, claim), claim)} is zero: "
                            f"{context.math(context.spell(a, claim), claim)} does not depend on "
                            f"{context.math(context.spell(b, claim), claim)}")
            ok = False
    for written, wanted, end in ((names[0][0], top, "starts"), (names[-1][1], bottom, "ends")):
        if written != wanted:
            problems.append(f"the product {end} at {context.math(context.spell(written, claim), claim)}, "
                            f"not at {context.math(context.spell(wanted, claim), claim)}")
            ok = False
    for (a, b), (c, d) in zip(names, names[1:]):
        if b != c:
            first = context.math(context.show_deriv(a, b, claim), claim)
            second = context.math(context.show_deriv(c, d, claim), claim)
            problems.append(f"the chain breaks between {first} and {second}")
            ok = False
    if not ok:
        return []
    paths = [(names[0][0],)]
    for a, b in names:
        paths = [p + seg[1:] for p in paths for seg in context.paths_between(a, b)]
    return paths


def _show_written(claim: Claim, f: Deriv) -> str:
    """A derivative factor as the claim wrote it."""
    if claim.latex:
        n, d = claim.display.get(f.num, f.num), claim.display.get(f.den, f.den)
        return rf"$\frac{{\partial {n}}}{{\partial {d}}}$"
    return f"{claim.prefix}{f.num}/{claim.prefix}{f.den}"


def chain_summary(parts: list[Part]) -> str:
    """For a chain with results written after it: which of the two is wrong, if one is."""
    chain, rest = parts[0], parts[1:]
    closed_ok = all(p.verdict == HOLDS for p in rest)
    if chain.verdict != HOLDS and closed_ok:
        return "The chain is wrong, but the result written after it is right."
    if chain.verdict == HOLDS and not closed_ok:
        return "The chain is right, but the result written after it is wrong."
    return ""
