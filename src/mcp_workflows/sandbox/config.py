"""Sandbox settings and the fault-injection rules, kept apart so importing them stays cheap."""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FAULTS_ENV_VAR = "MCP_WORKFLOWS_SANDBOX_FAULTS"

FaultKind = Literal["latency", "status", "drop", "stall_stream", "end_stream_early"]


class FaultRule(BaseModel):
    """One injected fault: which requests it hits, how often, and what it does to them."""

    model_config = ConfigDict(extra="forbid")

    path_regex: str = Field(description="re.search pattern matched against the request path.")
    method: str | None = Field(default=None, description="HTTP method to match; any method when omitted.")
    times: int | None = Field(
        default=None, ge=0, description="How many matching requests it hits; unlimited when omitted."
    )
    kind: FaultKind
    latency_ms: int = Field(default=0, ge=0, description="`latency`: delay before the request is handled.")
    status: int = Field(default=503, ge=400, le=599, description="`status`: the HTTP status to answer with.")
    retry_after: float | None = Field(default=None, ge=0, description="`status`: value of Retry-After.")
    body: dict[str, Any] | None = Field(default=None, description="`status`: JSON body; a default otherwise.")
    after_handler: bool = Field(
        default=False, description="`drop`: run the handler first (its effect happens), then drop."
    )
    after_events: int = Field(
        default=0, ge=0, description="`stall_stream`/`end_stream_early`: SSE frames sent before the fault."
    )


class FaultConfig(BaseModel):
    """The active fault rules, evaluated in order; the first rule that matches a request applies."""

    model_config = ConfigDict(extra="forbid")

    rules: list[FaultRule] = Field(default_factory=list)

    @classmethod
    def parse(cls, raw: Any) -> FaultConfig:
        """Accept either `{"rules": [...]}` or a bare list of rules."""
        if isinstance(raw, list):
            raw = {"rules": raw}
        return cls.model_validate(raw)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> FaultConfig:
        """Read rules from MCP_WORKFLOWS_SANDBOX_FAULTS (JSON); no rules when unset or empty."""
        env = os.environ if environ is None else environ
        text = env.get(FAULTS_ENV_VAR, "").strip()
        if not text:
            return cls()
        return cls.parse(json.loads(text))


class SandboxConfig(BaseModel):
    """How the sandbox behaves: speed of the demo workflows, faults, schedule floor."""

    model_config = ConfigDict(extra="forbid")

    time_scale: float = Field(
        default=1.0, gt=0, description="Multiplies every demo workflow duration (0.01 makes tests fast)."
    )
    faults: FaultConfig = Field(default_factory=FaultConfig)
    schedule_min_interval_s: float = Field(
        default=1.0, gt=0, description="Shortest real delay between two firings of one schedule."
    )
    wait_timeout_default_s: float = Field(
        default=300.0, gt=0, description="Cap of `wait_for_result` when the request sets no timeout_seconds."
    )
    input_timeout_s: float | None = Field(
        default=None,
        gt=0,
        description="Longest a demo workflow waits for a person's answer (wall clock, not scaled); "
        "a shorter timeout of the workflow wins. The run then fails like an SDK input timeout.",
    )
    keep_executions: int = Field(
        default=1000,
        ge=1,
        description="How many ended executions are kept (with their events and logs); older ones are evicted.",
    )
