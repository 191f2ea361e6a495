"""The Files API store: resumable uploads, uploaded files and generated results files.

Upload protocol (as google-genai speaks it): a start call returns `X-Goog-Upload-URL` pointing
back at the emulator with an `upload_id`; data chunks are POSTed there with
`X-Goog-Upload-Command: upload` (`upload, finalize` for the last) and `X-Goog-Upload-Offset`,
without an API key: the upload id is the credential. Every chunk answer carries
`X-Goog-Upload-Status` (`active`, or `final` once finalized or failed).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_gemini_batch.testing.emulator._clock import IdFactory, format_timestamp
from langchain_gemini_batch.testing.emulator._fields import field as read_field
from langchain_gemini_batch.testing.emulator._wire import (
    ApiError,
    int64,
    invalid_argument,
    not_found,
)

__all__ = ["FileStore", "StoredFile", "UploadSession"]

_FILE_NAME = re.compile(r"^files/[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
_EXPIRY_NS = 48 * 3600 * 1_000_000_000
_GOOGLE_FILES = "https://generativelanguage.googleapis.com"


@dataclass
class StoredFile:
    """A file held by the emulator.

    Attributes:
        name: `files/<id>`.
        data: The bytes.
        resource: The File resource JSON Google returns for it.
    """

    name: str
    data: bytes
    resource: dict[str, Any]


@dataclass
class UploadSession:
    """A resumable upload between its start and its finalize."""

    name: str
    display_name: str | None
    mime_type: str
    declared_size: int | None
    public_base: str
    version: str
    data: bytearray = field(default_factory=bytearray)


def _resource(
    name: str,
    data: bytes,
    *,
    mime_type: str,
    display_name: str | None,
    now: int,
    source: str,
    public_base: str,
    version: str,
) -> dict[str, Any]:
    file_id = name.removeprefix("files/")
    created = format_timestamp(now)
    resource: dict[str, Any] = {"name": name}
    if display_name:
        resource["displayName"] = display_name
    resource.update(
        {
            "mimeType": mime_type,
            "sizeBytes": int64(len(data)),
            "createTime": created,
            "updateTime": created,
            "expirationTime": format_timestamp(now + _EXPIRY_NS),
            "sha256Hash": base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode(),
            "uri": f"{_GOOGLE_FILES}/{version}/files/{file_id}",
        }
    )
    if source == "GENERATED":
        resource["downloadUri"] = (
            f"{public_base}/download/{version}/files/{file_id}:download?alt=media"
        )
    resource.update({"state": "ACTIVE", "source": source})
    return resource


class FileStore:
    """Uploaded and generated files, and the uploads in progress.

    Args:
        ids: Where new file and upload ids come from.
    """

    def __init__(self, ids: IdFactory) -> None:
        self._ids = ids
        self._files: dict[str, StoredFile] = {}
        self._uploads: dict[str, UploadSession] = {}

    def start_upload(
        self,
        body: object,
        headers: Mapping[str, str],
        *,
        public_base: str,
        version: str,
    ) -> str:
        """Opens a resumable upload and returns its upload id.

        Args:
            body: The start call's JSON body (`{"file": {...}}`, either spelling).
            headers: The start call's headers, lower-cased names.
            public_base: `scheme://host:port` the client reached the emulator at.
            version: `v1beta` or `v1`, from the path.

        Raises:
            ApiError: The protocol header is wrong, the name is invalid or already taken.
        """
        if headers.get("x-goog-upload-protocol", "").lower() != "resumable" or (
            headers.get("x-goog-upload-command", "").lower() != "start"
        ):
            raise invalid_argument(
                "Upload requests must use X-Goog-Upload-Protocol: resumable and "
                "X-Goog-Upload-Command: start."
            )
        meta = read_field(body, "file") or {}
        name = read_field(meta, "name")
        if name is not None:
            if not isinstance(name, str) or not _FILE_NAME.match(name):
                raise invalid_argument(f"Invalid file name: {name!r}.")
            if name in self._files:
                raise ApiError(409, f"File {name} already exists.")
        else:
            name = f"files/{self._ids.make('file', 12)}"
        size = read_field(meta, "sizeBytes") or headers.get("x-goog-upload-header-content-length")
        upload_id = self._ids.make("upload", 40)
        self._uploads[upload_id] = UploadSession(
            name=name,
            display_name=read_field(meta, "displayName"),
            mime_type=read_field(meta, "mimeType")
            or headers.get("x-goog-upload-header-content-type")
            or "application/octet-stream",
            declared_size=int(size) if size is not None else None,
            public_base=public_base,
            version=version,
        )
        return upload_id

    def upload_chunk(
        self, upload_id: str, headers: Mapping[str, str], data: bytes, *, now: int
    ) -> tuple[str, dict[str, Any] | None]:
        """Takes one chunk; returns the upload status and, once final, the File resource.

        Args:
            upload_id: The id from the upload URL.
            headers: The chunk's headers, lower-cased names.
            data: The chunk's bytes.
            now: The current time (nanoseconds).

        Raises:
            ApiError: Unknown upload, wrong offset, size mismatch or unknown command.
        """
        session = self._uploads.get(upload_id)
        if session is None:
            raise not_found("The upload session was not found; start a new upload.")
        commands = {c.strip() for c in headers.get("x-goog-upload-command", "").lower().split(",")}
        if "query" in commands:
            return "active", None
        if "cancel" in commands:
            del self._uploads[upload_id]
            return "cancelled", None
        if not commands & {"upload", "finalize"}:
            raise invalid_argument("X-Goog-Upload-Command must be upload, finalize or query.")
        if "upload" in commands:
            offset = int(headers.get("x-goog-upload-offset", "0") or 0)
            if offset != len(session.data):
                raise invalid_argument(
                    f"X-Goog-Upload-Offset {offset} does not match the {len(session.data)} "
                    "bytes received so far."
                )
            session.data += data
        if "finalize" not in commands:
            return "active", None
        del self._uploads[upload_id]
        if session.declared_size is not None and session.declared_size != len(session.data):
            raise invalid_argument(
                f"The upload has {len(session.data)} bytes but {session.declared_size} were "
                "declared."
            )
        stored = self._add(session.name, bytes(session.data), session, now=now, source="UPLOADED")
        return "final", stored.resource

    def _add(
        self, name: str, data: bytes, session: UploadSession, *, now: int, source: str
    ) -> StoredFile:
        resource = _resource(
            name,
            data,
            mime_type=session.mime_type,
            display_name=session.display_name,
            now=now,
            source=source,
            public_base=session.public_base,
            version=session.version,
        )
        stored = self._files[name] = StoredFile(name=name, data=data, resource=resource)
        return stored

    def add_generated(
        self, name: str, data: bytes, *, now: int, public_base: str, version: str
    ) -> StoredFile:
        """Stores a file the emulator made (a batch results file).

        Args:
            name: `files/batch-<id>`.
            data: The JSONL bytes.
            now: The current time (nanoseconds).
            public_base: `scheme://host:port` for the `downloadUri`.
            version: API version for the URIs.
        """
        session = UploadSession(name, None, "application/jsonl", None, public_base, version)
        return self._add(name, data, session, now=now, source="GENERATED")

    def has(self, name: str) -> bool:
        """Whether a file of that name (`files/<id>`) exists."""
        return name in self._files

    def get(self, name: str) -> StoredFile:
        """Returns a file by name (`files/<id>`).

        Raises:
            ApiError: Google's 403 PERMISSION_DENIED ("... or it may not exist") when there is
                no such file.
        """
        stored = self._files.get(name)
        if stored is None:
            raise ApiError(
                403,
                f"You do not have permission to access the File {name.removeprefix('files/')} "
                "or it may not exist.",
            )
        return stored

    def delete(self, name: str) -> None:
        """Deletes a file.

        Raises:
            ApiError: When there is no such file.
        """
        self.get(name)
        del self._files[name]

    def counts(self) -> tuple[int, int, int]:
        """Returns `(uploaded files, generated files, open upload sessions)`."""
        generated = sum(1 for f in self._files.values() if f.resource["source"] == "GENERATED")
        return len(self._files) - generated, generated, len(self._uploads)

    def page(self, size: int, after: int) -> tuple[list[StoredFile], int | None]:
        """Returns up to `size` files starting at position `after`, and the next position."""
        files = list(self._files.values())
        chunk = files[after : after + size]
        following = after + size if after + size < len(files) else None
        return chunk, following
