"""Emit the Numba trainer module of a network, printed from its derivation.

Examples:
  chainrule codegen examples/seed004_afteracademy.toml     writes generated/seed004_afteracademy.py
  chainrule codegen my_net.toml                            writes ~/.cache/chainrule/my_net_<digest>.py
  chainrule codegen xor -o /tmp/xor_trainer.py             a built-in example, elsewhere
  chainrule codegen iris_softmax --dtype float32           float32 parameters and data

The built-in examples' modules live in the package's generated/ folder; any other spec's in
the per-user cache ($CHAINRULE_CACHE_DIR, else $XDG_CACHE_HOME/chainrule, else
~/.cache/chainrule), never inside the installed package.

The module holds forward, predict, cost, gradient (cost and every ∂C/∂θ in one pass),
step_sgd/momentum/nesterov/rmsprop/adam, train_epoch and train, all @njit(cache=True), and
states its layout in PARAM_NAMES, INPUT_NAMES and TARGET_NAMES. The same spec always gives
the same bytes.
"""

from __future__ import annotations

import argparse
import sys

from derive.cli.options import announce


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule codegen`."""
    parser.add_argument("spec", metavar="SPEC",
                        help="a spec file (.toml) or a built-in example name")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="where to write the module, a .py file or a folder (default: "
                             "generated/ for the built-in examples, else the per-user cache)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="floating-point type of parameters and data (default: float64)")
    parser.add_argument("--form", choices=("auto", "scalar", "index", "matrix"), default="auto",
                        help="scalar: one statement per node and connection; index (layered "
                             "specs): loops over neurons; matrix (layered specs): batch-major "
                             "matrix products (BLAS); auto: matrix form above 200 parameters "
                             "(default)")


def run(args: argparse.Namespace) -> int:
    """Derive, print and write the module."""
    from codegen.modules import load_spec, write
    from codegen.source_text import comment
    network = load_spec(args.spec)
    announce("codegen", network, "deriving and printing")
    path = write(network, args.output, args.dtype, args.form)
    print(f"chainrule codegen: wrote {comment(path)}", file=sys.stderr)
    return 0
