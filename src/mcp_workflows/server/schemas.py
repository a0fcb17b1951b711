"""Make the schemas models see small and plain.

Pydantic emits `$defs`/`$ref`, per-field `title`s and `anyOf [X, null]` for optional fields.
Strict function-calling clients reject `$ref`, and titles and null branches cost tokens without
telling the model anything, so advertised schemas are rewritten here. Validation still uses the
pydantic models, so an explicit null is still accepted where the Python type allows it.
"""

from __future__ import annotations

from typing import Any

_DROP_KEYS = frozenset({"title"})


def compact_schema(schema: dict[str, Any], *, collapse_nullable: bool) -> dict[str, Any]:
    """Inline every local `$ref` and drop titles; for inputs, collapse `anyOf [X, null]` to X.

    Output schemas keep their null branches: structured results do carry nulls, and clients
    validate them against the schema.
    """
    defs: dict[str, Any] = schema.get("$defs", {})
    result = _compact(schema, defs, 0, collapse_nullable)
    assert isinstance(result, dict)
    result.pop("$defs", None)
    return result


def _compact(node: Any, defs: dict[str, Any], depth: int, collapse: bool) -> Any:
    if depth > 32:
        raise ValueError("schema nests too deeply (recursive model?)")
    if isinstance(node, list):
        return [_compact(item, defs, depth + 1, collapse) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = dict(defs[ref.removeprefix("#/$defs/")])
        target.update({k: v for k, v in node.items() if k != "$ref"})
        return _compact(target, defs, depth + 1, collapse)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP_KEYS or key == "$defs":
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: _compact(sub, defs, depth + 1, collapse) for name, sub in value.items()}
        else:
            out[key] = _compact(value, defs, depth + 1, collapse)
    return _collapse_optional(out) if collapse else out


def _collapse_optional(node: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], "default": null}` -> X (plus the outer keywords)."""
    any_of = node.get("anyOf")
    if not isinstance(any_of, list) or len(any_of) != 2:
        return node
    non_null = [branch for branch in any_of if branch != {"type": "null"}]
    if len(non_null) != 1 or node.get("default") is not None:
        return node
    merged = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
    return {**non_null[0], **merged}
