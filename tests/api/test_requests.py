"""What every api/ method sends (method, path, query, JSON body) and how it reads the answer.

Each example of tests/api/examples.py calls one method against a recording mock transport. The test checks the
exact request, that it routes to the example's operation, that query keys are the operation's declared
parameters (arrays as repeated keys), and that the JSON body validates against the live contract's request body
schema. The canned replies are themselves checked against the contract's response schemas, so a model that
parses them accepts what the real API sends. Every api/ method and every upstream operation (api/, the one list)
must have an example; streams are opened and closed here, their frames are tested in test_sse.py.
"""

from __future__ import annotations

import json

import httpx2
import pytest

from mcp_workflows.api.operations import upstream_operations

from .conftest import SPEC_OPERATIONS, Recorder, match_operation, schema_errors
from .examples import EXAMPLES, Example, api_methods

pytestmark = pytest.mark.anyio
IDS = [example.id for example in EXAMPLES]


def _is_stream(example: Example) -> bool:
    return bool(SPEC_OPERATIONS[example.operation.operation_id]["success_media_type"] == "text/event-stream")


def test_every_method_and_every_operation_has_an_example() -> None:
    methods = {example.call.method for example in EXAMPLES}
    assert methods == api_methods(), {
        "no example": sorted(api_methods() - methods),
        "gone": sorted(methods - api_methods()),
    }
    operations = {example.operation.operation_id for example in EXAMPLES}
    declared = {op.operation_id for op in upstream_operations()}
    assert operations == declared, {"no example": sorted(declared - operations)}
    assert len(set(IDS)) == len(IDS), "give two examples of one method different labels"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_canned_replies_are_valid_upstream_responses(example: Example) -> None:
    op = SPEC_OPERATIONS[example.operation.operation_id]
    assert example.status == op["success_status"]
    if op["response_schema"] is None or _is_stream(example):
        assert example.reply is None
    else:
        assert schema_errors(example.operation.operation_id, "response_schema", example.reply) == []


def _reply(example: Example) -> httpx2.Response:
    if _is_stream(example):
        return httpx2.Response(example.status, headers={"content-type": "text/event-stream"}, content=b"")
    if example.reply is None:
        return httpx2.Response(example.status)
    return httpx2.Response(example.status, json=example.reply)


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
async def test_request_shape(recorder: Recorder, example: Example) -> None:
    recorder.reply = lambda request: _reply(example)
    outcome = example.call.on(recorder.client())
    if _is_stream(example):
        async with outcome:
            result = None
    else:
        result = await outcome

    assert len(recorder.requests) == 1
    request = recorder.requests[0]
    op = SPEC_OPERATIONS[example.operation.operation_id]
    assert request.method == op["method"]
    assert request.url.raw_path.decode().split("?")[0] == example.path
    assert match_operation(request.method, request.url.path) == example.operation.operation_id
    assert request.headers["authorization"] == "Bearer test-key"

    sent_query = {key: request.url.params.get_list(key) for key in request.url.params}
    assert sent_query == example.query
    declared = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    assert set(sent_query) <= declared

    body = json.loads(request.content) if request.content else None
    assert body == example.body
    if body is not None:
        assert op["request_body"] is not None, "this operation takes no body"
        assert schema_errors(example.operation.operation_id, "request_body/schema", body) == []
    else:
        assert op["request_body"] is None or not op["request_body"]["required"]

    if example.check is not None:
        example.check(result)
