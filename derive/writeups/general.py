"""The general level of a layered network's write-up: the layer equations, the δ rules, the
gradients, the batch mean and the update, in index and matrix form, each with its reason.

Every formula is a SymPy expression of :func:`derive.layer.derive_layers` (or of its layer
template, for the equations the rules are derived from), printed by
:class:`~derive.writeups.layer_printing.LayerPrinter` in the spec's notation; the reasons are
the derivation's own (``Rule.reason``), their equations printed from the template too. The
same entries give the sections of the LaTeX and Markdown forms (:func:`general_sections`) and
the ``"general"`` part of the JSON form (:func:`general_json`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from derive.latex_text import CLAIM_COMMANDS, UnsafeLatex, check_math
from derive.layer import LayerDerivation
from derive.layer import rules as R
from derive.layer.derivation import layer_shapes
from derive.layer.matrix import MatrixFormError, matrix_form, matrix_symbol
from derive.layer.template import L, N, i, j, l
from derive.layer.updates import update_rules
from derive.writeups.layer_printing import LayerPrinter, leading
from derive.writeups.parts import Display, Inline, Math, Paragraph, Section

#: The groups of the general level, in the order a textbook derives them.
GROUPS = {
    "equations": "The layer equations",
    "output": "The output layer's δ",
    "recurrence": "The recurrence: δ of a layer from the layer above",
    "gradients": "The gradients of the weights and biases",
    "batch": "The mean over a batch of N rows",
    "update": "The update",
}
_GROUP_OF = {"grad_output": "output", "delta_output": "output",
             "grad_activation": "recurrence", "delta_hidden": "recurrence",
             "batch_delta_hidden": "recurrence", "grad_weight": "gradients",
             "grad_bias": "gradients", "batch_weight": "batch", "batch_bias": "batch"}


@dataclass(frozen=True)
class Entry:
    """One formula of the general level: ``lhs = index`` (and ``matrix_lhs = matrix``)."""

    group: str
    name: str
    case: str
    lhs: sympy.Expr
    index: sympy.Expr
    matrix_lhs: sympy.Expr | None
    matrix: sympy.Expr | None
    reason: str
    textbook: sympy.Expr | None = None
    textbook_when: str = ""
    #: "=" for a rule, "←" for an update (the left side takes the new value)
    relation: str = "="


def entries(derivation: LayerDerivation, optimizer: str = "sgd") -> list[Entry]:
    """Every formula of the general level of ``derivation``, grouped as :data:`GROUPS`.

    Args:
        derivation: from :func:`derive.layer.derive_layers`.
        optimizer: whose update rules close the list (one of ``derive.layer.OPTIMIZERS``).
    """
    return [*_equations(derivation),
            *(_rule_entry(rule) for rule in derivation.general),
            *_updates(derivation, optimizer)]


def _equations(derivation: LayerDerivation) -> list[Entry]:
    """z, a and C of the layer template, at the general layer l and the output layer L."""
    template, layers = derivation.general_template, derivation.network.layers
    out = []
    for bias in dict.fromkeys(layers.biases):
        rhs = template.preactivation(l, bias)
        shapes = layer_shapes(template, l, bias, None)
        out.append(Entry("equations", "preactivation", bias, template.z(l)[j], rhs,
                         _vector(template.z(l)), _matrix(rhs, (j,), shapes),
                         "by definition, the weighted sum of the layer below"))
    activations = [(l, a) for a in dict.fromkeys(layers.activations[:-1])]
    for layer, activation in [*activations, (L, layers.activations[-1])]:
        rhs = template.activation(layer, activation)
        shapes = layer_shapes(template, layer, "none", None)
        where = "the output layer" if layer == L else "a hidden layer"
        out.append(Entry("equations", "activation", activation, template.a(layer)[j], rhs,
                         _vector(template.a(layer)), _matrix(rhs, (j,), shapes),
                         f"by definition, the activation of {where}"))
    cost = R.cost_symbol(template)
    rhs = template.loss(L, layers.loss)
    out.append(Entry("equations", "cost", layers.loss, cost, rhs, cost,
                     _matrix(rhs, (), layer_shapes(template, L, "none", None)),
                     "by definition, the loss of the output layer"))
    return out


def _vector(base: sympy.IndexedBase) -> sympy.MatrixSymbol:
    return matrix_symbol(base, (1,))


def _matrix(expr: sympy.Expr, free: tuple, shapes) -> sympy.Expr | None:
    """The matrix form of a template equation, or None where it has none (softmax, a shared
    bias, binary cross-entropy: the index form is the rule there)."""
    try:
        return matrix_form(expr, free, shapes)
    except MatrixFormError:
        return None


def _rule_entry(rule: R.Rule) -> Entry:
    return Entry(_GROUP_OF[rule.name], rule.name, rule.case, rule.lhs, rule.index,
                 matrix_lhs(rule.lhs, rule.free), rule.matrix, rule.reason, rule.textbook,
                 rule.textbook_when)


def matrix_lhs(lhs: sympy.Expr, free: tuple = ()) -> sympy.Expr:
    """The left side of a rule in matrix form: δ^l for δ^l_k, Δ^l for a batch's δ^l_{nk},
    ∂C/∂w^l for ∂C/∂w^l_{jk} (a shared bias's ∂C/∂b^l stays as it is). The matrix form's
    rows are the rule's first free index: with weights written w_{kj} (source first) the
    matrix is ∂C/∂(w^l)ᵀ."""
    if isinstance(lhs, sympy.Indexed):
        batch = len(lhs.indices) == 2
        return matrix_symbol(lhs.base, (N, 1) if batch else (1,), batch=batch)
    if isinstance(lhs, sympy.Derivative) and isinstance(lhs.variables[0], sympy.Indexed):
        entry = lhs.variables[0]
        shape = (1, 1) if len(entry.indices) == 2 else (1,)
        gradient = sympy.Derivative(lhs.expr, matrix_symbol(entry.base, shape), evaluate=False)
        if len(entry.indices) == 2 and tuple(entry.indices) == tuple(reversed(free)):
            return Transposed(gradient)
        return gradient
    return lhs


class Transposed(sympy.Function):
    """(∂C/∂w)ᵀ: a gradient matrix whose rows are the weight's second index."""

    def _latex(self, printer):
        return rf"\left({printer._print(self.args[0])}\right)^{{T}}"


def _updates(derivation: LayerDerivation, optimizer: str) -> list[Entry]:
    """The optimizer's updates of a weight (once) and of each bias mode's bias, at layer l."""
    template, out = derivation.general_template, []
    for number, bias in enumerate(dict.fromkeys(derivation.network.layers.biases)):
        for update in update_rules(template, l, bias)[optimizer]:
            if update.parameter == "weight" and number:
                continue
            out.append(Entry("update", f"{optimizer}_{update.parameter}",
                             bias if update.parameter == "bias" else "", update.lhs,
                             update.rhs, None, None, update.reason, relation=r"\leftarrow"))
    return out


# ---- reasons --------------------------------------------------------------------------------

#: The Unicode of the derivation's reasons as LaTeX commands.
_COMMANDS = {"Σ": r"\sum", "δ": r"\delta ", "∂": r"\partial ", "·": r"\cdot ", "θ": r"\theta ",
             "η": r"\eta ", "σ": r"\sigma ", "−": "-", "′": "'", "C\u0304": r"\bar{C}"}


def cited_equations(derivation: LayerDerivation, printer: LayerPrinter) -> dict[str, str]:
    """The text each template equation has in a reason (``Equation.says``) → its LaTeX."""
    template, layers = derivation.general_template, derivation.network.layers
    out = {}
    for layer in (l, l + 1, L):
        for bias in layers.biases:
            equation = R.preactivation_equation(template, layer, bias)
            out[equation.says] = printer.doprint(
                sympy.Eq(template.z(layer)[j], template.preactivation(layer, bias),
                         evaluate=False))
        for activation in layers.activations:
            equation = R.activation_equation(template, layer, activation)
            out[equation.says] = printer.doprint(
                sympy.Eq(template.a(layer)[j], template.activation(layer, activation),
                         evaluate=False))
    equation = R.loss_equation(template, L, layers.loss)
    out[equation.says] = printer.doprint(sympy.Eq(R.cost_symbol(template),
                                                  template.loss(L, layers.loss, over=i),
                                                  evaluate=False))
    return out


def reason_parts(reason: str, equations: dict[str, str]) -> list[Inline]:
    """A rule's reason as text and math: the equations it cites printed from the template,
    its words as text, its formulas (``Σ_j δ^{l+1}_j ∂z^{l+1}_j/∂a^l_k``) as math."""
    if equations:
        cited = "|".join(re.escape(s) for s in sorted(equations, key=len, reverse=True))
        pieces = re.split(f"({cited})", reason)
    else:
        pieces = [reason]
    out: list[Inline] = []
    for piece in pieces:
        out.extend([Math(equations[piece])] if piece in equations else _prose(piece))
    return _joined(out)


def _prose(text: str) -> list[Inline]:
    """Words as text, everything else (a run of symbols, scripts, ∂, Σ) as math."""
    out: list[Inline] = []
    for token in _tokens(text):
        if token.isspace() or _is_word(token.strip("(),:;")) or not token.strip("(),:;"):
            out.append(token)
            continue
        body, tail = re.fullmatch(r"(.*?)([,:;]*)", token).groups()
        if body.count("(") != body.count(")"):  # a bracket that opens or closes the text
            head, body, close = re.fullmatch(r"([(]*)(.*?)([)]*)", body).groups()
            out += [head, _math(body), close + tail]
        else:
            out += [_math(body), tail]
    return out


def _is_word(core: str) -> bool:
    """An English word of a reason (the article "a" too; other single letters are math)."""
    return core.isascii() and core.isalpha() and (len(core) > 1 or core in "aA")


def _tokens(text: str) -> list[str]:
    """``text`` split at the spaces outside braces (``δ^{l + 1}_j`` is one token)."""
    out, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char.isspace() and depth <= 0:
            out += [text[start:at], char]
            start = at + 1
    out.append(text[start:])
    return [t for t in out if t]


def _math(text: str) -> Inline:
    """A formula of a reason as math, when it is math the write-up may print; else text."""
    tex = text
    for symbol, command in _COMMANDS.items():
        tex = tex.replace(symbol, command)
    try:
        check_math(tex, CLAIM_COMMANDS)
    except UnsafeLatex:
        return text
    return Math(tex.strip())


def _joined(parts: list[Inline]) -> list[Inline]:
    """Neighbouring math joined into one formula (across the spaces between them), and
    neighbouring text into one string."""
    out: list[Inline] = []
    for part in parts:
        if part == "":
            continue
        if isinstance(part, Math) and len(out) >= 2 and isinstance(out[-2], Math) \
                and isinstance(out[-1], str) and out[-1].isspace():
            out.pop()
            out[-1] = Math(out[-1].tex + " " + part.tex)
        elif isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return out


# ---- the sections and the JSON ------------------------------------------------------------

def general_sections(derivation: LayerDerivation, optimizer: str = "sgd") -> list[Section]:
    """The general level as a section of subsections, one per group of :data:`GROUPS`."""
    printer = LayerPrinter()
    equations = cited_equations(derivation, printer)
    notation = derivation.network.layers.notation
    intro = Section(["The general equations"], [Paragraph([
        "Derived by chainrule from one layer template in the spec's notation, for any layer ",
        Math("l"), " (the output layer is ", Math("L"), ", a layer has ", Math("n^{l}"),
        " neurons, the input layer is numbered ", Math(str(notation.first_layer)),
        "). Each rule is given in index form and, where it has one, in matrix form, "
        "after the reason it follows from."])])
    sections = [intro]
    listed = entries(derivation, optimizer)
    for group, title in GROUPS.items():
        blocks = []
        for entry in (e for e in listed if e.group == group):
            blocks += _entry_blocks(entry, printer, equations)
        if blocks:
            sections.append(Section([title], blocks, level=3))
    return sections


def _entry_blocks(entry: Entry, printer: LayerPrinter, equations: dict[str, str]) -> list:
    case = f" ({entry.case.replace('_', ' ')})" if entry.case else ""
    title = _TITLES.get(entry.name) or f"{entry.name.replace('_', ' update of a ')}"
    blocks = [Paragraph([f"{title}{case}: ", *reason_parts(entry.reason, equations)]),
              Display([(printer.doprint(entry.lhs),
                        [(entry.relation, _right_side(entry, printer))])])]
    if entry.matrix is not None:
        blocks.append(Paragraph(["In matrix form:"]))
        blocks.append(Display([(printer.doprint(entry.matrix_lhs),
                                [("=", printer.doprint(entry.matrix))])]))
    if entry.textbook is not None:
        blocks.append(Paragraph([f"The textbook form, which holds when {entry.textbook_when}: ",
                                 Math(printer.doprint(entry.lhs) + " = "
                                      + printer.doprint(entry.textbook))]))
    return blocks


def _right_side(entry: Entry, printer: LayerPrinter) -> str:
    """An update's right side with the parameter's old value first; a rule's as SymPy
    orders it."""
    if entry.relation == "=":
        return printer.doprint(entry.index)
    return LayerPrinter(order="none").doprint(leading(entry.lhs, entry.index))


_TITLES = {"preactivation": "Weighted input", "activation": "Activation", "cost": "Cost",
           "grad_output": "Gradient of the cost by the output", "delta_output": "δ of the output",
           "grad_activation": "Gradient of the cost by a hidden activation",
           "delta_hidden": "δ of a hidden layer", "batch_delta_hidden": "δ at each row",
           "grad_weight": "Gradient of a weight", "grad_bias": "Gradient of a bias",
           "batch_weight": "Batch gradient of a weight",
           "batch_bias": "Batch gradient of a bias"}


def _form(expr: sympy.Expr | None, printer: LayerPrinter) -> dict | None:
    """An expression as SymPy's text and as the write-up's LaTeX."""
    if expr is None:
        return None
    return {"text": sympy.sstr(expr), "latex": printer.doprint(expr)}


def general_json(derivation: LayerDerivation, optimizer: str = "sgd") -> list[dict]:
    """The general level for the JSON form: every entry with its two forms as text and LaTeX."""
    printer = LayerPrinter()
    return [{"group": e.group, "name": e.name, "case": e.case, "reason": e.reason,
             "relation": "<-" if e.relation != "=" else "=",
             "lhs": _form(e.lhs, printer), "index": _form(e.index, printer),
             "matrix_lhs": _form(e.matrix_lhs, printer), "matrix": _form(e.matrix, printer),
             "textbook": _form(e.textbook, printer), "textbook_when": e.textbook_when}
            for e in entries(derivation, optimizer)]
