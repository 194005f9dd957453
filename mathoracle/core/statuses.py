"""The verdicts a record can carry (re-exported by ``mathoracle.results``)."""

PASS, FAIL, ERROR, NOT_APPLICABLE, DEVIATION = "pass", "fail", "error", "not applicable", "known deviation"
# The right formula with fewer correct digits than the dtype allows (fails only under strict).
INACCURATE = "inaccurate"
# The target refused (a deliberate validation error) every input the property drew.
REFUSED = "refused"
# An option value (activation='leaky_relu') the target refuses on every input.
UNSUPPORTED = "not supported"
STATUSES = (PASS, INACCURATE, REFUSED, UNSUPPORTED, FAIL, ERROR, NOT_APPLICABLE, DEVIATION)
# Statuses that fail a check only under ``strict`` (a record with partial refusals too).
STRICT_ONLY = (INACCURATE, REFUSED, UNSUPPORTED)
