"""Declared conventions: where the mathematics leaves a choice, an implementation says which.

Two kinds, both declared as ``"name=value"`` (a module or object's ``CONVENTIONS`` list,
``mathoracle.check(..., conventions=[...])``, or ``--convention`` on the command line):

- ``Convention``: an alternative SymPy expression for the oracles it concerns (the value at a
  kink); the catalogue's own value unless one is declared ("exactly this one").
- ``PointConvention``: a point where the formula is undefined or read differently by
  libraries (attention over a query with no key, 0/0; subnormal inputs read as zero). Each
  value is a *reading*: the catalogue's answer, NaN, or the oracle's answer at transformed
  inputs. Undeclared, every reading is accepted ("any of these values"); declared, only that
  one. The agreement checks accept an output element that matches an accepted reading
  within that reading's own allowance.

Neither touches an error model: a convention changes *what* is expected, never *how closely*.
``covering(oracle, inputs)`` names the ``--convention`` options that concern a point.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import sympy as sp

from mathoracle.core.accuracy import judge
from mathoracle.core.formats import finfo, is_float
from mathoracle.core.laws import Falsified, float_leaves, signature_call
from mathoracle.core.model import Oracle


@dataclass(frozen=True)
class Convention:
    """One choice the formulas leave open, and how each of its values reads the oracles.

    name:     the key users write, e.g. ``relu_grad_at_zero``.
    doc:      one line: what is being chosen.
    default:  the catalogue's own value.
    choices:  value -> {oracle id: new SymPy expression builder} (empty for the default).
    at:       inputs -> True where they sit at the point the choice decides (z = 0).
    """

    name: str
    doc: str
    default: str
    choices: Mapping[str, Mapping[str, Callable[..., sp.Expr]]]
    at: Callable[[Mapping[str, Any]], bool] = lambda inputs: False


def _relu_one_at_zero(z):
    """max(0, z) written so that its derivative is 1 at z = 0."""
    return sp.Piecewise((z, z >= 0), (0, True))


def _relu_grad_one_at_zero(z):
    return sp.diff(_relu_one_at_zero(z), z)


def _leaky_one_at_zero(z, alpha):
    return sp.Piecewise((z, z >= 0), (alpha * z, True))


def _leaky_grad_one_at_zero(z, alpha):
    return sp.diff(_leaky_one_at_zero(z, alpha), z)


def _has_zero(inputs) -> bool:
    z = inputs.get("z")
    return z is not None and bool(np.any(np.asarray(z) == 0))


CONVENTIONS = {c.name: c for c in (
    Convention(
        "relu_grad_at_zero", "ReLU'(0): 0 (the seed's rule, torch, JAX) or 1 (z >= 0 masks)", "0",
        {"0": {}, "1": {"activation.relu": _relu_one_at_zero,
                        "activation.relu_grad": _relu_grad_one_at_zero}}, at=_has_zero),
    Convention(
        "leaky_relu_grad_at_zero", "leaky ReLU'(0): alpha (the catalogue, torch) or 1 (JAX's "
        "jnp.where(x >= 0, ...))", "alpha",
        {"alpha": {}, "1": {"activation.leaky_relu": _leaky_one_at_zero,
                            "activation.leaky_relu_grad": _leaky_grad_one_at_zero}}, at=_has_zero),
)}


# --- points where libraries read the formula differently --------------------------------

CATALOGUE, NAN = "catalogue", "nan"   # readings: the oracle's own answer; NaN


@dataclass(frozen=True)
class PointConvention:
    """A point where the formula is undefined or read in several documented ways.

    oracles:  the ids it concerns (``("*",)``: every oracle).
    region:   (oracle, inputs) -> bool mask of the output elements at the point, or None when
              the inputs are not at it.
    readings: value -> CATALOGUE, NAN, or a transform inputs -> inputs whose oracle answer
              is that reading's. Undeclared, every reading is accepted.
    """

    name: str
    doc: str
    oracles: tuple[str, ...]
    region: Callable[[Oracle, Mapping[str, Any]], np.ndarray | None]
    readings: Mapping[str, Any]

    def concerns(self, oracle_id: str) -> bool:
        return "*" in self.oracles or oracle_id in self.oracles

    def accepted(self, declared: str | None) -> tuple[str, ...]:
        return (declared,) if declared else tuple(self.readings)


def _empty_rows(oracle, inputs):
    """Queries whose mask row allows no key: their output rows (softmax over no key, 0/0)."""
    mask = inputs.get("mask")
    if mask is None:
        return None
    empty = ~np.asarray(mask, bool).any(axis=-1)                       # (n_q,)
    if not empty.any():
        return None
    shape = oracle.output_shape(inputs)
    return np.broadcast_to(empty[:, None], shape).copy()


def _uniform_rows(inputs):
    """The empty rows' keys all allowed and their query zero: every score 0, uniform weights,
    so the answer is mean(V) (a large negative constant written over every score)."""
    mask = np.asarray(inputs["mask"], bool)
    empty = ~mask.any(axis=-1)
    Q = np.array(inputs["Q"], copy=True)
    Q[..., empty, :] = 0
    return {**inputs, "Q": Q, "mask": mask | empty[:, None]}


def _flush(a: np.ndarray) -> np.ndarray:
    tiny = finfo(a.dtype).tiny
    with np.errstate(invalid="ignore"):
        sub = (a != 0) & (np.abs(a) < tiny)
    return np.where(sub, np.copysign(np.zeros_like(a), a), a)


def _subnormal_inputs(oracle, inputs):
    """Every output, when some float input element is subnormal in its dtype."""
    for _, _, a in float_leaves(inputs, oracle.arrays):
        with np.errstate(invalid="ignore"):
            if np.any((a != 0) & (np.abs(a) < finfo(a.dtype).tiny)):
                return np.ones(oracle.output_shape(inputs), dtype=bool)
    return None


def _flushed_inputs(inputs):
    """Subnormal inputs read as zero (DAZ, XLA's CPU default), signs kept."""
    out = {}
    for k, v in inputs.items():
        if isinstance(v, np.ndarray) and is_float(v.dtype):
            v = _flush(v)
        elif isinstance(v, list) and all(isinstance(a, np.ndarray) and is_float(a.dtype)
                                         for a in v):
            v = [_flush(a) for a in v]
        out[k] = v
    return out


POINTS = {c.name: c for c in (
    PointConvention(
        "attention_empty_row", "a query with no key left (0/0): zeros (torch's fused kernels), "
        "nan (an additive -inf mask) or mean (mean(V): JAX, a large negative mask)",
        ("attention.scaled_dot_product",), _empty_rows,
        {"zero": CATALOGUE, "nan": NAN, "mean": _uniform_rows}),
    PointConvention(
        "subnormal_inputs", "subnormal inputs: exact, or flushed (read as zero: DAZ, XLA's CPU "
        "default)", ("*",), _subnormal_inputs, {"exact": CATALOGUE, "flushed": _flushed_inputs}),
)}


def _known() -> str:
    plain = [f"{c.name}={'|'.join(c.choices)}" for c in CONVENTIONS.values()]
    return ", ".join(plain + [f"{c.name}={'|'.join(c.readings)}" for c in POINTS.values()])


def parse(declared: Iterable[str]) -> dict[str, str]:
    """``["relu_grad_at_zero=1"]`` -> ``{"relu_grad_at_zero": "1"}``; ValueError saying
    what is valid otherwise."""
    out: dict[str, str] = {}
    for item in declared:
        name, sep, value = str(item).partition("=")
        name, value = name.strip(), value.strip()
        if not sep or (name not in CONVENTIONS and name not in POINTS):
            raise ValueError(f"unknown convention {item!r}; the known ones are {_known()}")
        values = CONVENTIONS[name].choices if name in CONVENTIONS else POINTS[name].readings
        if value not in values:
            raise ValueError(f"convention {name} takes {' or '.join(values)}, not {value!r}")
        out[name] = value
    return out


def apply(oracles: Mapping[str, Oracle], declared: Iterable[str]) -> dict[str, Oracle]:
    """The oracle table as an implementation with these conventions is checked against.

    Only the expression (and the note) of the oracles concerned change, and at the points of
    a ``PointConvention`` which readings are accepted; error models, domains and everything
    else are the catalogue's."""
    table = dict(oracles)
    chosen = parse(declared)
    for name, value in chosen.items():
        if name not in CONVENTIONS:
            continue
        for oracle_id, expr in CONVENTIONS[name].choices[value].items():
            if oracle_id in table:
                o = table[oracle_id]
                note = f"{o.note}; declared convention {name}={value}".lstrip("; ")
                table[oracle_id] = dataclasses.replace(o, expr=expr, note=note)
    for oracle_id, o in table.items():
        points = [(c, c.accepted(chosen.get(c.name))) for c in POINTS.values() if c.concerns(oracle_id)]
        if points and not o.float_free:
            table[oracle_id] = _at_points(o, points)
            pinned = [f"{c.name}={acc[0]}" for c, acc in points if c.name in chosen]
            if pinned:
                note = f"{o.note}; declared convention {', '.join(pinned)}".lstrip("; ")
                table[oracle_id].note = note
    return table


# --- how accepted readings are judged --------------------------------------------------

def _dtype(oracle, inputs):
    """The judged dtype: that of the float inputs (a target may return float64)."""
    leaves = float_leaves(inputs, oracle.arrays)
    return leaves[0][2].dtype if leaves else np.dtype(np.float64)


def _element(inputs, arg, index):
    """inputs[arg][index], for an array argument or (index[0] first) a list of arrays."""
    v = inputs[arg]
    if isinstance(v, (list, tuple)):
        return float(np.asarray(v[index[0]])[tuple(index[1:])])
    return float(np.asarray(v)[tuple(index)])


_UNDEFINED = (ArithmeticError, ValueError)  # a reading may leave the domain (DAZ: log 0)


def _answer(base_exact, inputs, reading):
    """The oracle's exact answer at a transform reading's inputs, or None where it is
    undefined there (a flushed p = 0 under -log p)."""
    try:
        return base_exact(reading(inputs))
    except _UNDEFINED:
        return None


def _at_points(o: Oracle, points) -> Oracle:
    """``o`` whose agreement checks accept, in each point convention's region, any accepted
    reading, and whose NaN contract demands NaN there only where every accepted reading does.
    A single declared transform reading is the answer expected there."""
    w = copy.copy(o)
    base_exact, base_align, base_nan = o.exact, o.align, o.nan_mask

    def regions(inputs):
        full = {**o.defaults(), **inputs}
        return [(c, acc, r) for c, acc in points if (r := c.region(o, full)) is not None]

    def pinned_transform(inputs):
        for c, acc, _ in regions(inputs):
            if len(acc) == 1 and callable(c.readings[acc[0]]):
                return c.readings[acc[0]]
        return None

    def exact(inputs):
        """The declared transform reading's answer; the catalogue's where it is undefined."""
        t = pinned_transform(inputs)
        answer = None if t is None else _answer(base_exact, {**o.defaults(), **inputs}, t)
        return base_exact(inputs) if answer is None else answer

    def align(inputs, got, answer):
        got = base_align(inputs, got, answer)
        at = regions(inputs)
        if not at:
            return got
        flat = np.array(got, dtype=np.float64).reshape(answer.value.shape)
        dtype, pinned = _dtype(o, inputs), pinned_transform(inputs)
        for c, acc, region in at:
            region = region.reshape(flat.shape)
            ok = np.zeros(flat.shape, dtype=bool)
            for value in sorted(acc, key=lambda v: callable(c.readings[v])):  # the cheap first
                reading = c.readings[value]
                if not (region & ~ok).any():
                    break
                if reading == NAN:
                    ok |= region & np.isnan(flat)
                    continue
                if callable(reading) and reading is not pinned:
                    alt = _answer(base_exact, {**o.defaults(), **inputs}, reading)
                else:
                    alt = answer  # the catalogue's, or the declared transform's
                if alt is not None:
                    ok |= region & judge(flat, alt, o.error, dtype).ok
            if all(c.readings[v] == NAN for v in acc):
                bad = region & ~ok
                if bad.any():
                    idx = tuple(int(i) for i in np.argwhere(bad)[0])
                    call = signature_call(o, inputs)
                    raise Falsified(f"{o.locate(inputs, idx)}={float(flat[idx])!r}, but should be "
                                    f"nan (declared convention {c.name}={acc[0]}) [{call}]",
                                    call=call, inputs=inputs, expected=float("nan"),
                                    got=float(flat[idx]), index=idx)
            with np.errstate(over="ignore"):  # an exact value beyond float64 stands as inf
                exact_f = np.vectorize(float, otypes=[float])(answer.value)
            flat = np.where(ok, exact_f, flat)
        return flat

    def nan_mask(inputs, arg, index):
        """NaN is demanded in a region only where every accepted reading demands it."""
        mask = base_nan(inputs, arg, index)
        full = {**o.defaults(), **inputs}
        for c, acc, region in regions(inputs):
            region = region.reshape(mask.shape)
            inside = np.ones(mask.shape, dtype=bool)
            for value in acc:
                reading = c.readings[value]
                if reading == CATALOGUE:
                    inside &= mask
                elif callable(reading):
                    moved = reading(full)
                    kept = np.isnan(_element(moved, arg, index))  # else it is overwritten
                    inside &= base_nan(moved, arg, index) if kept else False
            mask = (mask & ~region) | (inside & region)
        return mask

    w.exact, w.align, w.nan_mask = exact, align, nan_mask
    return w


def covering(oracle: Oracle, inputs: Mapping[str, Any], got=None) -> list[str]:
    """The ``NAME=VALUE`` options of ``--convention`` that decide a point these inputs sit at
    (other than the catalogue's value), for a failure message: "--convention
    attention_empty_row=nan would apply". With the target's output ``got``, only the options
    under which it agrees there (every element, for an expression convention; the region's,
    for a point convention)."""
    full = {**oracle.defaults(), **inputs}
    dtype = _dtype(oracle, full)
    flat = None if got is None else np.asarray(got, dtype=np.float64).reshape(-1)
    out = []
    for c in CONVENTIONS.values():
        if not c.at(full):
            continue
        for value, exprs in c.choices.items():
            if value == c.default or oracle.id not in exprs:
                continue
            if flat is not None:
                alt = dataclasses.replace(oracle, expr=exprs[oracle.id])
                answer = alt.exact(full)
                if not judge(flat.reshape(answer.value.shape), answer, oracle.error, dtype).passed:
                    continue
            out.append(f"{c.name}={value}")
    for c in POINTS.values():
        region = c.region(oracle, full) if c.concerns(oracle.id) else None
        if region is None:
            continue
        for value, reading in c.readings.items():
            if flat is not None:
                r = region.reshape(-1)
                if reading == NAN:
                    ok = np.isnan(flat)
                else:
                    answer = (_answer(oracle.exact, full, reading) if callable(reading)
                              else oracle.exact(full))
                    if answer is None:
                        continue
                    ok = judge(flat, answer, oracle.error, dtype).ok.reshape(-1)
                if not ok[r].all():
                    continue
            out.append(f"{c.name}={value}")
    return out
