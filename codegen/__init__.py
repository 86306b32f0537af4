"""chainrule's code generation: the derivation printed as Numba-jitted trainer modules.

The public API, imported lazily so that the warm path of ``chainrule train`` stays light::

    import codegen
    m = codegen.build("examples/seed004_afteracademy.toml")   # generated/seed004_afteracademy.py
    cost, grad = m.gradient(m.INITIAL_PARAMS, X, Y)
"""

from importlib import import_module

_API = {
    "build": "codegen.modules", "module_path": "codegen.modules", "load_module": "codegen.modules",
    "emit_module": "codegen.emit", "NumbaPrinter": "codegen.printer",
    "optimizer_rules": "derive.optimizers", "Trainer": "codegen.training.estimator",
    "train": "codegen.training.loop", "Settings": "codegen.training.loop",
}

__all__ = sorted(_API)


def __getattr__(name):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'codegen' has no attribute {name!r}")
