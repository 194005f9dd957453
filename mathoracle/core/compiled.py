"""SymPy expressions compiled to mpmath once, and kept on disk between runs.

``lambdify(args, exprs, cse=..., key=...)`` is ``sympy.lambdify(args, exprs,
modules="mpmath", cse=...)``, with common subexpressions shared across nested lists too
(SymPy's own ``cse=True`` leaves a list of lists as it is: a softmax of 5 and its Jacobian
called exp 320 times, not 5), and never across a Piecewise (it would hoist a guarded p/q
out of its branch and divide by zero). The Python source SymPy generates is written to the
cache directory, under a hash of everything that determines it:

- the arguments and ``key`` (the SymPy objects the expressions are derived from; by
  default the expressions themselves), written with ``srepr``, assumptions included;
- ``cse``, and the versions of Python, SymPy and mpmath;
- the source of the core and of the oracles (every ``.py`` file of both), so that any
  edit to how expressions are derived starts a fresh entry.

``exprs`` may be a function that builds the expressions (derivatives, which cost as much as
compiling them): on a hit it is not called. A hit runs the stored source in the namespace
SymPy gives every mpmath function; a source that needs anything else is never stored.

The directory is ``$MATHORACLE_CACHE`` or ``~/.cache/mathoracle`` (``$XDG_CACHE_HOME``), in
``compiled/``; ``MATHORACLE_CACHE=off`` keeps nothing. Entries are written atomically, so
parallel workers may share it, and it may be deleted at any time.
"""
from __future__ import annotations

import hashlib
import importlib.util
import linecache
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

import mpmath
import sympy as sp

FORMAT = 1  # bump when what is stored changes
_FUNCTION = "_lambdifygenerated"


def lambdify(args, exprs, *, cse: bool = False, key=None) -> Callable:
    """sympy.lambdify(args, exprs, modules="mpmath", cse=cse), cached on disk (see above)."""
    folder = cache_dir()
    if folder is None:
        return _compile(args, exprs, cse)
    digest = _digest(args, exprs if key is None else key, cse)
    path = folder / f"{digest}.py"
    fn = _load(path)
    if fn is None:
        fn = _compile(args, exprs, cse)
        _store(path, fn)
    return fn


def cache_dir() -> Path | None:
    """Where compiled sources are kept, or None when ``MATHORACLE_CACHE=off``."""
    where = os.environ.get("MATHORACLE_CACHE", "")
    if where.lower() == "off":
        return None
    if not where:
        where = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mathoracle"
    return Path(where) / "compiled"


def _compile(args, exprs, cse: bool) -> Callable:
    return sp.lambdify(args, exprs() if callable(exprs) else exprs, modules="mpmath",
                       cse=_shared if cse else False)


def _shared(exprs):
    """(replacements, exprs rewritten with them), for exprs nested in lists at any depth."""
    flat: list = []

    def flatten(e):
        if isinstance(e, (list, tuple)):
            for item in e:
                flatten(item)
        else:
            flat.append(sp.sympify(e))
    flatten(exprs)
    if any(e.has(sp.Piecewise) for e in flat):
        return (), exprs
    replacements, reduced = sp.cse(flat)
    items = iter(reduced)

    def rebuild(e):
        if isinstance(e, (list, tuple)):
            return type(e)(rebuild(item) for item in e)
        return next(items)
    return replacements, rebuild(exprs)


def _digest(args, key, cse: bool) -> str:
    h = hashlib.sha256()
    for part in (FORMAT, sys.version_info[:2], sp.__version__, mpmath.__version__,
                 _source_digest(), cse, sp.srepr(_plain(args)), sp.srepr(_plain(key))):
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def _plain(obj):
    """Lists and tuples (NumPy object arrays included) as nested lists, for srepr."""
    if hasattr(obj, "tolist") and getattr(obj, "dtype", None) == object:
        return obj.tolist()
    if isinstance(obj, (list, tuple)):
        return [_plain(o) for o in obj]
    return obj


@lru_cache(maxsize=1)
def _source_digest() -> str:
    """A hash of every .py file of the core and of the oracles (located, not imported)."""
    roots = {Path(__file__).resolve().parent}
    spec = importlib.util.find_spec("mathoracle.oracles")
    if spec is not None:
        roots.update(Path(p).resolve() for p in spec.submodule_search_locations or [])
    h = hashlib.sha256()
    for root in sorted(roots):
        for f in sorted(root.rglob("*.py")):
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _namespace() -> dict:
    """The globals SymPy gives a function it compiles to mpmath (all of mpmath's names)."""
    return dict(sp.lambdify((), 0, modules="mpmath").__globals__)


def _names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names(const)
    return names


def _store(path: Path, fn: Callable) -> None:
    """Write fn's source to path, if every global it reads is one of ``_namespace``'s."""
    namespace = _namespace()
    for name in _names(fn.__code__):
        if name in fn.__globals__ and namespace.get(name) != fn.__globals__[name]:
            return
    source = "".join(linecache.getlines(fn.__code__.co_filename))
    if not source:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as out:
            out.write(source)
        os.replace(out.name, path)
    except OSError:
        return  # an unwritable cache only costs the next run the compilation


def _load(path: Path) -> Callable | None:
    try:
        source = path.read_text()
    except OSError:
        return None
    filename = f"<mathoracle-compiled {path.stem[:12]}>"
    try:
        code = compile(source, filename, "exec")
    except SyntaxError:
        return None
    namespace = dict(_namespace())
    exec(code, namespace)
    fn = namespace.get(_FUNCTION)
    if not callable(fn):
        return None
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return fn
