"""``mathoracle new-oracle section.name``: the skeleton of a new elementwise oracle.

It writes, in each layer's module for the section (appended when the module exists,
created otherwise; one module per seed section, as everywhere in the project):

    oracles/<module>.py                        the SymPy expression, domain, probe, coverage
    properties/<module>.py                     its laws (agreement, edges, nan come free)
    implementations/numpy_reference/<module>.py  the reference implementation
    tests/corpus/<module>.py                   a buggy variant that must be caught

Every stub raises NotImplementedError until it is filled in, so nothing passes by accident.
A new section needs nothing else: sections are the modules of oracles/ with ``ORACLES``.
"""
from __future__ import annotations

import re
from pathlib import Path

from mathoracle.registry import UsageError

ID = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")

ORACLE = '''

# --- {id} (skeleton from `mathoracle new-oracle`) ---
from . import domains as d  # noqa: E402
from .activations import probe, real_edges, real_line  # noqa: E402 (domains of a real argument z)
from .shapes import Elementwise  # noqa: E402


def {name}_expr(z):
    """The SymPy expression of one output element of {id}, e.g. ``z / (1 + sp.Abs(z))``."""
    raise NotImplementedError("write the SymPy expression of {id}")


{name} = Elementwise(
    id="{id}", signature="{name}(z)", formula="(the formula, as the catalogue writes it)",
    seed="(the seed section)", arrays=("z",), expr={name}_expr, domain=real_line,
    edges=real_edges, probe=probe,
)

ORACLES = (*ORACLES, {name})
# What its domain must draw (tests/test_coverage.py): add shape classes as predicates.
COVERAGE = {{**COVERAGE, "{id}": d.Coverage(edges=lambda dt: {{"z": d.real_edges(dt)}})}}
'''
ORACLE_HEAD = '''"""Oracles of the {section} section."""
from __future__ import annotations

import sympy as sp  # noqa: F401  (the expressions are SymPy)

ORACLES = ()
COVERAGE = {{}}
'''
PROPERTY = '''

# --- {id}: its laws (agreement, edges, nan come with every oracle) ---
from mathoracle.core.laws import bounded  # noqa: E402,F401

# e.g. ``bounded("{id}", 0.0, 1.0)``, or a Property of your own.
PROPERTIES = (*PROPERTIES,)
'''
PROPERTY_HEAD = '''"""Laws of the {section} section's oracles."""
from __future__ import annotations

PROPERTIES = ()
'''
REFERENCE = '''

def {name}(z):
    """{id}: the numerically careful version a user should copy."""
    raise NotImplementedError("write the NumPy reference of {id}")


FUNCTIONS = {{**FUNCTIONS, "{id}": {name}}}
'''
REFERENCE_HEAD = '''"""The NumPy reference for the {section} section."""
import numpy as np  # noqa: F401

FUNCTIONS = {{}}
'''
CORPUS = '''
from . import Variant  # noqa: E402


def {name}_buggy(z):
    """A realistic mistake in {id} that the properties must catch."""
    raise NotImplementedError("write a buggy variant of {id}")


BUGGY = [*BUGGY, Variant("{id}", "buggy", {name}_buggy, "(what is wrong with it, in one line)")]
'''
CORPUS_HEAD = '''"""The {section} section: buggy variants that must be caught, correct ones that must pass."""
import numpy as np  # noqa: F401

BUGGY: list = []
CORRECT: list = []
'''


def _module_of(root: Path, section: str) -> str:
    """The oracles/ module that holds the section's ids already, or the section's name."""
    for path in sorted((root / "oracles").glob("*.py")):
        if re.search(rf'id="{re.escape(section)}\.', path.read_text(encoding="utf-8")):
            return path.stem
    return section


def new_oracle(oracle_id: str, root: str | Path = ".") -> list[Path]:
    """Write the skeleton of ``oracle_id`` under the project at ``root``; the paths written."""
    match = ID.match(oracle_id or "")
    if not match:
        raise UsageError(f"{oracle_id!r} is not an oracle id; write section.name in lower case, "
                         f"e.g. activation.gelu")
    root = Path(root)
    if not (root / "oracles").is_dir():
        raise UsageError(f"{str(root)!r} is not the mathoracle project root (no oracles/ in it); "
                         f"use --root")
    section, name = match.groups()
    module = _module_of(root, section)
    existing = (root / "oracles" / f"{module}.py")
    if existing.is_file() and f'id="{oracle_id}"' in existing.read_text(encoding="utf-8"):
        raise UsageError(f"{oracle_id} exists already in {existing}")
    fill = {"id": oracle_id, "name": name, "section": section}
    written = []
    for folder, head, block in (("oracles", ORACLE_HEAD, ORACLE), ("properties", PROPERTY_HEAD, PROPERTY),
                                ("implementations/numpy_reference", REFERENCE_HEAD, REFERENCE),
                                ("tests/corpus", CORPUS_HEAD, CORPUS)):
        path = root / folder / f"{module}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8") if path.is_file() else head.format(**fill)
        path.write_text(text + block.format(**fill), encoding="utf-8")
        written.append(path)
    return written
