"""The map stays true: no import cycles, and docs/ARCHITECTURE.md names every module.

Imports are read from the source (``ast``), inside functions too: a late
import (Ray, the SQL suite behind its package) is still an arrow of the map,
and moving an import into a function, or naming it in a string for
``importlib.import_module``, must not hide a cycle. Imports under
``if TYPE_CHECKING:`` are for the type checker only and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "signoff"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The signoff modules that ``name`` imports anywhere in it (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    typing_only = {id(node) for top in ast.walk(tree)
                   if isinstance(top, ast.If) and "TYPE_CHECKING" in ast.unparse(top.test)
                   for node in ast.walk(top)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module") and node.args:
            named = node.args[0]  # importlib.import_module("signoff.x"): an import by another name
            if isinstance(named, ast.Constant) and isinstance(named.value, str):
                found.add(named.value)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {each for each in found if each in known and each != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as a path that returns to its start, or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back() -> None:
    graph = _graph()
    # A package's __init__ re-exports its modules, which import each other through the
    # package name; only module-to-module edges can make a real cycle at import time.
    modules = {name: {t for t in targets if not _is_package_of(t, name)} for name, targets in graph.items()}
    assert _cycle(modules) is None


def _is_package_of(target: str, name: str) -> bool:
    package = PACKAGE.parent / target.replace(".", "/") / "__init__.py"
    return package.exists() and name.startswith(target + ".")


def test_packages_do_not_import_each_other_both_ways() -> None:
    """Between the sub-packages and top-level modules of signoff, imports go one way."""
    rooms: dict[str, set[str]] = {}
    for name, targets in _graph().items():
        room = _room(name)
        rooms.setdefault(room, set()).update(_room(t) for t in targets if _room(t) != room)
    assert _cycle(rooms) is None


def _room(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _mapped() -> dict[str, int]:
    """The layout tree of docs/ARCHITECTURE.md: each module's path under src/signoff and its line count."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    tree = text[text.index("```\nsrc/signoff/\n") + 4:]
    tree = tree[:tree.index("```")]
    mapped: dict[str, int] = {}
    folders: list[str] = []
    for line in tree.splitlines()[1:]:
        depth = (len(line) - len(line.lstrip())) // 2 - 1
        entry = line.split()
        folders = folders[:depth]
        if entry[0].endswith("/"):
            folders.append(entry[0].rstrip("/"))
        else:
            mapped["/".join([*folders, entry[0]])] = int(entry[1])
    return mapped


def test_the_map_shows_every_module_and_no_other() -> None:
    actual = {str(path.relative_to(PACKAGE)) for path in _modules().values()}
    mapped = set(_mapped())
    assert not actual - mapped, f"docs/ARCHITECTURE.md does not show {sorted(actual - mapped)}"
    assert not mapped - actual, f"docs/ARCHITECTURE.md shows modules that are gone: {sorted(mapped - actual)}"


def test_the_maps_line_counts_are_close_to_the_code() -> None:
    off = {}
    for relative, shown in _mapped().items():
        lines = len((PACKAGE / relative).read_text(encoding="utf-8").splitlines())
        if abs(lines - shown) > max(20, shown // 5):
            off[relative] = (shown, lines)
    assert not off, f"docs/ARCHITECTURE.md's line counts are stale (shown, now): {off}"


LONG = 400  # lines: a module longer than this says in its docstring why it is one module


@pytest.mark.parametrize("name", sorted(_modules()))
def test_a_long_module_says_why_it_is_one(name: str) -> None:
    path = _modules()[name]
    source = path.read_text(encoding="utf-8")
    if len(source.splitlines()) <= LONG:
        return
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert f"over {LONG} lines, on purpose" in docstring, f"{name} is over {LONG} lines and does not say why"
