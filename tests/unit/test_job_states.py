import logging

import pytest
from google.genai.types import JobState

from langchain_gemini_batch import BatchStatus
from langchain_gemini_batch.batch._jobs import (
    STATUS_BY_STATE,
    job_state,
    split_handle,
    status_of_state,
    summarize,
)
from tests.unit.fake_google import operation


def test_every_job_state_maps_to_a_status() -> None:
    assert set(STATUS_BY_STATE) == set(JobState)
    for state in JobState:
        assert isinstance(status_of_state(state.value), BatchStatus)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("BATCH_STATE_PENDING", BatchStatus.IN_PROGRESS),
        ("BATCH_STATE_RUNNING", BatchStatus.IN_PROGRESS),
        ("BATCH_STATE_SUCCEEDED", BatchStatus.FINISHED),
        ("BATCH_STATE_FAILED", BatchStatus.FAILED),
        ("BATCH_STATE_CANCELLED", BatchStatus.CANCELLED),
        ("BATCH_STATE_EXPIRED", BatchStatus.EXPIRED),
        ("BATCH_STATE_UNSPECIFIED", BatchStatus.UNKNOWN),
        ("JOB_STATE_QUEUED", BatchStatus.IN_PROGRESS),
        ("JOB_STATE_PAUSED", BatchStatus.IN_PROGRESS),
        ("JOB_STATE_CANCELLING", BatchStatus.CANCELING),
        ("JOB_STATE_PARTIALLY_SUCCEEDED", BatchStatus.FINISHED),
    ],
)
def test_wire_states(wire: str, expected: BatchStatus) -> None:
    assert status_of_state(job_state({"metadata": {"state": wire}})) is expected


def test_cancelled_is_not_failed_and_terminal_flags() -> None:
    assert status_of_state("JOB_STATE_CANCELLED") is not BatchStatus.FAILED
    assert BatchStatus.CANCELLED.is_terminal
    assert not BatchStatus.CANCELING.is_terminal
    assert not BatchStatus.IN_PROGRESS.is_terminal


def test_unknown_state_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert status_of_state("JOB_STATE_TELEPORTED") is BatchStatus.UNKNOWN
    assert "JOB_STATE_TELEPORTED" in caplog.text


def test_summary_reads_string_counters_and_missing_zeros() -> None:
    op = operation(
        "j",
        "BATCH_STATE_RUNNING",
        stats={"requestCount": "5", "successfulRequestCount": "2", "pendingRequestCount": "3"},
    )
    summary = summarize(op)
    assert summary["id"] == "batches/j"
    assert summary["status"] is BatchStatus.IN_PROGRESS
    assert summary["request_counts"] == {"total": 5, "succeeded": 2, "failed": 0, "pending": 3}
    assert summary["display_name"] == "langchain-gemini-batch"
    assert summary["create_time"].startswith("2026-01-01T00:00:00")


def test_batch_handles() -> None:
    assert split_handle("batches/a") == ["batches/a"]
    assert split_handle("batches/a,batches/b") == ["batches/a", "batches/b"]
    assert split_handle("abc") == ["batches/abc"]
    with pytest.raises(ValueError):
        split_handle(" , ")
