"""One Settings object for the whole process, read from the environment and CLI flags.

Everything that changes behaviour at run time lives here so the server, the CLI and the tests
agree on names and defaults.
"""

from __future__ import annotations

from typing import Literal, get_args
from urllib.parse import parse_qs, urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_URL = "https://api.mistral.ai"

ConfirmMode = Literal["elicit", "token", "auto", "off"]
ConfirmPolicy = dict[str, ConfirmMode]
CONFIRMABLE_CLASSES = ("destructive", "execute")
REDIS_SCHEMES = ("redis", "rediss", "unix")


def parse_confirm_policy(text: str) -> ConfirmPolicy:
    """`destructive=token,execute=auto` -> a mode per risk class, on top of the defaults."""
    policy: ConfirmPolicy = {"destructive": "auto", "execute": "off"}
    modes: tuple[str, ...] = get_args(ConfirmMode)
    for item in filter(None, (part.strip() for part in text.split(","))):
        risk, _, mode = item.partition("=")
        if risk not in CONFIRMABLE_CLASSES or mode not in modes:
            raise ValueError(
                f"bad confirmation rule {item!r}: use CLASS=MODE, CLASS one of {', '.join(CONFIRMABLE_CLASSES)}, "
                f"MODE one of {', '.join(modes)}"
            )
        policy[risk] = mode  # type: ignore[assignment]  # checked against ConfirmMode just above
    return policy


class Settings(BaseSettings):
    """Run-time configuration. Environment variables are the public names; flags override them."""

    model_config = SettingsConfigDict(env_prefix="MCP_WORKFLOWS_", extra="ignore", frozen=True)

    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("MISTRAL_API_KEY", "api_key"))
    base_url: str = Field(default=DEFAULT_BASE_URL, validation_alias=AliasChoices("MISTRAL_BASE_URL", "base_url"))
    sandbox: bool = False
    request_timeout_s: float = Field(default=30.0, gt=0, le=600)
    connect_timeout_s: float = Field(default=5.0, gt=0, le=60)
    retry_total_s: float = Field(default=20.0, ge=0, le=300)
    confirm: str = Field(
        default="destructive=auto,execute=off",
        description="Confirmation per risk class: CLASS=MODE pairs, MODE in elicit, token, auto, off.",
    )
    elicitation_timeout_s: float = Field(
        default=50.0, gt=0, le=600, description="How long a mid-call confirmation form waits for the human."
    )
    max_resource_watches: int = Field(
        default=100,
        ge=0,
        le=10_000,
        description="Executions followed at once for resource subscribers (0: no resource subscriptions).",
    )
    input_bridge: bool = Field(
        default=True,
        description="Show a workflow's form to the person when their client can show forms (else the agent relays).",
    )
    stream_quiet_s: float = Field(
        default=10.0, gt=0, le=300, description="A silent event stream is checked against the record after this."
    )
    confirmation_ttl_s: int = Field(default=300, ge=1, le=3600)
    task_poll_s: float = Field(
        default=2.0, ge=0.01, le=60, description="How often MCP Tasks clients are asked to poll (pollIntervalMs)."
    )
    task_cancel: Literal["cancel", "refuse"] = Field(
        default="cancel", description="tasks/cancel cancels the execution, or is refused (cancel_execution confirms)."
    )
    confirmation_secret: SecretStr | None = None
    state_dir: str | None = Field(
        default=None,
        description="Where spent confirmations are remembered (default $XDG_STATE_HOME/mcp-workflows).",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis shared by replicas (redis:// or rediss://): spent confirmations, caps and change "
        "notifications live there instead of in this process. Needs the `redis` extra.",
    )
    redis_key_prefix: str = Field(
        default="mcp-workflows",
        pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Prefix of every Redis key and channel, so deployments can share one Redis.",
    )
    sandbox_time_scale: float = Field(default=1.0, gt=0, le=100)
    sandbox_port: int = Field(default=0, ge=0, le=65535)
    sandbox_keep_executions: int = Field(
        default=1000, ge=1, description="Ended sandbox executions kept in memory; older ones are evicted."
    )
    read_only: bool = Field(default=False, description="Register read tools only.")
    allow_workflows: str = Field(default="", description="Comma-separated glob patterns of workflow names allowed.")
    deny_workflows: str = Field(default="", description="Comma-separated glob patterns of workflow names refused.")
    max_executions: int | None = Field(default=None, ge=0, description="Executions started per cap window.")
    max_destructive: int | None = Field(default=None, ge=0, description="Destructive calls per cap window.")
    cap_window_s: float = Field(default=3600.0, gt=0)
    audit_payloads: bool = Field(default=False, description="Also log workflow inputs in audit lines.")
    http_tokens: SecretStr | None = Field(
        default=None, description="Comma-separated bearer tokens accepted on /mcp over HTTP (several allow rotation)."
    )
    oauth_issuer: str | None = Field(
        default=None,
        description="OAuth authorization server (its issuer URL) whose JWT access tokens /mcp accepts over HTTP.",
    )
    oauth_resource: str | None = Field(
        default=None,
        description="This server's /mcp URL as clients reach it: the RFC 8707 resource tokens are issued for.",
    )
    oauth_audience: str | None = Field(
        default=None, description="The aud claim access tokens must carry; the resource URL when unset."
    )
    oauth_jwks_url: str | None = Field(
        default=None, description="The issuer's signing keys (JWKS); found in its metadata when unset."
    )
    stateless_http: bool = Field(
        default=False, description="HTTP without sessions, so replicas behind a load balancer share the traffic."
    )
    toolsets: str = Field(default="default", description="Comma-separated toolsets, 'default' or 'all'.")
    tools: str = Field(default="", description="Comma-separated tool names added to the toolsets.")
    exclude_tools: str = Field(default="", description="Comma-separated tool names removed at the end.")
    workflow_tools: str = Field(
        default="",
        description="Workflows offered as their own run_<name> tools: comma-separated name globs, "
        "and `chat` for those available in the chat assistant.",
    )
    workflow_tools_ttl_s: float = Field(
        default=300.0, gt=0, le=86400, description="How long the set of workflow tools is used before it is re-read."
    )
    max_workflow_tools: int = Field(default=20, ge=0, le=500, description="Workflow tools offered at most.")
    max_workflow_tool_tokens: int = Field(
        default=600, ge=1, description="Tokens one workflow tool's definition may cost; bigger ones are left out."
    )

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_no_key(cls, value: object) -> object:
        """`MISTRAL_API_KEY=` (an MCPB host passes an empty setting so) means no key, not an empty one."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        """Checked here so a typo stops start-up in one line (the message never repeats the URL)."""
        if value is None:
            return None
        try:
            scheme = urlsplit(value.get_secret_value()).scheme
        except ValueError:
            scheme = ""
        if scheme not in REDIS_SCHEMES:
            raise ValueError(f"not a Redis URL: it must start with {', '.join(s + '://' for s in REDIS_SCHEMES)}")
        return value

    @field_validator("confirm")
    @classmethod
    def _valid_confirm(cls, value: str) -> str:
        parse_confirm_policy(value)
        return value

    @property
    def confirm_policy(self) -> ConfirmPolicy:
        return parse_confirm_policy(self.confirm)

    @property
    def http_token_list(self) -> list[str]:
        raw = self.http_tokens.get_secret_value() if self.http_tokens else ""
        return [token.strip() for token in raw.split(",") if token.strip()]

    def secrets(self) -> list[str]:
        """Every secret value this configuration holds: never shown anywhere (redaction.py)."""
        values = [self.api_key, self.confirmation_secret]
        return [v.get_secret_value() for v in values if v is not None] + self.http_token_list + self._redis_password()

    def _redis_password(self) -> list[str]:
        """The password inside MCP_WORKFLOWS_REDIS_URL (the URL itself is redacted wherever it appears)."""
        if self.redis_url is None:
            return []
        url = urlsplit(self.redis_url.get_secret_value())
        query = parse_qs(url.query).get("password", [])
        return [value for value in [url.password, *query] if value]

    @property
    def needs_api_key(self) -> bool:
        """The real API needs a key; the sandbox accepts any bearer token."""
        return not self.sandbox
