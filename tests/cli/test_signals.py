"""Real signals to a real `gemini-batch` process: SIGTERM behaves like Ctrl-C, cleanup runs."""

from __future__ import annotations

import asyncio
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_gemini_batch import BatchLimits
from langchain_gemini_batch.batch.files import RequestFile
from langchain_gemini_batch.schema import BatchStatus
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.cli.conftest import cli_env, command, invoker, write_requests

pytestmark = pytest.mark.emulator

if not hasattr(signal, "SIGTERM") or os.name == "nt":  # pragma: no cover - POSIX signals
    pytest.skip("POSIX signals", allow_module_level=True)


@pytest.fixture
def slow_server() -> Iterator[EmulatorServer]:
    """Jobs that run for ten minutes (they never end during a test)."""
    with EmulatorServer(job_seconds=600) as emulator:
        yield emulator


def read_until(process: subprocess.Popen[str], needle: str, timeout: float = 60) -> str:
    """Read the process's stderr until a line holds `needle` (fails on EOF or timeout)."""
    assert process.stderr is not None
    seen = ""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = process.stderr.readline()
            if not line:
                break
            seen += line
            if needle in line:
                return seen
    process.kill()
    raise AssertionError(f"no line with {needle!r} in stderr: {seen!r}")


@pytest.mark.parametrize(
    ("signum", "cancel_on_exit"),
    [(signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, False)],
    ids=["sigterm", "sigterm-cancel-on-exit", "ctrl-c"],
)
def test_a_signal_during_wait(
    slow_server: EmulatorServer, signum: signal.Signals, cancel_on_exit: bool
) -> None:
    batch_id = asyncio.run(invoker(slow_server).batch.create({"a": "hello", "b": "world"}))
    args = ["wait", batch_id, "--poll-interval", "0.2", "--base-url", slow_server.base_url]
    process = subprocess.Popen(
        command(*args, *(["--cancel-on-exit"] if cancel_on_exit else [])),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    first = read_until(process, batch_id)  # the first progress line: it is waiting
    assert "JOB_STATE_" in first
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    info = asyncio.run(invoker(slow_server).batch.info(batch_id))
    if cancel_on_exit:
        assert f"asked Google to cancel {batch_id}" in err
        assert slow_server.count("batches.cancel") == 1
        assert info.status in (BatchStatus.CANCELLED, BatchStatus.CANCELING)
    else:
        assert f"{batch_id} keeps running" in err
        assert f"gemini-batch wait {batch_id} --base-url {slow_server.base_url}" in err
        assert slow_server.count("batches.cancel") == 0
        assert info.status is BatchStatus.IN_PROGRESS


def test_sigterm_while_downloading_removes_every_temporary_file(tmp_path: Path) -> None:
    spool_tmp = tmp_path / "tmp"
    spool_tmp.mkdir()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with EmulatorServer(job_seconds=0) as server:
        requests = write_requests(tmp_path / "requests.jsonl", 50)
        batch = invoker(server, batch_limits=BatchLimits(inline_max_bytes=0)).batch

        async def create_and_wait() -> str:
            file_id = await batch.create_raw(RequestFile(requests))
            assert await batch.wait(file_id) is BatchStatus.FINISHED
            return file_id

        file_id = asyncio.run(create_and_wait())
        assert server.count("files.upload") == 1  # a file job: its results are a file
        server.options.latency = 3.0  # every call now takes 3 s: the download is slow
        process = subprocess.Popen(
            command(
                "results", file_id, "-o", str(out_dir / "r.jsonl"), "--base-url", server.base_url
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(TMPDIR=str(spool_tmp)),
        )
        deadline = time.monotonic() + 60
        while not list(spool_tmp.glob("langchain-gemini-batch-*/*/*")):  # the download spool
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no spool file appeared"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 130, err
        assert list(spool_tmp.glob("langchain-gemini-batch-*/*/*")) == []
        assert list(out_dir.iterdir()) == []  # no results file, no half-written temporary
        server.options.latency = 0.0
        record = batch.engine.record(file_id)
        assert record is not None
        assert record.state.value == "created"  # not marked read: results can be read again
