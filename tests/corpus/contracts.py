"""Variants that compute the right numbers but break a calling contract.

- Three written as a user would: a softmax that writes its result into the caller's z, a
  batch norm that normalises x in place, a Q-update that edits the caller's Q and returns it.
  Together with a positional-encoding table cached and handed out itself.
- For every oracle, two wrappers of the NumPy reference (``kind="contract"``: only the
  calling contracts are run on them): one that negates the caller's first float array after
  computing (to evaluate f(-x) in place, never restored), one that memoises its result and
  returns the cached arrays themselves.
"""
from __future__ import annotations

import functools

import numpy as np

from mathoracle.properties.contracts import calling_contracts
from mathoracle.registry import bundled, oracles

from . import Variant

_ref = bundled("numpy").functions


def softmax_into_z(z, axis=-1):
    z -= np.max(z, axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=axis, keepdims=True)
    return z


def batch_norm_in_place(x, gamma, beta, eps=1e-5):
    x -= x.mean(axis=0)
    x /= np.sqrt(x.var(axis=0) + eps)
    return gamma * x + beta


def q_update_edits_q(Q, s, a, r, s_next, alpha, gamma, done=False):
    target = r if done else r + gamma * np.max(Q[s_next])
    Q[s, a] = (1 - alpha) * Q[s, a] + alpha * target
    return Q


_tables: dict = {}


def positional_encoding_cached(num_positions, d_model):
    key = (num_positions, d_model)
    if key not in _tables:
        _tables[key] = _ref["attention.positional_encoding"](num_positions, d_model)
    return _tables[key]


def _first_float(args):
    for a in args:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
            return a
        if isinstance(a, (list, tuple)):
            found = _first_float(a)
            if found is not None:
                return found
    return None


def negates_input(fn):
    @functools.wraps(fn)  # its signature: it takes the parameters fn takes
    def variant(*args, **kwargs):
        out = fn(*args, **kwargs)
        x = _first_float(args)
        if x is not None:
            np.negative(x, out=x)
        return out
    return variant


def _arrays(out):
    if isinstance(out, (tuple, list)):
        return type(out)(_arrays(x) for x in out)
    return np.asarray(out)


def _key(v):
    if isinstance(v, np.ndarray):
        return (v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (list, tuple)):
        return tuple(_key(x) for x in v)
    return repr(v)


def memoised(fn):
    cache: dict = {}

    @functools.wraps(fn)
    def variant(*args, **kwargs):
        key = (_key(args), _key(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = _arrays(fn(*args, **kwargs))
        return cache[key]
    return variant


BUGGY = [
    Variant("activation.softmax", "writes_into_z", softmax_into_z,
            "shifts, exponentiates and normalises the caller's z in place and returns it"),
    Variant("regularization.batch_norm", "normalises_x_in_place", batch_norm_in_place,
            "centres and scales the caller's x in place"),
    Variant("rl.q_learning_update", "edits_callers_q", q_update_edits_q,
            "writes Q(s, a) into the caller's table and returns that table"),
    Variant("attention.positional_encoding", "cached_table", positional_encoding_cached,
            "hands out its cached table itself: a caller's write changes every later call"),
]
for _oid, _oracle in oracles().items():
    if _oid not in _ref:
        continue
    _contracts = {p.name for p in calling_contracts(_oracle)}
    if "inputs_unchanged" in _contracts:
        BUGGY.append(Variant(_oid, "negates_input", negates_input(_ref[_oid]),
                             "negates the caller's first float array in place after computing",
                             kind="contract"))
    if "fresh_output" in _contracts:
        BUGGY.append(Variant(_oid, "returns_its_cache", memoised(_ref[_oid]),
                             "memoises its result and returns the cached arrays themselves",
                             kind="contract"))
CORRECT: list[Variant] = []
