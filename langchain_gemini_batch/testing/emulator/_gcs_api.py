"""Cloud Storage JSON API endpoints (the subset google-cloud-storage uses).

- Buckets: `POST /storage/v1/b?project=`, `GET /storage/v1/b`, `GET|DELETE /storage/v1/b/{b}`.
- Uploads: `POST /upload/storage/v1/b/{b}/o?uploadType=media|multipart|resumable`; a resumable
  start answers 200 with a `Location` session URL; `PUT <Location>` chunks carry
  `Content-Range: bytes a-b/total` and get 308 with `Range: bytes=0-N` until the last one, which
  gets 200 and the object (with its `crc32c`, which the client checks).
- Objects: `GET /storage/v1/b/{b}/o` (prefix, delimiter, maxResults, pageToken, startOffset,
  endOffset), `GET|DELETE /storage/v1/b/{b}/o/{name}`; `GET /download/storage/v1/b/{b}/o/{name}`
  (or `alt=media` on the JSON path) streams the bytes, ranged with a `Range` header (206), with
  `X-Goog-Hash: crc32c=…,md5=…`.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from langchain_gemini_batch.testing.emulator._gcs_store import (
    Bucket,
    ResumableSession,
    StorageError,
    StoredObject,
)
from langchain_gemini_batch.testing.emulator._state import Call, HttpReply, State

__all__ = [
    "delete_bucket",
    "delete_object",
    "download_object",
    "get_bucket",
    "get_object",
    "insert_bucket",
    "insert_object",
    "list_buckets",
    "list_objects",
    "upload_chunk",
]

_DEFAULT_TYPE = "application/octet-stream"


def _time(nanos: int) -> str:
    seconds, fraction = divmod(nanos, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction // 1_000_000:03d}Z"


def _int(query: Mapping[str, str], name: str) -> int | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise StorageError(400, f"Invalid value for {name}: {value}") from exc


def _bucket_resource(bucket: Bucket, base: str) -> dict[str, Any]:
    created = _time(bucket.created_ns)
    return {
        "kind": "storage#bucket",
        "selfLink": f"{base}/storage/v1/b/{bucket.name}",
        "id": bucket.name,
        "name": bucket.name,
        "projectNumber": bucket.project_number,
        "metageneration": "1",
        "location": "US",
        "storageClass": "STANDARD",
        "etag": "CAE=",
        "timeCreated": created,
        "updated": created,
        "locationType": "multi-region",
    }


def object_resource(obj: StoredObject, base: str) -> dict[str, Any]:
    """The object resource JSON, with a `mediaLink` pointing back at the emulator."""
    quoted = quote(obj.name, safe="")
    stamp = _time(obj.created_ns)
    resource: dict[str, Any] = {
        "kind": "storage#object",
        "id": f"{obj.bucket}/{obj.name}/{obj.generation}",
        "selfLink": f"{base}/storage/v1/b/{obj.bucket}/o/{quoted}",
        "mediaLink": (
            f"{base}/download/storage/v1/b/{obj.bucket}/o/{quoted}"
            f"?generation={obj.generation}&alt=media"
        ),
        "name": obj.name,
        "bucket": obj.bucket,
        "generation": str(obj.generation),
        "metageneration": str(obj.metageneration),
        "contentType": obj.content_type,
        "storageClass": "STANDARD",
        "size": str(len(obj.data)),
        "md5Hash": obj.md5,
        "crc32c": obj.crc32c,
        "etag": f"C{obj.generation % 10**9}EAE=",
        "timeCreated": stamp,
        "updated": stamp,
        "timeStorageClassUpdated": stamp,
    }
    if obj.metadata:
        resource["metadata"] = obj.metadata
    return resource


def _reply(obj: StoredObject, call: Call) -> HttpReply:
    return HttpReply.json(object_resource(obj, call.request.public_base))


def insert_bucket(state: State, call: Call) -> HttpReply:
    """`POST /storage/v1/b?project=P` with `{"name": ...}`: a new bucket."""
    body = call.body if isinstance(call.body, Mapping) else {}
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise StorageError(400, "Required", "required")
    project = call.request.query.get("project") or "emulator-project"
    bucket = state.cloud.storage.create_bucket(name, project, state.clock.now())
    return HttpReply.json(_bucket_resource(bucket, call.request.public_base))


def get_bucket(state: State, call: Call) -> HttpReply:
    """`GET /storage/v1/b/{b}`."""
    bucket = state.cloud.storage.bucket(call.params[0])
    return HttpReply.json(_bucket_resource(bucket, call.request.public_base))


def list_buckets(state: State, call: Call) -> HttpReply:
    """`GET /storage/v1/b?project=&prefix=`: every bucket, in name order, one page."""
    prefix = call.request.query.get("prefix", "")
    buckets = sorted(state.cloud.storage.buckets.values(), key=lambda b: b.name)
    items = [
        _bucket_resource(b, call.request.public_base) for b in buckets if b.name.startswith(prefix)
    ]
    answer: dict[str, Any] = {"kind": "storage#buckets"}
    if items:
        answer["items"] = items
    return HttpReply.json(answer)


def delete_bucket(state: State, call: Call) -> HttpReply:
    """`DELETE /storage/v1/b/{b}`: an empty bucket only; answers 204."""
    state.cloud.storage.delete_bucket(call.params[0])
    return HttpReply(204, b"")


def _multipart(call: Call) -> tuple[dict[str, Any], bytes, str]:
    """Splits a `multipart/related` body into (metadata, data, data part's content type)."""
    header = email.message.Message()
    header["content-type"] = call.request.headers.get("content-type", "")
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise StorageError(400, "Missing multipart boundary.")
    body, delimiter = call.request.body, b"--" + boundary.encode()
    first = body.find(delimiter)
    second = body.find(b"\r\n" + delimiter, first + len(delimiter))
    closing = body.rfind(b"\r\n" + delimiter + b"--")
    if first < 0 or second < 0 or closing < second:
        raise StorageError(400, "Malformed multipart body.")
    meta_part = body[first + len(delimiter) : second]
    data_part = body[second + 2 + len(delimiter) : closing]
    meta_headers, _, meta_text = meta_part.partition(b"\r\n\r\n")
    data_headers, _, data = data_part.partition(b"\r\n\r\n")
    del meta_headers
    data_type = _DEFAULT_TYPE
    for line in data_headers.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-type":
            data_type = value.strip()
    try:
        metadata = json.loads(meta_text or b"{}")
    except ValueError as exc:
        raise StorageError(400, f"Invalid JSON metadata: {exc}") from exc
    return metadata if isinstance(metadata, dict) else {}, data, data_type


def _check_hashes(metadata: Mapping[str, Any], obj: StoredObject) -> None:
    for key, actual, label in (("crc32c", obj.crc32c, "CRC32C"), ("md5Hash", obj.md5, "MD5")):
        given = metadata.get(key)
        if isinstance(given, str) and given != actual:
            raise StorageError(
                400, f'Provided {label} "{given}" doesn\'t match calculated {label} "{actual}".'
            )


def _custom_metadata(metadata: Mapping[str, Any]) -> dict[str, str] | None:
    custom = metadata.get("metadata")
    return {str(k): str(v) for k, v in custom.items()} if isinstance(custom, Mapping) else None


def insert_object(state: State, call: Call) -> HttpReply:
    """`POST /upload/storage/v1/b/{b}/o?uploadType=…`: media, multipart or a resumable start."""
    storage, query, bucket = state.cloud.storage, call.request.query, call.params[0]
    upload_type = query.get("uploadType", "")
    headers = call.request.headers
    if upload_type == "resumable":
        metadata = call.body if isinstance(call.body, dict) else {}
        name = metadata.get("name") or query.get("name")
        if not isinstance(name, str) or not name:
            raise StorageError(400, "Required", "required")
        storage.bucket(bucket)
        upload_id = state.ids.make("gcs-upload", 32)
        storage.sessions[upload_id] = ResumableSession(
            upload_id=upload_id,
            bucket=bucket,
            name=name,
            content_type=str(
                metadata.get("contentType") or headers.get("x-upload-content-type") or _DEFAULT_TYPE
            ),
            metadata=_custom_metadata(metadata),
            if_generation_match=_int(query, "ifGenerationMatch"),
        )
        location = (
            f"{call.request.public_base}/upload/storage/v1/b/{bucket}/o"
            f"?uploadType=resumable&upload_id={upload_id}"
        )
        return HttpReply(200, b"", headers=(("Location", location),))
    if upload_type == "multipart":
        metadata, data, data_type = _multipart(call)
        content_type = str(metadata.get("contentType") or data_type)
    elif upload_type == "media":
        metadata, data = {"name": query.get("name")}, call.request.body
        content_type = headers.get("content-type") or _DEFAULT_TYPE
    else:
        raise StorageError(400, f"Unsupported uploadType: {upload_type!r}.")
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise StorageError(400, "Required", "required")
    storage.bucket(bucket)
    candidate = StoredObject(bucket, name, data, content_type, 0, 0)
    _check_hashes(metadata, candidate)
    obj = storage.put(
        bucket,
        name,
        data,
        content_type=content_type,
        now=state.clock.now(),
        metadata=_custom_metadata(metadata),
        if_generation_match=_int(query, "ifGenerationMatch"),
    )
    return _reply(obj, call)


def _content_range(text: str) -> tuple[int | None, int | None]:
    """Parses `bytes a-b/total`, `bytes */total` or `bytes a-b/*`: (first byte, total)."""
    spec = text.strip().removeprefix("bytes").strip()
    span, _, total = spec.partition("/")
    first = None if span in ("*", "") else int(span.split("-", 1)[0])
    return first, None if total in ("*", "") else int(total)


def upload_chunk(state: State, call: Call) -> HttpReply:
    """`PUT <session URL>`: appends a chunk; 308 + `Range` until complete, then 200 + object."""
    storage = state.cloud.storage
    session = storage.sessions.get(call.request.query.get("upload_id", ""))
    if session is None:
        raise StorageError(404, "No such upload session.")
    try:
        first, total = _content_range(call.request.headers.get("content-range", "bytes */*"))
    except ValueError as exc:
        raise StorageError(400, "Invalid Content-Range header.") from exc
    data = call.request.body
    if data:
        if first is not None and first != len(session.data):
            raise StorageError(400, f"Invalid request. Expected offset {len(session.data)}.")
        session.data += data
    if total is not None and len(session.data) >= total:
        del storage.sessions[session.upload_id]
        obj = storage.put(
            session.bucket,
            session.name,
            bytes(session.data[:total]),
            content_type=session.content_type,
            now=state.clock.now(),
            metadata=session.metadata,
            if_generation_match=session.if_generation_match,
        )
        return _reply(obj, call)
    headers = (("Range", f"bytes=0-{len(session.data) - 1}"),) if session.data else ()
    return HttpReply(308, b"", headers=headers)


def _lookup(state: State, call: Call) -> StoredObject:
    query = call.request.query
    return state.cloud.storage.get(
        call.params[0],
        call.params[1],
        generation=_int(query, "generation"),
        if_generation_match=_int(query, "ifGenerationMatch"),
    )


def _media(obj: StoredObject, call: Call) -> HttpReply:
    size = len(obj.data)
    headers = [
        ("X-Goog-Hash", f"crc32c={obj.crc32c},md5={obj.md5}"),
        ("X-Goog-Generation", str(obj.generation)),
        ("X-Goog-Metageneration", str(obj.metageneration)),
        ("X-Goog-Stored-Content-Length", str(size)),
        ("X-Goog-Stored-Content-Encoding", "identity"),
        ("X-Goog-Storage-Class", "STANDARD"),
        ("Accept-Ranges", "bytes"),
    ]
    wanted = call.request.headers.get("range", "").strip()
    if not wanted.startswith("bytes="):
        return HttpReply(200, obj.data, content_type=obj.content_type, headers=tuple(headers))
    first_text, _, last_text = wanted.removeprefix("bytes=").split(",")[0].partition("-")
    try:
        if first_text:
            first = int(first_text)
            last = min(int(last_text), size - 1) if last_text else size - 1
        else:
            first, last = max(0, size - int(last_text)), size - 1
    except ValueError as exc:
        raise StorageError(400, "Invalid Range header.") from exc
    if first >= size or first > last:
        raise StorageError(416, "Request range not satisfiable")
    headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
    return HttpReply(
        206, obj.data[first : last + 1], content_type=obj.content_type, headers=tuple(headers)
    )


def get_object(state: State, call: Call) -> HttpReply:
    """`GET /storage/v1/b/{b}/o/{name}`: the object resource (its bytes with `alt=media`)."""
    obj = _lookup(state, call)
    if call.request.query.get("alt") == "media":
        return _media(obj, call)
    return _reply(obj, call)


def download_object(state: State, call: Call) -> HttpReply:
    """`GET /download/storage/v1/b/{b}/o/{name}?alt=media`: the object's bytes."""
    return _media(_lookup(state, call), call)


def list_objects(state: State, call: Call) -> HttpReply:
    """`GET /storage/v1/b/{b}/o`: one page of objects in name order, with rolled-up prefixes."""
    query = call.request.query
    max_results = _int(query, "maxResults") or 1000
    items, prefixes, token = state.cloud.storage.list_objects(
        call.params[0],
        prefix=query.get("prefix", ""),
        delimiter=query.get("delimiter", ""),
        max_results=max(1, min(max_results, 1000)),
        page_token=query.get("pageToken"),
        start_offset=query.get("startOffset", ""),
        end_offset=query.get("endOffset", ""),
    )
    answer: dict[str, Any] = {"kind": "storage#objects"}
    if token:
        answer["nextPageToken"] = token
    if prefixes:
        answer["prefixes"] = prefixes
    if items:
        answer["items"] = [object_resource(obj, call.request.public_base) for obj in items]
    return HttpReply.json(answer)


def delete_object(state: State, call: Call) -> HttpReply:
    """`DELETE /storage/v1/b/{b}/o/{name}`: answers 204."""
    state.cloud.storage.delete(
        call.params[0],
        call.params[1],
        if_generation_match=_int(call.request.query, "ifGenerationMatch"),
    )
    return HttpReply(204, b"")
