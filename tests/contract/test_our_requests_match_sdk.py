"""What our api/ client sends, checked against what the official SDK's request models would send.

Every public method of every `WorkflowsClient` area is called once with every keyword parameter set, over an
httpx2 mock transport. Each recorded request is matched to its operation and compared with the SDK's request
model for it: query keys must be SDK parameters and encode as the SDK would encode the same values, extra
headers must be SDK header parameters, and a JSON body must validate against the SDK's body model without
fields the model does not have. Known differences are strict xfails naming them, for the lead to fix in api/.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import warnings
from typing import Any

import httpx2
import pytest
from pydantic import TypeAdapter, ValidationError
from scripts.derive_contract import field_location, request_model, sdk_methods

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.models.deployments import DeploymentResources, DeploymentSpec
from mcp_workflows.api.models.executions import ExecutionRequest, HandlerCall, ResetRequest
from mcp_workflows.api.models.schedules import (
    PartialScheduleDefinition,
    ScheduleCreate,
    ScheduleDefinition,
    ScheduleInterval,
    SchedulePolicy,
)
from mcp_workflows.api.models.workflows import WorkflowUpdate

from .conftest import load_contract
from .sdk_oracle import unknown_fields

pytestmark = pytest.mark.anyio

UUID_A = "00000000-0000-4000-8000-00000000000a"
UUID_B = "00000000-0000-4000-8000-00000000000b"
T0 = "2026-01-01T00:00:00Z"
AREAS = ("workflows", "executions", "runs", "schedules", "deployments", "events", "observability")
STANDARD_HEADERS = {
    "host",
    "accept",
    "accept-encoding",
    "connection",
    "user-agent",
    "authorization",
    "content-length",
    "content-type",
    "cache-control",
}

# Keyword values by parameter name ("area.method.param" wins over "param"); a new parameter needs one here.
SAMPLES: dict[str, Any] = {
    "search": "gr",
    "tags": ["a", "b"],
    "archived": False,
    "available_in_chat_assistant": True,
    "include_shared": False,
    "cursor": "c1",
    "limit": 5,
    "workflow_id": UUID_A,
    "workflow_search": "gr",
    "active_only": True,
    "with_workflow": True,
    "decode_payloads": True,
    "retry": True,
    "executions.stream.after": "7",
    "after": T0,
    "before": T0,
    "event_source": "LIVE",
    "workflow_identifier": "greeting",
    "root_execution_id": "e0",
    "status": ["COMPLETED", "FAILED"],
    "schedules.list.status": "paused",
    "deployment_name": "dep",
    "user_id": "current",
    "workflow_tags": ["a"],
    "search_key": ["workflow_name:greeting"],
    "include_internal": False,
    "start_time_after": T0,
    "start_time_before": T0,
    "end_time_after": T0,
    "end_time_before": T0,
    "sort_by": "start_time",
    "order": "desc",
    "page_size": 10,
    "next_page_token": "t1",
    "workflow_name": "greeting",
    "note": "maintenance",
    "overlap": 6,
    "resources": DeploymentResources(replicas=2),
    "hardened": True,
    "is_hardened": True,
    "order_by": "created_at",
    "workspace_id": UUID_B,
    "worker_status": "active",
    "worker_name": "w1",
    "resume": "9",
    "start_seq": 3,
    "workflow_exec_id": "e1",
    "root_workflow_exec_id": "e0",
    "parent_workflow_exec_id": "p1",
    "scope": "workflow",
    "activity_name": "act",
    "activity_id": "1",
    "stream": "progress",
    "workflow_event_types": ["WORKFLOW_EXECUTION_COMPLETED"],
    "metadata_filters": {"deployment_name": "dep"},
    "run_id": UUID_B,
    "workflow_run_id": UUID_B,
    "start_time": T0,
    "end_time": T0,
    "include_internal_events": True,
    "merge_same_id_events": True,
    "deployments.update.spec": DeploymentSpec(
        github_url="https://github.com/acme/w",
        revision="v2",
        backend_spec={"type": "mistral_cloud", "build_directory": "svc", "dockerfile_path": "Dockerfile"},
        requested_roles=["reader"],
    ),
    "deployment_id": UUID_B,
}
SPEC = DeploymentSpec(archive_id="arch-1", backend_spec={"type": "mistral_cloud", "dockerfile_path": "Dockerfile"})
SCHEDULE = ScheduleDefinition(
    input={"name": "x"},
    intervals=[ScheduleInterval(every="PT1H")],
    cron_expressions=["0 9 * * 1-5"],
    policy=SchedulePolicy(overlap=1, catchup_window_seconds=60),
    max_executions=3,
)
# Positional arguments per method (the keyword ones come from SAMPLES).
CALLS: dict[str, tuple[Any, ...]] = {
    "workflows.list": (),
    "workflows.get": ("greeting",),
    "workflows.update": (
        "greeting",
        WorkflowUpdate(display_name="Hi", description="d", available_in_chat_assistant=True, tags=["a"]),
    ),
    "workflows.archive": (UUID_A,),
    "workflows.add_tags": (UUID_A,),
    "workflows.unarchive": (UUID_A,),
    "workflows.bulk_archive": ([UUID_A, UUID_B],),
    "workflows.bulk_unarchive": ([UUID_A],),
    "workflows.list_registrations": (),
    "workflows.get_registration": (UUID_B,),
    "workflows.execute": (
        "greeting",
        ExecutionRequest(
            execution_id="e1",
            input={"name": "x"},
            wait_for_result=True,
            timeout_seconds=5,
            deployment_name="dep",
            custom_tracing_attributes={"k": "v"},
        ),
    ),
    "workflows.execute_registration": (UUID_B, ExecutionRequest(input={"name": "x"})),
    "executions.get": ("e1",),
    "executions.history": ("e1",),
    "executions.signal": ("e1", HandlerCall(name="approve", input={"ok": True})),
    "executions.query": ("e1", HandlerCall(name="status")),
    "executions.update": ("e1", HandlerCall(name="set", input={"v": 2})),
    "executions.cancel": ("e1",),
    "executions.terminate": ("e1",),
    "executions.batch_cancel": (["e1", "e2"],),
    "executions.batch_terminate": (["e1"],),
    "executions.reset": ("e1", ResetRequest(event_id=4, reason="retry", exclude_signals=True, exclude_updates=True)),
    "executions.stream": ("e1",),
    "runs.list": (),
    "runs.get": (UUID_B,),
    "runs.history": (UUID_B,),
    "schedules.list": (),
    "schedules.create": (
        ScheduleCreate(schedule=SCHEDULE, workflow_identifier="greeting", deployment_name="dep", schedule_id="s1"),
    ),
    "schedules.get": ("s1",),
    "schedules.update": ("s1", PartialScheduleDefinition(max_executions=5, jitter="PT1M")),
    "schedules.delete": ("s1",),
    "schedules.pause": ("s1",),
    "schedules.resume": ("s1",),
    "schedules.trigger": ("s1",),
    "deployments.list": (),
    "deployments.get": ("dep",),
    "deployments.workers": ("dep",),
    "deployments.logs": ("dep",),
    "deployments.logs_stream": ("dep",),
    "deployments.create": ("dep", SPEC),
    "deployments.update": ("dep",),
    "deployments.stop": ("dep",),
    "deployments.start": ("dep",),
    "deployments.restart": ("dep",),
    "deployments.delete": ("dep",),
    "deployments.archive": ("dep",),
    "deployments.unharden": (),
    "events.list": (),
    "events.stream": (),
    "observability.trace_info": ("e1",),
    "observability.trace_otel": ("e1",),
    "observability.trace_summary": ("e1",),
    "observability.trace_events": ("e1",),
    "observability.execution_logs": ("e1",),
    "observability.execution_logs_stream": ("e1",),
    "observability.metrics": ("greeting",),
}

# Known differences between our requests and the SDK's, as of this writing: strict xfails, so a fix shows up.
DIFFERENCES: dict[str, str] = {}


def _api_methods() -> list[str]:
    client = WorkflowsClient(base_url="http://api.test", api_key="k")
    return sorted(
        f"{area}.{name}"
        for area in AREAS
        for name, _ in inspect.getmembers(getattr(client, area), inspect.ismethod)
        if not name.startswith("_")
    )


def _sample(method: str, parameter: str) -> Any:
    for key in (f"{method}.{parameter}", parameter):
        if key in SAMPLES:
            return SAMPLES[key]
    raise AssertionError(f"no sample value for {method}({parameter}=...): add one to SAMPLES")


async def _record(method: str) -> httpx2.Request:
    """Call `method` with every keyword parameter set; the one request it made."""
    sent: list[httpx2.Request] = []

    def reply(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(599, json={"detail": "recorded"})  # an error the client gives up on at once

    client = WorkflowsClient(base_url="http://api.test", api_key="k", transport=httpx2.MockTransport(reply))
    area, name = method.split(".")
    fn = getattr(getattr(client, area), name)
    args = CALLS[method]
    parameters = list(inspect.signature(fn).parameters.values())[len(args) :]
    kwargs = {p.name: _sample(method, p.name) for p in parameters if p.kind is not p.VAR_KEYWORD}
    try:
        outcome = fn(*args, **kwargs)
        if hasattr(outcome, "__aenter__"):
            async with outcome:
                pass
        else:
            await outcome
    except Exception:  # the answer is not the point; the request is
        pass
    assert len(sent) == 1, f"{method} made {len(sent)} requests"
    return sent[0]


@functools.cache
def _operations() -> list[dict[str, Any]]:
    return list(load_contract()["operations"])


@functools.cache
def _sdk_request_models() -> dict[str, Any]:
    """operationId -> the SDK's request model class (None when the method takes no request model)."""
    return {op: request_model(fn) for op, (_method, fn) in sdk_methods().items()}


def _operation_of(request: httpx2.Request) -> dict[str, Any]:
    candidates = [
        op
        for op in _operations()
        if op["method"] == request.method and re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", op["path"]), request.url.path)
    ]
    assert candidates, f"no live operation for {request.method} {request.url.path}"
    return min(candidates, key=lambda op: op["path"].count("{"))


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def differences(request: httpx2.Request) -> list[str]:
    """How this request differs from what the SDK's request model for its operation would send."""
    from mistralai.client.utils.queryparams import get_query_params

    op = _operation_of(request)
    model = _sdk_request_models()[op["operationId"]]
    fields = {} if model is None else dict(model.model_fields)
    where = {attr: field_location(info) for attr, info in fields.items()}
    by_alias = {(info.alias or attr).lower(): (attr, info) for attr, info in fields.items()}
    found: list[str] = []

    sent = {key: request.url.params.get_list(key) for key in request.url.params}
    parsed: dict[str, Any] = {}
    # An object query parameter is sent form-exploded: its keys are query keys of their own.
    exploded = "metadata_filters" if "metadata_filters" in fields else None
    for key, values in sent.items():
        attr_info = by_alias.get(key.lower())
        if attr_info is None and exploded is not None:
            parsed.setdefault(exploded, {})[key] = values[-1]
            continue
        if attr_info is None or (where[attr_info[0]] or ("",))[0] != "query":
            found.append(f"query {key}: not a parameter of the SDK's {op['operationId']}")
            continue
        attr, info = attr_info
        try:
            parsed[attr] = _query_value(info.annotation, values)
        except ValidationError as exc:
            found.append(f"query {key}={values}: the SDK's model rejects it ({exc.errors()[0]['msg']})")
    if model is not None and parsed:
        with warnings.catch_warnings():  # the SDK warns when it serialises a deprecated parameter
            warnings.simplefilter("ignore", DeprecationWarning)
            ours = get_query_params(model.model_construct(**parsed), None, None)
            defaults = get_query_params(model.model_construct(), None, None)
        theirs = {k: v for k, v in ours.items() if k in sent or defaults.get(k) != v}
        accepted = {key for key in sent if key.lower() in by_alias and by_alias[key.lower()][0] in parsed}
        accepted |= set(parsed.get(exploded, {})) if exploded else set()
        for key in sorted(accepted | (set(theirs) - set(sent))):
            if sent.get(key) != theirs.get(key):
                found.append(f"query {key}: we send {sent.get(key)}, the SDK sends {theirs.get(key)}")

    for header in request.headers:
        if header.lower() in STANDARD_HEADERS:
            continue
        attr_info = by_alias.get(header.lower())
        if attr_info is None or (where[attr_info[0]] or ("",))[0] != "header":
            found.append(f"header {header}: not a header parameter of the SDK's {op['operationId']}")

    body = json.loads(request.content) if request.content else None
    body_field = next(((attr, fields[attr]) for attr, loc in where.items() if loc and loc[0] == "body"), None)
    body_type = None
    if body_field is not None:
        body_type = body_field[1].annotation
    elif model is not None and not any(where.values()):
        body_type = model
    if body is not None and body_type is None:
        found.append("body: the SDK sends none")
    elif body is None and body_field is not None and body_field[1].is_required():
        found.append("body: the SDK requires one")
    elif body is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                model_body = _adapter(body_type).validate_python(body)
        except ValidationError as exc:
            found += [f"body {list(e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
        else:
            found += [f"body {place}" for place in unknown_fields(model_body, body)]
    return found


def _query_value(annotation: Any, values: list[str]) -> Any:
    """The query values as the SDK field's type: the whole list when the field takes one, else the last value."""
    adapter = _adapter(annotation)
    try:
        return adapter.validate_python(values)
    except ValidationError:
        return adapter.validate_python(values[-1])


def _param(method: str) -> Any:
    if method in DIFFERENCES:
        return pytest.param(method, marks=pytest.mark.xfail(strict=True, reason=DIFFERENCES[method]))
    return method


def test_every_api_method_is_called() -> None:
    assert set(CALLS) == set(_api_methods()), {
        "not called": sorted(set(_api_methods()) - set(CALLS)),
        "gone": sorted(set(CALLS) - set(_api_methods())),
    }


@pytest.mark.parametrize("method", [_param(m) for m in sorted(CALLS)])
async def test_request_matches_the_sdk(method: str) -> None:
    request = await _record(method)
    assert differences(request) == []


async def test_a_difference_is_found() -> None:
    """The check can fail: a body field and a query key the SDK does not know are named."""
    request = httpx2.Request(
        "PUT",
        "http://api.test/v1/workflows/greeting?bogus=1",
        json={"display_name": "x", "colour": "red"},
    )
    assert differences(request) == [
        "query bogus: not a parameter of the SDK's update_workflow_v1_workflows__workflow_identifier__put",
        "body $.colour (not in WorkflowUpdateRequest)",
    ]
