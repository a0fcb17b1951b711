"""Derive tests/contract/upstream_contract.json from the upstream OpenAPI spec.

The contract tests must not read ../shared at run time, so this script keeps a trimmed,
self-contained copy: every operation under /v1/workflows (method, path, operationId, parameters,
request body schema, success status and response schema) plus the component schemas they need.

    python scripts/derive_contract.py [path/to/mistral-workflows-openapi.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = REPO.parent / "shared" / "reference" / "mistral-workflows-openapi.json"
OUTPUT = REPO / "tests" / "contract" / "upstream_contract.json"
METHODS = ("get", "put", "post", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


def _refs(node: Any) -> set[str]:
    """Names of every component schema referenced anywhere inside `node`."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX) :])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _closure(roots: set[str], schemas: dict[str, Any]) -> dict[str, Any]:
    """The named schemas and everything they reference, transitively."""
    kept: dict[str, Any] = {}
    todo = sorted(roots)
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        kept[name] = schemas[name]
        todo.extend(sorted(_refs(schemas[name]) - kept.keys()))
    return kept


def _success(responses: dict[str, Any]) -> tuple[int, str | None, Any]:
    """(status, content type, schema) of the single 2xx response."""
    codes = sorted(code for code in responses if code.startswith("2"))
    if len(codes) != 1:
        raise ValueError(f"expected exactly one success response, got {codes}")
    response = responses[codes[0]]
    content = response.get("content") or {}
    if not content:
        return int(codes[0]), None, None
    media_type = sorted(content)[0]
    return int(codes[0]), media_type, content[media_type].get("schema")


def derive(spec: dict[str, Any]) -> dict[str, Any]:
    """The trimmed contract document."""
    operations: list[dict[str, Any]] = []
    for path, item in spec["paths"].items():
        if not path.startswith("/v1/workflows"):
            continue
        shared_params = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            status, media_type, schema = _success(op.get("responses", {}))
            body = op.get("requestBody")
            operations.append(
                {
                    "operationId": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary"),
                    "deprecated": bool(op.get("deprecated", False)),
                    "parameters": [*shared_params, *op.get("parameters", [])],
                    "request_body": None
                    if body is None
                    else {
                        "required": bool(body.get("required", False)),
                        "schema": body["content"]["application/json"]["schema"],
                    },
                    "success_status": status,
                    "success_media_type": media_type,
                    "response_schema": schema,
                    "error_statuses": sorted(int(c) for c in op.get("responses", {}) if not c.startswith("2")),
                }
            )
    operations.sort(key=lambda o: o["operationId"])
    roots = _refs(operations)
    return {
        "info": {
            "title": spec.get("info", {}).get("title"),
            "version": spec.get("info", {}).get("version"),
            "note": "Derived by scripts/derive_contract.py; do not edit by hand.",
            "operation_count": len(operations),
        },
        "operations": operations,
        "components": {"schemas": _closure(roots, spec["components"]["schemas"])},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC, help="the upstream OpenAPI JSON")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="where to write the contract")
    args = parser.parse_args(argv)
    contract = derive(json.loads(args.spec.read_text(encoding="utf-8")))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(contract, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"wrote {args.output} ({contract['info']['operation_count']} operations, "
        f"{len(contract['components']['schemas'])} schemas)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
