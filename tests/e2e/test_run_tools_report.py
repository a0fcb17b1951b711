"""`mcp-workflows tools --workflow-tools ...`: the tool list with each tool's tokens, what the workflow
tools add, and which workflows were left out and why. The command runs in-process against the shared
sandbox (as `MISTRAL_BASE_URL`), and prints to stdout."""

from __future__ import annotations

import re

import httpx2
import pytest

from mcp_workflows import cli

ROW = re.compile(r"^(run_\S+)\s+workflow:(\S+)\s+execute\s+(\d+)$", re.MULTILINE)
LEFT_OUT = re.compile(r"^  left out: (\S+) \((\S+)\): (.+)$", re.MULTILINE)


@pytest.fixture
def against_sandbox(shared_sandbox: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> str:
    httpx2.post(f"{shared_sandbox}/_sandbox/reset").raise_for_status()
    monkeypatch.setenv("MISTRAL_BASE_URL", shared_sandbox)
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-report-test")
    monkeypatch.setenv("MCP_WORKFLOWS_STATE_DIR", str(tmp_path))
    return shared_sandbox


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    args = cli._parser().parse_args(["tools", *argv])
    args.run(args)
    return capsys.readouterr().out


def served(sandbox: str) -> set[str]:
    """Unarchived, unshared workflows a worker serves, as the sandbox says."""
    auth = {"Authorization": "Bearer test"}
    rows = httpx2.get(f"{sandbox}/v1/workflows?archived=false&include_shared=false&limit=1000", headers=auth).json()
    page = httpx2.get(f"{sandbox}/v1/workflows/registrations?active_only=true&limit=1000", headers=auth).json()
    ids = {registration["workflow_id"] for registration in page["workflow_registrations"]}
    return {row["name"] for row in rows["workflows"] if row["id"] in ids}


def test_the_report_counts_each_workflow_tool(against_sandbox: str, capsys: pytest.CaptureFixture[str]) -> None:
    plain = report(capsys)
    out = report(capsys, "--workflow-tools", "*")
    rows = {workflow: int(tokens) for _, workflow, tokens in ROW.findall(out)}
    assert set(rows) == served(against_sandbox)
    assert not ROW.findall(plain), "without the setting, no workflow tools"
    catalog = [line.split() for line in plain.splitlines()[:-1]]
    assert [line.split() for line in out.splitlines()[: len(catalog)]] == catalog, "the catalog rows are unchanged"
    added = re.search(r"workflow tools: (\d+) offered, \+(\d+) tokens: tools/list is [\d.]+x the (\d+) tokens", out)
    assert added, out
    assert int(added.group(1)) == len(rows)
    assert int(added.group(3)) == int(re.search(r"tools/list = (\d+) tokens", plain).group(1))  # type: ignore[union-attr]
    assert "0 left out" in out


def test_the_report_says_what_the_caps_left_out_and_why(
    against_sandbox: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    costs = {workflow: int(tokens) for _, workflow, tokens in ROW.findall(report(capsys, "--workflow-tools", "*"))}
    limit = sorted(costs.values())[len(costs) // 2]
    monkeypatch.setenv("MCP_WORKFLOWS_MAX_WORKFLOW_TOOL_TOKENS", str(limit))
    monkeypatch.setenv("MCP_WORKFLOWS_MAX_WORKFLOW_TOOLS", "2")
    out = report(capsys, "--workflow-tools", "*")
    offered = {workflow for _, workflow, _ in ROW.findall(out)}
    left_out = {workflow: reason for workflow, _, reason in LEFT_OUT.findall(out)}
    fitting = sorted(workflow for workflow, cost in costs.items() if cost <= limit)
    assert offered == set(fitting[:2]), "the first fitting ones by name, up to the cap"
    assert offered | left_out.keys() == costs.keys()
    for workflow in costs.keys() - offered:
        if costs[workflow] > limit:
            expected = (
                f"its definition is {costs[workflow]} tokens, over MCP_WORKFLOWS_MAX_WORKFLOW_TOOL_TOKENS={limit}"
            )
        else:
            expected = "over the cap MCP_WORKFLOWS_MAX_WORKFLOW_TOOLS=2 (earlier patterns first)"
        assert left_out[workflow] == expected


def test_read_only_reports_no_workflow_tools(
    against_sandbox: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCP_WORKFLOWS_READ_ONLY", "true")
    out = report(capsys, "--workflow-tools", "*")
    assert not ROW.findall(out)
    assert "workflow tools: none in read-only mode (they start executions)" in out
