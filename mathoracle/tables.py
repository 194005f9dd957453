"""The README's tables, written from the code (``mathoracle list --markdown`` prints them;
tests/test_docs.py fails when the README's copy is stale)."""
from __future__ import annotations

from mathoracle.properties import properties_for
from mathoracle.properties.contracts import GENERIC
from mathoracle.registry import available_implementations, oracles


def _cell(s: str) -> str:
    return s.replace("|", "\\|")


def catalogue_table(rows) -> str:
    """One row per oracle: id, signature, formula, error model, implementations."""
    lines = ["| id | signature | formula | error model | implementations |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['id']}` | `{r['signature']}` | {_cell(r['formula'])} | {r['error_model']} | "
                     f"{', '.join(r['implementations']) or '—'} |")
    return "\n".join(lines)


def laws_table() -> str:
    """One row per oracle: its laws (the properties beyond the generic contracts), by name."""
    lines = ["| oracle | laws |", "|---|---|"]
    for oracle in oracles().values():
        laws = [p for p in properties_for(oracle) if p.name not in GENERIC]
        if laws:
            text = "; ".join(f"`{p.name}` {_cell(p.doc)}" for p in laws)
            lines.append(f"| `{oracle.id}` | {text} |")
    return "\n".join(lines)


def deviations_table() -> str:
    """The known deviations of the bundled implementations."""
    lines = ["| implementation | oracle | properties | what differs | documented at |",
             "|---|---|---|---|---|"]
    for name, impl in available_implementations().items():
        if isinstance(impl, str):
            continue
        for dev in impl.deviations:
            lines.append(f"| {name} | `{dev.oracle}` | {', '.join(dev.properties)} | "
                         f"{_cell(dev.summary)} | {dev.reference} |")
    return "\n".join(lines)
