"""Files API endpoints: resumable upload, get, list, delete, download."""

from __future__ import annotations

import base64

from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State
from langchain_gemini_batch.testing.emulator._wire import dumps, invalid_argument

__all__ = [
    "UPLOAD_CHUNK_GRANULARITY",
    "delete_file",
    "download_file",
    "get_file",
    "list_files",
    "upload_chunk",
    "upload_start",
]

UPLOAD_CHUNK_GRANULARITY = 8 * 1024 * 1024
_DEFAULT_PAGE_SIZE = 10
_MAX_PAGE_SIZE = 100


def upload_start(state: State, call: Call) -> HttpReply:
    """`POST /upload/{version}/files` with `X-Goog-Upload-Command: start`.

    Answers 200 with an empty body and `X-Goog-Upload-URL` pointing back at this emulator.
    """
    upload_id = state.files.start_upload(
        call.body,
        call.request.headers,
        public_base=call.request.public_base,
        version=call.version,
    )
    url = (
        f"{call.request.public_base}/upload/{call.version}/files"
        f"?upload_id={upload_id}&upload_protocol=resumable"
    )
    headers = (
        ("X-Goog-Upload-Status", "active"),
        ("X-Goog-Upload-URL", url),
        ("X-Goog-Upload-Control-URL", url),
        ("X-Goog-Upload-Chunk-Granularity", str(UPLOAD_CHUNK_GRANULARITY)),
    )
    return HttpReply(200, b"", headers=headers)


def upload_chunk(state: State, call: Call) -> HttpReply:
    """A data chunk sent to the upload URL (authorised by its `upload_id`, not by an API key).

    Every answer carries `X-Goog-Upload-Status`; the final one has body `{"file": File}`.
    """
    upload_id = call.request.query.get("upload_id", "")
    status, resource = state.files.upload_chunk(
        upload_id, call.request.headers, call.request.body, now=state.clock.now()
    )
    if resource is None:
        return HttpReply(200, b"", headers=(("X-Goog-Upload-Status", status),))
    body = dumps({"file": resource}).encode()
    return HttpReply(200, body, headers=(("X-Goog-Upload-Status", status),))


def get_file(state: State, call: Call) -> HttpReply:
    """`GET files/{id}`: the File resource."""
    return HttpReply.json(state.files.get(f"files/{call.params[0]}").resource)


def delete_file(state: State, call: Call) -> HttpReply:
    """`DELETE files/{id}`: answers `{}`."""
    state.files.delete(f"files/{call.params[0]}")
    return HttpReply.text("{}")


def list_files(state: State, call: Call) -> HttpReply:
    """`GET files?pageSize=&pageToken=`: files in creation order."""
    query = call.request.query
    try:
        size = int(query.get("pageSize") or _DEFAULT_PAGE_SIZE)
        token = query.get("pageToken")
        after = (
            int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("f")) if token else 0
        )
    except ValueError as exc:
        raise invalid_argument("Invalid pageSize or pageToken.") from exc
    size = min(max(size, 1), _MAX_PAGE_SIZE)
    files, following = state.files.page(size, after)
    body: dict[str, object] = {}
    if files:
        body["files"] = [f.resource for f in files]
    if following is not None:
        body["nextPageToken"] = base64.urlsafe_b64encode(f"f{following}".encode()).decode()
    return HttpReply.json(body)


def download_file(state: State, call: Call) -> HttpReply:
    """`GET [/download]/{version}/files/{id}:download?alt=media`: the file's bytes."""
    stored = state.files.get(f"files/{call.params[0]}")
    mime = str(stored.resource.get("mimeType", ""))
    content_type = mime if "/" in mime else "application/octet-stream"
    return HttpReply(200, stored.data, content_type=content_type)
