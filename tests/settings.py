"""How hard the project's own tests search: fixed seed, modest example counts.

MATHORACLE_TEST_SEED and MATHORACLE_TEST_EXAMPLES override them (a nightly run may use a
random seed and more examples; a failure prints the seed that reproduces it).
"""
import os

import pytest

SEED = int(os.environ.get("MATHORACLE_TEST_SEED", "20261125"))
EXAMPLES = int(os.environ.get("MATHORACLE_TEST_EXAMPLES", "30"))


def sampled(variants) -> list:
    """``variants`` as test parameters: the first of each section in the README's test
    command, every other one in the heavy tier (``-m heavy``, run by CI)."""
    seen, out = set(), []
    for v in variants:
        section = v.oracle_id.split(".", 1)[0]
        out.append(pytest.param(v, marks=() if section not in seen else pytest.mark.heavy))
        seen.add(section)
    return out
