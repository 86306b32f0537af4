"""Network → the source text of its generated module: the form chosen, the module put together.

:func:`emit_module` chooses the module printer (:class:`~codegen.scalar_module.ScalarModule`,
one statement per node and connection; :class:`~codegen.index_module.IndexModule`, loops
over neurons; or :class:`~codegen.matrix_module.MatrixModule`, batch-major matrix products,
for layered specs above :data:`MATRIX_FORM_ABOVE` parameters) and puts its row
functions together with what every module has: the header, the constants, the activation
helpers the printer used, and the scaffolding of :mod:`codegen.scaffold` (optimizer steps,
loops over rows and mini-batches).
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import numpy as np

from codegen.index_module import IndexModule
from codegen.matrix_module import MatrixModule
from codegen.matrix_kernels import BLAS_IMPORT, GEMM, blas_declaration
from derive.optimizers import HYPER, OPTIMIZERS
from codegen.origin import COMPANION_SUFFIX, spec_file, spec_hash
from codegen.printer import CodegenError, helper_source
from codegen.scaffold import LOOPS, print_steps
from codegen.scalar_module import ScalarModule
from codegen.source_text import comment, literal, number
from derive import __version__
from derive.scalar.chain import Derivation, derive
from derive.spec.limits import UNROLL_ABOVE
from derive.spec.model import Network

DTYPES = ("float64", "float32")
CLASSIFIER_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")
FORMS = ("auto", "scalar", "index", "matrix")
#: Layered networks with more parameters than this are generated in matrix form by default
#: (the spec's bound for not unrolling a network).
MATRIX_FORM_ABOVE = UNROLL_ABOVE


def module_form(network: Network, form: str = "auto") -> str:
    """The form ``network`` is generated in: ``form`` itself, or for ``"auto"`` the matrix
    form for layered specs above ``MATRIX_FORM_ABOVE`` parameters, else the scalar form."""
    if form not in FORMS:
        raise CodegenError(f"unknown form {form!r}", hint="expected " + ", ".join(FORMS))
    if form in ("index", "matrix") and network.layers is None:
        raise CodegenError(f"{form} form needs a layered spec ([layers] sizes = ...)")
    if form != "auto":
        return form
    return ("matrix" if network.layers is not None
            and len(network.parameters) > MATRIX_FORM_ABOVE else "scalar")


def emit_module(network: Network | Derivation, dtype: str = "float64",
                command: str | None = None, form: str = "auto") -> str:
    """The source text of the generated module for ``network`` (of a network above
    :data:`COMPANION_ABOVE` parameters, the text without its companion file: see
    :func:`emit_files`)."""
    return emit_files(network, dtype, command, form)[0]


def emit_files(network: Network | Derivation, dtype: str = "float64",
               command: str | None = None, form: str = "auto") -> tuple[str, bytes | None]:
    """The source text of the generated module for ``network``, and the bytes of its
    companion file (None for networks of at most :data:`COMPANION_ABOVE` parameters).

    Args:
        network: the spec (or its derivation).
        dtype: ``"float64"`` or ``"float32"`` (arrays and parameters).
        command: the command that regenerates the module, for its header.
        form: ``"scalar"`` (one statement per node and connection), ``"index"`` (layered
            specs: loops over neurons, see :mod:`codegen.index_module`), ``"matrix"``
            (layered specs: batch-major matrix products, see :mod:`codegen.matrix_module`)
            or ``"auto"`` (see :func:`module_form`).

    Returns:
        The module's text and its companion's bytes, which the module reads from
        :func:`companion_path` of its own file (and checks by their digest, printed in the
        text); the same spec always gives the same bytes.
    """
    derivation = network if isinstance(network, Derivation) else None
    network = derivation.network if derivation else network
    if dtype not in DTYPES:
        raise CodegenError(f"unknown dtype {dtype!r}", hint="expected float64 or float32")
    missing = [p for p, v in network.parameters.items() if v is None]
    if missing:
        raise network.source.error(f"parameters.{missing[0]}",
                                   f"no starting value for {missing[0]!r}",
                                   hint="generated trainers start from the spec's values; "
                                        "layered specs draw them with [values] init_seed")
    chosen = module_form(network, form)
    module = (MatrixModule(network) if chosen == "matrix" else IndexModule(network)
              if chosen == "index" else ScalarModule(derivation or derive(network)))
    rows = module.functions()
    steps = print_steps(module.printer)
    loss = network.layers.loss if network.layers is not None else "custom"
    companion = companion_bytes(network) if len(network.parameters) > COMPANION_ABOVE else None
    hyper_defaults = [network.learning_rate, 0.9, 0.9, 0.999, 1e-8, 0.0]
    constants = {
        "SPEC_NAME": literal(network.name),
        "SPEC_HASH": literal(spec_hash(network, dtype, form)),
        "CHAINRULE_VERSION": literal(__version__),
        "PARAM_NAMES": _tuple(network.parameters) if companion is None else IN_COMPANION,
        "INPUT_NAMES": _tuple(network.inputs),
        "TARGET_NAMES": _tuple(network.targets),
        "OUTPUT_NAMES": _tuple(module.outputs),
        "NODE_NAMES": _tuple(module.nodes),
        "LOSS": literal(loss),
        "IS_CLASSIFIER": repr(loss in CLASSIFIER_LOSSES),
        "DTYPE": f"np.{dtype}",
        "INITIAL_PARAMS": _floats_array(network),
        "FROZEN": _frozen(network),
        "OPTIMIZERS": _tuple(OPTIMIZERS),
        "HYPER_NAMES": _tuple(HYPER),
        "DEFAULT_HYPER": f"np.array({_floats(hyper_defaults)}, dtype=DTYPE)",
    }
    blas = GEMM in rows   # arrays updated in place by BLAS (the matrix form's SGD step)
    # constants of many lines (a big network's names) go to the end, after the code
    later = [k for k, v in constants.items() if "\n" in v]
    top = [f"{k} = {v}" for k, v in constants.items() if k not in later]
    if later:
        top.insert(0, f"# {', '.join(later)}: at the end of the module (long)")
    parts = [_header(network, dtype, command, form),
             "import math\n\nimport numpy as np\nfrom numba import njit\n" + (BLAS_IMPORT + "\n" if blas else ""),
             "\n".join(top) + "\n" + ("\n" + blas_declaration(dtype) + "\n" if blas else ""),
             ("# ---- numerically safe activations (chainrule's printer table)\n\n"
              + helper_source(module.printer.helpers)) if module.printer.helpers else "",
             f"# ---- forward pass, cost, backward pass ({module.KIND})\n\n" + "\n\n".join(rows),
             "# ---- optimizers, printed from their SymPy update rules\n\n" + steps,
             "# ---- loops over rows and mini-batches (template)\n\n" + LOOPS,
             ("# ---- long constants\n\n" + "\n".join(f"{k} = {constants[k]}" for k in later))
             if later else "",
             _companion_loader(network, companion) if companion is not None else ""]
    text = "\n\n".join(p.rstrip("\n") + "\n" for p in parts if p.strip()).rstrip("\n") + "\n"
    return text, companion


#: constants whose one-line form is longer than this are wrapped into lines of WIDTH
LONG_LINE = 2_000
WIDTH = 96
#: modules of networks with more parameters than this keep the parameters' names and starting
#: values in a companion file next to them (:func:`companion_path`), not in their text
COMPANION_ABOVE = 10_000
#: what PARAM_NAMES and INITIAL_PARAMS say in the constants when they are in the companion
IN_COMPANION = "None  # read at the end of the module, from its companion file"


def _tuple(items) -> str:
    items = [literal(i) for i in items]
    return f"({items[0]},)" if len(items) == 1 else _wrapped("(", items, ")")


def _floats(values) -> str:
    return _wrapped("[", [number(v) for v in values], "]")


def _wrapped(open_: str, items: list[str], close: str) -> str:
    """``open_ items close`` on one line, or items wrapped into lines when it is long."""
    line = open_ + ", ".join(items) + close
    if len(line) <= LONG_LINE:
        return line
    lines, current = [], ""
    for item in items:
        if current and len(current) + len(item) + 2 > WIDTH:
            lines.append(current.rstrip())
            current = ""
        current += item + ", "
    lines.append(current.rstrip())
    return open_ + "\n" + "\n".join("    " + text for text in lines) + "\n" + close


def _floats_array(network: Network) -> str:
    if len(network.parameters) > COMPANION_ABOVE:
        return IN_COMPANION
    return f"np.array({_floats(network.parameters.values())}, dtype=DTYPE)"


def companion_bytes(network: Network) -> bytes:
    """The companion file of a big network's module: a NumPy ``.npz`` of ``PARAM_NAMES``
    (their UTF-8 text, a name a line, as bytes) and ``INITIAL_PARAMS`` (float64), stored
    uncompressed with fixed dates, so that the same spec gives the same bytes."""
    arrays = {"PARAM_NAMES": np.frombuffer("\n".join(network.parameters).encode("utf-8"),
                                           dtype=np.uint8),
              "INITIAL_PARAMS": np.asarray(list(network.parameters.values()), dtype="<f8")}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as npz:
        for key, array in arrays.items():
            entry = io.BytesIO()
            np.lib.format.write_array(entry, array, version=(1, 0), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3   # the same bytes on every system
            npz.writestr(info, entry.getvalue())
    return archive.getvalue()


#: the end of a module whose names and starting values are in its companion file
COMPANION_LOADER = """\
# ---- parameter names and starting values: {count:,} of them, in the companion file
# <this module's name>{suffix} (written with it; checked by its SHA-256)

_COMPANION_SHA256 = {digest!r}


def _companion():
    import hashlib
    import io
    import os
    path = os.path.splitext(__file__)[0] + {suffix!r}
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise ImportError(f"{{path}}: cannot read this module's companion file (its "
                          f"parameters' names and starting values): {{err.strerror or err}}; "
                          "generate the module again (its Regenerate line)") from None
    if hashlib.sha256(data).hexdigest() != _COMPANION_SHA256:
        raise ImportError(f"{{path}}: not the companion file this module was generated with; "
                          "generate the module again (its Regenerate line)")
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        names = tuple(arrays["PARAM_NAMES"].tobytes().decode("utf-8").split("\\n"))
        return names, arrays["INITIAL_PARAMS"].astype(DTYPE)


PARAM_NAMES, INITIAL_PARAMS = _companion()
"""


def _companion_loader(network: Network, companion: bytes) -> str:
    return COMPANION_LOADER.format(count=len(network.parameters), suffix=COMPANION_SUFFIX,
                                   digest=hashlib.sha256(companion).hexdigest())


def _frozen(network: Network) -> str:
    flags = [p in network.freeze for p in network.parameters]
    line = f"np.array({flags!r}, dtype=np.bool_)"
    if len(line) <= LONG_LINE:
        return line
    frozen = [str(k) for k, flag in enumerate(flags) if flag]
    if not frozen:
        return f"np.zeros({len(flags)}, dtype=np.bool_)"
    return f"np.isin(np.arange({len(flags)}), {_wrapped('[', frozen, ']')})"


def _header(network: Network, dtype: str, command: str | None, form: str = "auto") -> str:
    """The comment lines and the docstring that open a module. Outside text (the spec's
    file, name and title, the command) only from line 3 on, as escaped comment text: Python
    reads an encoding declaration (``coding: ...``) from a comment on line 1 or 2."""
    source = spec_file(network)
    spec = network.name + (f" ({network.title})" if network.title else "")
    lines = [f"# Generated by chainrule {__version__} — do not edit.",
             f"# Spec hash: {spec_hash(network, dtype, form)}",
             f"# Spec file: {comment(source)}",
             f"# Spec: {comment(spec)}",
             f"# Regenerate: {comment(command or 'chainrule codegen ' + source)}",
             "#",
             "# Parameters travel as one flat array in PARAM_NAMES order; data as 2-D arrays,",
             "# X: samples × INPUT_NAMES, Y: samples × TARGET_NAMES."]
    doc = '"""A Numba trainer printed by chainrule from the derivation of the spec SPEC_NAME."""'
    return "\n".join(lines) + "\n\n" + doc + "\n"
