"""The layers import one way (docs: CONTRIBUTING.md): api/ knows nothing of MCP, server/ never
imports the sandbox (the entry point hands it in, so the server cannot tell a stand-in from the real
API), and the sandbox never imports api/ or server/ (tests/sandbox/test_admin.py runs that one).
Read from the source, so an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "mcp_workflows"
RULES = {"api": ("mcp_workflows.server", "mcp_workflows.sandbox", "mcp"), "server": ("mcp_workflows.sandbox",)}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def forbidden(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


@pytest.mark.parametrize("layer", sorted(RULES))
def test_a_layer_never_imports_what_sits_above_or_beside_it(layer: str) -> None:
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(m for m in imports(path) if forbidden(m, RULES[layer]))
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    }
    assert {path: modules for path, modules in wrong.items() if modules} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from mcp_workflows.sandbox import running_sandbox\n")
    assert forbidden(next(iter(imports(module))), RULES["server"])
