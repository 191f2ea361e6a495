"""Vertex AI batch prediction files: importing JSONL input, writing `predictions.jsonl` lines.

Input line: `{"request": GenerateContentRequest, ...any other top-level keys}`. Vertex imports
the file like a BigQuery load, so a structural problem anywhere fails the WHOLE job with code 3
(`InputImportError`): a line that is not a JSON object, an empty object `{}` anywhere, a key that
starts with `$` or holds whitespace, nesting deeper than 15, or one key holding different JSON
types on different lines. A request that is well-formed JSON but invalid for the model (unknown
field, no `contents`, a role other than `user`/`model`) fails only its own row.

Output line, success: `{"status": "", "processed_time": "<…+00:00>", <the input line's keys in
input order: "request" echoed as submitted, other keys echoed too>, "response": {...}}`.
Failure: the same without `response`, `status` holding `"<HTTP reason>: <JSON error body>"`.
Top-level string values that look like integers come back as JSON numbers (`"000123"` → `123`),
as one third-party capture reports; the `request` object is echoed untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field, unknown_request_fields
from langchain_gemini_batch.testing.emulator._model import generate_response

__all__ = [
    "IMPORT_FAILED",
    "InputImportError",
    "VertexRow",
    "import_rows",
    "output_line",
    "processed_time",
    "status_text",
    "vertex_time",
]

IMPORT_FAILED = (
    "Failed to import data. Please check 'Prepare input' section of the batch predictions "
    "documentation."
)
_MAX_DEPTH = 15
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_HTTP = {
    3: (400, "Bad Request", "INVALID_ARGUMENT"),
    4: (504, "Gateway Timeout", "DEADLINE_EXCEEDED"),
    8: (429, "Too Many Requests", "RESOURCE_EXHAUSTED"),
    13: (500, "Internal Server Error", "INTERNAL"),
}
_ROLES = (None, "user", "model")


class InputImportError(Exception):
    """The input cannot be imported: the job fails with `error.code` 3 and this message."""


@dataclass
class VertexRow:
    """One imported input line.

    Attributes:
        line: The line as parsed (echoed on output).
        request: The GenerateContentRequest, or `None` when the line has none.
        keys: Every top-level string or integer value and every `request.labels` value, matched
            against the `fail_keys` option.
        problem: The row's own error `(code, message)` decided at import, or `None`.
    """

    line: dict[str, Any]
    request: Mapping[str, Any] | None
    keys: frozenset[str]
    problem: tuple[int, str] | None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, (int, float)):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    return "RECORD" if isinstance(value, dict) else "ARRAY"


def _check_structure(value: object, path: str, depth: int, kinds: dict[str, str]) -> None:
    """Walks one value as BigQuery's JSON import would, recording the type at each path."""
    if value is None:
        return
    if depth > _MAX_DEPTH:
        raise InputImportError(f"{IMPORT_FAILED} Nesting is deeper than {_MAX_DEPTH} at {path}.")
    kind = _kind(value)
    seen = kinds.setdefault(path, kind)
    if seen != kind:
        raise InputImportError(
            f"{IMPORT_FAILED} Field {path} has changed type from {seen} to {kind}."
        )
    if isinstance(value, dict):
        if not value:
            raise InputImportError(f"{IMPORT_FAILED} Empty struct at {path}.")
        for key, item in value.items():
            if key.startswith("$") or any(char.isspace() for char in key) or not key:
                raise InputImportError(f"{IMPORT_FAILED} Invalid field name {key!r} at {path}.")
            _check_structure(item, f"{path}.{key}" if path else key, depth + 1, kinds)
    elif isinstance(value, list):
        for item in value:
            _check_structure(item, f"{path}[]", depth + 1, kinds)


def _row_problem(request: object) -> str | None:
    if not isinstance(request, Mapping):
        return "* GenerateContentRequest.contents: contents is not specified"
    violations = unknown_request_fields(request, "request")
    if violations:
        return "\n".join(v.description for v in violations)
    contents = field(request, "contents")
    if not isinstance(contents, list) or not contents:
        return "* GenerateContentRequest.contents: contents is not specified"
    if any(field(content, "role") not in _ROLES for content in contents):
        return "Please use a valid role: user, model."
    return None


def _keys(line: Mapping[str, Any], request: object) -> frozenset[str]:
    values = [v for k, v in line.items() if k != "request"]
    labels = field(request, "labels")
    if isinstance(labels, Mapping):
        values += list(labels.values())
    return frozenset(
        str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)
    )


def import_rows(data: bytes) -> list[VertexRow]:
    """Imports a JSONL input file (several files: concatenate them first).

    Args:
        data: The file's bytes.

    Raises:
        InputImportError: The input cannot be imported at all (the job fails with code 3).
    """
    rows: list[VertexRow] = []
    kinds: dict[str, str] = {}
    for number, raw in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputImportError(f"{IMPORT_FAILED} Line {number}: {exc.msg}.") from exc
        if not isinstance(line, dict):
            raise InputImportError(f"{IMPORT_FAILED} Line {number} is not a JSON object.")
        _check_structure(line, "", 0, kinds)
        request = line.get("request")
        problem = _row_problem(request)
        rows.append(
            VertexRow(
                line=line,
                request=request if isinstance(request, Mapping) else None,
                keys=_keys(line, request),
                problem=(3, problem) if problem else None,
            )
        )
    if not rows:
        raise InputImportError(f"{IMPORT_FAILED} The input holds no rows.")
    return rows


def vertex_time(nanos: int) -> str:
    """Formats a timestamp as Vertex AI resources do: microseconds and `Z`.

    Args:
        nanos: Nanoseconds since the epoch.
    """
    seconds, fraction = divmod(nanos, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction // 1000:06d}Z"


def processed_time(nanos: int) -> str:
    """Formats `processed_time` as Vertex writes it: milliseconds and `+00:00`.

    Args:
        nanos: Nanoseconds since the epoch.
    """
    return vertex_time(nanos)[:23] + "+00:00"


def status_text(code: int, message: str) -> str:
    """A failed row's `status`: `"Bad Request: {"error": {...}}"` for code 3, and so on.

    Args:
        code: The google.rpc code.
        message: The error message.
    """
    http, reason, name = _HTTP.get(code, _HTTP[13])
    body = {"error": {"code": http, "message": message, "status": name}}
    return f"{reason}: {json.dumps(body)}"


def _coerced(value: object) -> object:
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    return value


def output_line(
    row: VertexRow,
    fate: tuple[int, str] | None,
    *,
    model: str,
    at_ns: int,
    echo_keys: bool,
) -> str:
    """One `predictions.jsonl` line, as JSON text.

    Args:
        row: The input row.
        fate: `None` for success, else the row's error `(code, message)`.
        model: The model id (for the deterministic answer).
        at_ns: When the row was processed.
        echo_keys: Whether top-level keys other than `request` are echoed (the `drop_metadata`
            option turns this off, to test a client's fallback).
    """
    line: dict[str, Any] = {
        "status": "" if fate is None else status_text(*fate),
        "processed_time": processed_time(at_ns),
    }
    for key, value in row.line.items():
        if key == "request":
            line[key] = value
        elif echo_keys and key not in line:
            line[key] = _coerced(value)
    if fate is None and row.request is not None:
        response = generate_response(row.request, model=model)
        response["createTime"] = vertex_time(at_ns)
        line["response"] = response
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))
