"""The command pauses the cyclic garbage collector while it starts and turns it on again before it
serves: a server left without it would grow with every reference cycle its calls create."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from mcp_workflows import cli, sandboxed


@pytest.fixture(autouse=True)
def collector_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(cli, "_configure_logging", lambda: None)  # process-wide: not in a test process
    yield
    gc.enable()
    gc.unfreeze()


class ServerThatRecords:
    def __init__(self) -> None:
        self.collecting_when_run: bool | None = None

    def run(self) -> None:
        self.collecting_when_run = gc.isenabled()


def test_serve_collects_garbage_again_before_it_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    server = ServerThatRecords()
    collecting_when_built: list[bool] = []

    def server_for(*_: Any) -> ServerThatRecords:
        collecting_when_built.append(gc.isenabled())
        return server

    monkeypatch.setattr(sandboxed, "server_for", server_for)
    monkeypatch.setenv("MISTRAL_API_KEY", "test-key")
    cli.main(["serve"])
    assert collecting_when_built == [False], "start-up runs without the collector"
    assert server.collecting_when_run is True
    assert gc.get_freeze_count() > 0, "what start-up built is left out of later collections"


def test_other_commands_collect_garbage_from_the_start(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["tools", "--json"])
    assert gc.isenabled()
    assert capsys.readouterr().out, "the command ran"
