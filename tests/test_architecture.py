"""The layering rules of DESIGN.md, checked on every run."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPIFF_WRAPPER = ROOT / "engine" / "spiff"  # the package: its modules may import SpiffWorkflow


def test_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is part of the test extra"
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_wrapper_imports_spiffworkflow():
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("api", "bpmn", "engine", "models", "standards", "migrations")
        for path in (ROOT / package).rglob("*.py")
        if SPIFF_WRAPPER not in path.parents
        and any(name.split(".")[0] == "SpiffWorkflow" for name in _imports(path))
    ]
    assert offenders == []
