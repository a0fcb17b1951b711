"""The ready-to-paste client configs and deployment files parse and name the real command and variables."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import mcp_workflows
from mcp_workflows.config import Settings

MANIFESTS = Path(__file__).parents[1] / "manifests"
REPO = MANIFESTS.parent


def documented_variables() -> set[str]:
    """Every environment variable the server reads: Settings fields under their public names."""
    names = {"MISTRAL_API_KEY", "MISTRAL_BASE_URL"}
    for name, field in Settings.model_fields.items():
        if field.validation_alias is None:
            names.add(f"MCP_WORKFLOWS_{name.upper()}")
    return names


def client_servers(path: str) -> dict[str, Any]:
    data = json.loads((MANIFESTS / path).read_text())
    servers: dict[str, Any] = data.get("mcpServers") or data["servers"]
    return servers


@pytest.mark.parametrize(
    "path", ["claude_desktop_config.json", "claude_desktop_config.sandbox.json", "vscode.mcp.json", "cursor.mcp.json"]
)
def test_client_configs_run_serve_with_known_variables(path: str) -> None:
    for server in client_servers(path).values():
        command = [server["command"], *server["args"]]
        assert "mcp-workflows" in command
        assert command[command.index("mcp-workflows") + 1] == "serve"
        env = server.get("env", {})
        assert set(env) <= documented_variables(), f"unknown variables in {path}: {set(env) - documented_variables()}"
        if "--sandbox" in command:
            assert "MISTRAL_API_KEY" not in env, "the sandbox needs no key"
        else:
            assert "MISTRAL_API_KEY" in env


def test_vscode_keeps_the_key_in_a_password_prompt() -> None:
    data = json.loads((MANIFESTS / "vscode.mcp.json").read_text())
    prompt = data["inputs"][0]
    assert prompt["password"] is True
    assert data["servers"]["mistral-workflows"]["env"]["MISTRAL_API_KEY"] == f"${{input:{prompt['id']}}}"


def test_registry_entry_matches_the_package() -> None:
    data = json.loads((MANIFESTS / "server.json").read_text())
    assert data["version"] == mcp_workflows.__version__
    package = data["packages"][0]
    assert package["identifier"] == "mcp-workflows"
    assert package["version"] == mcp_workflows.__version__
    assert package["packageArguments"][0]["value"] == "serve"
    variables = {v["name"]: v for v in package["environmentVariables"]}
    assert set(variables) <= documented_variables()
    assert variables["MISTRAL_API_KEY"]["isSecret"] is True


def test_bundle_manifest_marks_the_key_sensitive() -> None:
    data = json.loads((MANIFESTS / "mcpb" / "manifest.json").read_text())
    assert data["version"] == mcp_workflows.__version__
    assert data["user_config"]["mistral_api_key"]["sensitive"] is True
    assert set(data["server"]["mcp_config"]["env"]) <= documented_variables()


def test_container_and_kubernetes_files_agree() -> None:
    dockerfile = (MANIFESTS / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["mcp-workflows"]' in dockerfile
    assert "EXPOSE 8000" in dockerfile
    deployment = (MANIFESTS / "kubernetes" / "deployment.yaml").read_text()
    service = (MANIFESTS / "kubernetes" / "service.yaml").read_text()
    assert deployment.count("path: /health") == 2, "readiness and liveness probe the health endpoint"
    assert "containerPort: 8000" in deployment
    assert "targetPort: 8000" in service
    assert set(re.findall(r"name: (MISTRAL_\w+|MCP_WORKFLOWS_\w+)", deployment)) <= documented_variables()


def test_serve_without_key_exits_at_once_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MISTRAL_", "MCP_WORKFLOWS_"))}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_workflows", "serve"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == "", "stdout is the MCP transport: nothing may be printed there"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "MISTRAL_API_KEY" in lines[0]
    assert "--sandbox" in lines[0]


def test_unknown_toolset_is_a_start_up_error_listing_the_valid_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mcp_workflows", "serve", "--sandbox", "--toolsets", "workflows,nope"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert "'nope'" in done.stderr
    assert "executions" in done.stderr
