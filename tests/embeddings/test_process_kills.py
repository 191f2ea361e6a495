"""`kill -9` an indexing script, run it again: the rerun reattaches, nothing is paid twice."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_gemini_batch.em_invoker import GoogleEMInvoker
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.durable.test_process_kills import kill_when
from tests.embeddings.client import corpus
from tests.embeddings.conftest import jobs_created

pytestmark = [
    pytest.mark.emulator,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

ROOT = Path(__file__).resolve().parents[2]


def start(server: EmulatorServer, journal: Path, n: int, *flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tests.embeddings.client", server.base_url, str(journal)]
    return subprocess.Popen(
        [*command, str(n), *flags],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> list[list[float]]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    vectors: list[list[float]] = json.loads(out)
    return vectors


def online(server: EmulatorServer, n: int) -> list[list[float]]:
    invoker = GoogleEMInvoker(
        "gemini-embedding-001", "k", base_url=server.base_url, output_dimensionality=8
    )
    return asyncio.run(invoker.embed(corpus(n), {"task_type": "RETRIEVAL_DOCUMENT"}))


def test_killed_while_waiting(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=3) as server:
        first = start(server, journal, 300)
        kill_when(first, lambda: server.count("batches.get") >= 1)
        assert jobs_created(server) == 1
        vectors = finish(start(server, journal, 300))
        assert jobs_created(server) == 1
        assert vectors == online(server, 300)


def test_killed_after_google_created_the_job_but_before_it_answered(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0) as server:
        server.inject("asyncBatchEmbedContent", delay=30)  # created, answered 30 s later
        first = start(server, journal, 100)
        kill_when(first, lambda: server.count("asyncBatchEmbedContent") >= 1, after=0.2)
        assert server.counts().jobs == 1
        vectors = finish(start(server, journal, 100))
        assert server.count("asyncBatchEmbedContent") == 1  # found by its fingerprint tag
        assert server.counts().jobs == 1
        assert vectors == online(server, 100)


def test_killed_halfway_through_creating_a_split_batch(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0) as server:
        server.inject("asyncBatchEmbedContent", nth=2, delay=30)  # the 2nd of 3 jobs
        first = start(server, journal, 90, "--per-job", "30")
        kill_when(first, lambda: server.count("asyncBatchEmbedContent") >= 2, after=0.2)
        assert server.counts().jobs == 2
        vectors = finish(start(server, journal, 90, "--per-job", "30"))
        assert server.counts().jobs == 3  # only the missing third job was created
        assert vectors == online(server, 90)
