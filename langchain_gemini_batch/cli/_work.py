"""Commands about work: `submit`, `estimate`, `wait` and `results`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from langchain_gemini_batch.batch._submit import FRESH_JOB_HINT
from langchain_gemini_batch.batch.base import PollingPolicy
from langchain_gemini_batch.batch.files import InputFileError, PromptFile, RequestFile
from langchain_gemini_batch.cli._app import (
    EXIT_USAGE,
    CommandError,
    Settings,
    cli,
    command,
    note,
    run,
)
from langchain_gemini_batch.cli._jobs import cost_text, fail_unless_succeeded, info_data
from langchain_gemini_batch.errors import BatchTimeoutError, InvalidRequestError
from langchain_gemini_batch.pricing import Cost, CostEstimate
from langchain_gemini_batch.progress import ProgressBar, format_usd
from langchain_gemini_batch.schema import BatchStatus

__all__: list[str] = []

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _input_options(function: Any) -> Any:
    """The options that say how to read FILE (shared by `submit` and `estimate`)."""
    for option in reversed(
        [
            click.option(
                "--field",
                default=None,
                help="Read a JSONL or CSV file of prompts: the field (column) holding each prompt.",
            ),
            click.option(
                "--id-field",
                default=None,
                help="With --field: the field holding each record's ID (default: its position).",
            ),
            click.option(
                "--format",
                "file_format",
                type=click.Choice(["jsonl", "csv"]),
                default=None,
                help="With --field: the file's format (default: csv for *.csv, else jsonl).",
            ),
            click.option(
                "--system",
                default=None,
                help="With --field: a system instruction for every prompt.",
            ),
            click.option(
                "--config",
                "config_json",
                default=None,
                help="With --field: generation settings as JSON, e.g. '{\"temperature\": 0}'.",
            ),
        ]
    ):
        function = option(function)
    return function


class _Source:
    """FILE as requests: Google's batch JSONL, or prompts with settings."""

    def __init__(
        self,
        path: Path,
        *,
        field: str | None,
        id_field: str | None,
        file_format: str | None,
        system: str | None,
        config_json: str | None,
    ) -> None:
        self.path = path
        self.hyperparameters: dict[str, Any] = {}
        self.reader: RequestFile | PromptFile
        if field is None:
            if path.suffix.lower() == ".csv" or file_format == "csv":
                raise CommandError("a CSV file holds prompts: name their column with --field", 2)
            given = [name for name, v in (("--id-field", id_field), ("--format", file_format),
                     ("--system", system), ("--config", config_json)) if v is not None]  # fmt: skip
            if given:
                raise CommandError(
                    f"{', '.join(given)} apply to prompt files (with --field); each line of "
                    "Google's batch format carries its own settings",
                    EXIT_USAGE,
                )
            self.reader = RequestFile(path)
            return
        self.reader = PromptFile(
            path,
            field=field,
            id_field=id_field,
            file_format=file_format,  # type: ignore[arg-type]
        )
        if config_json:
            try:
                config = json.loads(config_json)
            except json.JSONDecodeError as exc:
                raise CommandError(f"--config is not valid JSON: {exc}", EXIT_USAGE) from exc
            if not isinstance(config, dict):
                raise CommandError("--config must be a JSON object", EXIT_USAGE)
            self.hyperparameters.update(config)
        if system:
            self.hyperparameters["system_instruction"] = system

    @property
    def raw(self) -> bool:
        return isinstance(self.reader, RequestFile)

    def placed(self, error: InvalidRequestError) -> CommandError:
        """An error about a request, placed at the line it was read from."""
        if isinstance(error, InputFileError):
            return CommandError(str(error), EXIT_USAGE)
        line = self.reader.line
        if error.position is not None:  # found once the whole file was read (a repeated ID)
            line = self.reader.line_of(error.position) or line
        return CommandError(f"{self.path}, line {line}: {error}", EXIT_USAGE)


@command(cli, "submit")
@click.argument("file", type=_FILE)
@_input_options
@click.option("--display-name", default=None, help="The job's display name.")
@click.option("--new", is_flag=True, help="Create a new job even if this work was sent before.")
@click.option(
    "--inline-max-bytes",
    type=click.IntRange(min=0, max=19_000_000),
    default=None,
    help="Upload the requests as a file past this many bytes (default 4,000,000).",
)
def submit(
    settings: Settings,
    file: Path,
    field: str | None,
    id_field: str | None,
    file_format: str | None,
    system: str | None,
    config_json: str | None,
    display_name: str | None,
    new: bool,
    inline_max_bytes: int | None,
) -> None:
    """Create a batch job from FILE; prints its batch ID.

    FILE is in Google's batch JSONL format, one {"key": ..., "request": {...}} per line, or,
    with --field, a JSONL or CSV file of prompts. It is read a line at a time; large batches
    are uploaded as a file. Sending the same work again reattaches to the job already created
    (unless --new).
    """

    async def work() -> None:
        source = _Source(
            file,
            field=field,
            id_field=id_field,
            file_format=file_format,
            system=system,
            config_json=config_json,
        )
        batch = settings.invoker(inline_max_bytes=inline_max_bytes).batch
        FRESH_JOB_HINT.set("--new for a fresh job")
        try:
            if isinstance(source.reader, RequestFile):
                batch_id = await batch.create_raw(
                    source.reader, display_name=display_name, resume=not new
                )
            else:
                batch_id = await batch.create(
                    source.reader, source.hyperparameters, display_name=display_name, resume=not new
                )
        except InvalidRequestError as error:
            raise source.placed(error) from error
        reattached = len(batch.engine.last_reattached) == len(batch_id.split(","))
        data = {
            "batch_id": batch_id,
            "requests": source.reader.count,
            "model": settings.model,
            "reattached": reattached,
        }
        if not settings.json:
            if reattached:
                note(
                    f"{source.reader.count} requests to {settings.model}: already submitted, "
                    "nothing sent again (--new for a fresh job)"
                )
            else:
                note(f"submitted {source.reader.count} requests to {settings.model}")
            note(f"watch it with: {settings.command_for('wait', batch_id)}")
        settings.emit(data, batch_id)

    run(settings, work)


def _estimate_text(estimate: CostEstimate) -> str:
    def row(label: str, cost: Cost | None) -> str:
        if cost is None:
            return f"  {label:<9}-  (no max_output_tokens: no upper bound)"
        return (
            f"  {label:<9}{format_usd(cost.batch_usd):>12} batch  "
            f"{format_usd(cost.online_usd):>12} online  "
            f"{cost.input_tokens:>10} in  {cost.output_tokens:>10} out"
        )

    return "\n".join(
        [
            f"{estimate.requests} requests to {estimate.model}, "
            f"{estimate.input_tokens} prompt tokens "
            f"(output assumed from {estimate.output_assumption})",
            row("low", estimate.low),
            row("expected", estimate.expected),
            row("high", estimate.high),
        ]
    )


@command(cli, "estimate")
@click.argument("file", type=_FILE)
@_input_options
@click.option(
    "--count-tokens", is_flag=True, help="Ask Google's countTokens for each request's prompt."
)
@click.option(
    "--output-tokens",
    type=click.IntRange(min=0),
    default=None,
    help="Output tokens to assume per request (default: maxOutputTokens, else 1000).",
)
def estimate(
    settings: Settings,
    file: Path,
    field: str | None,
    id_field: str | None,
    file_format: str | None,
    system: str | None,
    config_json: str | None,
    count_tokens: bool,
    output_tokens: int | None,
) -> None:
    """Estimate what submitting FILE would cost (nothing is submitted).

    Prompt tokens are approximated as ceil(characters / 4) unless --count-tokens.
    """

    async def work() -> None:
        source = _Source(
            file,
            field=field,
            id_field=id_field,
            file_format=file_format,
            system=system,
            config_json=config_json,
        )
        batch = settings.invoker().batch
        options: dict[str, Any] = {"count_tokens": count_tokens, "output_tokens": output_tokens}
        try:
            if isinstance(source.reader, RequestFile):
                result = await batch.estimate_raw(source.reader, **options)
            else:
                result = await batch.estimate(source.reader, source.hyperparameters, **options)
        except InvalidRequestError as error:
            raise source.placed(error) from error
        if result is None:
            raise CommandError(
                f"no price is known for model {settings.model!r} (see GEMINI_BATCH_PRICES)",
                EXIT_USAGE,
            )
        settings.emit(result.as_dict(), _estimate_text(result))

    run(settings, work)


_COST_READ_LIMIT = 10_000
"""`wait` totals the cost (which means reading every result) of jobs up to this size."""


@command(cli, "wait")
@click.argument("batch_id")
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=None, help="Give up after SECONDS."
)
@click.option(
    "--cancel-on-exit",
    is_flag=True,
    help="Cancel the job on Ctrl-C, SIGTERM or --timeout (default: leave it running).",
)
@click.option(
    "--cost/--no-cost",
    "with_cost",
    default=None,
    help=f"Read the results to total the cost (default: only for jobs of at most "
    f"{_COST_READ_LIMIT:,} requests; `gemini-batch cost ID` totals any job).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0),
    default=None,
    help="Poll every SECONDS (default: quick at first, then 25% of the time waited).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def wait(
    settings: Settings,
    batch_id: str,
    timeout: float | None,
    cancel_on_exit: bool,
    with_cost: bool | None,
    poll_interval: float | None,
    quiet: bool,
) -> None:
    """Wait for a job to end, with a progress bar on stderr (exit 1 unless it succeeded).

    Ctrl-C (or SIGTERM) stops waiting and leaves the job running, unless --cancel-on-exit.
    """
    bar = ProgressBar(description=batch_id, file=sys.stderr)
    polling = None if poll_interval is None else PollingPolicy(poll_interval, poll_interval, 1.0)

    async def work() -> None:
        batch = settings.invoker().batch
        with bar:
            try:
                await batch.wait(
                    batch_id,
                    polling=polling,
                    max_wait=timeout,
                    cancel_on_exit=cancel_on_exit,
                    progress=None if quiet else bar,
                )
            except BatchTimeoutError as error:
                what = "cancelled it" if error.cancelled else "the job keeps running"
                raise CommandError(
                    f"{batch_id} did not end within {timeout:g} s; {what}"
                    + ("" if error.cancelled else f"; resume with: {_resume()}")
                ) from error
            info = bar.info or await batch.info(batch_id)
            total: Cost | None = None
            priced = with_cost
            if priced is None:  # reading 10^6 results to print a price is not worth it
                priced = info.request_counts.total <= _COST_READ_LIMIT
            if priced and info.status is BatchStatus.FINISHED:
                total = await batch.cost(batch_id)
                bar.set_cost(total)
        human = bar.summary() + (f"\ncost: {cost_text(total)}" if total is not None else "")
        data = {**info_data(info), "cost": total.as_dict() if total is not None else None}
        settings.emit(data, human)
        fail_unless_succeeded(info)

    def _resume() -> str:
        return settings.command_for("wait", batch_id)

    def interrupted() -> str:
        if cancel_on_exit:
            return f"interrupted; asked Google to cancel {batch_id}"
        return f"interrupted; {batch_id} keeps running. Resume with: {_resume()}"

    run(settings, work, on_interrupt=interrupted)


@command(cli, "results")
@click.argument("batch_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: stdout).",
)
def results(settings: Settings, batch_id: str, output: Path | None) -> None:
    """Write a finished job's results as JSONL, one {"key", "response"|"error"} per line.

    Streamed: memory does not grow with the number of results. A summary goes to stderr
    (with --json, as JSON: to stdout when -o is given, else to stderr).
    """

    async def work() -> None:
        batch = settings.invoker().batch
        destination: Any = output if output is not None else sys.stdout.buffer
        written = await batch.write_results(batch_id, destination)
        if output is None:
            sys.stdout.flush()
        where = str(output) if output is not None else "stdout"
        data = {"batch_id": batch_id, "output": where, **written.as_dict()}
        human = (
            f"wrote {written.total} results ({written.succeeded} succeeded, {written.failed} "
            f"failed) to {where}; {cost_text(written.cost)}"
        )
        if settings.json and output is not None:
            settings.emit(data, None)
        elif settings.json:
            note(json.dumps(data))
        else:
            note(human)

    run(settings, work)
