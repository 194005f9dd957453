"""What an implementation is: a named mapping from oracle ids to functions.

Every function takes NumPy arrays in the catalogue's canonical signature and returns
NumPy arrays (or a Python float for a scalar result). A differentiable implementation
(torch) may also give, per id, a gradient function ``grad(cotangent, *arrays, **params)``
that returns ``{argument name: ∂(Σ cotangent·f)/∂argument}`` (a vector-Jacobian product);
the ``gradient`` property checks it against ``sympy.diff`` of the oracle. An adapter converts to and from its
library inside the function. An id a library lacks is simply absent: it is reported as
not applicable, never as passed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from mathoracle.formats import finfo, is_float
from mathoracle.oracles import section_modules


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


def any_subnormal(a) -> bool:
    """True when some element of ``a`` is subnormal in its own dtype (a deviation's region)."""
    a = np.asarray(a)
    return bool(np.any((a != 0) & (np.abs(a) < finfo(a.dtype).tiny)))


def any_nan(kw: Mapping[str, Any]) -> bool:
    """True when a floating-point array argument (or an array in a list argument) holds a
    NaN: the region of a library that raises on, or drops, NaN input."""
    leaves = [v for v in kw.values() if isinstance(v, np.ndarray)]
    leaves += [a for v in kw.values() if isinstance(v, (list, tuple)) for a in v
               if isinstance(a, np.ndarray)]
    return any(is_float(a.dtype) and bool(np.isnan(a).any()) for a in leaves)


def provides(section: str, *functions: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """{"section.name": fn} for functions named after their oracle (sigmoid -> activation.sigmoid)."""
    return {f"{section}.{fn.__name__}": fn for fn in functions}


def backward_passes(section: str, *functions: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """{"section.name": fn} for gradient functions named ``<name>_backward``."""
    return {f"{section}.{fn.__name__.removesuffix('_backward')}": fn for fn in functions}


def collect(name: str, description: str, package: str) -> Implementation:
    """Build an Implementation from the section modules of ``package`` (one per seed section,
    as in oracles/), each defining FUNCTIONS and, optionally, DEVIATIONS, NOT_APPLICABLE and
    GRADIENTS."""
    functions: dict[str, Callable[..., Any]] = {}
    gradients: dict[str, Callable[..., Any]] = {}
    deviations: list[KnownDeviation] = []
    notes: dict[str, str] = {}
    for module in section_modules(package):
        functions.update(getattr(module, "FUNCTIONS", {}))
        deviations.extend(getattr(module, "DEVIATIONS", ()))
        notes.update(getattr(module, "NOT_APPLICABLE", {}))
        gradients.update(getattr(module, "GRADIENTS", {}))
    return Implementation(name, functions, tuple(deviations), description, notes,
                          gradients=gradients)
