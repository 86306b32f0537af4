"""derive.spec.reader: free-form specs read, one clear error for every bad spec at its line,
and what hostile specs must still do: chains of thousands of nodes, the scalar level's limit,
leaves given as lists, learning rates."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from derive import Network, SpecError, compute, derive
from derive.cli import main
from derive.errors import ChainruleError
from derive.scalar.graph import MAX_EXPANDED_DEPTH, build_graph
from derive.scalar.values import evaluate
from derive.spec import limits
from tests.networks import TINY_SPEC
from tests.spec.texts import line_of, write

GOOD = TINY_SPEC


def test_the_issue_example_parses_exactly_as_written():
    net = Network.from_toml("examples/seed004_afteracademy.toml")
    assert net.name == "afteracademy-2-2-2"
    assert list(net.parameters) == ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]
    assert net.cost == "E" and net.learning_rate == 0.5 and net.freeze == ()
    assert net.nodes.index("h1") < net.nodes.index("H1") < net.nodes.index("o1") < net.nodes.index("E")


def test_order_of_equations_is_free(tmp_path):
    text = GOOD.replace('z = "w*x + b"\na = "sigmoid(z)"\n', 'a = "sigmoid(z)"\nz = "w*x + b"\n')
    net = Network.from_toml(write(tmp_path, text))
    assert net.nodes == ["z", "a", "E"]


BAD = [
    # (what, replace old, by new, the line to blame, words the message must contain)
    ("unknown function", 'a = "sigmoid(z)"', 'a = "sigmod(z)"', 'a = "sigmod', ["unknown function 'sigmod'", "sigmoid"]),
    ("unknown name", 'z = "w*x + b"', 'z = "w*x + bb"', 'z = "w*x + bb"', ["unknown name 'bb'", "'b'"]),
    ("cycle", 'z = "w*x + b"', 'z = "w*x + b + E"', 'z = "w*x', ["cycle", "z → E → a → z", "uses"]),
    ("self reference", 'z = "w*x + b"', 'z = "w*x + z"', 'z = "w*x', ["itself"]),
    ("cost not a node", 'cost = "E"', 'cost = "Err"', 'cost = "Err"', ["is not a node", "'E'"]),
    ("cost is a parameter", 'cost = "E"', 'cost = "w"', 'cost = "w"', ["is not a node"]),
    ("bad TOML", 'x = 0.5', 'x = ', None, ["not valid TOML"]),
    ("malformed equation", 'z = "w*x + b"', 'z = "w*x + * b"', 'z = "w*x + *', ["column 7", "expected"]),
    ("value not a number", 'w = 0.3', 'w = "0.3"', 'w = "0.3"', ["expected a number"]),
    ("unknown table", '[training]', '[trainig]', "[trainig]", ["unknown table", "training"]),
    ("freeze unknown", 'learning_rate = 0.5', 'learning_rate = 0.5\nfreeze = ["q"]', 'freeze', ["'q' is not a parameter"]),
    ("python in a spec", 'z = "w*x + b"', 'z = "__import__(os).system(1)"', 'z = "__import__', ["unknown function '__import__'"]),
    ("name defined twice", 'b = 0.1', 'b = 0.1\nz = 0.2', 'z = "w*x', ["defined twice", "parameters"]),
    ("number out of range", 'z = "w*x + b"', 'z = "w*x*1e999 + b"', 'z = "w*x*1e999',
     ["beyond float64's range", "column 5"]),
    ("wrong number of arguments", 'a = "sigmoid(z)"', 'a = "sigmoid(z, z)"', 'a = "sigmoid(z, z)',
     ["sigmoid takes 1 argument, not 2"]),
]


@pytest.mark.parametrize("what,old,new,blame,words", BAD, ids=[b[0] for b in BAD])
def test_bad_spec_gives_one_clear_error(tmp_path, what, old, new, blame, words):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as err:
        Network.from_toml(path)
    message = str(err.value)
    assert message.startswith(f"{path}:"), message
    expected_line = line_of(text, blame) if blame else line_of(text, "x = ")
    assert err.value.line == expected_line, message
    for word in words:
        assert word in message, message


def test_missing_file_and_missing_equations(tmp_path):
    with pytest.raises(SpecError, match="no such spec file"):
        Network.from_toml(tmp_path / "nope.toml")
    with pytest.raises(SpecError, match=r"neither \[equations\] nor \[layers\]"):
        Network.from_toml(write(tmp_path, 'name = "x"\n'))


def test_cli_prints_one_line_and_exits_2(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace('a = "sigmoid(z)"', 'a = "sigmod(z)"'))
    assert main(["derive", str(path), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"{path}:" in err and "unknown function 'sigmod'" in err


def test_cli_error_through_the_console_script(tmp_path):
    path = write(tmp_path, "x = [")
    run = subprocess.run([sys.executable, "-m", "derive.cli", "derive", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "not valid TOML" in run.stderr


@pytest.mark.parametrize("name,expected", [("delta_h1", "starts with 'delta_'"),
                                           ("_h1", "not a usable name")])
def test_reserved_and_unusable_names(tmp_path, name, expected):
    spec = tmp_path / "spec.toml"
    spec.write_text(f'[inputs]\nx = 1\n[parameters]\nw = 0.5\n[equations]\n{name} = "w*x"\n'
                    f'L = "{name}**2"\n')
    with pytest.raises(SpecError) as err:
        Network.from_toml(spec)
    assert expected in str(err.value) and str(err.value).startswith(f"{spec}:6:")


# ----------------------------------------------------------------------------- long chains


def chain(n: int) -> Network:
    """x → n0 = w·x → n_i = w_i·n_{i−1} → E = (y − n_last)², equations listed cost first (so
    the topological order must go all the way down before it can place anything)."""
    equations = {"E": f"(y - n{n - 1})**2"}
    equations.update({f"n{i}": f"w{i}*n{i - 1}" for i in reversed(range(1, n))})
    equations["n0"] = "w*x"
    parameters = {"w": 0.5, **{f"w{i}": 1.0005 for i in range(1, n)}}
    return Network.from_equations(equations=equations, inputs={"x": 0.8}, targets={"y": 1.0},
                                  parameters=parameters)


def test_a_chain_of_1500_nodes_derives_through_the_whole_pipeline():
    net = chain(1500)
    assert net.nodes[0] == "n0" and net.nodes[-1] == "E" and len(net.nodes) == 1501
    derivation = derive(net)
    values = compute(derivation)
    top = 0.8 * 0.5 * 1.0005 ** 1499
    assert values.values["n1499"] == pytest.approx(top, rel=1e-12)
    # E = (y − w·x·Π w_i)², so ∂E/∂w = −2(y − top)·top/w
    assert values.gradients["w"] == pytest.approx(-2 * (1.0 - top) * top / 0.5, rel=1e-10)
    assert derivation.path_count("w") == 1
    (path,) = derivation.paths("w")
    assert len(path) == 1502 and path[0] == "E" and path[-1] == "w"


def test_closed_forms_of_a_chain_longer_than_the_recursion_limit():
    """Each node's closed form needs those of the nodes above it: made nearest the cost first,
    not by recursion (a chain is as deep as it is long; closed forms of a chain are a product
    per node, so this costs quadratic time: the chain is just past the limit)."""
    n = sys.getrecursionlimit() + 100
    derivation = derive(chain(n))
    values = compute(derivation)
    closed = derivation.closed_form("w")
    env = {derivation.graph.symbols[k]: v for k, v in values.values.items()}
    assert len(closed.args) > n
    assert evaluate(closed, env) == pytest.approx(values.gradients["w"], rel=1e-10)


def test_paths_are_counted_without_listing_them():
    net = Network.layered([2] * 41, "sigmoid")  # 2^39 paths from the cost to a first weight
    derivation = derive(net)
    assert derivation.path_count("w2_11") == 2 ** 39
    assert derivation.path_count("w41_11") == 1 and derivation.path_count("C") == 1
    small = derive(Network.layered([2, 3, 2], "sigmoid"))
    for name in small.parameters:
        assert small.path_count(name) == len(small.paths(name))


def test_a_node_deep_above_the_leaves_has_no_expanded_form_but_a_clear_error():
    graph = build_graph(chain(MAX_EXPANDED_DEPTH + 5))
    assert graph.expanded("n3").free_symbols == {graph.symbols[s] for s in ("w", "x", "w1", "w2", "w3")}
    with pytest.raises(ChainruleError, match=r"too deep .* limit is 64") as err:
        graph.expanded("E")
    assert "\n" not in str(err.value)
    assert graph.leaves_under("E") == set(graph.leaves)
    assert graph.leaves_under("n1") == {"w", "x", "w1"}


# ----------------------------------------------------------------------- limits and values


def test_the_scalar_level_limit_is_checked_before_sympy(monkeypatch):
    net = Network.layered([3, 4, 2], "sigmoid")  # 3 + 2 + 26 + 13 = 44 names
    monkeypatch.setattr(limits, "MAX_SCALAR_NAMES", 40)
    with pytest.raises(SpecError, match="44 names .* limit of 40 .* layer level") as err:
        build_graph(net)
    assert err.value.key == "layers.sizes"
    with pytest.raises(SpecError, match="scalar level"):
        Network.from_equations(equations={"E": " + ".join(f"p{i}" for i in range(40))},
                               inputs=None, parameters={f"p{i}": 0.0 for i in range(40)})


def test_leaves_may_be_lists_of_names_or_none():
    net = Network.from_equations(equations={"E": "(w*x - y)**2"}, inputs=["x"],
                                 parameters={"w": 0.5}, targets=("y",))
    assert net.inputs == {"x": None} and net.targets == {"y": None}
    alone = Network.from_equations(equations={"E": "w**2"}, inputs=None, parameters={"w": 2})
    assert alone.inputs == {} and compute(derive(alone)).gradients == {"w": 4.0}


def test_learning_rates_must_be_positive_and_finite():
    for bad in (0, -1, -0.0, math.nan, math.inf, "0.1", None, True):
        with pytest.raises(SpecError, match="learning_rate"):
            Network.layered([2, 1], learning_rate=bad)
    assert Network.layered([2, 1], learning_rate=1e-12).learning_rate == 1e-12
