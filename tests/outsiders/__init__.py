"""Correct implementations written the way people outside this project write them.

Each section module lists ``VARIANTS``: one ``Outsider`` record per function, in the
catalogue's canonical signature. Every variant computes the right formula, but in a style
the bundled reference and ``tests/corpus`` avoid: the textbook expression evaluated in the
input dtype, loops and the ``math`` module, ``np.where``/``einsum``, functools/itertools,
classes, and thin wrappers of SciPy, scikit-learn and torch written as a user would. Some
refuse inputs (ValueError on NaN or on a bad shape), some follow a documented convention
(declared in ``check``), some are less accurate than the reference. None may FAIL
(issue 10, "Done when"); ``tests/test_outsiders.py`` checks that.

``cls`` names the class of issue 10 a variant exercises: ``refusal``, ``options``,
``nan-dependence``, ``convention``, ``assumption`` (a documented domain, ``assume=``),
``textbook-evaluation``, ``inaccurate``, ``solver``, ``law-exactness``, or ``outsider`` (a
careful outsider's style).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from mathoracle.oracles import section_modules

CLASSES = ("refusal", "options", "nan-dependence", "convention", "assumption",
           "textbook-evaluation", "inaccurate", "solver", "law-exactness", "outsider")


@dataclass(frozen=True)
class Outsider:
    """One correct variant: the oracle it claims, the function, extra ``mathoracle.check``
    keyword arguments (conventions, params, ...) and the issue-10 class it comes from."""

    oracle_id: str
    fn: Callable
    cls: str = "outsider"
    check: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self):
        if self.cls not in CLASSES:
            raise ValueError(f"cls={self.cls!r}; use one of {', '.join(CLASSES)}")
        if not self.name:
            object.__setattr__(self, "name", self.fn.__name__)


def _collect() -> list[Outsider]:
    out, seen = [], set()
    for module in section_modules(__name__, "VARIANTS"):
        for v in module.VARIANTS:
            if v.name in seen:
                raise ValueError(f"two outsider variants named {v.name}")
            seen.add(v.name)
            out.append(v)
    return out


VARIANTS: list[Outsider] = _collect()
__all__ = ["Outsider", "VARIANTS", "CLASSES"]
