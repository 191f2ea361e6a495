"""Batches from files and to files: requests read line by line, results written line by line.

- `RequestFile(path)`: Google's batch JSONL format, `{"key": ..., "request": {...}}` per line
  (the request a REST `GenerateContentRequest`), as `(key, request)` pairs for
  `invoker.batch.create_raw`.
- `PromptFile(path, field=...)`: a JSONL or CSV file of prompts, one per record, as
  `(id, prompt)` pairs for `invoker.batch.create`.
- `write_result_lines`: results as Google's output format, `{"key": ..., "response": {...}}` or
  `{"key": ..., "error": {...}}` per line (what `invoker.batch.write_results` writes).

Files are read one line at a time: memory does not grow with the file (the batch planner
spills requests to a temporary file past `BatchLimits.inline_max_bytes`). A bad line raises
`InputFileError` naming the file and the line number, before anything is sent.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from langchain_gemini_batch.batch._costing import AnswerPricer
from langchain_gemini_batch.batch._wire_tally import WireTally
from langchain_gemini_batch.batch.codecs import raw_request_problem
from langchain_gemini_batch.errors import (
    InvalidRequestError,
    RequestFailedError,
    ResultMismatchError,
)
from langchain_gemini_batch.pricing import Cost

__all__ = [
    "InputFileError",
    "PromptFile",
    "RequestFile",
    "ResultsWritten",
    "keep_matched_lines",
    "write_result_lines",
]

_LINE_KEYS = frozenset({"key", "request"})


class InputFileError(InvalidRequestError):
    """A line (or record) of an input file is invalid; nothing has been sent.

    Attributes:
        path: The file.
        line: The 1-based line number (`None` when the fault is the whole file).
    """

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string" if isinstance(value, str) else repr(value)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """`(line number, text)` of each non-blank line, decoded as UTF-8 (a BOM is dropped)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputFileError(path, number, f"not UTF-8 text ({exc.reason})") from exc
            if text.strip():
                yield number, text


_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""The C scanner `json.loads` runs, called directly (a third less per line)."""


def _json_object(path: Path, number: int, text: str) -> dict[str, Any]:
    try:
        value, end = _scan(text, 0)
    except (StopIteration, ValueError):
        pass  # `json.loads` below says what is wrong
    else:
        if type(value) is dict and (end == len(text) or not text[end:].strip()):
            return value
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            path, number, f"not valid JSON ({exc.msg}, column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise InputFileError(path, number, f"expected a JSON object, got {_kind(value)}")
    return value


class RequestFile:
    """The `(key, request)` pairs of a file in Google's batch JSONL format, read lazily.

    Each non-blank line is `{"key": "<id>", "request": {<GenerateContentRequest>}}`; the key
    comes back with the result. Iterating reads one line at a time; `line` is the number of
    the line last read (to place an error raised further on, such as a repeated key) and
    `count` how many requests were read.

    Example:
        ```python
        batch_id = await invoker.batch.create_raw(RequestFile("requests.jsonl"))
        ```

    Args:
        path: The file.

    Raises:
        InputFileError: While iterating: a line is not JSON, not an object, lacks a string
            `key` or an object `request` with `contents`, or has other fields.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.line = 0
        self.count = 0

    def __iter__(self) -> Iterator[tuple[str, dict[str, Any]]]:
        self.count = 0
        for number, text in _lines(self.path):
            self.line = number
            item = _json_object(self.path, number, text)
            plain = len(item) == 2 and "key" in item and "request" in item
            extra = None if plain else sorted(item.keys() - _LINE_KEYS)
            if extra:
                raise InputFileError(
                    self.path,
                    number,
                    f"unexpected fields {extra}; a line holds `key` and `request`",
                )
            key = item.get("key")
            if not isinstance(key, str) or not key.strip():
                raise InputFileError(self.path, number, "`key` must be a non-empty string")
            problem = raw_request_problem(item.get("request"))
            if problem:
                raise InputFileError(self.path, number, problem)
            self.count += 1
            yield key, item["request"]

    def line_of(self, position: int) -> int | None:
        """The line the request at `position` (0-based, as read) is on (the file is read again).

        For errors found once the whole file was read, such as a repeated key.
        """
        for index, (number, _) in enumerate(_lines(self.path)):
            if index == position:
                return number
        return None


FileFormat = Literal["jsonl", "csv"]


class PromptFile:
    """The `(id, prompt)` pairs of a JSONL or CSV file of prompts, read lazily.

    JSONL: one JSON object per line; CSV: a header row, then one record per row. The prompt is
    the text in column (or field) `field`; the ID is the value of `id_field`, or else the
    record's 1-based position among the file's records (`"1"`, `"2"`, ...). `line` is the line
    the last record read starts on, `count` how many records were read.

    Example:
        ```python
        results = await invoker.batch.invoke(PromptFile("questions.csv", field="question"))
        ```

    Args:
        path: The file.
        field: The column holding the prompt.
        id_field: The column holding each record's ID (default: its position).
        file_format: `jsonl` or `csv` (default: `csv` for a `.csv` name, else `jsonl`).

    Raises:
        InputFileError: While iterating: a record lacks the field, its prompt is not a
            non-empty string, or its ID is missing; a line is not a JSON object; the CSV has
            no such column.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        field: str,
        id_field: str | None = None,
        file_format: FileFormat | None = None,
    ) -> None:
        self.path = Path(path)
        self.field = field
        self.id_field = id_field
        self.format: FileFormat = file_format or (
            "csv" if self.path.suffix.lower() == ".csv" else "jsonl"
        )
        self.line = 0
        self.count = 0

    def __iter__(self) -> Iterator[tuple[str, str]]:
        records = self._csv() if self.format == "csv" else self._jsonl()
        for position, (number, record) in enumerate(records, start=1):
            self.line = number
            pair = self._pair(position, number, record)
            self.count = position
            yield pair

    def line_of(self, position: int) -> int | None:
        """The line the record at `position` (0-based, as read) starts on (read again)."""
        records = self._csv() if self.format == "csv" else self._jsonl()
        for index, (number, _) in enumerate(records):
            if index == position:
                return number
        return None

    def _jsonl(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        for number, text in _lines(self.path):
            yield number, _json_object(self.path, number, text)

    def _csv(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            try:
                columns = reader.fieldnames or []
                for name in (self.field, self.id_field):
                    if name is not None and name not in columns:
                        raise InputFileError(
                            self.path, 1, f"no column {name!r}; the header has {list(columns)}"
                        )
                start = reader.line_num + 1
                for row in reader:
                    yield start, row
                    start = reader.line_num + 1
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InputFileError(self.path, reader.line_num or 1, f"bad CSV ({exc})") from exc

    def _pair(self, position: int, number: int, record: Mapping[str, Any]) -> tuple[str, str]:
        prompt = record.get(self.field)
        if not isinstance(prompt, str) or not prompt.strip():
            what = (
                "missing"
                if prompt is None
                else "empty"
                if isinstance(prompt, str)
                else f"{_kind(prompt)}, not a non-empty string"
            )
            raise InputFileError(self.path, number, f"the prompt field {self.field!r} is {what}")
        if self.id_field is None:
            return str(position), prompt
        key = record.get(self.id_field)
        if isinstance(key, bool) or not isinstance(key, (str, int)) or not str(key).strip():
            raise InputFileError(
                self.path, number, f"the ID field {self.id_field!r} must be a string or integer"
            )
        return str(key), prompt


@dataclass(frozen=True)
class ResultsWritten:
    """What `write_results` wrote.

    Attributes:
        succeeded: Lines with a `response`.
        failed: Lines with an `error`.
        cost: The answers' cost (`Cost.requests` answers priced; zero when none could be).
        unpriced: Answers that could not be priced (no usage, or a model the table lacks).
    """

    succeeded: int
    failed: int
    cost: Cost
    unpriced: int = 0

    @property
    def total(self) -> int:
        """Every line written."""
        return self.succeeded + self.failed

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: the counts and `cost` as `Cost.as_dict()`."""
        return {
            "total": self.total,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "unpriced": self.unpriced,
            "cost": self.cost.as_dict(),
        }


def _failure_line(key: str, failure: RequestFailedError) -> dict[str, Any]:
    error: dict[str, Any] = {"message": failure.error_message}
    if failure.code is not None:
        error["code"] = failure.code
    if failure.status:
        error["status"] = failure.status
    return {"key": key, "error": error}


async def write_result_lines(
    blocks: AsyncIterator[list[tuple[str, Any]]],
    stream: IO[bytes],
    pricer: AnswerPricer,
) -> ResultsWritten:
    """Write each `(key, raw result)` pair as one JSONL line; count and price them.

    A result read from a Gemini API results file whose line is exactly `{"key", "response"}`
    or `{"key", "error"}` is written as that line (no second encoding: the same JSON object,
    fields possibly in another order); any other result is encoded as `{"key", ...}`.

    Args:
        blocks: Blocks of results from `iter_result_blocks` with the `RawCodec` (or
            `RequestFailedError`s for the requests of a job of a split batch that ended
            without results).
        stream: A binary stream, written a block of lines at a time.
        pricer: Prices each response from its `usageMetadata` and `modelVersion`.
    """
    tally = WireTally(pricer)
    add = tally.add
    succeeded = failed = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    async for block in blocks:
        lines: list[bytes] = []
        for key, result in block:
            raw: bytes | None = None
            if type(result) is tuple:  # a `RawLine`: the item and its line, written as it is
                item, raw = result
            elif isinstance(result, RequestFailedError):
                item = _failure_line(key, result)
            else:
                item = result
            response = item.get("response")
            if response is not None:
                succeeded += 1
                add(response.get("usageMetadata"), response.get("modelVersion"))
            else:
                failed += 1
            lines.append(raw if raw is not None else dumps(item).encode())
        if lines:
            lines.append(b"")
            stream.write(b"\n".join(lines))
    return ResultsWritten(succeeded, failed, tally.total, tally.unpriced)


def keep_matched_lines(path: Path, error: ResultMismatchError) -> None:
    """Rewrite a results file without what `error` names: lines of unknown keys, repeats.

    The slow path of a mismatch: the first line of a repeated key stays, later ones go.
    """
    unknown = set(error.unexpected).difference(error.repeated)
    repeated = set(error.repeated)
    if not (unknown or repeated):
        return
    kept = path.with_name(path.name + ".kept")
    seen: set[str] = set()
    with path.open("rb") as source, kept.open("wb") as target:
        for line in source:
            key = json.loads(line).get("key")
            if key in unknown or (key in repeated and key in seen):
                continue
            seen.add(key)
            target.write(line)
    kept.chmod(path.stat().st_mode)
    kept.replace(path)
