"""The spec hash: it covers everything a module is printed from."""

from __future__ import annotations

import dataclasses

from codegen.emit import emit_module
from codegen.origin import spec_hash
from derive.spec.model import Network
from derive.spec.source import Source
from tests.codegen.hostile_specs import spec_text


def test_the_hash_covers_everything_the_module_is_printed_from():
    base = Network.from_toml_text(spec_text(), file="net.toml")
    reordered = Network.from_toml_text(spec_text().replace("w = 0.3\nb = -0.1", "b = -0.1\nw = 0.3"),
                                       file="net.toml")
    assert emit_module(base) != emit_module(reordered)
    variants = [reordered, dataclasses.replace(base, name="other"),
                dataclasses.replace(base, title="other"),
                dataclasses.replace(base, learning_rate=0.2),
                dataclasses.replace(base, freeze=("w",)),
                dataclasses.replace(base, source=Source(file="elsewhere.toml")),
                base.with_values(parameters={"w": 0.31})]
    hashes = {spec_hash(n) for n in variants} | {spec_hash(base, "float32"),
                                                spec_hash(base, form="scalar")}
    assert spec_hash(base) not in hashes and len(hashes) == len(variants) + 2
    layered = Network.layered([2, 2, 1], "sigmoid", init_seed=0)
    assert spec_hash(layered) != spec_hash(Network.layered([2, 2, 1], "sigmoid", init_seed=0,
                                                           name="other"))


def test_the_hash_covers_the_printers_source(tmp_path, monkeypatch):
    """A module printed by a changed printer (the same version number) is not current: the
    hash holds a digest of the derivation's and the printers' source, which the write-ups,
    claims and command line do not enter; build then writes the module again."""
    import codegen
    from codegen import origin
    from codegen.modules import is_current
    from tests.codegen.building import CORPUS
    sources = {p.relative_to(origin.CHECKOUT_DIR).as_posix() for p in origin.printer_sources()}
    assert {"codegen/printer.py", "codegen/scaffold.py", "codegen/matrix_module.py",
            "derive/layer/rules.py", "derive/scalar/chain.py", "derive/optimizers.py"} <= sources
    assert not any(s.startswith(("derive/writeups/", "derive/claims/", "codegen/training/"))
                   for s in sources)
    network, out = CORPUS["seed004"], tmp_path / "net.py"
    codegen.build(network, out=out)
    assert is_current(out, network, "float64")
    before = spec_hash(network)
    monkeypatch.setattr(origin, "printer_digest", lambda: "another printer")
    assert spec_hash(network) != before and not is_current(out, network, "float64")
    codegen.build(network, out=out)
    assert is_current(out, network, "float64")
