"""What a client pays to check our results, per call, as ratios measured in one run.

    .venv/bin/python bench/bench_result_validation.py [--rows 50] [--repeat 300]

The Python SDK client validates every structured result against the tool's output schema
(jsonschema, one compiled validator per tool, then `best_match(iter_errors(...))`), so a schema
that describes more fields costs time on every call. On real results from the sandbox, this
times that same check against:
- the advertised schema (the result's fields typed, nested objects outlined: server/schemas.py);
- the same schema with every nested field described in full;
- a bare `{"type": "object"}` (what an untyped dict result advertises: the floor's tool).
Machines here are shared and noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from typing import Any

import anyio
from jsonschema import exceptions, validators
from mcp import Client

from mcp_workflows.config import Settings
from mcp_workflows.sandbox import running_sandbox
from mcp_workflows.server.app import build_server
from mcp_workflows.server.schemas import compact_output_schema

BARE: dict[str, Any] = {"type": "object"}


def interleaved_checks(schemas: dict[str, dict[str, Any]], instance: Any, repeat: int) -> dict[str, float]:
    """Median time of one result check per schema, exactly as the SDK client makes it (validator
    compiled once), the schemas taking turns call by call."""
    compiled = {label: validators.validator_for(schema)(schema) for label, schema in schemas.items()}
    for label, validator in compiled.items():
        error = exceptions.best_match(validator.iter_errors(instance))
        assert error is None, f"the result does not match the {label} schema: {error}"
    samples: dict[str, list[float]] = {label: [] for label in compiled}
    for _ in range(repeat):
        for label, validator in compiled.items():
            started = time.perf_counter()
            exceptions.best_match(validator.iter_errors(instance))
            samples[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) for label, values in samples.items()}


async def main(rows: int, repeat: int) -> None:
    logging.disable(logging.INFO)
    async with running_sandbox() as url:
        server = build_server(Settings(api_key="bench", base_url=url, toolsets="all"))
        async with Client(server) as client:
            for n in range(rows):  # runs for list_runs to list
                run = {"workflow": "greeting", "input": {"name": f"n{n}"}}
                assert not (await client.call_tool("execute_workflow", run)).is_error
            calls = {
                "get_workflow": {"workflow": "greeting"},
                "list_workflows": {"limit": rows},
                "list_runs": {"limit": rows},
            }
            advertised = {tool.name: tool.output_schema for tool in (await client.list_tools()).tools}
            print(f"rows={rows} repeat={repeat}; median time for a client to check one result")
            for name, arguments in calls.items():
                result = await client.call_tool(name, arguments)
                instance = result.structured_content
                assert not result.is_error
                assert instance is not None
                server.build_tool(name)
                tool = server._tool_manager.get_tool(name)  # the pydantic schema, before compaction
                assert tool is not None
                assert tool.output_schema is not None
                assert advertised[name] is not None
                schemas = {
                    "advertised (outlined)": advertised[name],
                    "nested fields described": compact_output_schema(tool.output_schema, outline_nested=False),
                    "bare object": BARE,
                }
                times = interleaved_checks(schemas, instance, repeat)
                cells = ", ".join(f"{label} {t * 1e6:.0f} us" for label, t in times.items())
                ratio = times["nested fields described"] / times["advertised (outlined)"]
                print(f"  {name}: {cells}; described / outlined {ratio:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=300)
    options = parser.parse_args()
    anyio.run(main, options.rows, options.repeat)
