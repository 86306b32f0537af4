"""Layered networks in index form: loops over neurons, arithmetic printed from a derivation.

Unrolling a layered network into scalar nodes gives one statement per connection: fine for
the textbook networks, but a 64-16-10 net already prints 9,000 lines that take Numba a minute
to compile. In index form a layer is one template, ``z_j = Σ_k w_jk a_k + b_j``,
``a_j = f(z_j)``, and the module loops over ``j`` and ``k``. What happens inside the loops is
printed from the derivation of a *representative* network of the same layers, with two
neurons per hidden layer (and the real input and output sizes): the activation, its local
derivative ∂a/∂z, each weight's ∂z/∂w and ∂z/∂a, and, for the output layer, the δ of every
output and the cost (the loss couples the outputs, so these are printed per output, exactly as
the scalar form prints them). Symbols of the representative neuron are replaced by array
elements (``a2_1`` → ``A2[j]``); the loops themselves are the template (their pieces:
:mod:`codegen.index_loops`). Which form a spec gets is :mod:`codegen.emit`'s choice.

The row functions (``_row_nodes``, ``_row_gradient``, ...) go one row at a time. The
trainer's ``_batch_gradient`` is printed batch-major from the same pieces: a chunk of rows
goes through each layer together, and the weight loops take a block of neurons per pass over
an input row, so each weight row is reused across the rows while it is in cache and each
input element is read once per block (1.3–1.4× faster on a 784-128-10 net).
"""

from __future__ import annotations

import sympy

from codegen.plan import Plan, layer_offsets, needed_for, scalar_reserved, spec_identifiers
from codegen.printer import CodegenError, NumbaPrinter
from codegen.scaffold import SGD_OF_GRADIENT
from codegen.index_loops import (BLOCK, CHUNK, J, K, LOOP_LOCALS, SRC, element, fast_function,
                                  hoist_allocations, indented, neuron_index, per_sample_sgd,
                                  running_sum, shifted)
from derive.scalar.chain import derive
from derive.spec.model import Network


def representative(network: Network) -> Network:
    """The same layers (activations, biases, loss, notation), two neurons per hidden layer."""
    layers = network.layers
    sizes = [layers.sizes[0], *[min(2, n) for n in layers.sizes[1:-1]], layers.sizes[-1]]
    return Network.layered(sizes, list(layers.activations), bias=list(layers.biases),
                           loss=layers.loss, notation=layers.notation,
                           inputs=[0.0] * sizes[0], targets=[0.0] * sizes[-1], init_seed=0)


def index_reserved(network: Network) -> frozenset[str]:
    """Names no spec symbol may take in an index-form module: the scalar form's, and the
    loops' own arrays (Z2, A2, DZ2, DA2 …) and locals."""
    layers = range(1, len(network.layers.sizes) + 1)
    arrays = [f"{kind}{l}" for kind in ("Z", "A", "DZ", "DA") for l in layers]
    sums = [running_sum(o, alone=False) for o in range(BLOCK)] + [running_sum(0, alone=True)]
    return scalar_reserved() | {*arrays, *sums, *LOOP_LOCALS}


class IndexModule:
    """Prints the row functions of a layered network in index form."""

    #: what the module's section of row functions says of itself
    KIND = ("index form: loops over neurons, arithmetic printed from the derivation;\n"
            "# sums over neurons may be reassociated, so they vectorise")

    def __init__(self, network: Network):
        if network.layers is None:
            raise CodegenError("index form needs a layered spec")
        self.network = network
        self.layers = network.layers
        self.rep = derive(representative(network))
        self.plan = Plan(self.rep)
        self.printer = NumbaPrinter(spec_identifiers(self.rep, index_reserved(network)).table)
        self.params = list(network.parameters)
        self.place = {name: i for i, name in enumerate(self.params)}
        self.offsets = layer_offsets(network)
        #: what ``predict`` returns (OUTPUT_NAMES) and ``forward`` (NODE_NAMES)
        self.outputs = list(network.layers.activation_names[-1])
        self.nodes = [n for n in network.nodes if n != network.cost]
        self.node_column = {n: i for i, n in enumerate(self.nodes)}
        #: batch-major printing (_batch_gradient): work arrays hold a chunk of rows, element
        #: [r, j] is neuron j of the chunk's row r, and loops over rows sit inside loops over
        #: blocks of neurons, so a weight row stays in cache across the rows and each input
        #: row is read once per block
        self.batched = False

    # ---- row-wise or batch-major ------------------------------------------------------

    def _at(self, array: str, index) -> str:
        """Element ``index`` of a work array: ``A2[j]``, or ``A2[r, j]`` batch-major."""
        return f"{array}[r, {index}]" if self.batched else f"{array}[{index}]"

    def _work(self, array: str, index: str) -> sympy.Indexed:
        """The same element as a SymPy expression, for printed rules."""
        return element(array, "r", index) if self.batched else element(array, index)

    def _over_rows(self, lines: list[str], reads_x: bool = False) -> list[str]:
        """``lines`` for every row of the chunk (batch-major), else as they are."""
        if not self.batched:
            return lines
        head = ["for r in range(rows):"] + (["    i = order[chunk + r]"] if reads_x else [])
        return head + indented(lines)

    def _alloc(self, array: str, size: int, zero: bool = False) -> str:
        shape = f"({CHUNK}, {size})" if self.batched else str(size)
        return f"{array} = np.{'zeros' if zero else 'empty'}({shape}, dtype=DTYPE)"

    def _neurons(self, n: int, lines_for, reads_x: bool) -> list[str]:
        """Loops over the n neurons of a layer and (batch-major) the rows, with the body
        ``lines_for(offsets)`` for neurons j + offset: blocks of BLOCK neurons batch-major
        (then the rest one by one), else one neuron at a time."""
        full = n - n % BLOCK if self.batched else 0
        out = []
        if full:
            out += [f"for j in range(0, {full}, {BLOCK}):",
                    *indented(self._over_rows(lines_for(range(BLOCK)), reads_x))]
        if full < n:
            out += [f"for j in range({full}, {n}):" if full else f"for j in range({n}):",
                    *indented(self._over_rows(lines_for([0]), reads_x))]
        return out

    # ---- layout -------------------------------------------------------------------------

    def _rep_names(self, t: int):
        """The representative network's names of transition t: (z, a, weights, biases)."""
        layers = self.rep.network.layers
        return (layers.preactivation_names[t], layers.activation_names[t],
                layers.weight_names[t], layers.bias_names[t])

    def _print(self, expr: sympy.Expr, replace: dict) -> str:
        """An expression of the representative network with its symbols made array elements
        (keys: names of the representative graph, or δ symbols)."""
        symbols = self.rep.graph.symbols
        table = {symbols[key] if isinstance(key, str) else key: value
                 for key, value in replace.items()}
        expr = expr.xreplace(table)
        spec_symbols = set(symbols.values()) | set(self.rep.delta_symbols.values())
        leftover = expr.free_symbols & spec_symbols
        if leftover:  # a rule that names another neuron is not the same for every neuron
            raise CodegenError("index form cannot print this layer's rule for every neuron: "
                               + ", ".join(sorted(s.name for s in leftover)))
        return self.printer.doprint(expr)

    # ---- pieces of code ---------------------------------------------------------------

    def _inputs_of(self, t: int) -> list[str]:
        """The representative names feeding transition t (inputs, or the layer below)."""
        return list(self.rep.graph.inputs) if t == 0 else list(self._rep_names(t - 1)[1])

    def _source(self, t: int) -> sympy.Indexed:
        """Element k of what feeds transition t: ``X[i, k]`` or ``A{l-1}[k]``."""
        return element("X", "i", "k") if t == 0 else self._work(f"A{t + 1}", "k")

    def _weight(self, t: int) -> sympy.Indexed:
        """``params[w_jk]`` of transition t, at its place in the flat array."""
        return element("params", sympy.Integer(self.offsets[t][0]) + J * self.layers.sizes[t] + K)

    def forward(self) -> list[str]:
        """Loops computing Z{l} and A{l} for every layer: the sum's term and the bias are the
        representative neuron's, with its weight and input made array elements."""
        sizes = self.layers.sizes
        out = []
        for t in range(len(sizes) - 1):
            n_out, l = sizes[t + 1], t + 2
            out += [self._alloc(f"Z{l}", n_out), self._alloc(f"A{l}", n_out),
                    *self._neurons(n_out, lambda offsets, t=t: self._sums(t, offsets),
                                   reads_x=t == 0)]
            out += self._activation(t, n_out, l)
        return out

    def _sums(self, t: int, offsets) -> list[str]:
        """``z = b_j + Σ_k term`` of transition t for neurons j + offset (one running sum
        each; a block reads the input element once)."""
        n_in, l = self.layers.sizes[t], t + 2
        z, _, w, b = self._rep_names(t)
        equation = self.rep.graph.node(z[0]).expr
        weight = self.rep.graph.symbols[w[0][0]]
        term = next(a for a in equation.args if weight in a.free_symbols)
        one = len(offsets) == 1
        if b[0] is None:
            starts = ["0.0"] * len(offsets)
        else:
            place = sympy.Integer(self.offsets[t][1]) + (
                J if self.layers.biases[t] == "per-neuron" else 0)
            starts = [self._print(self.rep.graph.symbols[b[0]], {b[0]: shifted(element("params", place), o)})
                      for o in offsets]
        lines = [f"{running_sum(o, one)} = {start}" for o, start in zip(offsets, starts)]
        lines.append(f"for k in range({n_in}):")
        if not one:
            lines.append(f"    src = {self.printer.doprint(self._source(t))}")
        source = self._source(t) if one else SRC
        lines += [f"    {running_sum(o, one)} += " + self._print(
                      term, {w[0][0]: shifted(self._weight(t), o), self._inputs_of(t)[0]: source})
                  for o in offsets]
        return lines + [f"{self._at(f'Z{l}', neuron_index(o))} = {running_sum(o, one)}" for o in offsets]

    def _activation(self, t: int, n_out: int, l: int) -> list[str]:
        z, a, _, _ = self._rep_names(t)
        expr = self.rep.graph.node(a[0]).expr
        if t < len(self.layers.sizes) - 2 or self.layers.activations[t] != "softmax":
            return self._over_rows([
                f"for j in range({n_out}):",
                f"    {self._at(f'A{l}', 'j')} = "
                f"{self._print(expr, {z[0]: self._work(f'Z{l}', 'j')})}"])
        if self.batched:
            return []  # in the rows' loop with the cost, which uses its locals (_max, _sum)
        return self._softmax()

    def _softmax(self) -> list[str]:
        """The softmax output layer of one row, printed per output as the scalar form does
        (it couples the outputs)."""
        t = len(self.layers.sizes) - 2
        z, a, _, _ = self._rep_names(t)
        l = t + 2
        lines = [f"{self._ident(name)} = {self._at(f'Z{l}', j)}" for j, name in enumerate(z)]
        for st in self.plan.forward(list(a), ancestors=False):
            lines.append(f"{self.printer.doprint(st.target)} = {self.printer.doprint(st.expr)}")
        return lines + [f"{self._at(f'A{l}', j)} = {self._ident(name)}"
                        for j, name in enumerate(a)]

    def _ident(self, name: str) -> str:
        return self.printer.doprint(self.rep.graph.symbols[name])

    def output_locals(self) -> list[str]:
        """The output layer's z, a and the row's targets as the locals the printed cost uses."""
        l = len(self.layers.sizes)
        z, a, _, _ = self._rep_names(len(self.layers.sizes) - 2)
        lines = [f"{self._ident(n)} = {self._at(f'Z{l}', j)}" for j, n in enumerate(z)]
        lines += [f"{self._ident(n)} = {self._at(f'A{l}', j)}" for j, n in enumerate(a)]
        lines += [f"{self._ident(y)} = Y[i, {k}]" for k, y in enumerate(self.rep.graph.targets)]
        return lines

    def cost(self) -> str:
        return self.printer.doprint(self.plan.cost())

    def backward(self) -> list[str]:
        """δ of the outputs (printed per output), then loops down the layers into grad."""
        sizes = self.layers.sizes
        last = len(sizes) - 2
        z_out = self._rep_names(last)[0]
        wanted = {self.rep.delta_symbols[n] for n in z_out}
        lines = [self._alloc(f"DZ{last + 2}", sizes[-1])]
        if not self.batched:
            lines += self.output_deltas(wanted, z_out, last + 2)
        else:  # each row's cost and output δ, then the layers for the whole chunk
            softmax = self.layers.activations[-1] == "softmax"
            lines += self._over_rows([*(self._softmax() if softmax else []),
                                      *self.output_locals(), f"cost_ = {self.cost()}",
                                      *self.output_deltas(wanted, z_out, last + 2),
                                      "total += cost_"], reads_x=True)
        for t in range(last, -1, -1):
            lines += self._layer_backward(t)
        return lines

    def output_deltas(self, wanted: set, z_out, l: int) -> list[str]:
        """The outputs' δ (the loss couples them: printed per output) into DZ{l}."""
        lines = [f"{self.printer.doprint(st.target)} = {self.printer.doprint(st.expr)}"
                 for st in needed_for(self.plan.backward(), wanted)]
        return lines + [f"{self._at(f'DZ{l}', j)} = "
                        f"{self.printer.doprint(self.rep.delta_symbols[n])}"
                        for j, n in enumerate(z_out)]

    def _layer_backward(self, t: int) -> list[str]:
        """Gradients of transition t from DZ{l}; then DA and DZ of the layer below."""
        sizes = self.layers.sizes
        n_in, n_out, l = sizes[t], sizes[t + 1], t + 2
        z, _, w, _ = self._rep_names(t)
        prev = self._inputs_of(t)
        dz = self._work(f"DZ{l}", "j")
        delta = self.rep.delta_symbols[z[0]]
        d = self.rep
        lines = self._neurons(n_out, lambda offsets: self._gradients(t, offsets),
                              reads_x=t == 0)
        if t == 0:
            return lines
        below_z, below_a, _, _ = self._rep_names(t - 1)
        through = d.local[(z[0], prev[0])] * delta
        weight = self._weight(t)
        below = self.rep.delta_symbols[below_a[0]]
        local = d.local[(below_a[0], below_z[0])] * below
        back = [f"for k in range({n_in}):",
                f"    {self._at(f'DA{l - 1}', 'k')} += "
                + self._print(through, {w[0][0]: weight, delta: dz})]
        lines += [self._alloc(f"DA{l - 1}", n_in, zero=True),
                  f"for j in range({n_out}):",
                  *indented(self._over_rows(back)),
                  self._alloc(f"DZ{l - 1}", n_in),
                  *self._over_rows([
                      f"for j in range({n_in}):",
                      f"    {self._at(f'DZ{l - 1}', 'j')} = " + self._print(local, {
                          below_a[0]: self._work(f"A{l - 1}", "j"),
                          below_z[0]: self._work(f"Z{l - 1}", "j"),
                          below: self._work(f"DA{l - 1}", "j")})])]
        return lines

    def _gradients(self, t: int, offsets) -> list[str]:
        """∂C/∂w_jk and ∂C/∂b_j of transition t for neurons j + offset, from the rules
        ∂z/∂w · δ_z and ∂z/∂b · δ_z (a block reads the input element once)."""
        n_in, l = self.layers.sizes[t], t + 2
        w_off, b_off = self.offsets[t]
        z, _, w, b = self._rep_names(t)
        delta = self.rep.delta_symbols[z[0]]
        dz = self._work(f"DZ{l}", "j")
        one = len(offsets) == 1
        lines = [f"for k in range({n_in}):"]
        if not one:
            lines.append(f"    src = {self.printer.doprint(self._source(t))}")
        rule = self.rep.local[(z[0], w[0][0])] * delta
        place = element("grad", sympy.Integer(w_off) + J * n_in + K)
        source = {self._inputs_of(t)[0]: self._source(t) if one else SRC}
        lines += [f"    {self.printer.doprint(shifted(place, o))} += "
                  + self._print(rule, {**source, delta: shifted(dz, o)}) for o in offsets]
        if b[0] is not None:
            rule = self.rep.local[(z[0], b[0])] * delta
            place = element("grad", sympy.Integer(b_off)
                        + (J if self.layers.biases[t] == "per-neuron" else 0))
            lines += [f"{self.printer.doprint(shifted(place, o))} += "
                      + self._print(rule, {delta: shifted(dz, o)}) for o in offsets]
        return lines

    def _batch(self) -> str:
        """_batch_gradient, batch-major: CHUNK rows at a time through each layer; work
        arrays allocated once."""
        self.batched = True
        try:
            body = self.forward() + self.backward()
        finally:
            self.batched = False
        hoisted, loop = hoist_allocations(body)
        return fast_function(
            "_batch_gradient",
            [*hoisted, "total = 0.0", f"for chunk in range(start, stop, {CHUNK}):",
             f"    rows = min({CHUNK}, stop - chunk)", *indented(loop), "return total"])

    # ---- functions ----------------------------------------------------------------------

    def functions(self) -> list[str]:
        """The row functions of :data:`codegen.scaffold.ROW_FUNCTIONS`, in its order."""
        forward = self.forward()
        sizes = self.layers.sizes
        last = len(sizes)
        write_nodes = []
        for t in range(len(sizes) - 1):
            z, a = self.layers.preactivation_names[t], self.layers.activation_names[t]
            write_nodes += [f"for j in range({sizes[t + 1]}):",
                            f"    out[{self.node_column[z[0]]} + j] = Z{t + 2}[j]",
                            f"    out[{self.node_column[a[0]]} + j] = A{t + 2}[j]"]
        cost = [*self.output_locals(), f"cost_ = {self.cost()}"]
        return [
            fast_function("_row_nodes", forward + write_nodes),
            fast_function("_row_outputs",
                      forward + [f"for j in range({sizes[-1]}):", f"    out[j] = A{last}[j]"]),
            fast_function("_row_cost", forward + cost + ["return cost_"]),
            fast_function("_row_gradient", forward + cost + self.backward() + ["return cost_"]),
            self._batch(),
            *per_sample_sgd(self.printer),
            SGD_OF_GRADIENT,
        ]
