"""Run in a fresh process per Keras backend (Keras fixes its backend at import):
``python -m tests.keras_probe torch|jax [id ...]`` prints, as JSON, each hand-computed
case's value and dtype, each known deviation's properties that fail on its witness, and the
status of a full check of each id given."""
import json
import sys

import mathoracle
from mathoracle.registry import bundled
from mathoracle.text import format_check
from tests.adapter_cases import CASES, call, confirmed
from tests.settings import SEED


def probe(backend: str, ids: list[str]) -> dict:
    impl = bundled(f"keras[{backend}]")
    cases = {oid: call(impl.functions[oid], oid) for oid in CASES if impl.provides(oid)}
    deviations = [{"oracle": d.oracle, "summary": d.summary, "in_region": d.region(d.witness),
                   "reference": d.reference, "confirmed": confirmed(impl, d)}
                  for d in impl.deviations]
    checks = {}
    for oid in ids:
        # a generous per-call limit: a new shape may compile (jax) on a busy CPU
        result = mathoracle.check(oid, impl.name, seed=SEED, max_examples=10, timeout=120)
        checks[oid] = [result.status, format_check(result)]
    lacking = {o: mathoracle.check(o, impl).results[0].reason for o in mathoracle.registry.oracles()
               if not impl.provides(o)}
    return {"backend": __import__("keras").backend.backend(), "functions": sorted(impl.functions),
            "cases": cases,
            "deviations": deviations, "checks": checks, "lacking": lacking}


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], sys.argv[2:])))
