"""Declared conventions: where the mathematics leaves a choice, an implementation says which.

A convention selects an alternative SymPy expression for the oracles it concerns (the
value at a kink, say); the check then expects that value. It never touches an error
model: a convention changes *what* is expected, never *how closely*.

An implementation declares them as strings ``"name=value"``: a module or object's
``CONVENTIONS`` list, or ``mathoracle.check(..., conventions=[...])``, or
``--convention`` on the command line. The value the catalogue itself uses is accepted too
(and changes nothing).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import sympy as sp

from mathoracle.oracles.base import Oracle


@dataclass(frozen=True)
class Convention:
    """One choice the formulas leave open, and how each of its values reads the oracles.

    name:     the key users write, e.g. ``relu_grad_at_zero``.
    doc:      one line: what is being chosen.
    default:  the catalogue's own value.
    choices:  value -> {oracle id: new SymPy expression builder} (empty for the default).
    """

    name: str
    doc: str
    default: str
    choices: Mapping[str, Mapping[str, Callable[..., sp.Expr]]]


def _relu_one_at_zero(z):
    """max(0, z) written so that its derivative is 1 at z = 0."""
    return sp.Piecewise((z, z >= 0), (0, True))


def _relu_grad_one_at_zero(z):
    return sp.diff(_relu_one_at_zero(z), z)


def _leaky_one_at_zero(z, alpha):
    return sp.Piecewise((z, z >= 0), (alpha * z, True))


def _leaky_grad_one_at_zero(z, alpha):
    return sp.diff(_leaky_one_at_zero(z, alpha), z)


CONVENTIONS = {c.name: c for c in (
    Convention(
        "relu_grad_at_zero", "ReLU'(0): 0 (the seed's rule, torch, JAX) or 1 (z >= 0 masks)", "0",
        {"0": {}, "1": {"activation.relu": _relu_one_at_zero,
                        "activation.relu_grad": _relu_grad_one_at_zero}}),
    Convention(
        "leaky_relu_grad_at_zero", "leaky ReLU'(0): alpha (the catalogue, torch) or 1 (JAX's "
        "jnp.where(x >= 0, ...))", "alpha",
        {"alpha": {}, "1": {"activation.leaky_relu": _leaky_one_at_zero,
                            "activation.leaky_relu_grad": _leaky_grad_one_at_zero}}),
)}


def parse(declared: Iterable[str]) -> dict[str, str]:
    """``["relu_grad_at_zero=1"]`` -> ``{"relu_grad_at_zero": "1"}``; ValueError saying
    what is valid otherwise."""
    out: dict[str, str] = {}
    for item in declared:
        name, sep, value = str(item).partition("=")
        name, value = name.strip(), value.strip()
        known = ", ".join(f"{c.name}={'|'.join(c.choices)}" for c in CONVENTIONS.values())
        if not sep or name not in CONVENTIONS:
            raise ValueError(f"unknown convention {item!r}; the known ones are {known}")
        if value not in CONVENTIONS[name].choices:
            raise ValueError(f"convention {name} takes {' or '.join(CONVENTIONS[name].choices)}, "
                             f"not {value!r}")
        out[name] = value
    return out


def apply(oracles: Mapping[str, Oracle], declared: Iterable[str]) -> dict[str, Oracle]:
    """The oracle table as an implementation with these conventions is checked against.

    Only the expression (and the note) of the oracles concerned change; error models,
    domains and everything else are the catalogue's."""
    table = dict(oracles)
    for name, value in parse(declared).items():
        for oracle_id, expr in CONVENTIONS[name].choices[value].items():
            if oracle_id in table:
                o = table[oracle_id]
                note = f"{o.note}; declared convention {name}={value}".lstrip("; ")
                table[oracle_id] = dataclasses.replace(o, expr=expr, note=note)
    return table
