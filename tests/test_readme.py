"""README.md starts with the two commands that work on a fresh machine, and CI runs the second."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mcp_workflows.config import Settings

REPO = Path(__file__).parents[1]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)\n```", (REPO / "README.md").read_text(), flags=re.DOTALL)
    return [block.strip() for block in blocks[:2]]


def test_readme_opens_with_run_and_test_commands() -> None:
    run, test = readme_commands()
    assert "serve --sandbox" in run
    assert "pytest" in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    match = re.search(r"^TEST_CMD='(.*)'$", ci, flags=re.MULTILINE)
    assert match, "CI keeps the test command in TEST_CMD"
    assert match.group(1) == readme_commands()[1]
    assert 'bash -c "$TEST_CMD"' in ci


def readme_stdio_entry() -> tuple[str, list[str]]:
    """The command and arguments of the README's stdio entry for MCP clients."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("the usual stdio entry is:", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    entry = json.loads(block)["mcpServers"]["mistral-workflows"]
    return str(entry["command"]), [str(arg) for arg in entry["args"]]


def test_readme_stdio_entry_names_the_installed_command_by_its_path() -> None:
    from mcp_workflows import cli

    command, args = readme_stdio_entry()
    assert command.startswith("/"), "clients do not search the user's PATH or venv: an absolute path"
    assert command.endswith("/.venv/bin/mcp-workflows"), "the command the README's first command installs"
    assert cli._parser().parse_args(args).run is cli._serve
    run_command = readme_commands()[0]
    assert ".venv/bin/pip install" in run_command
    assert ".venv/bin/mcp-workflows" in run_command


def test_readme_documents_the_oauth_settings_and_scopes() -> None:
    from mcp_workflows.server.guard.caller import ALL_SCOPES

    readme = (REPO / "README.md").read_text()
    for variable, flag in [
        ("MCP_WORKFLOWS_OAUTH_ISSUER", "--oauth-issuer"),
        ("MCP_WORKFLOWS_OAUTH_RESOURCE", "--oauth-resource"),
        ("MCP_WORKFLOWS_OAUTH_AUDIENCE", "--oauth-audience"),
        ("MCP_WORKFLOWS_OAUTH_JWKS_URL", "--oauth-jwks-url"),
    ]:
        assert f"| `{variable}` | `{flag}` |" in readme, f"{variable} is not in the configuration table"
    for scope in ALL_SCOPES:
        assert f"`{scope}`" in readme


def test_every_setting_is_in_the_configuration_table() -> None:
    table = (REPO / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.MULTILINE))
    aliases = {"api_key": "MISTRAL_API_KEY", "base_url": "MISTRAL_BASE_URL", "sandbox": None}
    expected = {aliases.get(name, f"MCP_WORKFLOWS_{name.upper()}") for name in Settings.model_fields} - {None}
    assert expected <= documented, sorted(expected - documented)
