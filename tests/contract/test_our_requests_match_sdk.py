"""What our api/ client sends, checked against what the official SDK's request models would send.

Every example of tests/api/examples.py (each api/ method has at least one) is sent again with every keyword
parameter set, over an httpx2 mock transport. Each recorded request is matched to its operation and compared with
the SDK's request model for it: query keys must be SDK parameters and encode as the SDK would encode the same
values, extra headers must be SDK header parameters, and a JSON body must validate against the SDK's body model
without fields the model does not have. Known differences are strict xfails naming them, for the lead to fix in
api/."""

from __future__ import annotations

import functools
import json
import re
import warnings
from typing import Any

import httpx2
import pytest
from pydantic import TypeAdapter, ValidationError
from scripts.derive_contract import field_location, request_model, sdk_methods

from mcp_workflows.api.client import WorkflowsClient
from tests.api.examples import EXAMPLES, Example, with_every_keyword

from .live_contract import load_contract
from .sdk_oracle import unknown_fields

pytestmark = pytest.mark.anyio

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

# Known differences between our requests and the SDK's, by example id, as of this writing: strict xfails, so a
# fix shows up.
DIFFERENCES: dict[str, str] = {}


async def _record(example: Example) -> httpx2.Request:
    """Call the example's method with every keyword parameter set; the one request it made."""
    sent: list[httpx2.Request] = []

    def reply(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(599, json={"detail": "recorded"})  # an error the client gives up on at once

    client = WorkflowsClient(base_url="http://api.test", api_key="k", transport=httpx2.MockTransport(reply))
    try:
        outcome = with_every_keyword(example.call).on(client)
        if hasattr(outcome, "__aenter__"):
            async with outcome:
                pass
        else:
            await outcome
    except Exception:  # the answer is not the point; the request is
        pass
    assert len(sent) == 1, f"{example.id} made {len(sent)} requests"
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


def _param(example: Example) -> Any:
    if example.id in DIFFERENCES:
        return pytest.param(example, marks=pytest.mark.xfail(strict=True, reason=DIFFERENCES[example.id]))
    return example


@pytest.mark.parametrize("example", [_param(e) for e in EXAMPLES], ids=[e.id for e in EXAMPLES])
async def test_request_matches_the_sdk(example: Example) -> None:
    request = await _record(example)
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
