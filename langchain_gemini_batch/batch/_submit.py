"""Creating one job without ever paying twice: journal claim, reattach, careful create.

For each job of a batch:
1. Claim its work in the journal (`Journal.claim`). A job already created for the same work
   (same model, kind, settings and requests) is reattached to, unless Google no longer has it
   or it ended FAILED, CANCELLED or EXPIRED. Another live process creating it: wait for it.
   An intent left by a dead process: look for its job by the fingerprint tag in the display
   names (`list()`) before creating.
2. Upload the input file (file jobs), then send the create exactly once. A failure that may
   have created the job anyway (timeout, 5xx, dropped connection) is followed by a look for
   the tag before any new attempt; a 429 is retried after Google's `retryDelay`; any other
   refusal deletes the uploaded file and drops the intent.
3. Record the job name as soon as Google answers. A caller cancelled while the create is in
   flight lets it finish, records the job, and cancels it (unless `cancel_on_exit=False`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import threading
import time
from contextvars import ContextVar

from langchain_gemini_batch.batch._faults import (
    backoff,
    create_may_have_succeeded,
    http_status,
    is_transient,
    retry_after,
    with_retries,
)
from langchain_gemini_batch.batch._plan import JobChunk
from langchain_gemini_batch.batch._record import RecordCache
from langchain_gemini_batch.batch.backends.base import Backend, RemoteJob
from langchain_gemini_batch.batch.codecs import Codec
from langchain_gemini_batch.batch.journal import ClaimOutcome, JobRecord, Journal, RecordState
from langchain_gemini_batch.schema import BatchStatus

__all__ = [
    "DEFAULT_DISPLAY_NAME",
    "FRESH_JOB_HINT",
    "RecordCache",
    "Submitter",
    "cancel_confirmed",
    "delete_file_quietly",
    "display_name_for",
    "tag_of",
]

logger = logging.getLogger("langchain_gemini_batch")

FRESH_JOB_HINT: ContextVar[str] = ContextVar(
    "FRESH_JOB_HINT", default="resume=False for a fresh job"
)
"""How the log line about a reattached job says to force a new one (the CLI: `--new`)."""

DEFAULT_DISPLAY_NAME = "langchain-gemini-batch"
_TAG = re.compile(r"\[lgb-([0-9a-f]{20})\]")
_UNUSABLE = frozenset(
    {BatchStatus.FAILED, BatchStatus.CANCELLED, BatchStatus.EXPIRED, BatchStatus.CANCELING}
)
_LOOKUP_PAGES = 50
_CLOCK_SKEW = 300.0
_FRESH_WINDOW = 48 * 3600.0
"""How far back a fresh create looks for a job of the same work (Google expires unfinished
jobs after 48 hours)."""


def tag_of(fingerprint: str) -> str:
    """The display-name tag that makes a job findable from its work alone."""
    return f"[lgb-{fingerprint[:20]}]"


def display_name_for(base: str | None, index: int, total: int, fingerprint: str) -> str:
    """`<base> (i/n) [lgb-<fingerprint>]`, the base cut to keep the name under 128 chars."""
    name = (base or DEFAULT_DISPLAY_NAME)[:90]
    if total > 1:
        name = f"{name} ({index + 1}/{total})"
    return f"{name} {tag_of(fingerprint)}"


def _has_tag(job: RemoteJob, fingerprint: str) -> bool:
    match = _TAG.search(job.info.display_name or "")
    return match is not None and fingerprint.startswith(match.group(1))


_inflight: set[str] = set()
_inflight_lock = threading.Lock()


class Submitter:
    """Creates the jobs of a batch (see the module docstring).

    Args:
        backend: Where jobs run.
        journal: The job journal, or `None` (no reattach across processes).
        records: Where records go when there is no journal.
        create_attempts: Create tries per job on 429 or ambiguous failures.
        retry_base_delay: The first wait between tries, in seconds.
    """

    def __init__(
        self,
        backend: Backend,
        journal: Journal | None,
        records: RecordCache,
        *,
        create_attempts: int = 5,
        retry_base_delay: float = 1.0,
    ) -> None:
        self.backend = backend
        self.journal = journal
        self.records = records
        self.create_attempts = create_attempts
        self.retry_base_delay = retry_base_delay

    async def submit(
        self,
        chunk: JobChunk,
        template: JobRecord,
        *,
        model: str,
        codec: Codec,
        resume: bool,
        cancel_on_exit: bool,
    ) -> tuple[JobRecord, bool]:
        """Create (or reattach to) the job of `chunk`.

        Returns:
            Its record (with the job name), and whether this call created it (`False`: it
            was reattached to).
        """
        journal = self.journal
        if journal is None:
            intent = dataclasses.replace(template, created_at=time.time())
            found_job = await self._look_first(template.chunk_fingerprint, resume)
            if found_job is not None:
                record = dataclasses.replace(
                    intent,
                    state=RecordState.CREATED,
                    job_name=found_job.name,
                    input_file=self.backend.input_file(found_job),
                )
                self.records.put(record)
                return record, False
            record = await self._create(intent, chunk, model, codec, cancel_on_exit)
            self.records.put(record)
            return record, True
        fingerprint = template.chunk_fingerprint
        waited_for_peer = False
        while True:
            outcome, found = ClaimOutcome.BUSY, template
            with _inflight_lock:
                busy_here = fingerprint in _inflight
                if not busy_here:
                    outcome, found = journal.claim(template, resume=resume)
                    if outcome in (ClaimOutcome.NEW, ClaimOutcome.ORPHANED):
                        _inflight.add(fingerprint)
            if outcome is ClaimOutcome.BUSY:
                if not waited_for_peer:
                    logger.info("another caller is creating the job for this work; waiting")
                    waited_for_peer = True
                await asyncio.sleep(0.5)
                continue
            if outcome is ClaimOutcome.EXISTING:
                existing = await self._usable(found)
                if existing is not None:
                    created = existing.info.create_time
                    logger.warning(
                        "reattached to %s (%s, created %s for the same work; %s)",
                        found.job_name,
                        existing.info.state,
                        created.isoformat(timespec="seconds") if created else "earlier",
                        FRESH_JOB_HINT.get(),
                    )
                    return found, False
                journal.set_state(found, RecordState.ABANDONED)
                continue
            try:
                if outcome is ClaimOutcome.ORPHANED:
                    job = await self._find(fingerprint, since=found.created_at)
                    if job is not None:
                        logger.warning(
                            "found %s, created for this work by a process that ended before "
                            "recording it; reattached",
                            job.name,
                        )
                        record = journal.record_created(
                            found, job.name, input_file=self.backend.input_file(job)
                        )
                        return record, False
                    if found.input_file:  # uploaded by the dead process, never used by a job
                        await delete_file_quietly(self.backend, found.input_file)
                else:  # NEW: a job may exist from a run that used another (or no) journal
                    job = await self._look_first(fingerprint, resume)
                    if job is not None:
                        record = journal.record_created(
                            found, job.name, input_file=self.backend.input_file(job)
                        )
                        return record, False
                return await self._create(found, chunk, model, codec, cancel_on_exit), True
            finally:
                with _inflight_lock:
                    _inflight.discard(fingerprint)

    async def _usable(self, record: JobRecord) -> RemoteJob | None:
        """The journaled job, if it can be reattached to (Google has it, it can finish)."""
        assert record.job_name is not None
        try:
            job = await with_retries(
                lambda: self.backend.get(str(record.job_name)),
                what=f"checking {record.job_name}",
                base_delay=self.retry_base_delay,
            )
        except Exception as exc:
            if http_status(exc) in (403, 404):
                logger.warning("%s is gone (%s); not reused", record.job_name, http_status(exc))
                return None
            raise  # cannot tell: never risk a second job
        if job.info.status in _UNUSABLE:
            logger.info("%s ended %s; a new job is created", job.name, job.info.state)
            return None
        if not _has_tag(job, record.chunk_fingerprint):
            logger.warning("%s does not carry this work's tag; not reused", job.name)
            return None
        return job

    async def _look_first(self, fingerprint: str, resume: bool) -> RemoteJob | None:
        """Before creating: a job already made for this work (by any run, any journal).

        Jobs carry their work's fingerprint in their display name, so a rerun finds the job
        of a run whose journal is gone or elsewhere (another machine, a fresh CI container).
        A failed lookup does not stop the create: there is no sign that a job exists.
        """
        if not resume:
            return None
        try:
            job = await self._find(fingerprint, since=time.time() - _FRESH_WINDOW)
        except Exception as exc:
            logger.warning("could not look for an earlier job of this work (%s)", exc)
            return None
        if job is not None:
            logger.warning(
                "%s was already created for this work (found by its tag); reattached (%s)",
                job.name,
                FRESH_JOB_HINT.get(),
            )
        return job

    async def _find(self, fingerprint: str, *, since: float) -> RemoteJob | None:
        """A usable job whose display name carries this work's tag, created after `since`."""
        pages = 0
        best: RemoteJob | None = None
        # No retry here: a failed page ends the generator (the client already retried it);
        # the error goes up, because "no job found" must never be a guess.
        async for page in self.backend.pages(100):
            pages += 1
            if pages > _LOOKUP_PAGES:
                break
            for job in page:
                created = job.info.create_time
                recent = created is None or created.timestamp() >= since - _CLOCK_SKEW
                if recent and _has_tag(job, fingerprint) and job.info.status not in _UNUSABLE:
                    best = job
        return best

    async def _create(
        self, intent: JobRecord, chunk: JobChunk, model: str, codec: Codec, cancel_on_exit: bool
    ) -> JobRecord:
        """Upload (file jobs), create once, find or retry on failures; the recorded job."""
        uploaded: str | None = None
        maybe_created = False
        try:
            if not chunk.inline:
                uploaded = await with_retries(
                    lambda: self.backend.upload(
                        chunk.path(), intent.display_name, chunk.fingerprint
                    ),
                    what="uploading the batch input",
                    base_delay=self.retry_base_delay,
                )
                if self.journal is not None and intent.row_id is not None:
                    self.journal.record_upload(intent, uploaded)  # found again after a crash
            job = await self._create_once_or_find(intent, chunk, model, codec, uploaded)
        except _CreatedThenCancelled as stop:
            record = self._record(intent, stop.job.name, uploaded)
            if cancel_on_exit:
                await cancel_confirmed(self.backend, stop.job.name)
            else:
                logger.warning("cancelled while creating %s; the job keeps running", stop.job.name)
            raise asyncio.CancelledError from None
        except BaseException as exc:
            maybe_created = isinstance(exc, _Ambiguous)
            if not maybe_created:
                self._forget(intent)
                if uploaded is not None:
                    await delete_file_quietly(self.backend, uploaded)
            raise exc.cause if isinstance(exc, _Ambiguous) else exc from None
        record = self._record(intent, job.name, uploaded)
        logger.info(
            "created %s with %d requests (%s)",
            job.name,
            intent.request_count,
            f"file {uploaded}" if uploaded else "inline",
        )
        return record

    def _record(self, intent: JobRecord, job_name: str, uploaded: str | None) -> JobRecord:
        if self.journal is not None:
            return self.journal.record_created(intent, job_name, input_file=uploaded)
        return dataclasses.replace(
            intent, state=RecordState.CREATED, job_name=job_name, input_file=uploaded
        )

    def _forget(self, intent: JobRecord) -> None:
        if self.journal is not None and intent.row_id is not None:
            self.journal.release(intent)

    async def _create_once_or_find(
        self, intent: JobRecord, chunk: JobChunk, model: str, codec: Codec, uploaded: str | None
    ) -> RemoteJob:
        fingerprint = intent.chunk_fingerprint
        for attempt in range(1, self.create_attempts + 1):
            try:
                return await _shielded_create(
                    self.backend,
                    model,
                    codec,
                    chunk,
                    uploaded=uploaded,
                    display_name=intent.display_name,
                )
            except (asyncio.CancelledError, _CreatedThenCancelled):
                raise
            except Exception as exc:
                if not is_transient(exc):
                    raise  # refused: nothing was created
                ambiguous = create_may_have_succeeded(exc)
                if ambiguous:
                    logger.warning(
                        "creating the job failed (%s); it may exist anyway: looking for it",
                        type(exc).__name__,
                    )
                    try:
                        job = await self._find(fingerprint, since=intent.created_at)
                    except Exception as lookup_error:
                        raise _Ambiguous(exc) from lookup_error
                    if job is not None:
                        logger.warning("the job was created after all: %s", job.name)
                        return job
                if attempt >= self.create_attempts:
                    if ambiguous:
                        raise _Ambiguous(exc) from exc
                    raise
                delay = retry_after(exc) or backoff(attempt, base=self.retry_base_delay)
                logger.warning(
                    "create failed (%s); try %d of %d in %.1f s",
                    type(exc).__name__,
                    attempt + 1,
                    self.create_attempts,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


class _Ambiguous(Exception):  # noqa: N818 - internal signal, never escapes
    """A create failed in a way that may have created the job, and no job was found."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _CreatedThenCancelled(BaseException):
    """The caller was cancelled while Google created the job."""

    def __init__(self, job: RemoteJob) -> None:
        super().__init__(job.name)
        self.job = job


async def _shielded_create(
    backend: Backend,
    model: str,
    codec: Codec,
    chunk: JobChunk,
    *,
    uploaded: str | None,
    display_name: str,
) -> RemoteJob:
    """Send the create; if the caller is cancelled meanwhile, let it finish and say so."""
    task = asyncio.ensure_future(backend.create(model, codec, chunk, uploaded, display_name))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        try:
            job = await task
        except BaseException:
            raise asyncio.CancelledError from None
        raise _CreatedThenCancelled(job) from None


async def cancel_confirmed(backend: Backend, name: str) -> bool:
    """Cancel a job; whether Google confirmed it (failures are logged, never raised)."""
    try:
        await asyncio.shield(
            with_retries(lambda: backend.cancel(name), what=f"cancelling {name}", attempts=3)
        )
    except Exception as exc:
        logger.error("could not cancel %s (%s): it may still be running", name, exc)
        return False
    logger.warning("cancelled %s", name)
    return True


async def delete_file_quietly(backend: Backend, name: str) -> bool:
    """Delete an uploaded input file; whether it worked (failures are logged)."""
    try:
        await with_retries(lambda: backend.delete_file(name), what=f"deleting {name}", attempts=3)
    except Exception as exc:
        if http_status(exc) in (403, 404):
            return True  # already gone
        logger.warning("could not delete the input file %s: %s", name, exc)
        return False
    return True
