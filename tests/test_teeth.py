"""The checks have teeth: every buggy variant is caught, every correct variant passes, and
every property is failed by at least one buggy variant (the kill matrix).

The README's test command runs the first buggy and the first correct variant of each
section; the whole corpus and the kill matrix are the heavy tier (``-m heavy``, in CI).

A variant is checked inside an otherwise correct implementation (the NumPy reference for
every other id), so that laws relating two functions run too.
"""
from functools import lru_cache

import pytest

import mathoracle
from mathoracle.core.implementation import Implementation
from mathoracle.properties import properties_for
from mathoracle.properties.contracts import calling_contracts
from mathoracle.registry import bundled, oracles
from mathoracle.results import FAIL, PASS
from mathoracle.text import format_check
from tests.corpus import BUGGY, CORRECT
from tests.settings import EXAMPLES, SEED, sampled


def _with(variant) -> Implementation:
    ref = bundled("numpy")
    if variant.kind == "gradient":
        return Implementation(f"corpus:{variant.name}", ref.functions,
                              gradients={**ref.gradients, variant.oracle_id: variant.fn})
    return Implementation(f"corpus:{variant.name}", {**ref.functions, variant.oracle_id: variant.fn},
                          gradients={k: g for k, g in ref.gradients.items() if k != variant.oracle_id})


@lru_cache(maxsize=None)
def _run(variant):
    only = (["gradient"] if variant.kind == "gradient" else
            [p.name for p in calling_contracts(oracles()[variant.oracle_id])] if variant.kind == "contract"
            else None)
    return mathoracle.check(variant.oracle_id, _with(variant), seed=SEED, max_examples=EXAMPLES,
                            shrink=False, properties=only,
                            conventions=variant.conventions)


@pytest.mark.parametrize("variant", sampled(BUGGY), ids=lambda v: f"{v.oracle_id}:{v.name}")
def test_buggy_variant_is_caught(variant):
    result = _run(variant)
    caught = result.status == FAIL or (variant.strict and result.fails(strict=True))
    assert caught, f"{variant.name} ({variant.why}) was not caught:\n{format_check(result, True)}"


@pytest.mark.parametrize("variant", sampled(CORRECT), ids=lambda v: f"{v.oracle_id}:{v.name}")
def test_correct_variant_passes(variant):
    result = _run(variant)
    assert result.status == PASS, f"{variant.name} ({variant.why}) was rejected:\n{format_check(result)}"


def test_every_oracle_has_buggy_and_correct_variants():
    for oid in oracles():
        assert any(v.oracle_id == oid for v in BUGGY), f"no buggy variant for {oid}"
        assert any(v.oracle_id == oid for v in CORRECT), f"no correct variant for {oid}"


@pytest.mark.heavy
def test_every_property_is_failed_by_some_buggy_variant():
    # A property that failed on an input another property of the same check already failed on
    # is reported once, under the first ("same input as ...", one cause, one finding): it
    # caught the bug too.
    killed = {(r.oracle, r.property) for v in BUGGY for r in _run(v).results
              if r.status == FAIL or any(n.startswith("same input as") for n in r.notes)}
    alive = [p.id for o in oracles().values() for p in properties_for(o) if (o.id, p.name) not in killed]
    assert not alive, f"properties no buggy variant fails: {alive}"
