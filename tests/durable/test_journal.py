"""The job journal on its own: claims, records, states, files (no network)."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from langchain_gemini_batch import JobRecord, Journal
from langchain_gemini_batch.batch._keys import KeyDigest
from langchain_gemini_batch.batch._owner import current_owner
from langchain_gemini_batch.batch.journal import ClaimOutcome, RecordState, resolve_journal


def template(fingerprint: str = "f" * 64, ids: tuple[str, ...] = ("a", "b")) -> JobRecord:
    return JobRecord(
        chunk_fingerprint=fingerprint,
        work_fingerprint="w" * 64,
        endpoint="gemini-api:http://127.0.0.1:1",
        kind="generate",
        model="gemini-2.5-flash",
        display_name=f"x [lgb-{fingerprint[:20]}]",
        request_count=len(ids),
        request_ids=ids,
        structured=True,
    )


def test_a_claim_is_new_then_existing_once_the_job_is_recorded(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    outcome, intent = journal.claim(template())
    assert outcome is ClaimOutcome.NEW
    assert intent.row_id is not None
    assert intent.state is RecordState.CREATING
    journal.record_created(intent, "batches/abc", input_file="files/in1")
    outcome, found = journal.claim(template())
    assert outcome is ClaimOutcome.EXISTING
    assert found.job_name == "batches/abc"
    assert found.input_file == "files/in1"
    assert found.request_ids == ("a", "b")
    assert found.structured
    # another piece of work is new
    assert journal.claim(template("e" * 64))[0] is ClaimOutcome.NEW


def test_resume_false_abandons_what_was_there(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    _, intent = journal.claim(template())
    journal.record_created(intent, "batches/old")
    outcome, fresh = journal.claim(template(), resume=False)
    assert outcome is ClaimOutcome.NEW
    states = {r.job_name: r.state for r in journal.records()}
    assert states == {"batches/old": RecordState.ABANDONED, None: RecordState.CREATING}
    assert fresh.row_id != intent.row_id


def _insert_foreign_intent(journal: Journal, pid: int) -> None:
    """An intent owned by another process (written as that process would)."""
    import sqlite3

    _, intent = journal.claim(template())
    owner = f"{current_owner().host}:{pid}:0"
    with sqlite3.connect(journal.path) as db:
        db.execute("UPDATE jobs SET owner = ? WHERE row_id = ?", (owner, intent.row_id))


def test_an_intent_of_a_live_process_is_busy_and_of_a_dead_one_orphaned(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _insert_foreign_intent(journal, sleeper.pid)
        assert journal.claim(template())[0] is ClaimOutcome.BUSY
    finally:
        sleeper.kill()
        sleeper.wait()
    outcome, orphan = journal.claim(template())
    assert outcome is ClaimOutcome.ORPHANED  # the caller must look for the job first
    assert orphan.job_name is None
    assert len(journal.records()) == 1  # no second intent


def test_unretrieved_lists_what_may_still_run(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    _, first = journal.claim(template("1" * 64))
    journal.record_created(first, "batches/one")
    _, second = journal.claim(template("2" * 64))
    journal.record_created(second, "batches/two")
    journal.update(first.endpoint, "batches/two", state=RecordState.RETRIEVED)
    journal.update(first.endpoint, "batches/one", remote_state="JOB_STATE_RUNNING")
    pending = journal.unretrieved()
    assert [(r.job_name, r.remote_state, r.request_count) for r in pending] == [
        ("batches/one", "JOB_STATE_RUNNING", 2)
    ]
    assert pending[0].created_at <= time.time()
    assert journal.find(first.endpoint, "batches/two").state is RecordState.RETRIEVED  # type: ignore[union-attr]


def test_records_are_plain_data_across_processes(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    _, intent = journal.claim(template(ids=tuple(f"id-{i}" for i in range(5000))))
    record = journal.record_created(intent, "batches/big")
    assert JobRecord.from_json(record.to_json()) == record
    code = (
        "from langchain_gemini_batch import Journal;"
        f"r = Journal({str(journal.path)!r}).find({record.endpoint!r}, 'batches/big');"
        "print(r.to_json())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert JobRecord.from_json(out) == record


def test_the_file_is_private_and_placed_by_env_or_argument(
    tmp_path: Path, monkeypatch: object
) -> None:
    journal = Journal(tmp_path / "deep" / "j.sqlite3")
    journal.claim(template())
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(journal.path.parent).st_mode) == 0o700
    assert resolve_journal(False) is None
    assert resolve_journal(tmp_path / "k.sqlite3").path == tmp_path / "k.sqlite3"  # type: ignore[union-attr]
    assert resolve_journal(None).path == Path(os.environ["GEMINI_BATCH_JOURNAL"])  # type: ignore[union-attr]


def test_old_finished_records_are_pruned_on_open(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    _, intent = journal.claim(template())
    journal.record_created(intent, "batches/old")
    journal.set_state(dataclasses.replace(intent), RecordState.RETRIEVED)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE jobs SET updated_at = ?", (time.time() - 40 * 86400,))
    assert Journal(path).records() == []


def test_request_ids_are_kept_in_blocks_and_read_back_only_when_asked(tmp_path: Path) -> None:
    import sqlite3

    journal = Journal(tmp_path / "j.sqlite3")
    ids = tuple(f"request-{i}\n{'é' * (i % 3)}" for i in range(10_000))  # 3 blocks of 4,096
    _, intent = journal.claim(template(ids=ids))
    journal.record_created(intent, "batches/big")
    with sqlite3.connect(journal.path) as db:
        parts = db.execute(
            "SELECT part FROM request_id_blocks WHERE job_row = ? ORDER BY part", (intent.row_id,)
        ).fetchall()
    assert [p for (p,) in parts] == [0, 1, 2]
    found = journal.find(intent.endpoint, "batches/big")
    assert found is not None
    assert len(found.request_ids) == 10_000
    assert found.expected_digest() == KeyDigest.of(ids)  # no need to read the IDs for this
    assert tuple(found.request_ids) == ids
    journal.release(dataclasses.replace(found, job_name=None))  # a created job is kept
    assert journal.find(intent.endpoint, "batches/big") is not None
    _, loose = journal.claim(template("e" * 64, ids=("x", "y")))
    journal.release(loose)  # an intent never sent: its row and its blocks go
    with sqlite3.connect(journal.path) as db:
        rows = db.execute(
            "SELECT job_row FROM request_id_blocks WHERE job_row = ?", (loose.row_id,)
        )
        assert rows.fetchall() == []


def test_a_journal_written_by_an_earlier_version_is_still_read(tmp_path: Path) -> None:
    """Its `jobs` table has no `key_digest` column and keeps IDs newline-joined in one blob."""
    import sqlite3
    import zlib

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE jobs (row_id INTEGER PRIMARY KEY AUTOINCREMENT, chunk_fingerprint TEXT"
            " NOT NULL, work_fingerprint TEXT NOT NULL, endpoint TEXT NOT NULL, kind TEXT NOT NULL,"
            " model TEXT NOT NULL, display_name TEXT NOT NULL, request_count INTEGER NOT NULL,"
            " request_ids BLOB NOT NULL, structured INTEGER NOT NULL, chunk_index INTEGER NOT"
            " NULL, chunk_count INTEGER NOT NULL, state TEXT NOT NULL, job_name TEXT, input_file"
            " TEXT, remote_state TEXT, owner TEXT, created_at REAL NOT NULL, updated_at REAL NOT"
            " NULL);"
        )
        db.execute(
            "INSERT INTO jobs (chunk_fingerprint, work_fingerprint, endpoint, kind, model,"
            " display_name, request_count, request_ids, structured, chunk_index, chunk_count,"
            " state, job_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            ("f" * 64, "w" * 64, "e", "generate", "m", "d", 2, zlib.compress(b"a\nb"), 0, 0, 1,
             "created", "batches/old", time.time(), time.time()),
        )  # fmt: skip
    journal = Journal(path)
    found = journal.find("e", "batches/old")
    assert found is not None
    assert found.request_ids == ("a", "b")
    assert found.expected_digest() == KeyDigest.of(["a", "b"])
    _, intent = journal.claim(template())  # and new records go in beside it
    assert journal.find(intent.endpoint, "batches/old") is None
    assert len(journal.records()) == 2
