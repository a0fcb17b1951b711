"""ApiHttp: error mapping, retry rules and redaction, with an httpx2 mock transport.

These are the failure cases the sandbox cannot produce on demand; happy paths run against the
sandbox in the e2e tests.
"""

from __future__ import annotations

import email.utils
import random
import time

import httpx2
import pytest

from mcp_workflows.api.errors import (
    Conflict,
    InvalidIdentifier,
    InvalidRequest,
    NotFound,
    RateLimited,
    TransportFailure,
    Unauthorized,
    UpstreamUnavailable,
    WorkflowsAPIError,
)
from mcp_workflows.api.http import ApiHttp, RetryPolicy, Target
from mcp_workflows.api.operations import Operation, Risk

pytestmark = pytest.mark.anyio

FAKE_KEY = "sk-test-RECOGNISABLE-0123456789"
GET_OP = Operation("get_thing", "GET", "/v1/workflows/{workflow_identifier}", Risk.READ)
POST_OP = Operation("post_thing", "POST", "/v1/workflows/{workflow_identifier}/execute", Risk.EXECUTE)
FAST_RETRY = RetryPolicy(total_s=5.0, base_s=0.001, cap_s=0.002, max_attempts=4)


def make_http(handler: httpx2.MockTransport | None = None, *, retry: RetryPolicy = FAST_RETRY) -> ApiHttp:
    return ApiHttp(base_url="http://upstream.test", api_key=FAKE_KEY, retry=retry, transport=handler)


def responder(*responses: httpx2.Response) -> tuple[httpx2.MockTransport, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []
    queue = list(responses)

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return httpx2.MockTransport(handle), seen


async def test_sends_bearer_key_and_encodes_path_params() -> None:
    transport, seen = responder(httpx2.Response(200, json={"ok": True}))
    http = make_http(transport)
    assert await http.call(GET_OP, path_params={"workflow_identifier": "a b:c"}) == {"ok": True}
    assert seen[0].headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert seen[0].url.raw_path == b"/v1/workflows/a%20b%3Ac"


async def test_an_id_that_would_leave_its_segment_is_never_sent() -> None:
    transport, seen = responder(httpx2.Response(200, json={"ok": True}))
    with pytest.raises(InvalidIdentifier, match="'/'"):
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "greeting/archive"})
    assert seen == []


async def test_query_params_drop_none_and_repeat_lists() -> None:
    transport, seen = responder(httpx2.Response(200, json={}))
    await make_http(transport).call(
        GET_OP, path_params={"workflow_identifier": "x"}, params={"tags": ["a", "b"], "cursor": None, "archived": False}
    )
    assert seen[0].url.params.get_list("tags") == ["a", "b"]
    assert "cursor" not in seen[0].url.params
    assert seen[0].url.params["archived"] == "false"


@pytest.mark.parametrize(
    ("status", "body", "error_type"),
    [
        (401, {"detail": "Unauthorized"}, Unauthorized),
        (403, {"detail": "Forbidden"}, Unauthorized),
        (404, {"detail": "Workflow not found", "code": "WF_1100"}, NotFound),
        (409, {"detail": "already running", "code": "WF_1101"}, Conflict),
        (
            422,
            {"detail": [{"loc": ["body", "input", "name"], "msg": "Field required", "type": "missing"}]},
            InvalidRequest,
        ),
        (500, {"detail": "An error occurred", "code": "WF_1000"}, UpstreamUnavailable),
    ],
)
async def test_maps_statuses_to_typed_errors(status: int, body: dict[str, object], error_type: type[Exception]) -> None:
    transport, seen = responder(httpx2.Response(status, json=body))
    with pytest.raises(error_type) as caught:
        await make_http(transport).call(
            GET_OP, path_params={"workflow_identifier": "w"}, target=Target("workflow", "w")
        )
    assert len(seen) == 1, "4xx and plain 500 are never retried"
    assert FAKE_KEY not in str(caught.value)


async def test_validation_error_names_the_field() -> None:
    body = {"detail": [{"loc": ["body", "input", "name"], "msg": "Field required", "type": "missing"}]}
    transport, _ = responder(httpx2.Response(422, json=body))
    with pytest.raises(InvalidRequest) as caught:
        await make_http(transport).call(POST_OP, path_params={"workflow_identifier": "w"}, json={})
    assert [(e.location, e.message) for e in caught.value.field_errors] == [("input.name", "Field required")]


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_reads_retry_passing_failures_then_succeed(status: int) -> None:
    transport, seen = responder(httpx2.Response(status, json={"detail": "busy"}), httpx2.Response(200, json={"v": 1}))
    assert await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"}) == {"v": 1}
    assert len(seen) == 2


@pytest.mark.parametrize("status", [400, 404, 409, 422, 500, 501])
async def test_other_failures_are_not_retried(status: int) -> None:
    transport, seen = responder(httpx2.Response(status, json={"detail": "no"}), httpx2.Response(200, json={}))
    with pytest.raises(Exception, match="no"):
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert len(seen) == 1


async def test_429_honours_retry_after_within_budget() -> None:
    transport, seen = responder(
        httpx2.Response(429, headers={"Retry-After": "0"}, json={"detail": "slow down"}),
        httpx2.Response(200, json={"v": 2}),
    )
    assert await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"}) == {"v": 2}
    assert len(seen) == 2


async def test_429_beyond_budget_surfaces_retry_after() -> None:
    transport, seen = responder(httpx2.Response(429, headers={"Retry-After": "120"}, json={"detail": "slow down"}))
    with pytest.raises(RateLimited) as caught:
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert caught.value.retry_after_s == 120
    assert len(seen) == 1, "a wait past the total budget is not attempted"


def http_date(offset_s: float) -> str:
    return email.utils.formatdate(time.time() + offset_s, usegmt=True)


async def test_retry_after_as_an_http_date_is_honoured() -> None:
    transport, seen = responder(httpx2.Response(429, headers={"Retry-After": http_date(3600)}, json={}))
    with pytest.raises(RateLimited) as caught:
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert caught.value.retry_after_s is not None
    assert 3000 < caught.value.retry_after_s <= 3600, "an hour from the date the server sent"
    assert len(seen) == 1, "an hour is past the total budget: not waited for"


# Fixed ids: a date in the id would differ between the processes pytest-xdist collects in.
@pytest.mark.parametrize("header", [http_date(-3600), "-5", "0"], ids=["an-hour-ago", "negative", "zero"])
async def test_a_retry_after_in_the_past_retries_at_once(header: str) -> None:
    transport, seen = responder(
        httpx2.Response(429, headers={"Retry-After": header}, json={}), httpx2.Response(200, json={"v": 3})
    )
    slow_backoff = RetryPolicy(total_s=5.0, base_s=60.0, cap_s=60.0, max_attempts=4)
    assert await make_http(transport, retry=slow_backoff).call(GET_OP, path_params={"workflow_identifier": "w"}) == {
        "v": 3
    }
    assert len(seen) == 2, "Retry-After, not the (minute-long) backoff, set the wait"


@pytest.mark.parametrize("header", ["0", "-5", http_date(-3600)], ids=["zero", "negative", "an-hour-ago"])
async def test_a_retry_after_in_the_past_means_now(header: str) -> None:
    transport, _ = responder(httpx2.Response(429, headers={"Retry-After": header}, json={}))
    once = RetryPolicy(total_s=5.0, base_s=0.001, cap_s=0.002, max_attempts=1)
    with pytest.raises(RateLimited) as caught:
        await make_http(transport, retry=once).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert caught.value.retry_after_s == 0.0


@pytest.mark.parametrize("header", ["soon", "", "Mon, 99 Foo 2026"])
async def test_an_unreadable_retry_after_falls_back_to_backoff(header: str) -> None:
    transport, _ = responder(httpx2.Response(429, headers={"Retry-After": header}, json={}))
    with pytest.raises(RateLimited) as caught:
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert caught.value.retry_after_s is None


def test_backoff_is_exponential_capped_and_jittered() -> None:
    """Full jitter: each wait is drawn from [0, min(cap, base * 2**attempt)], so clients that failed
    together do not retry together."""
    policy = RetryPolicy(total_s=60.0, base_s=0.5, cap_s=3.0, max_attempts=8)
    random.seed(20260728)
    for attempt, bound in enumerate([0.5, 1.0, 2.0, 3.0, 3.0]):
        draws = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= d <= bound for d in draws), (attempt, max(draws))
        assert max(draws) > 0.9 * bound, (attempt, max(draws))
        assert min(draws) < 0.1 * bound, (attempt, min(draws))


async def test_the_total_budget_stops_retries_before_max_attempts() -> None:
    transport, seen = responder(httpx2.Response(503, json={}))
    tight = RetryPolicy(total_s=0.0, base_s=0.001, cap_s=0.002, max_attempts=10)
    with pytest.raises(UpstreamUnavailable):
        await make_http(transport, retry=tight).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert len(seen) == 1


async def test_non_idempotent_post_is_not_retried_on_503() -> None:
    transport, seen = responder(httpx2.Response(503, json={"detail": "busy"}))
    with pytest.raises(UpstreamUnavailable):
        await make_http(transport).call(POST_OP, path_params={"workflow_identifier": "w"}, json={})
    assert len(seen) == 1


async def test_post_made_idempotent_is_retried() -> None:
    transport, seen = responder(httpx2.Response(502, json={}), httpx2.Response(200, json={"status": "RUNNING"}))
    result = await make_http(transport).call(
        POST_OP, path_params={"workflow_identifier": "w"}, json={"execution_id": "e1"}, idempotent=True
    )
    assert result == {"status": "RUNNING"}
    assert len(seen) == 2


async def test_retries_stop_after_max_attempts() -> None:
    transport, seen = responder(httpx2.Response(503, json={}))
    with pytest.raises(UpstreamUnavailable):
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert len(seen) == FAST_RETRY.max_attempts


async def test_connection_errors_become_transport_failures_without_the_key() -> None:
    attempts = 0

    def refuse(request: httpx2.Request) -> httpx2.Response:
        nonlocal attempts
        attempts += 1
        raise httpx2.ConnectError("connection refused", request=request)

    with pytest.raises(TransportFailure) as caught:
        await make_http(httpx2.MockTransport(refuse)).call(POST_OP, path_params={"workflow_identifier": "w"}, json={})
    assert attempts == FAST_RETRY.max_attempts, "a refused connection never reached the server: safe to retry"
    assert FAKE_KEY not in repr(caught.value)


async def test_read_error_after_send_is_not_retried_for_unsafe_post() -> None:
    attempts = 0

    def drop(request: httpx2.Request) -> httpx2.Response:
        nonlocal attempts
        attempts += 1
        raise httpx2.ReadError("connection reset", request=request)

    with pytest.raises(TransportFailure):
        await make_http(httpx2.MockTransport(drop)).call(POST_OP, path_params={"workflow_identifier": "w"}, json={})
    assert attempts == 1


async def test_non_json_success_body_is_an_upstream_error() -> None:
    transport, _ = responder(httpx2.Response(200, text="<html>proxy error</html>"))
    with pytest.raises(UpstreamUnavailable):
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})


async def test_204_returns_none() -> None:
    transport, _ = responder(httpx2.Response(204))
    assert await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"}) is None


async def test_every_request_says_who_sends_it_and_what_it_accepts() -> None:
    transport, seen = responder(httpx2.Response(200, json={}))
    http = ApiHttp(base_url="http://upstream.test//", api_key=FAKE_KEY, transport=transport)
    await http.call(GET_OP, path_params={"workflow_identifier": "w"})
    await http.aclose()
    sent = seen[0]
    assert str(sent.url) == "http://upstream.test/v1/workflows/w", "trailing slashes in the base URL are dropped"
    assert sent.headers["user-agent"].startswith("mcp-workflows/")
    assert sent.headers["accept"] == "application/json"
    assert sent.url.query == b"", "no query at all when no parameter has a value"


def test_timeouts_are_the_ones_configured() -> None:
    default = ApiHttp(base_url="http://upstream.test", api_key=FAKE_KEY).client.timeout
    assert (default.read, default.connect) == (30.0, 5.0)
    custom = ApiHttp(base_url="http://u", api_key="k", request_timeout_s=7.0, connect_timeout_s=2.0).client.timeout
    assert (custom.read, custom.write, custom.pool, custom.connect) == (7.0, 7.0, 7.0, 2.0)


async def test_redirects_are_not_followed() -> None:
    """A redirect could carry the key elsewhere: it is an error, not a second request."""
    transport, seen = responder(
        httpx2.Response(307, headers={"Location": "http://elsewhere.test/"}), httpx2.Response(200, json={})
    )
    with pytest.raises(WorkflowsAPIError) as caught:
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert caught.value.status == 307
    assert len(seen) == 1


async def test_empty_lists_are_not_sent_as_query_parameters() -> None:
    transport, seen = responder(httpx2.Response(200, json={}))
    await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "x"}, params={"tags": [], "limit": 0})
    assert dict(seen[0].url.params) == {"limit": "0"}


@pytest.mark.parametrize(
    ("failure", "method_op", "attempts", "kind"),
    [
        (httpx2.ConnectTimeout, POST_OP, FAST_RETRY.max_attempts, "timed out"),  # never reached the server
        (httpx2.ReadTimeout, GET_OP, FAST_RETRY.max_attempts, "timed out"),  # a read: safe to repeat
        (httpx2.ReadTimeout, POST_OP, 1, "timed out"),  # may have been executed: never repeated
        (httpx2.RemoteProtocolError, GET_OP, FAST_RETRY.max_attempts, "connection failed"),
    ],
)
async def test_transport_failures_retry_only_when_safe(
    failure: type[httpx2.TransportError], method_op: Operation, attempts: int, kind: str
) -> None:
    seen = 0

    def fail(request: httpx2.Request) -> httpx2.Response:
        nonlocal seen
        seen += 1
        raise failure("boom", request=request)

    with pytest.raises(TransportFailure) as caught:
        await make_http(httpx2.MockTransport(fail)).call(
            method_op, path_params={"workflow_identifier": "w"}, target=Target("workflow", "w")
        )
    assert seen == attempts
    assert caught.value.detail == f"{kind} ({failure.__name__})"
    assert (caught.value.operation, caught.value.resource, caught.value.identifier) == (
        method_op.operation_id,
        "workflow",
        "w",
    )


@pytest.mark.parametrize(
    ("body", "locations", "detail"),
    [
        (
            {"detail": [{"loc": ["query", "limit"], "msg": "too big"}, {"loc": ["path", "id"], "msg": "bad"}]},
            [("limit", "too big"), ("id", "bad")],
            "limit: too big; id: bad",
        ),
        ({"detail": [{"msg": "no location"}, "not a dict"]}, [("request", "no location")], "request: no location"),
        ({"detail": [{"loc": ["body", "name"]}]}, [("name", "")], "name: "),
        ({"detail": []}, [], "invalid request"),
    ],
)
async def test_field_errors_are_read_from_either_body_shape(
    body: dict[str, object], locations: list[tuple[str, str]], detail: str
) -> None:
    transport, _ = responder(httpx2.Response(422, json=body))
    with pytest.raises(InvalidRequest) as caught:
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"})
    assert [(e.location, e.message) for e in caught.value.field_errors] == locations
    assert caught.value.detail == detail
    assert caught.value.body == body


@pytest.mark.parametrize(
    ("response", "error_type", "detail", "code"),
    [
        (httpx2.Response(400, json={"detail": "bad cursor", "code": "WF_1"}), InvalidRequest, "bad cursor", "WF_1"),
        (httpx2.Response(404, json={"detail": "gone", "code": 7}), NotFound, "gone", None),
        (httpx2.Response(502, text="<html>bad gateway</html>"), UpstreamUnavailable, "Bad Gateway", None),
        (httpx2.Response(418, json={"detail": ""}), WorkflowsAPIError, "I'm a teapot", None),
        (httpx2.Response(599, json=["not", "a", "dict"]), UpstreamUnavailable, "HTTP 599", None),
        (httpx2.Response(409, json={"detail": "x" * 5000}), Conflict, "x" * 2000, None),
    ],
)
async def test_error_details_come_from_the_body_else_the_status(
    response: httpx2.Response, error_type: type[WorkflowsAPIError], detail: str, code: str | None
) -> None:
    transport, _ = responder(response)
    with pytest.raises(WorkflowsAPIError) as caught:
        await make_http(transport).call(
            POST_OP, path_params={"workflow_identifier": "w"}, target=Target("workflow", "w")
        )
    assert type(caught.value) is error_type
    assert caught.value.detail == detail
    assert caught.value.code == code
    assert caught.value.status == response.status_code
    assert (caught.value.operation, caught.value.resource, caught.value.identifier) == ("post_thing", "workflow", "w")


async def test_a_success_without_a_body_is_none_and_one_that_is_not_json_names_its_status() -> None:
    transport, _ = responder(httpx2.Response(200, content=b""))
    assert await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"}) is None
    transport, _ = responder(httpx2.Response(201, text="created, in plain text"))
    with pytest.raises(UpstreamUnavailable) as caught:
        await make_http(transport).call(GET_OP, path_params={"workflow_identifier": "w"}, target=Target("run", "r"))
    assert caught.value.status == 201
    assert "not JSON" in caught.value.detail
    assert (caught.value.operation, caught.value.resource, caught.value.identifier) == ("get_thing", "run", "r")
