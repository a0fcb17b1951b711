"""The live upstream contract, and where an answer of the sandbox breaks it.

The contract is `upstream_contract.json`, derived from the official `mistralai` SDK by scripts/derive_contract.py:
per operation its method, path, success status and media type, and the JSON Schema of its answer (of each frame,
for a stream). The SDK oracle (sdk_oracle.py) checks every answer it gets against it; the raw-HTTP contract
tests use `Contract.check` and `check_sse`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACT_PATH = Path(__file__).with_name("upstream_contract.json")
CONTRACT_URI = "urn:mcp-workflows:upstream-contract"


def load_contract() -> dict[str, Any]:
    return dict(json.loads(CONTRACT_PATH.read_text(encoding="utf-8")))


def sse_frames(text: str) -> list[dict[str, Any]]:
    """The complete frames of an SSE body (a partial last one is left out) that carry data, as
    `{event, id, retry, data}` with `data` decoded as JSON; comments are skipped."""
    frames: list[dict[str, Any]] = []
    *complete, _partial = text.split("\n\n")
    for block in complete:
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


class Contract:
    """The upstream operations of the contract, with a validator of each one's answer."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.index = {op["operationId"]: i for i, op in enumerate(document["operations"])}
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(CONTRACT_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def op(self, operation_id: str) -> dict[str, Any]:
        return dict(self.document["operations"][self.index[operation_id]])

    def _schema_problems(self, operation_id: str, instance: Any) -> list[str]:
        if operation_id not in self._validators:
            self._validators[operation_id] = Draft202012Validator(
                {"$ref": f"{CONTRACT_URI}#/operations/{self.index[operation_id]}/response_schema"},
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        errors = self._validators[operation_id].iter_errors(instance)
        return [f"{list(e.absolute_path)}: {e.message}" for e in list(errors)[:5]]

    def problems(
        self, operation_id: str, *, method: str, path: str, status: int, content_type: str, body: bytes
    ) -> list[str]:
        """Where one answer breaks the contract of `operation_id`: the endpoint, the success status, and the body
        (JSON valid against the response schema, empty when there is none, or SSE frames each valid against the
        frame schema). An empty list when it keeps it."""
        if operation_id not in self.index:
            return [f"{operation_id} is not an operation of the live contract"]
        op = self.op(operation_id)
        found = self.endpoint_problems(operation_id, method, path)
        if status != op["success_status"]:
            found.append(f"status {status}, the contract says {op['success_status']}")
        if op["success_media_type"] == "text/event-stream":
            if not content_type.startswith("text/event-stream"):
                found.append(f"content-type {content_type!r} for a stream")
            frames = sse_frames(body.decode())
            if not frames:
                found.append("no frame")
            found += [
                f"frame {i}: {p}" for i, frame in enumerate(frames) for p in self._schema_problems(operation_id, frame)
            ]
        elif op["response_schema"] is None:
            if body:
                found.append(f"a body where the contract has none: {body[:200]!r}")
        else:
            try:
                found += self._schema_problems(operation_id, json.loads(body))
            except ValueError:
                found.append(f"not JSON: {body[:200]!r}")
        return found

    def endpoint_problems(self, operation_id: str, method: str, path: str) -> list[str]:
        op = self.op(operation_id)
        if method != op["method"] or not re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", op["path"]), path):
            return [f"{method} {path} is not {op['method']} {op['path']}"]
        return []

    def check(self, operation_id: str, response: httpx2.Response) -> Any:
        """Assert that a read response keeps the contract; its JSON body (None when it has none)."""
        found = self.problems(
            operation_id,
            method=response.request.method,
            path=response.request.url.path,
            status=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=response.content,
        )
        assert not found, (operation_id, found)
        return response.json() if self.op(operation_id)["response_schema"] is not None else None

    def check_sse(self, operation_id: str, response: httpx2.Response, frames: list[dict[str, Any]]) -> None:
        """Assert that a stream's response and the frames read from it keep the contract."""
        op = self.op(operation_id)
        found = self.endpoint_problems(operation_id, response.request.method, response.request.url.path)
        assert op["success_media_type"] == "text/event-stream", operation_id
        assert response.status_code == op["success_status"], (operation_id, response.status_code)
        assert response.headers["content-type"].startswith("text/event-stream")
        assert frames, f"{operation_id}: no frames"
        found += [p for frame in frames for p in self._schema_problems(operation_id, frame)]
        assert not found, (operation_id, found)
