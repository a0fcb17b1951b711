"""The distribution files in manifests/ parse, run a command the real CLI accepts, name only the
variables the server reads, and agree with the package version and with each other.

The Kubernetes files are read with a small block-style YAML reader (PyYAML is not a dependency);
it refuses anything outside the subset it knows, so a manifest it cannot read fails loudly.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import inspect
import json
import os
import re
import runpy
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import AliasChoices

import mcp_workflows
from mcp_workflows import cli
from mcp_workflows.config import DEFAULT_BASE_URL, Settings
from mcp_workflows.server.http_app import exposure_problem
from tests.e2e.harness import serve_at_start_up

REPO = Path(__file__).resolve().parents[1]
MANIFESTS = REPO / "manifests"
KUBERNETES = MANIFESTS / "kubernetes"
PROGRAM = "mcp-workflows"
VERSION = mcp_workflows.__version__

CLIENT_CONFIGS = [
    "claude_desktop_config.json",
    "claude_desktop_config.sandbox.json",
    "vscode.mcp.json",
    "cursor.mcp.json",
]
SANDBOX_CONFIGS = {"claude_desktop_config.sandbox.json"}
ENV_NAME = re.compile(r"\b(?:MISTRAL|MCP_WORKFLOWS)_[A-Z0-9_]+\b")
# A value standing for a secret: a <placeholder> or a client-side reference such as ${input:id}.
NOT_A_SECRET = re.compile(r"<[^<>]+>|\$\{[^{}]+\}")


# --- what the server reads -----------------------------------------------------------------------


def documented_variables() -> frozenset[str]:
    """Every environment variable the server reads: the Settings fields under their public names."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(c for c in alias.choices if isinstance(c, str) and c.isupper())
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}".upper())
    # Read by the CLI itself, before any Settings object exists.
    if "MCP_WORKFLOWS_LOG_LEVEL" in inspect.getsource(cli._configure_logging):
        names.add("MCP_WORKFLOWS_LOG_LEVEL")
    return frozenset(names)


DOCUMENTED = documented_variables()


def settings_field(variable: str) -> Any:
    """The Settings field behind an environment variable, or None (e.g. the log level)."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if (isinstance(alias, AliasChoices) and variable in alias.choices) or f"{prefix}{name}".upper() == variable:
            return field
    return None


def env_text(value: object) -> str:
    """How a default reads in an environment variable."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_the_public_names_are_derived_from_the_code() -> None:
    assert {"MISTRAL_API_KEY", "MISTRAL_BASE_URL", "MCP_WORKFLOWS_CONFIRMATION_SECRET"} <= DOCUMENTED
    assert "MCP_WORKFLOWS_LOG_LEVEL" in DOCUMENTED
    assert all(name.startswith(("MISTRAL_", "MCP_WORKFLOWS_")) for name in DOCUMENTED)


# --- helpers -------------------------------------------------------------------------------------


def load_json(relative: str) -> Any:
    return json.loads((MANIFESTS / relative).read_text(encoding="utf-8"))


def parse_cli(args: list[str]) -> argparse.Namespace:
    """What the real `mcp-workflows` parser makes of these arguments (argparse exits on bad ones)."""
    try:
        return cli._parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"mcp-workflows rejects the arguments {args}")


def serve_args(args: list[str]) -> argparse.Namespace:
    namespace = parse_cli(args)
    assert args[0] == "serve"
    assert namespace.run is cli._serve
    return namespace


# Clients start servers without the user's PATH or an activated venv: they run the venv's
# `mcp-workflows` by its absolute path, a placeholder where the client has no variable for it.
VENV_COMMAND = re.compile(r"(?P<root><[^<>]+>|\$\{workspaceFolder\})/\.venv/bin/mcp-workflows")
WORKSPACE_CLIENTS = {"vscode.mcp.json", "cursor.mcp.json"}  # they expand ${workspaceFolder}


def client_program_args(relative: str, command: str, args: list[str]) -> list[str]:
    """The arguments mcp-workflows itself receives from a client configuration."""
    match = VENV_COMMAND.fullmatch(command)
    assert match, f"{relative}: run the venv's {PROGRAM} by its absolute path, not {command!r}"
    if match["root"].startswith("${"):
        assert relative in WORKSPACE_CLIENTS, f"{relative}: this client expands no ${{workspaceFolder}}"
    return list(args)


def client_servers(relative: str) -> dict[str, Any]:
    data = load_json(relative)
    servers: dict[str, Any] = data["servers"] if "vscode" in relative else data["mcpServers"]
    assert servers, f"{relative} defines no server"
    return servers


# --- every file ----------------------------------------------------------------------------------


def manifest_files() -> list[Path]:
    return sorted(p for p in MANIFESTS.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", sorted(MANIFESTS.rglob("*.json")), ids=lambda p: str(p.relative_to(MANIFESTS)))
def test_json_manifest_parses(path: Path) -> None:
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: str(p.relative_to(MANIFESTS)))
def test_every_variable_mentioned_is_one_the_server_reads(path: Path) -> None:
    mentioned = set(ENV_NAME.findall(path.read_text(encoding="utf-8")))
    assert mentioned <= DOCUMENTED, f"{path.name} names unknown variables {sorted(mentioned - DOCUMENTED)}"


def test_every_pinned_version_is_the_package_version() -> None:
    pins = {
        (path.name, pin)
        for path in manifest_files()
        for pin in re.findall(rf"{PROGRAM}(?:==|:)(\d[\w.+-]*)", path.read_text(encoding="utf-8"))
    }
    assert pins, "the image tag and the uvx pin name the version"
    assert {pin for _, pin in pins} == {VERSION}, f"versions other than {VERSION}: {sorted(pins)}"


def test_manifest_readme_describes_every_file() -> None:
    readme = (MANIFESTS / "README.md").read_text(encoding="utf-8")
    for path in manifest_files():
        relative = path.relative_to(MANIFESTS)
        if relative.name == "README.md":
            continue
        shown = f"`{relative.parts[0]}/`" if len(relative.parts) > 1 else f"`{relative}`"
        assert shown in readme or f"`{relative}`" in readme, f"manifests/README.md does not mention {relative}"


# --- MCP client configurations -------------------------------------------------------------------


@pytest.mark.parametrize("relative", CLIENT_CONFIGS)
def test_client_config_runs_serve_with_known_variables(relative: str) -> None:
    for server in client_servers(relative).values():
        namespace = serve_args(client_program_args(relative, server["command"], server["args"]))
        assert namespace.transport == "stdio"
        env: dict[str, str] = server.get("env", {})
        assert set(env) <= DOCUMENTED, f"unknown variables in {relative}: {set(env) - DOCUMENTED}"
        if relative in SANDBOX_CONFIGS:
            assert namespace.sandbox, "the sandbox variant runs `serve --sandbox`"
            assert "MISTRAL_API_KEY" not in env, "the sandbox needs no key"
        else:
            assert not namespace.sandbox
            assert "MISTRAL_API_KEY" in env
            assert NOT_A_SECRET.fullmatch(env["MISTRAL_API_KEY"]), "a placeholder or reference, never a key"


def test_vscode_asks_for_the_key_in_a_password_prompt() -> None:
    data = load_json("vscode.mcp.json")
    inputs = {entry["id"]: entry for entry in data["inputs"]}
    prompt = inputs["mistral-api-key"]
    assert prompt["type"] == "promptString"
    assert prompt["password"] is True
    server = data["servers"]["mistral-workflows"]
    assert server["type"] == "stdio"
    assert server["env"]["MISTRAL_API_KEY"] == "${input:mistral-api-key}"
    referenced = set(re.findall(r"\$\{input:([^}]+)\}", json.dumps(data["servers"])))
    assert referenced <= set(inputs), f"undeclared inputs {referenced - set(inputs)}"


def test_cursor_reads_the_key_from_the_environment() -> None:
    server = client_servers("cursor.mcp.json")["mistral-workflows"]
    assert server["env"]["MISTRAL_API_KEY"] == "${env:MISTRAL_API_KEY}"


# --- MCP registry --------------------------------------------------------------------------------


def test_registry_entry_matches_the_package() -> None:
    data = load_json("server.json")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["version"] == VERSION
    assert data["$schema"].startswith("https://static.modelcontextprotocol.io/schemas/")
    assert re.fullmatch(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+", data["name"])
    assert data["name"].startswith("io.github.")
    assert 1 <= len(data["description"]) <= 100, "the registry rejects descriptions over 100 characters"
    assert len(data.get("title", "x")) <= 100
    assert data["version"] == VERSION

    (package,) = data["packages"]
    assert package["registryType"] == "pypi"
    assert package["identifier"] == pyproject["project"]["name"] == PROGRAM
    assert package["version"] == VERSION
    assert package["transport"] == {"type": "stdio"}
    assert package["runtimeHint"] == "uvx"
    assert all(arg["type"] == "positional" and "value" in arg for arg in package["packageArguments"])
    namespace = serve_args([arg["value"] for arg in package["packageArguments"]])
    assert not namespace.sandbox

    variables = {v["name"]: v for v in package["environmentVariables"]}
    assert set(variables) <= DOCUMENTED
    key = variables["MISTRAL_API_KEY"]
    assert key["isSecret"] is True
    assert key["isRequired"] is True
    base_url = variables["MISTRAL_BASE_URL"]
    assert base_url["isRequired"] is False
    assert base_url["default"] == DEFAULT_BASE_URL
    for name, variable in variables.items():
        assert variable.get("description"), f"{name} has no description"
        if "SECRET" in name or name.endswith("_KEY"):
            assert variable.get("isSecret") is True, f"{name} is a secret"
        field = settings_field(name)
        if "default" in variable and field is not None:
            assert variable["default"] == env_text(field.default), f"{name}: default differs from Settings"


# --- MCPB bundle ---------------------------------------------------------------------------------


def test_bundle_manifest_runs_its_own_source_with_uv() -> None:
    data = load_json("mcpb/manifest.json")
    assert data["manifest_version"] == "0.4", "type uv (a bundle that carries its source) needs manifest 0.4"
    assert data["$schema"].endswith("mcpb-manifest-v0.4.schema.json")
    assert data["version"] == VERSION
    assert {"name", "version", "description", "author", "server"} <= set(data)
    server = data["server"]
    assert server["type"] == "uv"
    assert (MANIFESTS / "mcpb" / server["entry_point"]).is_file(), "the entry point ships in the bundle"
    config = server["mcp_config"]
    assert config["command"] == "uv"
    run, *options, script = config["args"]
    assert run == "run"
    assert options[options.index("--directory") + 1] == "${__dirname}", "uv runs the bundle's own project"
    assert "--frozen" in options, "the bundle's uv.lock decides the versions"
    assert script == server["entry_point"]


@pytest.mark.parametrize(("argv", "expected"), [([], ["serve"]), (["serve", "--sandbox"], ["serve", "--sandbox"])])
def test_bundle_entry_point_serves_by_default(
    argv: list[str], expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = MANIFESTS / "mcpb" / load_json("mcpb/manifest.json")["server"]["entry_point"]
    received: list[list[str]] = []
    monkeypatch.setattr(cli, "main", received.append)
    monkeypatch.setattr(sys, "argv", [str(entry), *argv])
    runpy.run_path(str(entry), run_name="__main__")
    assert received == [expected]
    serve_args(received[0])


def test_bundle_settings_reach_the_server_as_real_values() -> None:
    data = load_json("mcpb/manifest.json")
    user_config = data["user_config"]
    key = user_config["mistral_api_key"]
    assert key["type"] == "string"
    assert key["sensitive"] is True
    sandbox = user_config["sandbox"]
    assert sandbox["type"] == "boolean"
    assert sandbox["default"] is False
    for name, option in user_config.items():
        assert {"type", "title", "description"} <= set(option), f"user_config.{name} lacks type/title/description"
        # A host leaves ${user_config.x} as it is when x has no value: a default keeps the
        # placeholder itself from reaching the server as a key or a flag.
        assert option.get("required") or "default" in option, f"user_config.{name}: optional without a default"

    env: dict[str, str] = data["server"]["mcp_config"]["env"]
    assert set(env) <= DOCUMENTED
    assert env["MISTRAL_API_KEY"] == "${user_config.mistral_api_key}"
    assert env["MCP_WORKFLOWS_SANDBOX"] == "${user_config.sandbox}"
    referenced = set(re.findall(r"\$\{user_config\.([^}]+)\}", json.dumps(data["server"])))
    assert referenced <= set(user_config), f"undeclared user_config {referenced - set(user_config)}"


def test_an_empty_key_is_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundle passes an unset key as an empty string: that must read as missing, not as a key."""
    monkeypatch.setenv("MISTRAL_API_KEY", "")
    assert Settings().api_key is None
    monkeypatch.setenv("MISTRAL_API_KEY", "  ")
    assert Settings().api_key is None
    monkeypatch.setenv("MISTRAL_API_KEY", "k")
    assert Settings().api_key is not None


# --- container image -----------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comment lines dropped first, then continuations joined."""
    lines = (MANIFESTS / "Dockerfile").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    instructions = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def docker_arg(name: str) -> str:
    values = [rest for keyword, rest in dockerfile() if keyword == name]
    assert values, f"the Dockerfile has no {name}"
    return values[-1]


def image_command() -> list[str]:
    entrypoint: list[str] = json.loads(docker_arg("ENTRYPOINT"))
    assert entrypoint == [PROGRAM]
    return entrypoint


def test_dockerfile_serves_http_as_a_non_root_user() -> None:
    assert docker_arg("FROM") == "python:3.11-slim"
    assert image_command() == ["mcp-workflows"]
    installs = [rest for keyword, rest in dockerfile() if keyword == "RUN" and "pip install" in rest]
    assert any(re.search(r'\bpip install "\.\[redis\]"(\s|$)', rest) for rest in installs), installs
    extras = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("redis") for requirement in extras["redis"]), "replicas share state in Redis"
    user = docker_arg("USER").split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit(), "a numeric uid lets Kubernetes check runAsNonRoot"

    namespace = serve_args(json.loads(docker_arg("CMD")))
    assert namespace.transport == "http"
    assert namespace.host == "0.0.0.0"
    assert str(namespace.port) in docker_arg("EXPOSE").split()
    healthcheck = docker_arg("HEALTHCHECK")
    assert f":{namespace.port}/health" in healthcheck


# --- Kubernetes ----------------------------------------------------------------------------------

_KEY = re.compile(r"(?P<key>[A-Za-z0-9_.\-/]+):(?: +(?P<rest>.*))?")


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _scalar(text: str, where: str) -> Any:
    if text[0] in "{[|>&*!%@`":
        pytest.fail(f"{where}: keep Kubernetes manifests in plain block style (found {text!r})")
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        assert text.endswith("'"), where
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


Line = tuple[int, str, str]  # indent, content, "file:line"


def _block(lines: list[Line], i: int) -> tuple[Any, int]:
    indent, content, _ = lines[i]
    if content == "-" or content.startswith("- "):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _sequence(lines: list[Line], i: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while i < len(lines) and lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")):
        _, content, where = lines[i]
        rest = content[1:].lstrip()
        if not rest:
            assert i + 1 < len(lines), f"{where}: empty item"
            assert lines[i + 1][0] > indent, f"{where}: empty item"
            value, i = _block(lines, i + 1)
        elif _KEY.fullmatch(rest):
            lines[i] = (indent + len(content) - len(rest), rest, where)  # "- key: v" opens a mapping
            value, i = _mapping(lines, i, lines[i][0])
        else:
            value, i = _scalar(rest, where), i + 1
        items.append(value)
    return items, i


def _mapping(lines: list[Line], i: int, indent: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        _, content, where = lines[i]
        match = _KEY.fullmatch(content)
        assert match, f"{where}: expected `key: value`, found {content!r}"
        key, rest = match["key"], match["rest"]
        assert key not in result, f"{where}: duplicate key {key}"
        i += 1
        if rest:
            result[key] = _scalar(rest, where)
        elif i < len(lines) and (
            lines[i][0] > indent or (lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")))
        ):
            result[key], i = _block(lines, i)
        else:
            result[key] = None
    return result, i


def load_yaml(path: Path) -> Any:
    """One block-style YAML document: mappings, sequences, plain and quoted scalars."""
    lines: list[Line] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert "\t" not in raw, f"{path.name}:{number}: tab"
        text = _strip_comment(raw).rstrip()
        if text.strip() == "---":
            assert not lines, f"{path.name}:{number}: one document per file"
            continue
        if text.strip():
            lines.append((len(text) - len(text.lstrip(" ")), text.strip(), f"{path.name}:{number}"))
    assert lines, f"{path.name} is empty"
    value, end = _block(lines, 0)
    assert end == len(lines), f"{lines[end][2]}: unexpected indentation"
    return value


def kube(name: str) -> dict[str, Any]:
    document: dict[str, Any] = load_yaml(KUBERNETES / name)
    return document


@pytest.mark.parametrize("path", sorted(KUBERNETES.glob("*.yaml")), ids=lambda p: p.name)
def test_kubernetes_yaml_parses(path: Path) -> None:
    document = load_yaml(path)
    assert isinstance(document, dict)
    assert {"apiVersion", "kind"} <= set(document)
    if importlib.util.find_spec("yaml"):  # cross-check the small reader where PyYAML happens to exist
        import yaml

        assert yaml.safe_load(path.read_text(encoding="utf-8")) == document


def test_yaml_reader_understands_the_subset() -> None:
    sample = KUBERNETES / "deployment.yaml"
    assert load_yaml(sample)["kind"] == "Deployment"
    assert _scalar('"8000"', "t") == "8000"
    assert _scalar("8000", "t") == 8000
    assert _scalar("0.0.0.0", "t") == "0.0.0.0"
    assert _strip_comment('value: "a # b"  # note') == 'value: "a # b"  '


def test_kustomization_lists_the_deployment_and_service_but_not_the_example_secret() -> None:
    resources = kube("kustomization.yaml")["resources"]
    assert {"deployment.yaml", "service.yaml"} <= set(resources)
    assert {"redis-deployment.yaml", "redis-service.yaml", "redis-networkpolicy.yaml"} <= set(resources)
    assert "secret.example.yaml" not in resources, "applying it would replace a real key with the placeholder"
    assert all((KUBERNETES / name).is_file() for name in resources)


def pod_and_container() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    deployment = kube("deployment.yaml")
    assert deployment["kind"] == "Deployment"
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    return deployment, pod, container


def container_port(container: dict[str, Any], port: int | str) -> int:
    """A probe or Service port, by number or by name."""
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container["ports"] if "name" in p}
    return int(port) if port.isdigit() else named[port]


def test_deployment_runs_the_image_command_with_probes_secret_and_limits() -> None:
    deployment, pod, container = pod_and_container()
    assert deployment["spec"]["replicas"] >= 1
    assert container["image"].endswith(f":{VERSION}")
    assert "command" not in container, "the image ENTRYPOINT (mcp-workflows) runs"
    image_command()
    namespace = serve_args(container["args"])
    assert namespace.transport == "http"
    assert not namespace.sandbox
    assert "mcp-workflows" in namespace.allowed_host, "in-cluster clients reach /mcp through the Service name"
    if deployment["spec"]["replicas"] > 1:
        assert namespace.stateless, "without sessions pinned to a pod, replicas must serve stateless HTTP"

    (port,) = container["ports"]
    assert port["containerPort"] == namespace.port
    for probe in ("readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert check["path"] == "/health"
        assert container_port(container, check["port"]) == namespace.port

    env = {item["name"]: item for item in container["env"]}
    assert set(env) <= DOCUMENTED
    assert env["MISTRAL_API_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "mcp-workflows", "key": "api-key"}
    tokens = env["MCP_WORKFLOWS_HTTP_TOKENS"]["valueFrom"]["secretKeyRef"]
    assert tokens == {"name": "mcp-workflows", "key": "http-tokens"}
    refusal = exposure_problem(
        namespace.host, ["from the Secret"], allow_unauthenticated=namespace.allow_unauthenticated, sandbox=False
    )
    assert refusal is None, "the pod would refuse to start"
    assert all("value" not in item for name, item in env.items() if "SECRET" in name or name.endswith("_KEY"))

    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["securityContext"]["runAsUser"] == int(docker_arg("USER").split(":")[0])
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False


def test_the_state_folder_is_writable_by_the_image_user_and_in_the_pod() -> None:
    """The server remembers spent confirmations on disk; uid 10001 has no home, and the pod's root
    filesystem is read-only, so the image names a folder it owns and the pod mounts a volume there."""
    pairs = [pair for keyword, rest in dockerfile() if keyword == "ENV" for pair in rest.split()]
    env = dict(pair.split("=", 1) for pair in pairs)
    state_dir = env["MCP_WORKFLOWS_STATE_DIR"]
    assert "MCP_WORKFLOWS_STATE_DIR" in DOCUMENTED
    uid = docker_arg("USER").split(":")[0]
    runs = " ".join(rest for keyword, rest in dockerfile() if keyword == "RUN")
    assert re.search(rf"install -d -o {uid} -g \d+ -m 0700 {re.escape(state_dir)}\b", runs), "owned by the image user"
    _, pod, container = pod_and_container()
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    assert state_dir in mounts, "the read-only root filesystem needs a volume for the state folder"
    volumes = {volume["name"]: volume for volume in pod["spec"]["volumes"]}
    assert "emptyDir" in volumes[mounts[state_dir]]


def test_service_targets_the_container_port() -> None:
    _, pod, container = pod_and_container()
    service = kube("service.yaml")
    assert service["kind"] == "Service"
    assert service["spec"]["type"] == "ClusterIP"
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80
    assert container_port(container, port["targetPort"]) == container["ports"][0]["containerPort"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert service["metadata"]["name"] == "mcp-workflows"


def test_example_secret_holds_every_key_the_deployment_reads() -> None:
    _, _, container = pod_and_container()
    _, _, redis = redis_pod_and_container()
    secret = kube("secret.example.yaml")
    assert secret["kind"] == "Secret"
    refs = [item["valueFrom"]["secretKeyRef"] for c in (container, redis) for item in c["env"] if "valueFrom" in item]
    assert {ref["name"] for ref in refs} == {secret["metadata"]["name"]}
    assert {ref["key"] for ref in refs} <= set(secret["stringData"])
    assert all(NOT_A_SECRET.fullmatch(value) for value in secret["stringData"].values()), "placeholders only"


# --- Redis: the replicas' shared state -----------------------------------------------------------


def redis_pod_and_container() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    deployment = kube("redis-deployment.yaml")
    assert deployment["kind"] == "Deployment"
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    return deployment, pod, container


def redis_args(container: dict[str, Any]) -> dict[str, str]:
    """`redis-server --option value ...` as a mapping."""
    command, *args = container["args"]
    assert command == "redis-server"
    assert len(args) % 2 == 0, args
    return {args[i].removeprefix("--"): args[i + 1] for i in range(0, len(args), 2)}


def test_replicas_share_their_state_through_redis_from_the_secret() -> None:
    """More than one replica is safe only with MCP_WORKFLOWS_REDIS_URL: else each pod has its own
    spent confirmations, caps and change notifications."""
    deployment, _, container = pod_and_container()
    env = {item["name"]: item for item in container["env"]}
    if deployment["spec"]["replicas"] > 1:
        assert "MCP_WORKFLOWS_REDIS_URL" in env
    assert "MCP_WORKFLOWS_REDIS_URL" in DOCUMENTED
    reference = env["MCP_WORKFLOWS_REDIS_URL"]["valueFrom"]["secretKeyRef"]
    assert reference == {"name": "mcp-workflows", "key": "redis-url"}, "a URL with a password comes from the Secret"
    assert "optional" not in reference, "a pod without it would silently count alone"


def test_the_bundled_redis_keeps_nothing_on_disk_and_asks_for_the_secret_password() -> None:
    deployment, pod, container = redis_pod_and_container()
    assert deployment["spec"]["replicas"] == 1
    options = redis_args(container)
    assert options["save"] == ""
    assert options["appendonly"] == "no"
    assert options["maxmemory-policy"] == "noeviction", "evicting a spent confirmation would allow a replay"
    assert options["requirepass"] == "$(REDIS_PASSWORD)"
    env = {item["name"]: item for item in container["env"]}
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "mcp-workflows", "key": "redis-password"}
    (port,) = container["ports"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container_port(container, container[probe]["tcpSocket"]["port"]) == port["containerPort"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])


def test_the_secret_redis_url_names_the_redis_service() -> None:
    _, pod, container = redis_pod_and_container()
    service = kube("redis-service.yaml")
    assert service["kind"] == "Service"
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (port,) = service["spec"]["ports"]
    assert container_port(container, port["targetPort"]) == container["ports"][0]["containerPort"]
    placeholder = kube("secret.example.yaml")["stringData"]["redis-url"]
    url = urlsplit(placeholder.strip("<>"))
    assert url.scheme == "redis"
    assert (url.hostname, url.port) == (service["metadata"]["name"], port["port"])
    assert Settings(redis_url=placeholder.strip("<>")).redis_url is not None, "a URL the server accepts"


def test_only_the_server_pods_reach_redis() -> None:
    _, app_pod, _ = pod_and_container()
    _, redis_pod, redis_container = redis_pod_and_container()
    policy = kube("redis-networkpolicy.yaml")
    assert policy["kind"] == "NetworkPolicy"
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= redis_pod["metadata"]["labels"].items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    (rule,) = policy["spec"]["ingress"]
    (source,) = rule["from"]
    assert source["podSelector"]["matchLabels"].items() <= app_pod["metadata"]["labels"].items()
    assert not source["podSelector"]["matchLabels"].items() <= redis_pod["metadata"]["labels"].items()
    assert [p["port"] for p in rule["ports"]] == [redis_container["ports"][0]["containerPort"]]


# --- start-up errors -----------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MISTRAL_", "MCP_WORKFLOWS_"))}


def test_serve_without_key_exits_at_once_with_one_line(tmp_path: Path) -> None:
    done = serve_at_start_up([], clean_env(), cwd=tmp_path)
    assert done.returncode != 0
    assert done.stdout == "", "stdout is the MCP transport: nothing may be printed there"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "MISTRAL_API_KEY" in lines[0]
    assert "--sandbox" in lines[0]


def test_unknown_toolset_is_a_start_up_error_listing_the_valid_ones() -> None:
    done = serve_at_start_up(["--sandbox", "--toolsets", "workflows,nope"], clean_env())
    assert done.returncode == 2
    assert "'nope'" in done.stderr
    assert "executions" in done.stderr


# --- container build context ---------------------------------------------------------------------


def _ignore_rule_matches(pattern: str, path: str) -> bool:
    """A .dockerignore pattern matches a path or one of its parent folders; `**/x` any component."""
    parts = path.split("/")
    if pattern.startswith("**/"):
        return any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
    return any(fnmatch.fnmatchcase("/".join(parts[: i + 1]), pattern) for i in range(len(parts)))


def dockerignore_allows(path: str) -> bool:
    """Whether the root .dockerignore sends path to the builder (the last matching rule wins)."""
    allowed = True
    for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        rule = line.strip()
        if rule and not rule.startswith("#") and _ignore_rule_matches(rule.removeprefix("!").rstrip("/"), path):
            allowed = rule.startswith("!")
    return allowed


def test_dockerignore_is_at_the_context_root_and_sends_only_what_the_image_copies() -> None:
    assert not (MANIFESTS / "Dockerfile.dockerignore").exists(), "only BuildKit reads <Dockerfile>.dockerignore"
    copied = [rest.split()[:-1] for keyword, rest in dockerfile() if keyword == "COPY"]
    sources = [source for sources in copied for source in sources]
    assert sources, "the Dockerfile copies the project"
    for source in sources:
        assert dockerignore_allows(source.rstrip("/")), f"COPY {source} is excluded by .dockerignore"
    assert dockerignore_allows("src/mcp_workflows/cli.py")
    for private in (".venv/bin/python", ".git/config", "tools/node/node_modules/x", "dist/x.whl", ".env"):
        assert not dockerignore_allows(private), f"{private} would be sent to the builder"
    assert not dockerignore_allows("src/mcp_workflows/__pycache__/cli.cpython-311.pyc")
