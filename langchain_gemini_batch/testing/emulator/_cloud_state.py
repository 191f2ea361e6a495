"""What the Vertex AI and Cloud Storage endpoints keep, and `CloudControl` to look at it in tests.

Handlers run under the emulator's lock and also take `CloudState.lock`; `CloudControl` takes
only the latter, so a test thread can read and seed the state while the server runs.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_gemini_batch.testing.emulator._gcs_store import CloudStorage, parse_gs_uri
from langchain_gemini_batch.testing.emulator._vertex_jobs import VertexJob
from langchain_gemini_batch.testing.emulator._wire import invalid_argument

__all__ = ["CloudControl", "CloudState", "VertexJobs"]


class VertexJobs:
    """Batch prediction jobs by `(project number, location, id)`, in creation order."""

    def __init__(self) -> None:
        self._jobs: dict[tuple[str, str, str], VertexJob] = {}
        self._sequence = 0

    def next_sequence(self) -> int:
        """Returns the next creation sequence number."""
        self._sequence += 1
        return self._sequence

    def add(self, job: VertexJob) -> None:
        """Stores a new job."""
        self._jobs[(job.project, job.location, job.job_id)] = job

    def find(self, project: str, location: str, job_id: str) -> VertexJob | None:
        """Returns a job, or `None`."""
        return self._jobs.get((project, location, job_id))

    def remove(self, job: VertexJob) -> None:
        """Forgets a job."""
        self._jobs.pop((job.project, job.location, job.job_id), None)

    def all(self, project: str | None = None, location: str | None = None) -> list[VertexJob]:
        """Jobs (of one project and location, when given), oldest first."""
        return [
            job
            for job in self._jobs.values()
            if (project is None or job.project == project)
            and (location is None or job.location == location)
        ]

    @staticmethod
    def page(
        jobs: list[VertexJob], size: int, token: str | None
    ) -> tuple[list[VertexJob], str | None]:
        """One page of `jobs` (newest first) and the next page token.

        Raises:
            ApiError: 400 for a page token this emulator did not issue.
        """
        before = None
        if token:
            try:
                before = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("v"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise invalid_argument("Invalid page token.") from exc
        newest_first = [j for j in reversed(jobs) if before is None or j.sequence < before]
        chunk = newest_first[:size]
        if len(newest_first) <= size:
            return chunk, None
        return chunk, base64.urlsafe_b64encode(f"v{chunk[-1].sequence}".encode()).decode()


@dataclass
class CloudState:
    """The Vertex AI jobs and the Cloud Storage buckets and objects of one emulator."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    storage: CloudStorage = field(default_factory=CloudStorage)
    jobs: VertexJobs = field(default_factory=VertexJobs)


class CloudControl:
    """Looks at and seeds the emulated Cloud Storage and Vertex AI jobs from a test.

    Get one from `EmulatorServer.cloud`. Everything here bypasses HTTP, so nothing is logged.

    Args:
        state: The emulator's cloud state.
        now: The emulator's clock (`Clock.now`), for object generations and times.
    """

    def __init__(self, state: CloudState, now: Callable[[], int]) -> None:
        self._state = state
        self._now = now

    def create_bucket(self, name: str, project: str = "emulator-project") -> None:
        """Creates a bucket (as `storage.Client().create_bucket(name)` would).

        Raises:
            ApiError: 400 for an invalid name, 409 when it exists.
        """
        with self._state.lock:
            self._state.storage.create_bucket(name, project, self._now())

    def buckets(self) -> list[str]:
        """Returns every bucket's name, sorted."""
        with self._state.lock:
            return sorted(self._state.storage.buckets)

    def objects(self, bucket: str | None = None) -> list[str]:
        """Returns `gs://bucket/name` of every object (of one bucket), sorted."""
        with self._state.lock:
            return self._state.storage.uris(bucket)

    def read(self, uri: str) -> bytes:
        """Returns an object's bytes.

        Raises:
            ApiError: 404 when the bucket or object does not exist.
        """
        bucket, name = parse_gs_uri(uri)
        with self._state.lock:
            return self._state.storage.get(bucket, name).data

    def write(self, uri: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Writes an object (its bucket must exist).

        Raises:
            ApiError: 404 when the bucket does not exist.
        """
        bucket, name = parse_gs_uri(uri)
        with self._state.lock:
            self._state.storage.put(bucket, name, data, content_type=content_type, now=self._now())

    def job_names(self) -> list[str]:
        """Returns every batch prediction job's full name, oldest first."""
        with self._state.lock:
            return [job.name for job in self._state.jobs.all()]
