"""Mistral's official `mistralai` client as a test-only oracle of the live Workflows API.

The SDK is generated from the live OpenAPI document, so an answer of the sandbox that the SDK cannot parse is an
answer the live API would not give. `run_oracle` drives every operation the installed SDK offers under
`/v1/workflows` through the SDK's own async client against a sandbox served over real HTTP. Every answer must keep
the live contract (live_contract.py: success status, JSON or SSE frames valid against the response schema, an
empty body where there is none), parse with the SDK's models (JSON and SSE) without fields the models do not
have, and pass the scenario's checks of what it says. This is where each operation is proven to be answered per
the contract: a new operation gets its calls in a scenario here. It runs under mistralai 3.x (the dev venv) and
2.10.1 (`.venv-sdk2`, what the worker SDK `mistralai-workflows` pins).

    python -m tests.contract.sdk_oracle    # prints the report of the installed SDK as JSON
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.metadata
import json
import re
import sys
import typing
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from pydantic import BaseModel
from scripts.derive_contract import sdk_operations

from mcp_workflows.sandbox import SandboxConfig, running_sandbox

from .live_contract import Contract, load_contract, sse_frames

SDK_VERSION = importlib.metadata.version("mistralai")
OPERATION_KEY = "mcp_workflows.oracle.operation"
STREAM_TIMEOUT_S = 10.0
RUN_TIMEOUT_S = 90.0

# Fields the sandbox sends on purpose although the newest SDK's model lacks them, because mistralai 2.10.1 requires
# them (docs/live-contract.md, decision table). Keyed by model class name.
KEPT_FOR_OLDER_CLIENTS: dict[str, set[str]] = {
    "DeploymentWorkerSpecResponse": {"commit_sha", "entrypoint", "working_dir"},
}
# Open-union fallbacks that are expected under this SDK version (the value is valid under the newer one).
EXPECTED_UNKNOWN_VARIANTS: set[str] = {
    # 2.10.1 knows the `koyeb` and `kubernetes` backends only; the live API (3.x) calls the default `mistral_cloud`.
    "UnknownDeploymentWorkerSpecResponseBackendSpec",
}


# recording what went over the wire ---------------------------------------------------------------


@dataclass
class Exchange:
    """One HTTP exchange the SDK made, tagged with the operation the SDK said it was calling."""

    operation_id: str | None
    method: str
    path: str
    status: int
    content_type: str
    body: bytearray = field(default_factory=bytearray)

    def json(self) -> Any:
        return json.loads(bytes(self.body))

    def sse_frames(self) -> list[dict[str, Any]]:
        """Complete SSE frames of the body with data, as `{event, id, retry, data}` (data decoded)."""
        return sse_frames(bytes(self.body).decode())


def _http_module() -> Any:
    """The HTTP library this SDK version is built on (httpx for 2.x, httpx2 for 3.x)."""
    return importlib.import_module("mistralai.client.httpclient").httpx


def _recording_client(log: list[Exchange]) -> Any:
    """An AsyncClient of the SDK's own HTTP library whose transport copies every response body into `log`."""
    httpx = _http_module()

    class Tee(httpx.AsyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any, sink: bytearray) -> None:
            self._inner = inner
            self._sink = sink

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self._inner:
                self._sink.extend(chunk)
                yield chunk

        async def aclose(self) -> None:
            await self._inner.aclose()

    class Recording(httpx.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self._inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            response = await self._inner.handle_async_request(request)
            exchange = Exchange(
                operation_id=request.extensions.get(OPERATION_KEY),
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                content_type=response.headers.get("content-type", ""),
            )
            log.append(exchange)
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                stream=Tee(response.stream, exchange.body),
                extensions=response.extensions,
            )

        async def aclose(self) -> None:
            await self._inner.aclose()

    return httpx.AsyncClient(transport=Recording(), timeout=30.0, follow_redirects=True)


class _TagOperation:
    """SDK before-request hook: marks each request with the operationId the SDK is calling."""

    def before_request(self, hook_ctx: Any, request: Any) -> Any:
        request.extensions = {**request.extensions, OPERATION_KEY: hook_ctx.operation_id}
        return request


@functools.cache
def known_fields() -> dict[str, set[str]]:
    """Per model name, the fields the sandbox may send: the live contract's (derived from the newest SDK by
    scripts/derive_contract.py, so an older SDK does not flag what the live API added) and the kept ones."""
    schemas = load_contract()["components"]["schemas"]
    known = {name: set(schema.get("properties", {})) for name, schema in schemas.items()}
    for name, fields in KEPT_FOR_OLDER_CLIENTS.items():
        known[name] = known.get(name, set()) | fields
    return known


def unknown_fields(model: Any, raw: Any, path: str = "$") -> list[str]:
    """Places where `raw` (the JSON the sandbox sent) has what the parsed SDK `model` does not know.

    Keys no field of the model reads (unless the live contract has them), and open-union values that fell back
    to the SDK's `Unknown*` variant.
    """
    if isinstance(model, BaseModel):
        name = type(model).__name__
        if getattr(model, "is_unknown", False):
            return [] if name in EXPECTED_UNKNOWN_VARIANTS else [f"{path}: unknown variant ({name})"]
        if not isinstance(raw, dict):
            return []
        by_key = {(info.alias or attr): attr for attr, info in type(model).model_fields.items()}
        found: list[str] = []
        for key, value in raw.items():
            attr = by_key.get(key)
            if attr is None:
                if key not in known_fields().get(name, set()):
                    found.append(f"{path}.{key} (not in {name})")
                continue
            with warnings.catch_warnings():  # reading a field the SDK marks deprecated
                warnings.simplefilter("ignore", DeprecationWarning)
                child = getattr(model, attr)
            found += unknown_fields(child, value, f"{path}.{key}")
        return found
    if isinstance(model, list) and isinstance(raw, list):
        return [
            item
            for i, (m, r) in enumerate(zip(model, raw, strict=False))
            for item in unknown_fields(m, r, f"{path}[{i}]")
        ]
    if isinstance(model, dict) and isinstance(raw, dict):
        return [item for key in raw if key in model for item in unknown_fields(model[key], raw[key], f"{path}.{key}")]
    return []


# the report --------------------------------------------------------------------------------------


@dataclass
class Report:
    """Per operation of the installed SDK: driven and parsed cleanly, failed (why), or never driven."""

    sdk_version: str
    expected: dict[str, str]
    calls: dict[str, int] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)
    scenario_errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> list[str]:
        return sorted(op for op in self.calls if op not in self.failures and op in self.expected)

    @property
    def not_driven(self) -> list[str]:
        return sorted(set(self.expected) - set(self.calls) - set(self.failures))

    @property
    def unexpected(self) -> list[str]:
        return sorted((set(self.calls) | set(self.failures)) - set(self.expected))

    def summary(self) -> str:
        lines = [
            f"mistralai {self.sdk_version}: {len(self.passed)}/{len(self.expected)} operations pass "
            f"({len(self.failures)} failed, {len(self.not_driven)} not driven)"
        ]
        for op in sorted(self.expected):
            method = self.expected[op]
            if op in self.failures:
                lines.append(f"  FAIL  {method}: " + " | ".join(self.failures[op][:3]))
            elif op in self.calls:
                lines.append(f"  ok    {method} ({self.calls[op]} calls)")
            else:
                lines.append(f"  MISS  {method}: not driven")
        lines += [f"  EXTRA {op}: driven but not an SDK operation" for op in self.unexpected]
        lines += [f"  ERROR {error}" for error in self.scenario_errors]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "sdk": self.sdk_version,
            "operations": len(self.expected),
            "passed": self.passed,
            "failed": {op: self.failures[op] for op in sorted(self.failures)},
            "not_driven": self.not_driven,
            "scenario_errors": self.scenario_errors,
        }


class StepFailed(Exception):
    """A step whose answer later steps need failed; the rest of its scenario is not driven."""


class Oracle:
    """Calls the SDK one operation at a time and records, per operation, whether the answer parsed cleanly."""

    def __init__(self, sdk: Any, log: list[Exchange], report: Report) -> None:
        self.contract = Contract(load_contract())
        self.sdk = sdk
        self.w = sdk.workflows
        self.log = log
        self.report = report

    def has(self, method: str) -> bool:
        """Whether this SDK version has the method (`deployments.unharden_deployment`)."""
        return f"workflows.{method}" in self.report.expected.values()

    def op_of(self, method: str) -> str:
        return next(op for op, m in self.report.expected.items() if m == f"workflows.{method}")

    def fail(self, op: str, reason: str) -> None:
        self.report.failures.setdefault(op, []).append(reason)

    def expect(self, method: str, ok: bool, reason: str) -> None:
        """A semantic check of an answer that parsed (e.g. tags were kept)."""
        if not ok:
            self.fail(self.op_of(method), reason)

    def _target(self, method: str) -> Callable[..., Awaitable[Any]]:
        target: Any = self.w
        for part in method.split("."):
            target = getattr(target, part)
        attr = getattr(target.__self__, target.__name__ + "_async")
        return typing.cast(Callable[..., Awaitable[Any]], attr)

    def _own_exchanges(self, op: str, start: int) -> list[Exchange]:
        exchanges = self.log[start:]
        others = {e.operation_id for e in exchanges} - {op}
        if others:
            self.fail(op, f"the SDK called {sorted(map(str, others))} as well")
        return [e for e in exchanges if e.operation_id == op]

    async def call(self, method: str, *, needed: bool = True, **kwargs: Any) -> Any:
        """Call `method` (async form); on success check the raw JSON against the parsed model."""
        op = self.op_of(method)
        start = len(self.log)
        try:
            with anyio.fail_after(STREAM_TIMEOUT_S), warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # the SDK warns on deprecated operations
                result = await self._target(method)(**kwargs)
        except Exception as exc:
            self.fail(op, _describe(exc))
            if needed:
                raise StepFailed(op) from exc
            return None
        self.report.calls[op] = self.report.calls.get(op, 0) + 1
        exchanges = self._own_exchanges(op, start)
        if not exchanges:
            self.fail(op, "no HTTP request was made")
        self._check_contract(op, exchanges)
        for exchange in exchanges[-1:]:
            if exchange.content_type.startswith("application/json") and exchange.body:
                model = _model_of(result)
                if model is not None:
                    self._flag_unknown(op, model, exchange.json())
        return result

    async def stream(
        self, method: str, *, limit: int | None = None, until: Callable[[Any], bool] | None = None, **kwargs: Any
    ) -> list[Any]:
        """Open an SSE operation, read events until it ends, `limit` events arrived or `until(event)` holds."""
        op = self.op_of(method)
        start = len(self.log)
        events: list[Any] = []
        try:
            with anyio.fail_after(STREAM_TIMEOUT_S):
                stream = await self._target(method)(**kwargs)
                async with stream:
                    async for event in stream:
                        events.append(event)
                        if (limit is not None and len(events) >= limit) or (until is not None and until(event)):
                            break
        except Exception as exc:
            self.fail(op, _describe(exc))
            raise StepFailed(op) from exc
        self.report.calls[op] = self.report.calls.get(op, 0) + 1
        exchanges = self._own_exchanges(op, start)
        if not events:
            self.fail(op, "the stream sent no event")
        self._check_contract(op, exchanges)
        for exchange in exchanges[-1:]:
            for parsed, raw in zip(events, exchange.sse_frames(), strict=False):
                self._flag_unknown(op, parsed, raw)
        return events

    def _check_contract(self, op: str, exchanges: list[Exchange]) -> None:
        for e in exchanges:
            found = self.contract.problems(
                op, method=e.method, path=e.path, status=e.status, content_type=e.content_type, body=bytes(e.body)
            )
            for problem in found[:5]:
                self.fail(op, f"contract: {problem}")

    def _flag_unknown(self, op: str, model: Any, raw: Any) -> None:
        for place in unknown_fields(model, raw)[:5]:
            self.fail(op, f"unknown field {place}")


def _model_of(result: Any) -> Any:
    """The parsed body model of a result (paginated results wrap it in `.result`)."""
    if isinstance(result, BaseModel) and "result" in type(result).model_fields and callable(getattr(result, "next", 0)):
        return result.result
    return result if isinstance(result, BaseModel) else None


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    body = getattr(exc, "body", None) or getattr(getattr(exc, "raw_response", None), "text", None)
    if body:
        text += f" body={str(body)[:300]}"
    return re.sub(r"\s+", " ", text)[:600]


# scenarios ---------------------------------------------------------------------------------------


async def _until_finished(o: Oracle, execution_id: str) -> Any:
    """Poll the execution until it is no longer RUNNING (a deadline, not a fixed sleep)."""
    with anyio.fail_after(STREAM_TIMEOUT_S):
        while True:
            execution = await o.call("executions.get_workflow_execution", execution_id=execution_id)
            if execution.status != "RUNNING":
                return execution
            await asyncio.sleep(0.01)


async def _workflow_pages(o: Oracle) -> None:
    page = (await o.call("get_workflows", limit=3)).result
    o.expect("get_workflows", len(page.workflows) == 3 and bool(page.next_cursor), "no first page of 3")
    await o.call("get_workflows", cursor=page.next_cursor, tags=["demo"], order="desc")


async def _workflow_edits(o: Oracle) -> None:
    workflow = (await o.call("get_workflow", workflow_identifier="greeting")).workflow
    await o.call("get_workflow", workflow_identifier=workflow.id)
    updated = await o.call("update_workflow", workflow_identifier="greeting", description="Hi", tags=["demo"])
    o.expect("update_workflow", updated.workflow.tags == ["demo"], f"tags after update: {updated.workflow.tags}")
    await o.call("archive_workflow", workflow_identifier="greeting")
    await o.call("unarchive_workflow", workflow_identifier="greeting")
    ids = [workflow.id, str(uuid.UUID(int=0))]
    archived = await o.call("bulk_archive_workflows", workflow_ids=ids)
    o.expect("bulk_archive_workflows", len(archived.errored) == 1, "an unknown id is not reported")
    await o.call("bulk_unarchive_workflows", workflow_ids=ids)


async def _workflow_tags(o: Oracle) -> None:
    if not o.has("add_workflow_tags"):
        return
    await o.call("add_workflow_tags", workflow_identifier="invoice-digest", tags=["oracle", "finance"])
    tags = (await o.call("get_workflow", workflow_identifier="invoice-digest")).workflow.tags
    o.expect("add_workflow_tags", tags == ["finance", "reporting", "oracle"], f"tags after adding: {tags}")


async def _registrations(o: Oracle) -> None:
    listed = await o.call("get_workflow_registrations", with_workflow=True)
    page = await o.call("get_workflow_registrations", task_queue="sandbox-deployment", active_only=True, limit=2)
    o.expect("get_workflow_registrations", bool(page.next_cursor), "no next_cursor on a page of 2")
    greeting = next(
        r for r in listed.workflow_registrations if r.workflow is not None and r.workflow.name == "greeting"
    )
    registration = await o.call("get_workflow_registration", workflow_registration_id=greeting.id, with_workflow=True)
    o.expect(
        "get_workflow_registration",
        registration.workflow_registration.active is True,
        "the greeting registration is not `active`",
    )
    started = await o.call("execute_workflow_registration", workflow_registration_id=greeting.id, input={"name": "Bo"})
    o.expect("execute_workflow_registration", started.workflow_name == "greeting", f"{started.workflow_name}")


async def _execute(o: Oracle) -> None:
    started = await o.call("execute_workflow", workflow_identifier="greeting", input={"name": "Ada"})
    o.expect("execute_workflow", started.status == "RUNNING", f"status {started.status}")
    done = await o.call("execute_workflow", workflow_identifier="greeting", input={"name": "Ada"}, wait_for_result=True)
    o.expect("execute_workflow", done.result == {"greeting": "Hello, Ada!"}, f"result {done.result}")


async def _interactions(o: Oracle) -> None:
    await o.call("execute_workflow", workflow_identifier="counter", input={"start": 1}, execution_id="cnt")
    await o.call("executions.get_workflow_execution", execution_id="cnt", include_search_keys=True)
    update = await o.call(
        "executions.update_workflow_execution", execution_id="cnt", name="set_value", input={"value": 4}
    )
    o.expect("executions.update_workflow_execution", update.result == {"previous": 1, "value": 4}, f"{update.result}")
    query = await o.call("executions.query_workflow_execution", execution_id="cnt", name="value")
    o.expect("executions.query_workflow_execution", query.result == {"value": 4}, f"{query.result}")
    events = await o.call(
        "executions.get_workflow_execution_trace_events", execution_id="cnt", include_internal_events=True
    )
    point = min(int(e.id) for e in events.events if e.internal)
    await o.call("executions.reset_workflow", execution_id="cnt", event_id=point, reason="oracle")
    await o.call("executions.signal_workflow_execution", execution_id="cnt", name="stop", input={})
    finished = await _until_finished(o, "cnt")
    o.expect("executions.get_workflow_execution", finished.status == "COMPLETED", f"status {finished.status}")


async def _observability(o: Oracle) -> None:
    await o.call("execute_workflow", workflow_identifier="slow-report", input={"seconds": 1}, execution_id="obs")
    await _until_finished(o, "obs")
    await o.call("executions.get_workflow_execution_history", execution_id="obs")
    await o.call("executions.get_workflow_execution_trace_info", execution_id="obs")
    await o.call("executions.get_workflow_execution_trace_otel", execution_id="obs")
    await o.call("executions.get_workflow_execution_trace_summary", execution_id="obs")
    await o.call("executions.get_workflow_execution_trace_events", execution_id="obs", merge_same_id_events=True)
    logs = await o.call("executions.get_workflow_execution_logs", execution_id="obs", limit=2)
    o.expect(
        "executions.get_workflow_execution_logs",
        len(logs.results) == 2 and bool(logs.next_cursor),
        "no full first page with a next_cursor",
    )
    await o.call("executions.get_workflow_execution_logs", execution_id="obs", cursor=logs.next_cursor)


async def _execution_streams(o: Oracle) -> None:
    await o.call("execute_workflow", workflow_identifier="slow-report", input={"seconds": 3}, execution_id="rep")
    log_frames = await o.stream("executions.stream_workflow_execution_logs", execution_id="rep")
    o.expect("executions.stream_workflow_execution_logs", {f.event for f in log_frames} == {"log"}, "not log frames")
    frames = await o.stream("executions.stream", execution_id="rep")
    types = [f.data.data.event_type for f in frames]
    o.expect(
        "executions.stream",
        types[:1] == ["WORKFLOW_EXECUTION_STARTED"] and types[-1:] == ["WORKFLOW_EXECUTION_COMPLETED"],
        f"event types {types}",
    )
    o.expect("executions.stream", "CUSTOM_TASK_IN_PROGRESS" in types, "no progress event")
    sequence = [f.data.broker_sequence for f in frames]
    o.expect(
        "executions.stream",
        sequence == sorted(sequence) and [int(f.id) for f in frames] == sequence,
        f"SSE ids {[f.id for f in frames]} are not the increasing broker_sequence {sequence}",
    )
    resumed = await o.stream("executions.stream", execution_id="rep", last_event_id=frames[1].id)
    o.expect("executions.stream", [f.id for f in resumed] == [f.id for f in frames[2:]], "resume is not exclusive")


async def _stops(o: Oracle) -> None:
    for execution_id in ("c1", "c2", "t1", "t2"):
        await o.call(
            "execute_workflow", workflow_identifier="approval", input={"request": "r"}, execution_id=execution_id
        )
    await o.call("executions.cancel_workflow_execution", execution_id="c1")
    await o.call("executions.terminate_workflow_execution", execution_id="t1")
    batch = await o.call("executions.batch_cancel_workflow_executions", execution_ids=["c2", "c1"])
    o.expect(
        "executions.batch_cancel_workflow_executions",
        batch.results["c2"].status == "success" and batch.results["c1"].status == "error",
        f"results {batch.results}",
    )
    await o.call("executions.batch_terminate_workflow_executions", execution_ids=["t2"])


async def _runs_events_metrics(o: Oracle) -> None:
    for i in range(3):
        await o.call("execute_workflow", workflow_identifier="greeting", input={"name": f"n{i}"}, wait_for_result=True)
    await o.call("execute_workflow", workflow_identifier="always-fails", input={}, execution_id="boom")
    await _until_finished(o, "boom")
    runs = (await o.call("runs.list_runs", page_size=2)).result
    o.expect("runs.list_runs", bool(runs.next_page_token), "no next_page_token on a page of 2")
    await o.call("runs.list_runs", next_page_token=runs.next_page_token, status=["COMPLETED", "FAILED"])
    run_id = runs.executions[0].run_id
    await o.call("runs.get_run", run_id=run_id)
    await o.call("runs.get_run_history", run_id=run_id)
    metrics = await o.call("metrics.get_workflow_metrics", workflow_name="always-fails")
    o.expect(
        "metrics.get_workflow_metrics",
        (metrics.execution_count.value, metrics.success_count.value, metrics.error_count.value) == (1, 0, 1),
        f"counts {metrics.execution_count}, {metrics.success_count}, {metrics.error_count}",
    )
    page = await o.call("events.get_workflow_events", limit=5)
    o.expect("events.get_workflow_events", len(page.events) == 5 and bool(page.next_cursor), "no page of 5")
    failed = await o.call("events.get_workflow_events", workflow_exec_id="boom")
    o.expect(
        "events.get_workflow_events",
        failed.events[-1].event_type == "WORKFLOW_EXECUTION_FAILED",
        "the failed execution's last event",
    )


async def _event_stream(o: Oracle) -> None:
    await o.call("execute_workflow", workflow_identifier="greeting", input={"name": "Sse"}, wait_for_result=True)
    first = await o.stream("events.get_stream_events", start_seq=1, limit=4)
    o.expect(
        "events.get_stream_events",
        [f.data.broker_sequence for f in first] == [1, 2, 3, 4],
        "the stream does not replay from start_seq",
    )
    filtered = await o.stream(
        "events.get_stream_events",
        workflow_event_types=["WORKFLOW_EXECUTION_COMPLETED"],
        metadata_filters={"deployment_name": "sandbox-deployment"},
        limit=1,
    )
    o.expect(
        "events.get_stream_events",
        filtered[0].data.data.event_type == "WORKFLOW_EXECUTION_COMPLETED",
        "filters by event type and metadata",
    )
    failed = await o.stream(  # "boom" failed in _runs_events_metrics
        "events.get_stream_events",
        workflow_exec_id="boom",
        workflow_event_types=["WORKFLOW_EXECUTION_FAILED"],
        limit=1,
    )
    o.expect(
        "events.get_stream_events",
        bool(failed[0].data.data.attributes.failure.message),
        "the failed event carries no failure message",
    )


async def _schedules(o: Oracle) -> None:
    created = await o.call(
        "schedules.schedule_workflow",
        workflow_identifier="greeting",
        schedule_id="hourly-greeting",
        schedule={"input": {"name": "Cron"}, "intervals": [{"every": "PT1H"}], "cron_expressions": ["0 9 * * 1-5"]},
    )
    o.expect("schedules.schedule_workflow", created.schedule_id == "hourly-greeting", f"{created}")
    await o.call("schedules.get_schedules")
    await o.call("schedules.get_schedules", page_size=1)
    await o.call("schedules.update_schedule", schedule_id="hourly-greeting", schedule={"max_executions": 5})
    await o.call("schedules.pause_schedule", schedule_id="hourly-greeting", note="maintenance")
    await o.call("schedules.resume_schedule", schedule_id="hourly-greeting")
    await o.call("schedules.trigger_schedule", schedule_id="hourly-greeting", overlap=6)
    got = await o.call("schedules.get_schedule", schedule_id="hourly-greeting")
    o.expect("schedules.get_schedule", len(got.recent_executions) == 1, "the trigger is not recorded")
    o.expect(
        "schedules.get_schedule",
        got.remaining_executions == 4 and bool(got.future_executions),
        f"remaining {got.remaining_executions}, future {got.future_executions}",
    )
    await o.call("schedules.unschedule_workflow", schedule_id="hourly-greeting")


async def _deployment_reads(o: Oracle) -> None:
    await o.call("execute_workflow", workflow_identifier="greeting", input={"name": "Logs"}, wait_for_result=True)
    await o.call("deployments.get_deployment_logs", name="sandbox-deployment", order="desc", needed=False)
    await o.stream("deployments.stream_deployment_logs", name="sandbox-deployment", limit=3)
    await o.call("deployments.get_deployment", name="sandbox-deployment", needed=False)
    await o.call("deployments.list_deployment_workers", name="sandbox-deployment", worker_status="active", needed=False)
    await o.call("deployments.list_deployments", active_only=False, limit=1, needed=False)
    listed = await o.call("deployments.list_deployments")
    o.expect("deployments.list_deployments", all(d.is_active for d in listed.deployments), "inactive listed")


async def _deployment_lifecycle(o: Oracle) -> None:
    spec = {"github_url": "https://github.com/example/w", "revision": "main"}
    await o.call("deployments.create_deployment", name="new-deploy", spec=spec, resources={"replicas": 2})
    await o.call("deployments.update_deployment", name="new-deploy", spec={"revision": "v2"})
    await o.call("deployments.restart_deployment", name="new-deploy")
    stopped = await o.call("deployments.stop_deployment", name="new-deploy")
    o.expect("deployments.stop_deployment", stopped.stopped is True, "not stopped")
    await o.call("deployments.start_deployment", name="new-deploy")
    await o.call("deployments.delete_deployment", name="new-deploy")


async def _deployment_unharden(o: Oracle) -> None:
    if not o.has("deployments.unharden_deployment"):
        return
    spec = {"github_url": "https://github.com/example/w"}
    await o.call("deployments.create_deployment", name="hardened", spec=spec, hardened=True)
    hardened = (await o.call("deployments.list_deployments", is_hardened=True)).deployments
    o.expect("deployments.list_deployments", [d.name for d in hardened] == ["hardened"], "is_hardened filter")
    await o.call("deployments.unharden_deployment", deployment_id=hardened[0].id)
    after = await o.call("deployments.get_deployment", name="hardened")
    o.expect("deployments.unharden_deployment", after.is_hardened is False, "still hardened")


async def _deployment_archive(o: Oracle) -> None:
    if not o.has("deployments.get_deployment_archive"):
        return
    await o.call("deployments.create_deployment", name="from-archive", spec={"archive_id": "arc-oracle-1"})
    archive = await o.call("deployments.get_deployment_archive", name="from-archive")
    o.expect("deployments.get_deployment_archive", archive.archive_id == "arc-oracle-1", f"{archive}")


SCENARIOS = (
    _workflow_pages,
    _workflow_edits,
    _workflow_tags,
    _registrations,
    _execute,
    _interactions,
    _observability,
    _execution_streams,
    _stops,
    _runs_events_metrics,
    _event_stream,
    _schedules,
    _deployment_reads,
    _deployment_lifecycle,
    _deployment_unharden,
    _deployment_archive,
)


async def run_oracle(time_scale: float = 0.01) -> Report:
    """Serve a fresh sandbox on a loopback port and drive every SDK operation through the official client."""
    from mistralai.client import Mistral

    report = Report(SDK_VERSION, sdk_operations())
    log: list[Exchange] = []
    config = SandboxConfig(time_scale=time_scale, schedule_min_interval_s=0.05)
    with anyio.fail_after(RUN_TIMEOUT_S):
        async with running_sandbox(config) as url:
            http = _recording_client(log)
            sdk = Mistral(api_key="oracle-key", server_url=url, async_client=http)
            sdk.sdk_configuration.__dict__["_hooks"].register_before_request_hook(_TagOperation())
            oracle = Oracle(sdk, log, report)
            try:
                for scenario in SCENARIOS:
                    try:
                        await scenario(oracle)
                    except StepFailed:
                        continue
                    except Exception as exc:  # a driver bug or an answer that parsed but lacks what it needs
                        report.scenario_errors.append(f"{scenario.__name__}: {_describe(exc)}")
            finally:
                await http.aclose()
    return report


def _main() -> None:
    report = asyncio.run(run_oracle())
    print(json.dumps(report.as_json(), indent=1))
    print(report.summary(), file=sys.stderr)


if __name__ == "__main__":
    _main()
