"""How an execution is shown to the model in the states the sandbox cannot produce."""

from __future__ import annotations

from mcp_workflows.api.models.executions import Execution
from mcp_workflows.server.tools.outcomes import outcome_of
from mcp_workflows.server.waiting import Waited


def execution(status: str, result: object = None) -> Execution:
    return Execution(workflow_name="w", execution_id="e1", status=status, result=result)  # type: ignore[arg-type]


def test_encoded_results_are_marked_opaque_not_shown_as_garbage() -> None:
    encoded = {"b64payload": "AAEC", "encoding_options": ["encrypted"]}
    outcome = outcome_of(Waited(execution=execution("COMPLETED", encoded)))
    assert outcome.result == encoded
    assert outcome.next_step is not None
    assert "encoded" in outcome.next_step


def test_continued_as_new_says_where_the_continuation_is() -> None:
    outcome = outcome_of(Waited(execution=execution("CONTINUED_AS_NEW"), continued_run_id="run-2"))
    assert outcome.next_step is not None
    assert "run-2" in outcome.next_step
    assert "wait_for_execution" in outcome.next_step


def test_retrying_after_error_is_not_terminal() -> None:
    outcome = outcome_of(Waited(execution=execution("RETRYING_AFTER_ERROR"), cursor="7"))
    assert outcome.cursor == "7"
    assert outcome.next_step is not None
    assert "after='7'" in outcome.next_step


def test_oversize_results_are_capped_with_a_note() -> None:
    outcome = outcome_of(Waited(execution=execution("COMPLETED", {"blob": "x" * 30_000})))
    assert isinstance(outcome.result, str)
    assert len(outcome.result) == 20_000
    assert outcome.note is not None
    assert "cut" in outcome.note
