"""The package edges the architecture promises, read from the source (imports are parsed, not run).

- No import cycle among the project's own modules, counting imports inside functions too.
- Every module under functions/ is imported, directly or through others, by a handler template.yaml
  names: functions/ is what each Lambda zip holds, so local-only code belongs under src/.
- The local code (src/, viz/) imports by name only packages pyproject.toml installs: none of it works
  only because the local engine put functions/ on sys.path to load the handlers.
- Each layer defines its exceptions in one module, `<package>.errors`.
"""

from __future__ import annotations

import ast
import builtins
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Where each top-level package of the project lives (pyproject.toml's package-dir, functions/ for the rest).
PACKAGE_ROOTS = {"energy_pipeline": ROOT / "src", "viz": ROOT}
FUNCTIONS = ROOT / "functions"


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    roots = [*((path.parent, path.name) for path in FUNCTIONS.iterdir() if (path / "__init__.py").is_file()),
             *((root, name) for name, root in PACKAGE_ROOTS.items())]  # fmt: skip
    for root, package in roots:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def imports_of(name: str) -> set[str]:
    """The project modules `name` imports anywhere in its body (a package's own submodules included)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            named.update(submodules & MODULES.keys())
            if not submodules <= MODULES.keys():
                named.add(base)  # names defined in the module itself
    found = set()
    for dotted in named:
        # "a.b.c" that is no module of ours may still be an attribute of module "a.b".
        module = dotted
        while module and module not in MODULES:
            module = module.rpartition(".")[0]
        if module and module != name:
            found.add(module)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path, on_path = [start], {start}
        stack = [(start, sorted(graph[start]))]
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            following = todo.pop()
            if following in on_path:
                return [*path[path.index(following):], following]
            if following not in done:
                stack.append((following, sorted(graph[following])))
                path.append(following)
                on_path.add(following)
    return None


def test_given_the_project_modules_when_their_imports_are_followed_then_none_leads_back():
    graph = {name: imports_of(name) for name in MODULES}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_given_a_cycle_when_it_is_searched_then_it_is_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_given_the_handlers_in_the_template_when_their_imports_are_followed_then_every_function_module_ships():
    handlers = re.findall(r"^\s+Handler:\s+([\w.]+)\.\w+\s*$", (ROOT / "template.yaml").read_text(), re.M)
    assert len(handlers) == 6, handlers
    reached: set[str] = set()
    todo = list(handlers)
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        todo.extend(imports_of(name))
        todo.extend(name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1))  # packages run too
    shipped = {name for name, path in MODULES.items() if path.is_relative_to(FUNCTIONS)}
    assert shipped - reached == set(), "only local tools import these: move them under src/"


def test_given_the_local_code_when_its_imports_are_read_then_each_project_package_is_one_pyproject_installs():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    installed = {pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]}
    assert installed <= setuptools["package-dir"].keys() | {"energy_pipeline"}
    local = [name for name, path in MODULES.items() if not path.is_relative_to(FUNCTIONS)]
    imported = {(name, used.partition(".")[0]) for name in local for used in imports_of(name)}
    assert {(name, package) for name, package in imported if package not in installed} == set()


def exception_classes(package: str) -> dict[str, str]:
    """Exception classes defined in a package, each with the module that defines it."""
    bases = {
        (name, node.name): {base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                            for base in node.bases}
        for name, path in MODULES.items() if name == package or name.startswith(package + ".")
        for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)
    }  # fmt: skip
    known = {name for name, value in vars(builtins).items()
             if isinstance(value, type) and issubclass(value, BaseException)}  # fmt: skip
    found: dict[str, str] = {}
    while True:
        more = {cls: module for (module, cls), named in bases.items() if named & known and cls not in found}
        if not more:
            return found
        found |= more
        known |= more.keys()


def test_given_each_layer_when_its_exceptions_are_listed_then_they_live_in_its_errors_module():
    for package in ("energy_core", "energy_aws", "query_api", "energy_pipeline"):
        classes = exception_classes(package)
        assert classes, package
        elsewhere = {cls: module for cls, module in classes.items() if module != f"{package}.errors"}
        assert elsewhere == {}, f"{package}: exceptions belong in {package}/errors.py"
