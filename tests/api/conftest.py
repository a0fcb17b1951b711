"""Shared helpers for the api/ tests: the derived upstream contract and a recording mock transport.

The contract is `tests/contract/upstream_contract.json`, derived from the official `mistralai` SDK (the live
API) by `scripts/derive_contract.py`; these tests never read the SDK or the spec themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mcp_workflows.api.client import WorkflowsClient

CONTRACT_PATH = Path(__file__).parents[1] / "contract" / "upstream_contract.json"
CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
SPEC_OPERATIONS: dict[str, dict[str, Any]] = {op["operationId"]: op for op in CONTRACT["operations"]}
_INDEX = {op["operationId"]: i for i, op in enumerate(CONTRACT["operations"])}
_URI = "urn:mcp-workflows:api-tests"
_REGISTRY: Registry[Any] = Registry().with_resource(_URI, DRAFT202012.create_resource(CONTRACT))
BASE_URL = "http://api.test"


def schema_errors(operation_id: str, part: str, instance: Any) -> list[str]:
    """Validate `instance` against the operation's request body schema (`part="request_body/schema"`)
    or response schema (`part="response_schema"`); return readable errors."""
    validator = Draft202012Validator(
        {"$ref": f"{_URI}#/operations/{_INDEX[operation_id]}/{part}"},
        registry=_REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def match_operation(method: str, path: str) -> str:
    """The spec operationId for a concrete request; fixed segments win over path parameters."""
    candidates = []
    for op in CONTRACT["operations"]:
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", op["path"]) + "$"
        if op["method"] == method and re.match(pattern, path):
            candidates.append(op)
    assert candidates, f"no spec operation for {method} {path}"
    best = min(candidates, key=lambda op: op["path"].count("{"))
    return str(best["operationId"])


Reply = Callable[[httpx2.Request], httpx2.Response]


@dataclass
class Recorder:
    """A client over a mock transport that records every request and answers with `reply`."""

    reply: Reply = field(default=lambda request: httpx2.Response(200, json={}))
    requests: list[httpx2.Request] = field(default_factory=lambda: [])

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.reply(request)

    def client(self) -> WorkflowsClient:
        return WorkflowsClient(base_url=BASE_URL, api_key="test-key", transport=httpx2.MockTransport(self.handle))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
