"""The working precision of exact evaluation: ``DIGITS`` to begin with, raised by
``verify`` while it checks a value, and read by every oracle through ``digits()``."""
from __future__ import annotations

import contextlib
import contextvars

DIGITS = 60  # the first precision of every exact evaluation, in significant digits

_working = contextvars.ContextVar("mathoracle_digits", default=DIGITS)


def digits() -> int:
    """The precision the exact evaluation under way works at (``mpmath.workdps(digits())``)."""
    return _working.get()


@contextlib.contextmanager
def working(d: int):
    """Within it, ``digits()`` is ``d``."""
    token = _working.set(int(d))
    try:
        yield
    finally:
        _working.reset(token)
