"""The example networks the claim tests check claims about, and the seed posts' claims files."""

from derive.claims.check import check
from derive.claims.claim import HOLDS, ROUNDING, UNREADABLE, WRONG
from derive.claims.claims_file import load_claims
from derive.spec.examples import EXAMPLES_DIR, load_example
from derive.spec.model import Network


H, W, R, U = HOLDS, WRONG, ROUNDING, UNREADABLE


def claims_of(seed: str):
    return load_claims(str(EXAMPLES_DIR / f"{seed}_claims.toml"))


def verdicts_of(seed: str):
    claims, lines, aliases = claims_of(seed)
    return check(load_example(seed), claims, aliases, lines)


NET = {name: load_example(name) for name in
       ("seed000_vitalflux", "seed001_single_neuron", "seed003_spotintelligence", "seed004_afteracademy")}
NET["nielsen-2-2-1"] = Network.layered([2, 2, 1], "sigmoid", inputs=[0.1, 0.2], targets=[0.5])
