"""Laws of the KL divergence: Gibbs' inequality, KL(p‖q) ≥ 0 with equality iff p = q."""
from __future__ import annotations

import mpmath
import numpy as np

from mathoracle.core.laws import (Falsified, Property, domain_examples, expect_within, expect_zero,
                                  signature_call)
from mathoracle.core.model import DIGITS, mpf_array


def _nonnegative(case, ex):
    """KL ≥ 0, up to the error the agreement check allows."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        got = mpf_array(case.call("divergence.kl", x))
        neg = np.vectorize(lambda g: min(g, 0), otypes=[object])(got)
        expect_within(neg, case.allowed("divergence.kl", x), "KL should be ≥ 0",
                      signature_call(case.oracle, x), x)


def _equal_pairs(oracle, dtype):
    """(p, p): the inputs the law calls with are the ones drawn (deviations filter on them)."""
    return oracle.domain(dtype).map(lambda x: {"inputs": {"p": x["p"], "q": x["p"].copy()}})


def _zero_when_equal(case, ex):
    """KL(p‖p) = 0, within agreement's allowance."""
    expect_zero(case, "divergence.kl", ex["inputs"], "p = q")


def _positive_when_distinct(case, ex):
    """KL > 0 wherever the exact KL exceeds the allowed error (p ≠ q, resolvably)."""
    x = ex["inputs"]
    out = np.asarray(case.call("divergence.kl", x), dtype=np.float64)
    exact = case.exact("divergence.kl", x).value
    allowed = case.allowed("divergence.kl", x)
    for idx, e in np.ndenumerate(exact):
        if e > allowed[idx] and not out[idx] > 0:
            call = signature_call(case.oracle, x)
            raise Falsified(f"out{list(idx)}={out[idx]!r}, but should be > 0 (exact "
                            f"{mpmath.nstr(e, 6)}) [{call}]", call=call, inputs=x,
                            got=float(out[idx]), expected=float(e), index=idx)


PROPERTIES = (
    Property("divergence.kl", "nonnegative", "KL(p‖q) ≥ 0 (Gibbs)", _nonnegative, domain_examples),
    Property("divergence.kl", "zero_when_equal", "KL(p‖p) = 0 exactly", _zero_when_equal,
             _equal_pairs),
    Property("divergence.kl", "positive_when_distinct", "KL(p‖q) > 0 when p ≠ q resolvably",
             _positive_when_distinct, domain_examples),
)
