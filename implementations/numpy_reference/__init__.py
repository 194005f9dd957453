"""The NumPy reference: the numerically careful implementation a user should copy.

It is an implementation like any other (the oracles are the truth), and it must pass
every check with no known deviations.
"""
from ..base import collect

IMPLEMENTATION = collect('numpy', "mathoracle's numerically careful NumPy reference", __name__)
