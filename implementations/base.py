"""The adapters' toolkit: collecting a package's section modules into one implementation,
and the helpers their deviation regions share. ``Implementation`` and ``KnownDeviation``
live in the core (``mathoracle.core.implementation``) and are re-exported here, where the
docs and plugins have always imported them from.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from mathoracle.core.formats import finfo, is_float
from mathoracle.core.implementation import Implementation, KnownDeviation  # noqa: F401 (re-exported)
from mathoracle.oracles import section_modules


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
