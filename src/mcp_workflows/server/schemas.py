"""Make the schemas models see small and plain.

Pydantic emits `$defs`/`$ref`, per-field `title`s and `anyOf [X, null]` for optional fields.
Strict function-calling clients reject `$ref`, and titles and null branches cost tokens without
telling the model anything, so advertised schemas are rewritten here. Validation still uses the
pydantic models, so an explicit null is still accepted where the Python type allows it.
"""

from __future__ import annotations

from typing import Any

_DROP_KEYS = frozenset({"title"})
# Enforced by pydantic on every call, with a clear error; advertising them costs tokens on every
# request for limits a model almost never reaches.
_INPUT_ONLY_DROP_KEYS = frozenset({"maxLength", "minLength", "maxItems"})
# A result's meaning is told once, in the tool description; output schemas keep only structure.
_OUTPUT_ONLY_DROP_KEYS = frozenset({"default", "description"})
_DEF_PREFIXES = ("#/$defs/", "#/definitions/")


def compact_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline refs, drop titles and length limits, and collapse optional `anyOf [X, null]` to X."""
    return _compact_root(schema, "input")


def compact_output_schema(schema: dict[str, Any], *, outline_nested: bool = True) -> dict[str, Any]:
    """Inline refs, drop titles and defaults, turn nullable fields into optional ones, and
    outline nested objects.

    Tool results (`ToolResult`) leave out fields that are None, so a nullable field is really
    an optional one: `anyOf [X, null]` becomes X, and the field leaves `required`.

    The result's own fields keep their full schemas; an object nested in them keeps its type and
    required keys only. Clients check every result against this schema, and the Python SDK's
    validator pays for each described field of each nested object on every call: a 50-row
    list_executions page took 7x longer to check with its rows' fields described than outlined
    (bench/bench_result_validation.py). The rows' fields are all still in the result.
    """
    compact = _compact_root(schema, "output")
    if outline_nested and isinstance(properties := compact.get("properties"), dict):
        compact["properties"] = {name: _outline(sub) for name, sub in properties.items()}
    return compact


def _compact_root(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    # Pydantic writes `$defs`; older generators (draft-07) `definitions`: a workflow's schema may use either.
    defs: dict[str, Any] = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    result = _compact(schema, defs, 0, kind)
    assert isinstance(result, dict)
    result.pop("$defs", None)
    result.pop("definitions", None)
    return result


def _compact(node: Any, defs: dict[str, Any], depth: int, kind: str) -> Any:
    if depth > 32:
        raise ValueError("schema nests too deeply (recursive model?)")
    if isinstance(node, list):
        return [_compact(item, defs, depth + 1, kind) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    def_name = ref.split("/", 2)[2] if isinstance(ref, str) and ref.startswith(_DEF_PREFIXES) else None
    if def_name is not None and def_name in defs:  # any other reference stays, for the caller to judge
        target = dict(defs[def_name])
        target.update({k: v for k, v in node.items() if k != "$ref"})
        return _compact(target, defs, depth + 1, kind)
    out: dict[str, Any] = {}
    nullable: set[str] = set()
    for key, value in node.items():
        if key in _DROP_KEYS or key == "$defs" or (kind == "output" and key in _OUTPUT_ONLY_DROP_KEYS):
            continue
        if kind == "input" and key in _INPUT_ONLY_DROP_KEYS:
            continue
        if key == "additionalProperties" and value is True:
            continue
        if key in ("properties", "patternProperties"):
            nullable |= {
                name
                for name, sub in value.items()
                if isinstance(sub, dict) and {"type": "null"} in sub.get("anyOf", [])
            }
            out[key] = {name: _compact(sub, defs, depth + 1, kind) for name, sub in value.items()}
        else:
            out[key] = _compact(value, defs, depth + 1, kind)
    if kind == "output":
        # Tool results leave None fields out, so a nullable field is an optional one.
        if "required" in out:
            out["required"] = [name for name in out["required"] if name not in nullable]
            if not out["required"]:
                del out["required"]
        return _collapse_optional(out, ignore_default=True)
    return _collapse_optional(out)


def _outline(node: dict[str, Any]) -> dict[str, Any]:
    """A field's shape without the schemas of its nested fields: objects keep their type and
    required keys, arrays and unions the outline of what they hold."""
    if node.get("type") == "object" or "properties" in node:
        return {"type": "object", "required": node["required"]} if "required" in node else {"type": "object"}
    outlined = dict(node)
    if isinstance(items := node.get("items"), dict):
        outlined["items"] = _outline(items)
    for union in ("anyOf", "oneOf"):
        if isinstance(branches := node.get(union), list):
            outlined[union] = [_outline(branch) for branch in branches]
    return outlined


def _collapse_optional(node: dict[str, Any], *, ignore_default: bool = False) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], "default": null}` -> X (plus the outer keywords)."""
    any_of = node.get("anyOf")
    if not isinstance(any_of, list) or len(any_of) != 2:
        return node
    non_null = [branch for branch in any_of if branch != {"type": "null"}]
    if len(non_null) != 1 or (node.get("default") is not None and not ignore_default):
        return node
    merged = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
    return {**non_null[0], **merged}
