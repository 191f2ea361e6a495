"""Real process kills (`kill -9`) at each stage, then the same script again.

Each test starts the user's script (`tests/durable/client.py`) as a subprocess against an
in-process emulator, kills it with SIGKILL at a chosen moment (seen in the emulator's request
log), runs the script again, and counts: jobs created, results returned, temporary files left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from langchain_gemini_batch.batch._spool import spool_root
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.durable.conftest import jobs_created

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ROOT = Path(__file__).resolve().parents[2]


def start(server: EmulatorServer, journal: Path, n: int, *flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GEMINI_BATCH_JOURNAL": str(journal), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tests.durable.client", server.base_url, str(journal)]
    return subprocess.Popen(
        [*command, str(n), *flags],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(
    process: subprocess.Popen[str], ready: Callable[[], bool], after: float = 0.0
) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.01)
    time.sleep(after)
    assert process.poll() is None, "the script ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()


def finish(process: subprocess.Popen[str]) -> dict[str, str]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    answers: dict[str, str] = json.loads(out)
    return answers


def leftovers(pid: int) -> list[Path]:
    return list(spool_root().glob(f"*_{pid}_*"))


def expect_every_answer(answers: dict[str, str], n: int) -> None:
    assert answers == {f"q{i}": f"Echo: Question {i}" for i in range(n)}


@pytest.mark.parametrize("chain", [False, True], ids=["invoke", "chain.abatch"])
def test_killed_while_waiting(tmp_path: Path, chain: bool) -> None:
    journal = tmp_path / "journal.sqlite3"
    flags = ("--chain",) if chain else ()
    with EmulatorServer(job_seconds=3) as server:
        first = start(server, journal, 100, *flags)
        kill_when(first, lambda: server.count("batches.get") >= 1)
        assert jobs_created(server) == 1
        answers = finish(start(server, journal, 100, *flags))
        assert jobs_created(server) == 1  # reattached, not paid twice
        expect_every_answer(answers, 100)


def test_killed_after_google_created_the_job_but_before_it_answered(tmp_path: Path) -> None:
    """The instant no journal can cover: the job exists, its name never reached the client."""
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0) as server:
        server.inject("batchGenerateContent", delay=30)  # created, answered 30 s later
        first = start(server, journal, 100)
        kill_when(first, lambda: server.count("batchGenerateContent") >= 1, after=0.2)
        assert server.counts().jobs == 1
        answers = finish(start(server, journal, 100))
        assert server.count("batchGenerateContent") == 1  # found by its fingerprint tag
        assert server.count("batches.list") >= 1
        expect_every_answer(answers, 100)


def test_killed_halfway_through_creating_a_split_batch(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0) as server:
        server.inject("batchGenerateContent", nth=2, delay=30)  # the 2nd of 3 jobs
        first = start(server, journal, 90, "--per-job", "30")
        kill_when(first, lambda: server.count("batchGenerateContent") >= 2, after=0.2)
        assert server.counts().jobs == 2
        answers = finish(start(server, journal, 90, "--per-job", "30"))
        assert server.counts().jobs == 3  # only the missing third job was created
        assert server.count("batchGenerateContent") == 3
        expect_every_answer(answers, 90)


def test_killed_during_upload(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0, latency=0.3) as server:
        first = start(server, journal, 300, "--file")
        kill_when(first, lambda: server.count("files.upload") >= 1)
        assert jobs_created(server) == 0
        assert leftovers(first.pid)  # the spilled requests of the killed run ...
        server.options.latency = 0.0
        rerun = start(server, journal, 300, "--file")
        answers = finish(rerun)
        assert leftovers(first.pid) == []  # ... are removed by the next run
        assert leftovers(rerun.pid) == []
        assert jobs_created(server) == 1
        expect_every_answer(answers, 300)


def test_killed_after_uploading_before_any_job_exists(tmp_path: Path) -> None:
    """The upload is done, the create was refused (429) and the script dies while it waits."""
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0, retry_delay_seconds=60) as server:
        server.inject("batchGenerateContent", status=429)  # "retry in 60 s"
        first = start(server, journal, 200, "--file")
        kill_when(first, lambda: server.count("batchGenerateContent", status=429) >= 1, 0.2)
        assert server.counts().jobs == 0
        assert server.counts().uploaded_files == 1  # the orphaned upload
        answers = finish(start(server, journal, 200, "--file"))
        expect_every_answer(answers, 200)
        assert jobs_created(server) == 1
        assert server.counts().uploaded_files == 0  # the orphan and the used input: deleted
        assert server.count("files.delete", status=200) == 2


def test_killed_while_retrieving(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=0, latency=0.5) as server:
        first = start(server, journal, 300, "--file")

        def finished_job_seen() -> bool:
            return any(r.action == "batches.get" and r.status == 200 for r in server.requests)

        kill_when(first, finished_job_seen, after=0.2)  # the download takes 0.5 s
        assert jobs_created(server) == 1
        server.options.latency = 0.0
        rerun = start(server, journal, 300, "--file")
        answers = finish(rerun)
        assert jobs_created(server) == 1
        assert leftovers(first.pid) == []
        expect_every_answer(answers, 300)
        assert server.count("files.delete", status=200) == 1  # the input file, once


def test_two_processes_running_the_same_work_make_one_job(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    with EmulatorServer(job_seconds=1, latency=0.2) as server:
        first = start(server, journal, 50)
        second = start(server, journal, 50)
        one, two = finish(first), finish(second)
        assert jobs_created(server) == 1
        expect_every_answer(one, 50)
        expect_every_answer(two, 50)
