"""chainrule's derivation side: spec → graph → chain rule → numbers → write-ups and checks.

The public API, imported lazily so that ``import derive`` stays light::

    from derive import Network, derive, compute
    net = Network.from_toml("examples/seed004_afteracademy.toml")
    d = derive(net)               # every ∂C/∂θ by reverse accumulation
    v = compute(d)                # forward values, cost, gradients, one update step
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "Network": "derive.spec.model", "Notation": "derive.spec.notation", "NOTATIONS": "derive.spec.notation",
    "SpecError": "derive.errors", "ClaimError": "derive.errors", "ChainruleError": "derive.errors",
    "derive": "derive.scalar.chain", "Derivation": "derive.scalar.chain", "build_graph": "derive.scalar.graph",
    "compute": "derive.scalar.values", "Values": "derive.scalar.values",
    "writeup": "derive.writeups.levels", "Document": "derive.writeups.document",
    "check": "derive.claims.check", "Verdict": "derive.claims.claim",
    "check_document": "derive.claims.document", "DocumentCheck": "derive.claims.document",
    "load_example": "derive.spec.examples", "example_names": "derive.spec.examples",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
