"""The oracle: softsign(z) = z / (1 + |z|), as a SymPy expression, with its domain and laws.

mathoracle finds this module through the entry point ``mathoracle.oracles`` and reads
``ORACLES`` (the formulas) and ``PROPERTIES`` (their laws; agreement with the oracle,
edge values and NaN propagation come with every oracle).
"""
import numpy as np
import sympy as sp

from mathoracle.core.laws import Falsified, Property, bounded, domain_examples, signature_call
from mathoracle.oracles.activations import probe, real_edges, real_line
from mathoracle.oracles.shapes import Elementwise


def softsign_expr(z):
    """z / (1 + |z|): the exact value, evaluated by mpmath at 60 digits."""
    return z / (1 + sp.Abs(z))


softsign = Elementwise(
    id="example.softsign", signature="softsign(z)", formula="z / (1 + |z|)",
    seed="(example plugin)", arrays=("z",), expr=softsign_expr,
    domain=real_line,     # z anywhere on the finite real line, edge values mixed in
    edges=real_edges,     # 0, -0, subnormals, the dtype's extremes, ±1e4
    probe=probe,          # one small input per dtype, to see which dtypes the target takes
)


def check_odd(case, example):
    """softsign(-z) = -softsign(z) exactly: negation and |z| are exact in floating point."""
    z = example["inputs"]
    a = case.call("example.softsign", z)
    b = case.call("example.softsign", {"z": -z["z"]})
    bad = ~((b == -a) | (np.isnan(a) & np.isnan(b)))
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        call = signature_call(case.oracle, z)
        raise Falsified(f"softsign(-z){list(i)}={float(b[i])!r}, but should be {float(-a[i])!r} [{call}]",
                        call=call, inputs=z, index=i)


ORACLES = (softsign,)
PROPERTIES = (
    Property("example.softsign", "odd", "softsign(-z) = -softsign(z), exactly", check_odd,
             domain_examples),
    bounded("example.softsign", -1.0, 1.0),
)
