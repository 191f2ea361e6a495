"""Fixtures for the command-line tests: an emulator, input files, `gemini-batch` as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_gemini_batch import GoogleLMInvoker
from langchain_gemini_batch.testing.emulator import EmulatorServer

API_KEY = "cli-test-key-7d41b9"  # a fake key; tests check it is never printed
MODEL = "gemini-2.5-flash"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_GEMINI_BASE_URL",
        "GEMINI_BATCH_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """An emulator whose jobs have ended by the first status check."""
    with EmulatorServer(job_seconds=0) as emulator:
        yield emulator


def invoker(server: EmulatorServer, **options: Any) -> GoogleLMInvoker:
    """A `GoogleLMInvoker` on the emulator, with the test's journal (as the CLI uses it)."""
    return GoogleLMInvoker(MODEL, API_KEY, base_url=server.base_url, **options)


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a `gemini-batch` process: no Google settings but the test key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "GEMINI_API"))}
    env["GOOGLE_API_KEY"] = API_KEY
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    """`gemini-batch ARGS` as the installed console script runs it."""
    return [sys.executable, "-m", "langchain_gemini_batch.cli", *args]


def gemini_batch(
    server: EmulatorServer, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `gemini-batch ARGS --base-url <emulator>` to completion."""
    return subprocess.run(
        command(*args, "--base-url", server.base_url),
        capture_output=True,
        text=True,
        env=env if env is not None else cli_env(),
        timeout=timeout,
        check=False,
    )


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    """The command's stdout as JSON (fails with its stderr when it is not)."""
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def request_line(key: str, text: str, **request: Any) -> str:
    """One line of Google's batch JSONL format."""
    body = {"contents": [{"role": "user", "parts": [{"text": text}]}], **request}
    return json.dumps({"key": key, "request": body}) + "\n"


def write_requests(path: Path, count: int, *, prefix: str = "question", size: int = 0) -> Path:
    """A Google-format JSONL file of `count` requests keyed `k0`, `k1`, ..."""
    padding = "x" * size
    path.write_text("".join(request_line(f"k{i}", f"{prefix} {i} {padding}") for i in range(count)))
    return path


def in_process(
    server: EmulatorServer, *args: str, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `gemini-batch ARGS --base-url <emulator>` in this process (click's test runner).

    Much faster than a process (no interpreter start and imports), for the many cases; each
    command is also run as a real process at least once (`gemini_batch`).
    """
    from click.testing import CliRunner

    from langchain_gemini_batch.cli import cli

    result = CliRunner().invoke(
        cli,
        [*args, "--base-url", server.base_url],
        env={"GOOGLE_API_KEY": API_KEY, **(env or {})},
        prog_name="gemini-batch",
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)
