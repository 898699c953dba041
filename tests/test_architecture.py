"""What import-linter cannot see: no module of the product imports another module's private name.

(The stack of apps, core importing no app and the engine apart from the use-cases are
import-linter contracts in pyproject.toml, run by `make test`.)
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "lending", "applications", "collateral", "loans", "prudential", "shell", "mfo")


def _private_imports(source: str, path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.module.split(".")[0] not in (*PACKAGES, "bench"):
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                found.append(f"{path}:{node.lineno}: from {node.module} import {alias.name}")
    return found


def test_the_check_sees_a_private_import():
    assert _private_imports("from loans.demo import _iin\n", Path("x.py")) == [
        "x.py:1: from loans.demo import _iin"
    ]
    assert _private_imports("from loans.demo import iin\nfrom os import _exit\n", Path("x")) == []


def test_no_module_imports_another_modules_private_name():
    found = []
    for package in (*PACKAGES, "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found += _private_imports(path.read_text(), path.relative_to(ROOT))
    assert found == []
