"""What an implementation is: a named mapping from oracle ids to functions.

Every function takes NumPy arrays in the catalogue's canonical signature and returns
NumPy arrays (or a Python float for a scalar result). A differentiable implementation
(torch) may also give, per id, a gradient function ``grad(cotangent, *arrays, **params)``
that returns ``{argument name: ∂(Σ cotangent·f)/∂argument}`` (a vector-Jacobian product);
the ``gradient`` property checks it against ``sympy.diff`` of the oracle. An id a library
lacks is simply absent: it is reported as not applicable, never as passed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class KnownDeviation:
    """A documented, deliberate difference between a library and the exact formula.

    The engine confirms it once on ``witness`` (the property must fail there) and checks
    the rest of the domain as usual: inputs for which ``region`` is true are left out.

    oracle:     the oracle id it concerns.
    properties: the property names it affects (``"*"`` for all of the oracle's).
    summary:    what differs, in one line.
    reason:     why the library does it.
    reference:  where the library documents it (URL or docs section).
    witness:    keyword arguments of one input that shows the deviation (and, for the
                gradient property, the ``cotangent`` if ones would not show it).
    region:     predicate on keyword arguments: True where the deviation applies.
    """

    oracle: str
    properties: tuple[str, ...]
    summary: str
    reason: str
    reference: str
    witness: Mapping[str, Any]
    region: Callable[[Mapping[str, Any]], bool]

    def affects(self, prop: str) -> bool:
        return "*" in self.properties or prop in self.properties


@dataclass(frozen=True)
class Implementation:
    """A set of functions checked together (one library, or one user target)."""

    name: str
    functions: Mapping[str, Callable[..., Any]]
    deviations: tuple[KnownDeviation, ...] = ()
    description: str = ""
    notes: Mapping[str, str] = field(default_factory=dict)  # id -> why not applicable, etc.
    source: str = ""  # how to load it again: "module:function", "file.py:function", or ""
    gradients: Mapping[str, Callable[..., Any]] = field(default_factory=dict)  # id -> vjp

    def provides(self, oracle_id: str) -> bool:
        return oracle_id in self.functions

    def deviations_for(self, oracle_id: str) -> tuple[KnownDeviation, ...]:
        return tuple(d for d in self.deviations if d.oracle == oracle_id)
