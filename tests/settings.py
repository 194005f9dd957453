"""How hard the project's own tests search: fixed seed, modest example counts.

MATHORACLE_TEST_SEED and MATHORACLE_TEST_EXAMPLES override them (a nightly run may use a
random seed and more examples; a failure prints the seed that reproduces it).
"""
import contextlib
import copy
import os
from unittest import mock

import pytest

SEED = int(os.environ.get("MATHORACLE_TEST_SEED", "20261125"))
EXAMPLES = int(os.environ.get("MATHORACLE_TEST_EXAMPLES", "30"))


def no_local_constants():
    """Hypothesis mixes in literals it finds in the project's loaded modules, so a derandomized
    draw would depend on which test files ran before in the same process. Without them the
    draws are the same in any order (a private hook: if Hypothesis drops it, nothing is patched)."""
    from hypothesis.internal.conjecture import providers
    if not hasattr(providers, "_get_local_constants"):
        return contextlib.nullcontext()
    empty = copy.deepcopy(providers._local_constants)
    for part in (empty.integers, empty.floats, empty.bytes, empty.strings):
        part.clear()
    return mock.patch.object(providers, "_get_local_constants", lambda: empty)


def sampled(variants) -> list:
    """``variants`` as test parameters: the first of each section in the README's test
    command, every other one in the heavy tier (``-m heavy``, run by CI)."""
    seen, out = set(), []
    for v in variants:
        section = v.oracle_id.split(".", 1)[0]
        out.append(pytest.param(v, marks=() if section not in seen else pytest.mark.heavy))
        seen.add(section)
    return out
