"""`batchStats` moves while a job runs: counts grow with the elapsed fraction of the run."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.support import MODEL, inline_requests, make_client, raw_get

pytestmark = pytest.mark.emulator


def _counts(body: dict[str, Any]) -> tuple[int, int, int, int]:
    stats = body["metadata"]["batchStats"]
    assert all(isinstance(v, str) and v != "0" for v in stats.values())  # int64 strings, no zeros
    return tuple(  # type: ignore[return-value]
        int(stats.get(name, "0"))
        for name in (
            "requestCount",
            "successfulRequestCount",
            "failedRequestCount",
            "pendingRequestCount",
        )
    )


def test_counts_grow_deterministically_with_the_elapsed_fraction() -> None:
    # Virtual clock: created at 00:00:01 (9 s job, RUNNING from 00:00:04 to 00:00:10), one
    # second per request; 6 requests over the 6 running seconds: one more processed per poll.
    with (
        EmulatorServer(job_seconds=9, deterministic=True, fail_keys={"r1", "r4"}) as server,
        make_client(server) as client,
    ):
        job = client.batches.create(model=MODEL, src=inline_requests(6))
        assert job.name is not None
        bodies: list[dict[str, Any]] = []
        while not bodies or not bodies[-1].get("done"):
            bodies.append(raw_get(client, job.name))
    states = [b["metadata"]["state"] for b in bodies]
    assert states == ["BATCH_STATE_PENDING"] * 2 + ["BATCH_STATE_RUNNING"] * 6 + [
        "BATCH_STATE_SUCCEEDED"
    ]
    counts = [_counts(b) for b in bodies]
    assert counts == [
        (6, 0, 0, 6),
        (6, 0, 0, 6),
        (6, 0, 0, 6),
        (6, 1, 0, 5),
        (6, 1, 1, 4),
        (6, 2, 1, 3),
        (6, 3, 1, 2),
        (6, 3, 2, 1),
        (6, 4, 2, 0),
    ]


def test_counts_only_move_forward_on_the_wall_clock() -> None:
    with (
        EmulatorServer(job_seconds=1.2, fail_fraction=0.5, seed=4) as server,
        make_client(server) as client,
    ):
        job = client.batches.create(model=MODEL, src=inline_requests(40))
        assert job.name is not None
        seen: list[tuple[tuple[int, int, int, int], bool]] = []
        while not seen or not seen[-1][1]:
            body = raw_get(client, job.name)
            seen.append((_counts(body), body.get("done", False)))
            time.sleep(0.02)
    counts = [c for c, _ in seen]
    for before, after in itertools.pairwise(counts):
        assert after[0] == 40
        assert after[1] >= before[1]
        assert after[2] >= before[2]
        assert after[3] <= before[3]
    total, ok, failed, pending = counts[-1]
    assert (total, pending) == (40, 0)
    assert ok + failed == 40
    assert 0 < failed < 40
    assert json.dumps(seen)  # plain data
