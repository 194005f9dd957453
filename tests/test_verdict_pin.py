"""Speed without verdict changes: the bundled implementations, re-checked at the committed
report's seed and example count, give every record's status and example count again.

``reports/report.json`` is the pin. A change that alters a verdict on purpose regenerates
the reports (the README's command), and this test then pins the new verdicts; a change
meant only to be faster must leave them as they were. The heavy tier (``-m heavy``, run by
``.ci/run``): it re-runs four implementations' share of the report, about 5 minutes on 2
processes.
"""
import json
from pathlib import Path

import pytest

from mathoracle.report.collect import Options, run_all

REPORT = Path(__file__).resolve().parents[1] / "reports" / "report.json"
IMPLS = ("numpy", "torch", "scipy", "sklearn")


@pytest.mark.heavy
def test_the_bundled_verdicts_are_those_of_the_committed_report():
    doc = json.loads(REPORT.read_text())
    ids = [o["id"] for o in doc["oracles"]]
    want = {(r["oracle"], r["implementation"], r["property"], r["dtype"]): (r["status"], r["examples"])
            for r in doc["results"] if r["implementation"] in IMPLS}
    checks = run_all(ids, list(IMPLS), Options(max_examples=doc["max_examples"], seed=doc["seed"]), jobs=2)
    got = {(r.oracle, r.implementation, r.property, r.dtype): (r.status, r.examples)
           for result, _ in checks for r in result.results}
    changed = [f"{'::'.join(k)}: {want.get(k)} in the report, {got.get(k)} now"
               for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
    assert not changed, f"{len(changed)} of {len(want)} records changed:\n" + "\n".join(changed[:40])
