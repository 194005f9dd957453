"""Exact answers remembered across a process: an input evaluated once is evaluated once.

A report checks several implementations of one oracle in one process, with the same seed,
so they are drawn largely the same inputs; the laws of one check meet an input again too.
``remembered`` wraps an oracle method (``exact``, ``vjp``) so that a repeated input, bit for
bit (dtype, shape, bytes, and each scalar's repr), returns the answer already computed.
Answers are never mutated by their users; the cache holds at most ``LIMIT`` output elements
and forgets the least recently used first.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any, Mapping

import numpy as np

from .precision import digits

LIMIT = 400_000  # output elements kept (each an mpf value and an mpf sensitivity)

_answers: OrderedDict = OrderedDict()
_held = [0]
_stores: list[dict] = []  # finer caches (an elementwise oracle's elements), emptied by forget()


def fingerprint_of(v: Any) -> tuple:
    """A hashable key that tells two values apart bit for bit (-0.0 from 0.0, float32 from float64)."""
    if isinstance(v, np.ndarray):
        return (v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (list, tuple)):
        return ("seq",) + tuple(fingerprint_of(x) for x in v)
    return (type(v).__name__, repr(v))


def fingerprint(inputs: Mapping[str, Any]) -> tuple:
    return tuple((k, fingerprint_of(v)) for k, v in sorted(inputs.items()))


def _size(answer: Any) -> int:
    if isinstance(answer, Mapping):
        return sum(_size(v) for v in answer.values())
    return int(getattr(getattr(answer, "value", None), "size", 1)) + 1


def remembered(method):
    """``method(self, inputs, *more)`` answered from the process's cache when the same oracle
    object was asked the same thing before."""
    @functools.wraps(method)
    def wrapper(self, inputs, *more):
        key = (method.__qualname__, id(self), digits(), fingerprint(inputs),
               *(fingerprint_of(m) for m in more))
        hit = _answers.get(key)
        if hit is not None:
            _answers.move_to_end(key)
            return hit[1]
        answer = method(self, inputs, *more)
        size = _size(answer)
        if size > LIMIT // 8:  # a sweep's chunk: too large to keep, unlikely to recur
            return answer
        _answers[key] = (self, answer, size)  # holding self keeps id(self) from being reused
        _held[0] += size
        while _held[0] > LIMIT and len(_answers) > 1:
            _, (_, _, old) = _answers.popitem(last=False)
            _held[0] -= old
        return answer
    wrapper.remembered = True
    return wrapper


def store() -> dict:
    """A cache of finer answers that ``forget`` empties too."""
    _stores.append({})
    return _stores[-1]


def forget() -> None:
    """Empty every cache (benchmarks that time an evaluation)."""
    _answers.clear()
    _held[0] = 0
    for kept in _stores:
        kept.clear()
