"""Reading a Vertex AI batch job's BigQuery output table (optional `google-cloud-bigquery`).

Vertex writes one row per input row to the destination table: the input row's columns (the
`request` JSON column and every other column, e.g. a `key` column), `response` (JSON) for rows
that succeeded and `status` (text) for rows that failed, as documented for Gemini batch
prediction. The package reads the table with the official BigQuery client into a JSONL spool
file of `{"key", "status", "response"}` lines, which the Vertex backend then reads like a
Cloud Storage `predictions.jsonl`. Rows are joined by their `key` column; a table without one
gives unkeyed results (`ResultMismatchError`).

The emulator does not serve BigQuery: this reader is unverified against Google.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

__all__ = ["EXTRA_HINT", "row_line", "table_id", "write_table"]

EXTRA_HINT = (
    "reading a BigQuery destination needs google-cloud-bigquery: "
    'pip install "langchain-gemini-batch[bigquery]" (or read the table yourself: columns '
    "key, request, response, status)"
)
_COLUMNS = ("key", "status", "response")


def table_id(uri: str) -> str:
    """`bq://project.dataset.table` as BigQuery's `project.dataset.table`.

    Raises:
        ValueError: Not a `bq://` URI naming a table.
    """
    if not uri.startswith("bq://") or uri.removeprefix("bq://").count(".") < 2:
        raise ValueError(f"not a BigQuery table URI (bq://project.dataset.table): {uri!r}")
    return uri.removeprefix("bq://")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def row_line(row: Mapping[str, Any]) -> bytes:
    """One output row as a JSONL line of its `key`, `status` and `response` columns.

    `response` may arrive parsed (a JSON column) or as text; both are kept as they are
    (the backend parses text).
    """
    line = {name: _plain(row.get(name)) for name in _COLUMNS if row.get(name) is not None}
    return (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode()


def _client(project: str | None, credentials: Any) -> Any:
    try:
        bigquery = importlib.import_module("google.cloud.bigquery")  # an optional dependency
    except ImportError as exc:
        raise ImportError(EXTRA_HINT) from exc
    return bigquery.Client(project=project, credentials=credentials)


def _rows(client: Any, table: str) -> Iterable[Mapping[str, Any]]:
    fields = [f for f in client.get_table(table).schema if f.name in _COLUMNS]
    return client.list_rows(table, selected_fields=fields)  # type: ignore[no-any-return]


async def write_table(
    uri: str, destination: Path, *, project: str | None, credentials: Any
) -> None:
    """Write every row of the table at `uri` to `destination` as JSONL (see `row_line`).

    Raises:
        ImportError: google-cloud-bigquery is not installed (the message names the extra).
    """
    table = table_id(uri)

    def run() -> None:
        client = _client(project, credentials)
        try:
            with destination.open("wb") as out:
                for row in _rows(client, table):
                    out.write(row_line(dict(row.items())))
        finally:
            client.close()

    await asyncio.to_thread(run)
