"""The derived upstream contract, a validator per operation, and a live sandbox to check against it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mcp_workflows.sandbox import SandboxConfig, running_sandbox

CONTRACT_PATH = Path(__file__).with_name("upstream_contract.json")
CONTRACT_URI = "urn:mcp-workflows:upstream-contract"
AUTH = {"Authorization": "Bearer contract-test-key"}


def load_contract() -> dict[str, Any]:
    return dict(json.loads(CONTRACT_PATH.read_text(encoding="utf-8")))


class Contract:
    """Checks live responses against the upstream operations; remembers which operations it saw."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.index = {op["operationId"]: i for i, op in enumerate(document["operations"])}
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(CONTRACT_URI, resource)
        self.exercised: set[str] = set()

    def op(self, operation_id: str) -> dict[str, Any]:
        return dict(self.document["operations"][self.index[operation_id]])

    def _validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"{CONTRACT_URI}#{pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def _same_endpoint(self, operation_id: str, response: httpx2.Response) -> None:
        op = self.op(operation_id)
        template = re.sub(r"\{[^/]+\}", "[^/]+", op["path"])
        assert response.request.method == op["method"], operation_id
        assert re.fullmatch(template, response.request.url.path), (operation_id, response.request.url.path)

    def check(self, operation_id: str, response: httpx2.Response) -> Any:
        """Assert the spec's success status and validate a JSON body against the response schema."""
        op = self.op(operation_id)
        self._same_endpoint(operation_id, response)
        assert response.status_code == op["success_status"], (operation_id, response.status_code, response.text)
        body: Any = None
        if op["response_schema"] is not None:
            body = response.json()
            errors = list(self._validator(f"/operations/{self.index[operation_id]}/response_schema").iter_errors(body))
            assert not errors, (operation_id, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]])
        else:
            assert response.content == b"", (operation_id, response.content[:200])
        self.exercised.add(operation_id)
        return body

    def check_sse(self, operation_id: str, response: httpx2.Response, frames: list[dict[str, Any]]) -> None:
        """Assert 200 text/event-stream and validate every frame (event, id, data) against the frame schema."""
        op = self.op(operation_id)
        self._same_endpoint(operation_id, response)
        assert response.status_code == op["success_status"], (operation_id, response.status_code)
        assert op["success_media_type"] == "text/event-stream"
        assert response.headers["content-type"].startswith("text/event-stream")
        assert frames, f"{operation_id}: no frames"
        validator = self._validator(f"/operations/{self.index[operation_id]}/response_schema")
        for frame in frames:
            errors = list(validator.iter_errors(frame))
            assert not errors, (operation_id, frame, [e.message for e in errors[:5]])
        self.exercised.add(operation_id)


def parse_sse(text: str) -> list[dict[str, Any]]:
    """Frames of an SSE body: `data` decoded as JSON, comments skipped."""
    frames: list[dict[str, Any]] = []
    for block in text.split("\n\n"):
        frame: dict[str, Any] = {}
        data: list[str] = []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "data":
                data.append(value)
            elif key == "retry":
                frame["retry"] = int(value)
            elif key in ("event", "id"):
                frame[key] = value
        if data:
            frame["data"] = json.loads("\n".join(data))
            frames.append(frame)
    return frames


async def read_sse(
    client: httpx2.AsyncClient, url: str, *, max_frames: int | None = None, **kwargs: Any
) -> tuple[httpx2.Response, list[dict[str, Any]]]:
    """Read an SSE response until it ends, or until `max_frames` frames arrived (then hang up)."""
    async with client.stream("GET", url, **kwargs) as response:
        buffer = ""
        frames: list[dict[str, Any]] = []
        if response.status_code != 200:
            await response.aread()
            return response, []
        async for chunk in response.aiter_text():
            buffer += chunk
            *complete, buffer = buffer.split("\n\n")
            for block in complete:
                frames += parse_sse(block + "\n\n")
            if max_frames is not None and len(frames) >= max_frames:
                break
        return response, frames


@pytest.fixture(scope="session")
def contract_document() -> dict[str, Any]:
    return load_contract()


@pytest.fixture
def contract(contract_document: dict[str, Any]) -> Contract:
    return Contract(contract_document)


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    config = SandboxConfig(time_scale=0.01, schedule_min_interval_s=0.05)
    async with running_sandbox(config) as url, httpx2.AsyncClient(base_url=url, headers=AUTH, timeout=15) as http:
        yield http
