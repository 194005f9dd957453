"""Oracles: the single source of truth for every formula, one module per seed section.

``SECTIONS`` names the sections in catalogue order; every layer (properties/,
implementations/*/, tests/corpus/) has a module of the same name for each section it covers.
"""
from __future__ import annotations

from importlib import import_module

SECTIONS = ("activations", "network", "losses", "regularization", "attention", "vae", "gan",
            "diffusion", "rl", "kernels", "svm", "pca", "tsne", "divergence")


def section_modules(package: str, attribute: str | None = None):
    """The modules ``package.<section>`` that exist, in SECTIONS order (those with
    ``attribute`` only, when given). A layer need not cover every section."""
    from importlib.util import find_spec
    out = []
    for section in SECTIONS:
        name = f"{package}.{section}"
        if find_spec(name) is None:
            continue
        module = import_module(name)
        if attribute is None or hasattr(module, attribute):
            out.append(module)
    return out


def builtin_oracles():
    """Every bundled oracle, in catalogue order (importing compiles nothing)."""
    out = []
    for module in section_modules(__name__, "ORACLES"):
        out.extend(module.ORACLES)
    return tuple(out)
