"""The emulated Cloud Storage: buckets, objects (one live generation each), resumable sessions.

Errors are raised in Cloud Storage's JSON API shape (`StorageError`):
`{"error": {"code": 404, "message": "...", "errors": [{"message", "domain": "global",
"reason": "notFound"}]}}`. Object names are kept as given (already percent-decoded).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from langchain_gemini_batch.testing.emulator._crc32c import crc32c_base64
from langchain_gemini_batch.testing.emulator._wire import ApiError

__all__ = [
    "Bucket",
    "CloudStorage",
    "ResumableSession",
    "StorageError",
    "StoredObject",
    "parse_gs_uri",
    "project_number",
]

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
_REASONS = {
    400: "invalid",
    401: "required",
    403: "forbidden",
    404: "notFound",
    409: "conflict",
    412: "conditionNotMet",
    416: "requestedRangeNotSatisfiable",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


class StorageError(ApiError):
    """An error answer in Cloud Storage's JSON API shape (`errors[]` with a `reason`).

    Args:
        code: The HTTP status.
        message: The message.
        reason: The `errors[0].reason`; derived from `code` when omitted.
    """

    def __init__(self, code: int, message: str, reason: str | None = None) -> None:
        super().__init__(code, message)
        self.reason = reason or _REASONS.get(code, "backendError")

    @classmethod
    def from_api(cls, error: ApiError) -> StorageError:
        """Re-shapes an error raised elsewhere (e.g. an injected fault) as Cloud Storage's."""
        return error if isinstance(error, StorageError) else cls(error.code, error.message)

    def body(self) -> dict[str, Any]:
        """Returns the JSON body Cloud Storage sends for this error."""
        detail = {"message": self.message, "domain": "global", "reason": self.reason}
        return {"error": {"code": self.code, "message": self.message, "errors": [detail]}}


def no_such_bucket() -> StorageError:
    """Cloud Storage's 404 for a bucket that does not exist."""
    return StorageError(404, "The specified bucket does not exist.")


def no_such_object(bucket: str, name: str) -> StorageError:
    """Cloud Storage's 404 for an object that does not exist."""
    return StorageError(404, f"No such object: {bucket}/{name}")


def precondition_failed() -> StorageError:
    """Cloud Storage's 412 for an `ifGenerationMatch`-style condition that did not hold."""
    return StorageError(412, "At least one of the pre-conditions you specified did not hold.")


def project_number(project: str) -> str:
    """A stable 12-digit project number for a project id (a number maps to itself).

    Args:
        project: A project id such as `my-project`, or a project number.
    """
    if project.isdigit():
        return project
    digest = int(hashlib.sha256(project.encode()).hexdigest(), 16)
    return str(100_000_000_000 + digest % 900_000_000_000)


def parse_gs_uri(uri: str) -> tuple[str, str]:
    """Splits `gs://bucket/path/name` into `(bucket, "path/name")`.

    Raises:
        ValueError: Not a `gs://` URI with a bucket.
    """
    if not uri.startswith("gs://"):
        raise ValueError(f"not a gs:// URI: {uri!r}")
    bucket, _, name = uri.removeprefix("gs://").partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {uri!r}")
    return bucket, name


@dataclass
class Bucket:
    """One bucket."""

    name: str
    project_number: str
    created_ns: int


@dataclass
class StoredObject:
    """The live generation of one object."""

    bucket: str
    name: str
    data: bytes
    content_type: str
    generation: int
    created_ns: int
    metadata: dict[str, str] | None = None
    metageneration: int = 1
    crc32c: str = ""
    md5: str = ""

    def __post_init__(self) -> None:
        self.crc32c = crc32c_base64(self.data)
        self.md5 = base64.b64encode(hashlib.md5(self.data).digest()).decode()  # noqa: S324


@dataclass
class ResumableSession:
    """A resumable upload between its start and its last chunk."""

    upload_id: str
    bucket: str
    name: str
    content_type: str
    metadata: dict[str, str] | None
    if_generation_match: int | None
    data: bytearray = field(default_factory=bytearray)


def _check_generation(current: StoredObject | None, match: int | None) -> None:
    generation = current.generation if current is not None else 0
    if match is not None and match != generation:
        raise precondition_failed()


class CloudStorage:
    """Buckets and objects, by name; thread safety is the caller's (the emulator's lock)."""

    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}
        self.objects: dict[tuple[str, str], StoredObject] = {}
        self.sessions: dict[str, ResumableSession] = {}
        self._last_generation = 0

    def create_bucket(self, name: str, project: str, now: int) -> Bucket:
        """Creates a bucket.

        Raises:
            StorageError: 400 for an invalid name, 409 when it exists.
        """
        if not _BUCKET_NAME.fullmatch(name) or len(name) > 222:
            raise StorageError(400, f"Invalid bucket name: '{name}'")
        if name in self.buckets:
            raise StorageError(
                409,
                "Your previous request to create the named bucket succeeded and you "
                "already own it.",
            )
        bucket = self.buckets[name] = Bucket(name, project_number(project), now)
        return bucket

    def bucket(self, name: str) -> Bucket:
        """Returns a bucket.

        Raises:
            StorageError: 404 when it does not exist.
        """
        found = self.buckets.get(name)
        if found is None:
            raise no_such_bucket()
        return found

    def delete_bucket(self, name: str) -> None:
        """Deletes an empty bucket.

        Raises:
            StorageError: 404 when missing, 409 when it still holds objects.
        """
        self.bucket(name)
        if any(bucket == name for bucket, _ in self.objects):
            raise StorageError(409, "The bucket you tried to delete is not empty.")
        del self.buckets[name]

    def _generation(self, now: int) -> int:
        """A new generation: microseconds since the epoch, strictly increasing."""
        self._last_generation = max(self._last_generation + 1, now // 1000)
        return self._last_generation

    def put(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str,
        now: int,
        metadata: dict[str, str] | None = None,
        if_generation_match: int | None = None,
    ) -> StoredObject:
        """Writes an object (replacing any live generation).

        Raises:
            StorageError: 404 for a missing bucket, 400 for an empty name, 412 when
                `if_generation_match` does not hold (`0`: only if the object does not exist).
        """
        self.bucket(bucket)
        if not name:
            raise StorageError(400, "Required", "required")
        _check_generation(self.objects.get((bucket, name)), if_generation_match)
        stored = StoredObject(
            bucket=bucket,
            name=name,
            data=bytes(data),
            content_type=content_type,
            generation=self._generation(now),
            created_ns=now,
            metadata=metadata,
        )
        self.objects[(bucket, name)] = stored
        return stored

    def get(
        self,
        bucket: str,
        name: str,
        *,
        generation: int | None = None,
        if_generation_match: int | None = None,
    ) -> StoredObject:
        """Returns an object's live generation.

        Raises:
            StorageError: 404 for a missing bucket or object (or another generation), 412 when
                `if_generation_match` does not hold.
        """
        self.bucket(bucket)
        found = self.objects.get((bucket, name))
        if found is None or (generation is not None and generation != found.generation):
            raise no_such_object(bucket, name)
        _check_generation(found, if_generation_match)
        return found

    def delete(self, bucket: str, name: str, *, if_generation_match: int | None = None) -> None:
        """Deletes an object.

        Raises:
            StorageError: 404 for a missing bucket or object, 412 for a failed condition.
        """
        self.get(bucket, name, if_generation_match=if_generation_match)
        del self.objects[(bucket, name)]

    def list_objects(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str = "",
        max_results: int = 1000,
        page_token: str | None = None,
        start_offset: str = "",
        end_offset: str = "",
    ) -> tuple[list[StoredObject], list[str], str | None]:
        """Lists objects in name order: `(items, prefixes, next page token)`.

        With a delimiter, names holding it after `prefix` are rolled up into `prefixes`; items
        and prefixes together count towards `max_results`, as in Cloud Storage.

        Raises:
            StorageError: 404 for a missing bucket, 400 for a page token not issued here.
        """
        self.bucket(bucket)
        after = ""
        if page_token:
            try:
                after = base64.urlsafe_b64decode(page_token.encode()).decode()
            except (ValueError, UnicodeDecodeError) as exc:
                raise StorageError(400, "Invalid page token.") from exc
        names = sorted(
            name
            for owner, name in self.objects
            if owner == bucket
            and name.startswith(prefix)
            and name >= start_offset
            and (not end_offset or name < end_offset)
        )
        items: list[StoredObject] = []
        prefixes: list[str] = []
        last = ""
        for name in names:
            if after and (
                name <= after
                or (delimiter and after.endswith(delimiter) and name.startswith(after))
            ):
                continue
            if len(items) + len(prefixes) >= max_results:
                return items, prefixes, base64.urlsafe_b64encode(last.encode()).decode()
            rest = name[len(prefix) :]
            if delimiter and delimiter in rest:
                rolled = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                if prefixes and prefixes[-1] == rolled:
                    continue
                prefixes.append(rolled)
                last = rolled
                continue
            items.append(self.objects[(bucket, name)])
            last = name
        return items, prefixes, None

    def uris(self, bucket: str | None = None) -> list[str]:
        """Returns `gs://bucket/name` for every object (of one bucket, when given), sorted."""
        return sorted(f"gs://{b}/{n}" for b, n in self.objects if bucket is None or b == bucket)
