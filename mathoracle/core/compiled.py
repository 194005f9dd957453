"""SymPy expressions compiled to mpmath once, and kept on disk between runs.

``lambdify(args, exprs, cse=..., key=...)`` is ``sympy.lambdify(args, exprs,
modules="mpmath", cse=...)``, with common subexpressions shared across nested lists too
(SymPy's own ``cse=True`` leaves a list of lists as it is: a softmax of 5 and its Jacobian
called exp 320 times, not 5). Sharing may compute a part of a Piecewise branch ahead of its
guard (p/q where q > 0); where that raises, the same formula with each such Piecewise
computed whole answers instead (``_either``). The Python source SymPy generates is written
to the cache directory, under a hash of everything that determines it:

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
    if callable(exprs) and key is None:
        raise TypeError("lambdify: exprs is a function, so key must name what it builds them from")
    folder = cache_dir()
    path = None if folder is None else folder / f"{_digest(args, exprs if key is None else key, cse)}.py"
    fn = None if path is None else _load(path)
    if fn is None:
        fns = _compile(args, exprs() if callable(exprs) else exprs, cse)
        fn = _either(*fns)
        if path is not None:
            _store(path, fns)
    return fn


def cache_dir() -> Path | None:
    """Where compiled sources are kept, or None when ``MATHORACLE_CACHE=off``."""
    where = os.environ.get("MATHORACLE_CACHE", "")
    if where.lower() == "off":
        return None
    if not where:
        where = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mathoracle"
    return Path(where) / "compiled"


def _compile(args, exprs, cse: bool) -> list[Callable]:
    """[the function], or with CSE [the function with every subexpression shared, the same
    with nothing hoisted out of a guarded branch] where the two differ (see ``_either``)."""
    if not cse:
        return [sp.lambdify(args, exprs, modules="mpmath")]
    fast = sp.lambdify(args, exprs, modules="mpmath", cse=lambda e: _shared(e, guard=False))
    if all(_total(pw) for e in _flat(exprs) for pw in e.atoms(sp.Piecewise)):
        return [fast]
    return [fast, sp.lambdify(args, exprs, modules="mpmath", cse=lambda e: _shared(e, guard=True))]


def _either(fast: Callable, safe: Callable | None = None) -> Callable:
    """fast, or where it raises, safe. A subexpression computed ahead of a Piecewise's guard
    (p/q where q > 0) has the value it would have in its branch and is used only there; so
    fast and safe agree wherever fast returns, and only fast can raise where safe does not."""
    if safe is None:
        return fast

    def either(*args):
        try:
            return fast(*args)
        except (ZeroDivisionError, ValueError, OverflowError):
            return safe(*args)
    return either


def _shared(exprs, guard: bool):
    """(replacements, exprs rewritten with them), for exprs nested in lists at any depth.
    With ``guard``, each Piecewise with an operation that can fail becomes one name,
    computed whole (equal ones once), so that nothing is hoisted out of its branches; one
    of sums, products and total functions only (leaky ReLU) is shared in as any term."""
    flat = _flat(exprs)
    guarded: dict = {}

    def opaque(e):
        if isinstance(e, sp.Piecewise) and not _total(e):
            if e not in guarded:
                guarded[e] = sp.Symbol(f"_piecewise{len(guarded)}")
            return guarded[e]
        if not e.args or not e.has(sp.Piecewise):
            return e
        return e.func(*map(opaque, e.args))
    if guard:
        flat = [opaque(e) for e in flat]
    replacements, reduced = sp.cse(flat, symbols=sp.numbered_symbols("_x"))
    replacements = [(name, pw) for pw, name in guarded.items()] + replacements
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


def _flat(exprs) -> list:
    """The expressions of a nest of lists and tuples, in order."""
    if isinstance(exprs, (list, tuple)):
        return [e for item in exprs for e in _flat(item)]
    return [sp.sympify(exprs)]


_TOTAL = (sp.Add, sp.Mul, sp.Piecewise, sp.functions.elementary.piecewise.ExprCondPair,
          sp.core.relational.Relational, sp.logic.boolalg.Boolean, sp.exp, sp.Abs, sp.Max,
          sp.Min, sp.sign, sp.Heaviside, sp.tanh, sp.sinh, sp.cosh, sp.sin, sp.cos, sp.erf)


def _total(e) -> bool:
    """e uses only operations defined everywhere: +, ×, non-negative integer powers and
    functions of the whole real line, so computing a part of it ahead of its guard is safe."""
    for node in sp.preorder_traversal(e):
        if node.is_Atom or isinstance(node, _TOTAL):
            continue
        if node.is_Pow and node.exp.is_Integer and node.exp >= 0:
            continue
        return False
    return True


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


def _store(path: Path, fns: list[Callable]) -> None:
    """Write the functions' sources to path (with ``_either``'s choice between them, as
    ``_EITHER``), if every global they read is one of ``_namespace``'s."""
    namespace = _namespace()
    sources = []
    for fn, name in zip(fns, ("_fast", "_safe")):
        for used in _names(fn.__code__):
            if used in fn.__globals__ and namespace.get(used) != fn.__globals__[used]:
                return
        source = "".join(linecache.getlines(fn.__code__.co_filename))
        if not source.startswith(f"def {_FUNCTION}("):
            return
        sources.append(source if len(fns) == 1 else source.replace(_FUNCTION, name, 1))
    text = "\n".join(sources) + ("" if len(fns) == 1 else _EITHER)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as out:
            out.write(text)
        os.replace(out.name, path)
    except OSError:
        return  # an unwritable cache only costs the next run the compilation


_EITHER = f"""
def {_FUNCTION}(*args):
    try:
        return _fast(*args)
    except (ZeroDivisionError, ValueError, OverflowError):
        return _safe(*args)
"""


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
