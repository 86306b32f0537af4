"""Expression trees of a drafted spec: printed back as spec text, and checked for a cycle
(the drafter's equations come from a post, in any order)."""

from __future__ import annotations

from derive.errors import ClaimError
from derive.spec import expr as ex

_RANK = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


def printed(tree: ex.Node) -> str:
    """An expression tree as text the spec reader parses, bracketed where precedence needs
    it (no recursion: a wide sum is a long chain)."""
    text: dict[int, tuple[str, int]] = {}  # id → (text, rank of its top operator)

    def side(child: ex.Node, rank: int, tight: bool) -> str:
        body, own = text[id(child)]
        return f"({body})" if own < rank or (tight and own == rank) else body

    for n in ex.postorder(tree):
        if isinstance(n, ex.Num):
            text[id(n)] = (n.text, 9)
        elif isinstance(n, ex.Name):
            text[id(n)] = (n.id, 9)
        elif isinstance(n, ex.Unary):
            text[id(n)] = (n.op + side(n.operand, 4, True), 3)
        elif isinstance(n, ex.Binary):
            rank = _RANK[n.op]
            power = n.op == "**"
            left = side(n.left, rank, power)
            right = side(n.right, rank, n.op in "-/" or power)
            text[id(n)] = (f"{left} {n.op} {right}", rank)
        else:
            text[id(n)] = (f"{n.func}({', '.join(text[id(a)][0] for a in n.args)})", 9)
    return text[id(tree)][0]


def no_cycle(equations: dict[str, ex.Node], lines: dict[str, int], file: str | None) -> None:
    """Refuse equations that use each other in a circle, naming the circle and its line.

    Raises:
        ClaimError: the first cycle found, with the line of the equation it returns to.
    """
    uses = {n: [m.id for m in ex.names(t) if m.id in equations] for n, t in equations.items()}
    state: dict[str, int] = {}
    for start in equations:
        if start in state:
            continue
        path, todo = [], [(start, iter(uses[start]))]
        state[start] = 1
        path.append(start)
        while todo:
            node, it = todo[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                todo.pop()
                path.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise ClaimError("the post's equations form a cycle: " + " → ".join(cycle),
                                 file=file, line=lines.get(nxt),
                                 hint="a node's equation may use only nodes computed before it")
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append((nxt, iter(uses[nxt])))
