"""Common base for upstream models: tolerant of new upstream fields, strict on what we use."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class UpstreamModel(BaseModel):
    """Upstream may add fields at any time; ignoring unknown ones keeps old servers working."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class RequestModel(BaseModel):
    """A request body: unknown fields are a bug on our side, so they are refused."""

    model_config = ConfigDict(extra="forbid")
