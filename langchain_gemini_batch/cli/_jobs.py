"""Commands about jobs: `status`, `list`, `cancel`, `jobs` (the journal) and `cost`."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from langchain_gemini_batch.batch.journal import JobRecord, Journal, default_journal_path
from langchain_gemini_batch.cli._app import EXIT_FAILED, CommandError, Settings, cli, command, run
from langchain_gemini_batch.pricing import Cost
from langchain_gemini_batch.progress import format_usd
from langchain_gemini_batch.schema import BatchJobInfo, BatchStatus

__all__ = ["describe_info", "fail_unless_succeeded", "info_data"]

_FAILED = (BatchStatus.FAILED, BatchStatus.CANCELLED, BatchStatus.EXPIRED)


def info_data(info: BatchJobInfo) -> dict[str, Any]:
    """`BatchJobInfo` as JSON-ready data (`status` is the `BatchStatus` value)."""
    return info.model_dump(mode="json")


def _time(value: datetime | None) -> str:
    return value.isoformat() if value else "-"


def _counts(info: BatchJobInfo) -> str:
    counts = info.request_counts
    if not counts.total:
        return "-"
    return (
        f"{counts.done}/{counts.total} done: {counts.succeeded} succeeded, "
        f"{counts.failed} failed, {counts.pending} pending"
    )


def describe_info(info: BatchJobInfo) -> str:
    """Several lines for a person: state, names, counts, times, error."""
    rows = [
        ("display name", info.display_name or "-"),
        ("model", info.model or "-"),
        ("status", info.status.value),
        ("requests", _counts(info)),
        ("created", _time(info.create_time)),
        ("updated", _time(info.update_time)),
        ("ended", _time(info.end_time)),
    ]
    if info.error:
        rows.append(("error", info.error))
    if info.jobs:
        rows.append(("jobs", ", ".join(f"{job.name} {job.state}" for job in info.jobs)))
    lines = [f"{info.name}  {info.state}"]
    lines += [f"  {label:<13}{value}" for label, value in rows]
    return "\n".join(lines)


def fail_unless_succeeded(info: BatchJobInfo) -> None:
    """Exit 1 when the job ended FAILED, CANCELLED or EXPIRED (its info was printed)."""
    if info.status in _FAILED:
        detail = f": {info.error}" if info.error else ""
        raise CommandError(f"{info.name} ended {info.state}{detail}", EXIT_FAILED, reported=True)


@command(cli, "status")
@click.argument("batch_id")
def status(settings: Settings, batch_id: str) -> None:
    """Show a job's state and request counts (exit 1 if it failed, was cancelled or expired).

    BATCH_ID is a job name (batches/...), or several joined by commas (a split batch).
    """

    async def work() -> None:
        info = await settings.invoker().batch.info(batch_id)
        settings.emit(info_data(info), describe_info(info))
        fail_unless_succeeded(info)

    run(settings, work)


def _list_row(item: dict[str, Any]) -> str:
    counts = item.get("request_counts") or {}
    total = counts.get("total", 0)
    done = counts.get("succeeded", 0) + counts.get("failed", 0)
    progress = f"{done}/{total}" if total else "-"
    created = item.get("create_time") or "-"
    name = item.get("display_name") or ""
    return f"{item['id']:<44} {item['state']:<24} {progress:>11}  {created!s:<26} {name}"


@command(cli, "list")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N jobs.")
def list_jobs(settings: Settings, limit: int | None) -> None:
    """List the account's batch jobs, newest first (every page)."""

    async def work() -> None:
        items = await settings.invoker().batch.list()
        if limit is not None:
            items = items[:limit]
        data = [{**item, "status": item["status"].value} for item in items]
        header = f"{'ID':<44} {'STATE':<24} {'DONE/TOTAL':>11}  {'CREATED':<26} DISPLAY NAME"
        human = "\n".join([header, *(_list_row(item) for item in data)]) if data else "no jobs"
        settings.emit(data, human)

    run(settings, work)


@command(cli, "cancel")
@click.argument("batch_id")
def cancel(settings: Settings, batch_id: str) -> None:
    """Ask Google to cancel a job (it then ends CANCELLED; finished work is still billed)."""

    async def work() -> None:
        batch = settings.invoker().batch
        await batch.cancel(batch_id)
        info = await batch.info(batch_id)
        settings.emit(
            {"batch_id": batch_id, "cancel_requested": True, "info": info_data(info)},
            f"cancel requested for {batch_id}; it is now {info.state}",
        )

    run(settings, work)


def _record_data(record: JobRecord) -> dict[str, Any]:
    return {
        "job_name": record.job_name,
        "state": record.state.value,
        "remote_state": record.remote_state,
        "model": record.model,
        "display_name": record.display_name,
        "request_count": record.request_count,
        "chunk_index": record.chunk_index,
        "chunk_count": record.chunk_count,
        "endpoint": record.endpoint,
        "created_at": datetime.fromtimestamp(record.created_at, timezone.utc).isoformat(),
    }


@command(cli, "jobs")
def jobs(settings: Settings) -> None:
    """List the journal's jobs whose results have not been read (they may still be running).

    Only jobs this package created on this machine are in the journal (see --journal).
    """

    async def work() -> None:
        path = Path(settings.journal) if settings.journal else default_journal_path()
        records = Journal(path).unretrieved() if path.exists() else []
        data = [_record_data(record) for record in records]
        rows = [
            f"{row['job_name'] or '(creating)':<44} {row['remote_state'] or row['state']:<24} "
            f"{row['request_count']:>9}  {row['model']:<22} {row['created_at']}"
            for row in data
        ]
        header = f"{'JOB':<44} {'LAST STATE':<24} {'REQUESTS':>9}  {'MODEL':<22} CREATED"
        human = "\n".join([header, *rows]) if rows else f"no unfinished jobs in {path}"
        settings.emit(data, human)

    run(settings, work)


def cost_text(cost: Cost) -> str:
    """`$0.0123 at batch price ($0.0246 online, $0.0123 saved) for 100 answers`."""
    if not cost.requests:
        return "no answer could be priced"
    return (
        f"{format_usd(cost.batch_usd)} at batch price ({format_usd(cost.online_usd)} online, "
        f"{format_usd(cost.saved_usd)} saved) for {cost.requests} answers"
    )


@command(cli, "cost")
@click.argument("batch_id")
def cost(settings: Settings, batch_id: str) -> None:
    """What a finished job cost, summed over its answers (reads its results)."""

    async def work() -> None:
        total = await settings.invoker().batch.cost(batch_id)
        settings.emit({"batch_id": batch_id, **total.as_dict()}, f"{batch_id}: {cost_text(total)}")

    run(settings, work)
