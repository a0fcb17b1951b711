"""Demo workflows whose progress takes the live API's less common shapes: streamed JSON patches, and a chain
of continue-as-new runs (events with `continued_run_id`, runs with status CONTINUED_AS_NEW)."""

from __future__ import annotations

from typing import Any

from .program import ContinueAsNew, DemoWorkflow, RunContext

# draft-writer: a live document streamed as JSON patches -------------------------------------------

PARAGRAPHS = (
    "{topic} matters because small steps compound.",
    "A first draft names the problem and one way through it.",
    "Each paragraph is written in short bursts, as a model would stream it.",
    "The last paragraph says what to do next.",
    "An appendix lists what was left out.",
)


def _chunks(text: str, size: int = 3) -> list[str]:
    """The text in bursts of `size` words, spaces kept, so appending them rebuilds it exactly."""
    words = text.split(" ")
    return [" ".join(words[i : i + size]) + (" " if i + size < len(words) else "") for i in range(0, len(words), size)]


async def _draft_writer(ctx: RunContext) -> Any:
    topic = str(ctx.input.get("topic", "the sandbox"))
    count = int(ctx.input.get("paragraphs", 2))
    document: dict[str, Any] = {
        "title": f"Draft on {topic}",
        "status": "outlining",
        "text": "",
        "todo": [{"step": f"Write paragraph {i + 1}", "done": False} for i in range(count)],
    }
    ctx.custom_task("draft", "document", "started", document)
    ctx.custom_task_patch(
        "draft",
        "document",
        [{"op": "replace", "path": "/status", "value": "writing"}, {"op": "add", "path": "/words", "value": 0}],
    )
    text = ""
    for index in range(count):
        paragraph = PARAGRAPHS[index].format(topic=topic) + ("\n\n" if index + 1 < count else "")
        for chunk in _chunks(paragraph):
            await ctx.sleep(0.05)
            text += chunk
            ctx.custom_task_patch(
                "draft",
                "document",
                [
                    {"op": "append", "path": "/text", "value": chunk},
                    {"op": "replace", "path": "/words", "value": len(text.split())},
                ],
            )
        ctx.custom_task_patch("draft", "document", [{"op": "replace", "path": f"/todo/{index}/done", "value": True}])
    ctx.custom_task_patch("draft", "document", [{"op": "remove", "path": "/status"}])
    final = {
        "title": document["title"],
        "text": text,
        "todo": [{**step, "done": True} for step in document["todo"]],
        "words": len(text.split()),
    }
    ctx.custom_task("draft", "document", "completed", final)
    ctx.log(f"Draft on {topic!r} written ({final['words']} words)")
    return {"title": final["title"], "text": text}


DRAFT_WRITER = DemoWorkflow(
    name="draft-writer",
    display_name="Draft writer",
    description="Writes a short draft, streaming the document as JSON patches (append to the text, tick the "
    "todo list) between a first and a final snapshot.",
    input_schema={
        "type": "object",
        "title": "DraftWriterInput",
        "properties": {
            "topic": {"type": "string", "description": "What the draft is about."},
            "paragraphs": {
                "type": "integer",
                "minimum": 1,
                "maximum": len(PARAGRAPHS),
                "default": 2,
                "description": "How many paragraphs to write.",
            },
        },
        "required": [],
        "additionalProperties": False,
    },
    output_schema={
        "type": "object",
        "title": "DraftWriterOutput",
        "properties": {"title": {"type": "string"}, "text": {"type": "string"}},
        "required": ["title", "text"],
        "additionalProperties": False,
    },
    init=lambda _input: {},
    body=_draft_writer,
    tags=("demo", "streaming"),
)

# chunked-import: one batch per run, continuing as new until done ----------------------------------


async def _chunked_import(ctx: RunContext) -> Any:
    total = int(ctx.input.get("total", 5))
    batch = int(ctx.input.get("batch_size", 2))
    offset = int(ctx.input.get("offset", 0))
    run = int(ctx.input.get("run", 1))
    end = min(total, offset + batch)
    await ctx.activity("import_batch", {"from": offset, "to": end}, lambda: {"imported": end - offset})
    ctx.log(f"Run {run}: imported items {offset} to {end - 1}")
    if end < total:
        raise ContinueAsNew({**ctx.input, "offset": end, "run": run + 1})
    return {"imported": total, "runs": run}


CHUNKED_IMPORT = DemoWorkflow(
    name="chunked-import",
    display_name="Chunked import",
    description="Imports `total` items `batch_size` at a time, one batch per run: each run continues as new "
    "(same execution id, a new run id) until every item is in.",
    input_schema={
        "type": "object",
        "title": "ChunkedImportInput",
        "properties": {
            "total": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 5, "description": "Items."},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 100, "default": 2, "description": "Per run."},
            "offset": {"type": "integer", "minimum": 0, "default": 0, "description": "Carried between runs."},
            "run": {"type": "integer", "minimum": 1, "default": 1, "description": "Carried between runs."},
        },
        "required": [],
        "additionalProperties": False,
    },
    output_schema={
        "type": "object",
        "title": "ChunkedImportOutput",
        "properties": {"imported": {"type": "integer"}, "runs": {"type": "integer"}},
        "required": ["imported", "runs"],
        "additionalProperties": False,
    },
    init=lambda _input: {},
    body=_chunked_import,
    tags=("demo", "long-running"),
)

PROGRESS_WORKFLOWS: tuple[DemoWorkflow, ...] = (DRAFT_WRITER, CHUNKED_IMPORT)
