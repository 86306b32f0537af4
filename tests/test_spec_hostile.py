"""derive.spec.network under hostile input, beyond the one-line cases of tests/hostile: long chains
that must work, the TOML nesting scan, the limits, and where errors point."""

from __future__ import annotations

import math
import sys

import pytest

from derive import Network, SpecError, compute, derive
from derive.spec import model as spec_module
from derive.errors import ChainruleError
from derive.spec.examples import resolve
from derive.scalar.graph import MAX_EXPANDED_DEPTH, build_graph
from derive.spec.typed import MAX_TOML_DEPTH, check_toml_depth
from derive.scalar.values import evaluate


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


def test_lines_after_a_multi_line_array_are_located_right(tmp_path):
    text = ("[layers]\nsizes = [2, 3, 1]\n[values]\nweights = [\n"
            "  [[0.1, 0.4], [-0.3, 0.2], [0.25, -0.15]],\n  [[0.5, -0.6, 0.3]],\n]\n"
            "init_seed = -4\n")
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        Network.from_toml(path)
    assert err.value.line == 8 and "values.init_seed" in str(err.value)


def test_the_scalar_level_limit_is_checked_before_sympy(monkeypatch):
    net = Network.layered([3, 4, 2], "sigmoid")  # 3 + 2 + 26 + 13 = 44 names
    monkeypatch.setattr(spec_module, "MAX_SCALAR_NAMES", 40)
    with pytest.raises(SpecError, match="44 names .* limit of 40 .* layer level") as err:
        build_graph(net)
    assert err.value.key == "layers.sizes"
    with pytest.raises(SpecError, match="scalar level"):
        Network.from_equations(equations={"E": " + ".join(f"p{i}" for i in range(40))},
                               inputs=None, parameters={f"p{i}": 0.0 for i in range(40)})


def test_the_layered_limit_counts_parameters_from_the_sizes(monkeypatch):
    monkeypatch.setattr(spec_module, "MAX_LAYERED_PARAMETERS", 17)
    Network.layered([2, 3, 1], "sigmoid", bias="shared")      # 6 + 1 + 3 + 1 = 11
    Network.layered([2, 3, 2], "sigmoid")                     # 6 + 3 + 6 + 2 = 17
    with pytest.raises(SpecError, match="18 parameters"):
        Network.layered([2, 3, 3], "sigmoid", bias=["per-neuron", "none"])  # 6 + 3 + 9
    with pytest.raises(SpecError, match="21 parameters .* limit of 17"):
        Network.layered([2, 3, 3], "sigmoid")                 # … + 3 = 21


def test_leaves_may_be_lists_of_names_or_none():
    net = Network.from_equations(equations={"E": "(w*x - y)**2"}, inputs=["x"],
                                 parameters={"w": 0.5}, targets=("y",))
    assert net.inputs == {"x": None} and net.targets == {"y": None}
    alone = Network.from_equations(equations={"E": "w**2"}, inputs=None, parameters={"w": 2})
    assert alone.inputs == {} and compute(derive(alone)).gradients == {"w": 4.0}


def test_the_ranges_of_seeds_and_layer_numbers():
    a = Network.layered([2, 1], init_seed=2 ** 63 - 1)
    assert a.parameters != Network.layered([2, 1], init_seed=1).parameters
    first = Network.layered([2, 1], notation=spec_module.Notation(first_layer=0))
    assert "w1_11" in first.parameters and "a1_1" in first.equations
    nine = Network.layered([2, 2, 1], notation=spec_module.Notation(first_layer=9))
    assert "w11_11" in nine.parameters


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


@pytest.mark.parametrize("argument,words", [
    ("", "path is empty"), ("..", "is a folder"), ("a\0b", "NUL"),
    ("n" * 5000, "too long"), ("nope", "no built-in example 'nope'"),
    ("bad name", "no such spec file"),
])
def test_odd_spec_arguments(argument, words):
    with pytest.raises(SpecError, match=words):
        Network.from_toml(resolve(argument))


def test_learning_rates_must_be_positive_and_finite():
    for bad in (0, -1, -0.0, math.nan, math.inf, "0.1", None, True):
        with pytest.raises(SpecError, match="learning_rate"):
            Network.layered([2, 1], learning_rate=bad)
    assert Network.layered([2, 1], learning_rate=1e-12).learning_rate == 1e-12
