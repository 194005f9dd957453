"""The import structure: no module imports itself back through others; the layers go one way
(the core imports no other layer, the content packages import the core and each other, the
engine imports anything); and a module loads the project modules it uses when it loads, not
inside a function, except where loading them at once would cost every user something
(listed in LAZY, with the reason)."""
from tests.import_graph import read

# module -> why its project imports wait until a function runs
LAZY = {
    "mathoracle": "`import mathoracle` stays light: the pytest plugin is a submodule, loaded by "
                  "every pytest run on a machine where mathoracle is installed",
    "mathoracle.pytest_plugin": "loaded by every pytest run; it imports the engine only when "
                                "--mathoracle-impl is given",
    "mathoracle.results": "the result model is imported by `import mathoracle`; formatting a "
                          "failure for raise_for_status needs the text layer and its SymPy",
}


def test_there_is_no_import_circle():
    g = read()
    assert len(g.files) > 100  # the content packages were found
    assert g.cycles() == []


def test_project_modules_are_imported_at_load_time():
    g = read()
    late = {m: sites for m, sites in g.deferred.items() if sites and m not in LAZY}
    assert not late, "imports inside functions (move them to the top, or say why in LAZY): " + "; ".join(
        f"{m}:{line} {t}" for m, sites in late.items() for line, t in sites)


def test_the_graph_sees_a_circle_and_a_late_import(tmp_path, monkeypatch):
    import tests.import_graph as ig
    for name, body in {"a.py": "from mathoracle.b import x\n", "b.py": "from mathoracle import a\nx = 1\n",
                       "c.py": "def f():\n    from mathoracle.a import y\n"}.items():
        (tmp_path / "mathoracle").mkdir(exist_ok=True)
        (tmp_path / "mathoracle" / name).write_text(body)
    (tmp_path / "mathoracle" / "__init__.py").write_text("")
    monkeypatch.setattr(ig, "ROOT", tmp_path)
    monkeypatch.setattr(ig, "PACKAGES", {"mathoracle": "mathoracle"})
    g = ig.read()
    assert g.cycles() == [["mathoracle.a", "mathoracle.b"]]
    assert g.deferred["mathoracle.c"] == [(2, "mathoracle.a")]


CONTENT = ("mathoracle.oracles", "mathoracle.properties", "mathoracle.implementations")


def _layer(module: str) -> str:
    if module == "mathoracle.core" or module.startswith("mathoracle.core."):
        return "core"
    if any(module == c or module.startswith(c + ".") for c in CONTENT):
        return "content"
    return "engine"


def test_the_core_imports_no_layer_and_content_imports_no_engine():
    g = read()
    assert any(_layer(m) == "core" for m in g.files) and any(_layer(m) == "content" for m in g.files)
    crossing = [f"{m} -> {t}" for m in sorted(g.loads)
                for t in sorted({*g.loads[m], *(t for _, t in g.deferred[m])})
                if (_layer(m), _layer(t)) in {("core", "content"), ("core", "engine"), ("content", "engine")}]
    assert not crossing, "imports across the layers (core ← content ← engine): " + "; ".join(crossing)
