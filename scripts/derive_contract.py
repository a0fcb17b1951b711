"""Derive tests/contract/upstream_contract.json from Mistral's official SDK, `mistralai` (pinned in pyproject).

The SDK is generated from the live OpenAPI document, which is newer than the published reference spec, so the
contract the sandbox is checked against comes from it: every operation the SDK's Workflows client offers under
`/v1/workflows` (method, path, operationId, summary, parameters, request body, success status and media type,
response schema, error statuses) and a JSON Schema for every SDK model they use, named like the SDK class.

From the SDK's pydantic models: `Nullable[X]` is required and may be null, `OptionalNullable[X]` and
`Optional[X]` may be absent or null; open enums and open unions (which the SDK parses into an `Unrecognized*`
or `Unknown*` fallback) keep only their known values, so the sandbox is held to what the API documents.

    python scripts/derive_contract.py            # rewrite the contract from the installed SDK
    python scripts/derive_contract.py --check    # exit 1 when the committed contract is stale
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import inspect
import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "tests" / "contract" / "upstream_contract.json"
PREFIX = "/v1/workflows"
REF = "#/components/schemas/"


def sdk_methods() -> dict[str, tuple[str, Any]]:
    """operationId -> (dotted method name, sync function) of every `/v1/workflows` operation of the SDK.

    Walks the `Workflows` client and its sub-clients (works with mistralai 2.x and 3.x).
    """
    from mistralai.client.basesdk import BaseSDK
    from mistralai.client.workflows import Workflows

    found: dict[str, tuple[str, Any]] = {}

    def walk(cls: type, prefix: str) -> None:
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name.endswith("_async"):
                continue
            source = inspect.getsource(fn)
            path = re.search(r'path="([^"]+)"', source)
            operation = re.search(r'operation_id="([^"]+)"', source)
            if path and operation and path.group(1).startswith(PREFIX):
                found[operation.group(1)] = (prefix + name, fn)
        for attr, sub in typing.get_type_hints(cls).items():
            if inspect.isclass(sub) and issubclass(sub, BaseSDK):
                walk(sub, f"{prefix}{attr}.")

    walk(Workflows, "workflows.")
    return found


def request_model(fn: Any) -> Any:
    """The SDK model a method builds its request from (path, query and header fields, and the body), if any."""
    from mistralai.client import models

    request = re.search(r"request = \(?\s*models\.(\w+)\(", inspect.getsource(fn))
    return None if request is None else getattr(models, request.group(1))


def field_location(info: Any) -> tuple[str, Any] | None:
    """Where a request model field goes: ("path" | "query" | "header" | "body", its SDK metadata), or None."""
    from mistralai.client.utils.metadata import FieldMetadata

    for meta in info.metadata:
        if isinstance(meta, FieldMetadata):
            for where in ("path", "query", "header"):
                if getattr(meta, where) is not None:
                    return where, getattr(meta, where)
            if meta.request is not None:
                return "body", meta.request
    return None


def sdk_operations() -> dict[str, str]:
    """operationId -> dotted SDK method (`workflows.deployments.list_deployments`)."""
    return {op: method for op, (method, _fn) in sdk_methods().items()}


class Schemas:
    """Turns SDK annotations into JSON Schema, collecting one component per SDK model class."""

    def __init__(self) -> None:
        from mistralai.client.types.basemodel import UnrecognizedInt, UnrecognizedStr, Unset

        self.components: dict[str, Any] = {}
        self._open = (UnrecognizedStr, UnrecognizedInt)
        self._unset = Unset

    def model(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.components:
            self.components[name] = {}  # placeholder: recursive models refer to themselves
            properties: dict[str, Any] = {}
            required: list[str] = []
            for attr, info in cls.model_fields.items():  # type: ignore[attr-defined]
                key = info.alias or attr
                properties[key] = self.schema(info.annotation)
                if info.is_required():
                    required.append(key)
            component: dict[str, Any] = {"title": name, "type": "object", "properties": properties}
            if required:
                component["required"] = required
            self.components[name] = component
        return {"$ref": REF + name}

    def schema(self, annotation: Any) -> dict[str, Any]:
        from pydantic import BaseModel
        from typing_extensions import TypeAliasType

        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if isinstance(origin, TypeAliasType) and origin.__name__ in ("Nullable", "OptionalNullable"):
            return _nullable(self.schema(args[0]))
        if isinstance(annotation, TypeAliasType):
            return self.schema(annotation.__value__)
        if origin is typing.Annotated:
            return self.schema(args[0])
        if origin in (typing.Union, types.UnionType):
            return self._union([a for a in args if a is not self._unset])
        if origin is typing.Literal:
            return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
        if origin is list:
            return {"type": "array", "items": self.schema(args[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.schema(args[1])}
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            return self.model(annotation)
        simple = {
            str: {"type": "string"},
            int: {"type": "integer"},
            float: {"type": "number"},
            bool: {"type": "boolean"},
            dt.datetime: {"type": "string", "format": "date-time"},
            dt.date: {"type": "string", "format": "date"},
            type(None): {"type": "null"},
        }
        if annotation is Any or annotation is object:
            return {}
        if annotation in simple:
            return simple[annotation]
        raise TypeError(f"no JSON Schema for {annotation!r}")

    def _union(self, members: list[Any]) -> dict[str, Any]:
        known = [m for m in members if m not in self._open and not getattr(m, "__name__", "").startswith("Unknown")]
        nullable = type(None) in known
        variants: list[dict[str, Any]] = []
        for member in known:
            if member is type(None):
                continue
            schema = self.schema(member)
            if schema not in variants:
                variants.append(schema)
        body = variants[0] if len(variants) == 1 else {"anyOf": variants}
        return _nullable(body) if nullable else body


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if schema == {}:
        return schema
    variants = schema["anyOf"] if set(schema) == {"anyOf"} else [schema]
    return {"anyOf": [*variants, {"type": "null"}]} if {"type": "null"} not in variants else schema


def _operation(operation_id: str, method_name: str, fn: Any, schemas: Schemas) -> dict[str, Any]:

    source = inspect.getsource(fn)
    http_method = re.search(r'method="([A-Z]+)"', source)
    path = re.search(r'path="([^"]+)"', source)
    if http_method is None or path is None:
        raise ValueError(f"{operation_id}: no method or path in the SDK source")
    parameters: list[dict[str, Any]] = []
    body: dict[str, Any] | None = None
    request_cls = request_model(fn)
    if request_cls is not None:
        located = {attr: field_location(info) for attr, info in request_cls.model_fields.items()}
        if not any(located.values()):  # the request model is the JSON body itself
            body = {"required": True, "schema": schemas.model(request_cls)}
        for attr, info in request_cls.model_fields.items():
            where = located[attr]
            if where is None:
                continue
            kind, meta = where
            if kind == "body":
                body = {"required": info.is_required(), "schema": schemas.schema(info.annotation)}
                continue
            parameter: dict[str, Any] = {
                "name": info.alias or attr,
                "in": kind,
                "required": info.is_required(),
                "schema": schemas.schema(info.annotation),
            }
            if kind == "query":
                parameter["style"], parameter["explode"] = meta.style, meta.explode
            parameters.append(parameter)
    matches = re.findall(r'utils\.match_response\(\s*http_res,\s*(\[[^\]]*\]|"[^"]+"),\s*"([^"]+)"', source)
    success = [(code.strip('"'), media) for code, media in matches if code.strip('"').startswith("2")]
    if len(success) != 1:
        raise ValueError(f"{operation_id}: expected one success response, found {success}")
    status, media_type = success[0]
    tail = source.split(f'utils.match_response(http_res, "{status}", "{media_type}")', 1)[1]
    model = re.search(r"unmarshal_json_response\(\s*(models\.\w+|Any)\b", tail.split("utils.match_response", 1)[0])
    errors: set[int] = set()
    for code, _media in matches:
        errors |= {int(c) for c in re.findall(r"\d{3}", code) if not c.startswith("2")}
    return {
        "operationId": operation_id,
        "sdk_method": method_name,
        "method": http_method.group(1),
        "path": path.group(1),
        "summary": (inspect.getdoc(fn) or "").splitlines()[0] or None,
        "deprecated": getattr(fn, "__deprecated__", None) is not None,
        "parameters": parameters,
        "request_body": body,
        "success_status": int(status),
        "success_media_type": None if media_type == "*" else media_type,
        "response_schema": None if model is None else schemas.schema(_response_type(model.group(1))),
        "error_statuses": sorted(errors),
    }


def _response_type(name: str) -> Any:
    from mistralai.client import models

    return Any if name == "Any" else getattr(models, name.removeprefix("models."))


def derive() -> dict[str, Any]:
    """The contract document of the installed SDK."""
    schemas = Schemas()
    operations = [
        _operation(operation_id, method, fn, schemas) for operation_id, (method, fn) in sorted(sdk_methods().items())
    ]
    return {
        "info": {
            "title": "Mistral Workflows API, as the official mistralai SDK models it",
            "sdk": f"mistralai {importlib.metadata.version('mistralai')}",
            "note": "Derived by scripts/derive_contract.py from the installed SDK; do not edit by hand.",
            "operation_count": len(operations),
        },
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.components.items()))},
    }


def render(contract: dict[str, Any]) -> str:
    return json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="where the contract lives")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the file is stale")
    args = parser.parse_args(argv)
    contract = derive()
    text = render(contract)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python scripts/derive_contract.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({contract['info']['sdk']})", file=sys.stderr)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.output} ({contract['info']['operation_count']} operations, "
        f"{len(contract['components']['schemas'])} schemas, {contract['info']['sdk']})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
