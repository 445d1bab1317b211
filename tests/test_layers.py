"""The dependency rule, read from the code's own imports.

config/providers <- store <- rag <- study <- cli/ui. `ingest/` may use config, providers and store;
only the CLI and the UI import `ingest/` or `evals/`; `evals/` never imports the CLI or the UI. No
import cycles anywhere, and an import inside a function needs a comment that says why it is lazy.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "ingest", "evals")
LAYERS = {"app.config": 0, "app.embeddings": 0, "app.providers": 0, "app.store": 1, "app.rag": 2, "app.study": 3,
          "app.cli": 4, "app.ui": 4}


def module_name(path: Path, root: Path) -> str:
    """Dotted module name of a file under root."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path: Path, root: Path) -> list[tuple[str, int, bool]]:
    """(imported project module, line, inside a function) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            found.append((name, node.lineno, False))
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    lines = {n.lineno for n in ast.walk(tree) if id(n) in nested}
    return [(name, line, line in lines) for name, line, _ in found]


def layer_of(module: str) -> int | None:
    """The layer of an app module (None outside app/)."""
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def rule_breaks(importer: str, imported: str) -> str | None:
    """Why importing `imported` from `importer` breaks the layering, or None."""
    top = imported.split(".")[0]
    if top not in PACKAGES:
        return None
    front = importer.startswith(("app.cli", "app.ui"))
    if top in ("ingest", "evals") and importer.startswith("app.") and not front:
        return f"{importer} imports {imported}: only the CLI and UI may import ingest/ or evals/"
    if importer.startswith("ingest") and top == "app" and (layer_of(imported) or 0) > 1:
        return f"{importer} imports {imported}: ingest/ may use only config, providers and store"
    if importer.startswith(("ingest", "evals")) and imported.startswith(("app.cli", "app.ui")):
        return f"{importer} imports {imported}: nothing imports the CLI or UI"
    if importer.startswith("ingest") and top == "evals":
        return f"{importer} imports {imported}: ingest/ never imports evals/"
    mine, theirs = layer_of(importer), layer_of(imported)
    if mine is not None and theirs is not None and theirs > mine:
        return f"{importer} imports {imported}: a lower layer imports a higher one"
    return None


def lazy_without_reason(path: Path, line: int) -> bool:
    """An import inside a function with no '# lazy' comment on its line or above its import block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if "# lazy" in lines[line - 1]:
        return False
    above = line - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        above -= 1
    return above < 0 or not lines[above].strip().startswith("# lazy")


def check_tree(root: Path) -> list[str]:
    """Every breach of the rules in a source tree, one line each."""
    problems, graph = [], {}
    files = [p for pkg in PACKAGES if (root / pkg).exists() for p in (root / pkg).rglob("*.py")]
    modules = {module_name(p, root) for p in files}
    for path in files:
        importer = module_name(path, root)
        for imported, line, nested in project_imports(path, root):
            if imported.split(".")[0] not in PACKAGES:
                continue
            if why := rule_breaks(importer, imported):
                problems.append(f"{path.relative_to(root)}:{line}: {why}")
            if nested and lazy_without_reason(path, line):
                problems.append(f"{path.relative_to(root)}:{line}: import inside a function without "
                                "a '# lazy: why' comment")
            target = imported if imported in modules else imported.rsplit(".", 1)[0]
            graph.setdefault(importer, set()).add(target)
    return problems + [f"import cycle: {' -> '.join(c)}" for c in cycles(graph)]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between project modules (each reported once, from its first module)."""
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            found.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            if nxt != node:
                visit(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return found


def test_the_product_keeps_its_layers():
    assert check_tree(ROOT) == []


def write(root: Path, relative: str, text: str) -> None:
    """Write a small module into a fake tree."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_checker_finds_each_kind_of_breach(tmp_path):
    write(tmp_path, "app/store/__init__.py", "from app.rag.chain import Tutor\n")
    write(tmp_path, "app/rag/chain.py", "from app.store import Store\n")
    write(tmp_path, "app/rag/exam.py", "import evals.metrics\n")
    write(tmp_path, "ingest/index.py", "def f():\n    from app.store import Store\n")
    write(tmp_path, "evals/run.py", "from app.cli import app\n")
    problems = "\n".join(check_tree(tmp_path))
    assert "app/store/__init__.py:1: app.store imports app.rag.chain: a lower layer" in problems
    assert "app.rag.exam imports evals.metrics: only the CLI and UI" in problems
    assert "ingest/index.py:2: import inside a function without" in problems
    assert "evals.run imports app.cli: nothing imports the CLI or UI" in problems
    assert "import cycle: app.rag.chain -> app.store -> app.rag.chain" in problems
