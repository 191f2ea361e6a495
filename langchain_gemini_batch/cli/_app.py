"""The `gemini-batch` group, the options every command shares, and how errors become exit codes.

Exit codes: 0 success; 1 the job failed, was cancelled or expired, or could not be waited for
or read (not finished, timed out, Google or the network failing); 2 bad usage or input (an
unknown option, a bad input file, an invalid request, an unknown batch ID, a missing or
rejected API key); 130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

import click
from google.genai import errors as genai_errors

from langchain_gemini_batch.batch._plan import BatchLimits
from langchain_gemini_batch.errors import (
    BatchJobError,
    BatchNotFinishedError,
    BatchWaitError,
    GeminiBatchError,
    InvalidRequestError,
    MissingApiKeyError,
    ResultMismatchError,
)
from langchain_gemini_batch.invoker import GoogleLMInvoker

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_USAGE", "Settings", "cli", "command"]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DEFAULT_MODEL = "gemini-2.5-flash"

T = TypeVar("T")


class CommandError(Exception):
    """Stop the command with this message and exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED, *, reported: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.reported = reported
        """The command already printed its JSON (no `{"error": ...}` is added to stdout)."""


@dataclass
class Settings:
    """What every command was given: output mode, model, key, endpoint, journal."""

    json: bool
    model: str
    api_key: str | None = field(repr=False)
    base_url: str | None
    base_url_from_option: bool
    journal: str | None

    def invoker(self, *, inline_max_bytes: int | None = None) -> GoogleLMInvoker:
        """A `GoogleLMInvoker` with these settings (the key stays a `SecretStr`)."""
        limits = (
            None if inline_max_bytes is None else BatchLimits(inline_max_bytes=inline_max_bytes)
        )
        return GoogleLMInvoker(
            self.model,
            self.api_key,
            base_url=self.base_url,
            journal=self.journal,
            batch_limits=limits,
        )

    def command_for(self, *args: str) -> str:
        """How to run `gemini-batch ARGS` again against the same endpoint (no key)."""
        extra = [f"--base-url {self.base_url}"] if self.base_url_from_option else []
        if self.journal:
            extra.append(f"--journal {self.journal}")
        return " ".join(["gemini-batch", *args, *extra])

    def emit(self, data: Any, human: str | None) -> None:
        """Print `data` as JSON with `--json`, else the human text (when there is any)."""
        if self.json:
            click.echo(json.dumps(data, ensure_ascii=False, default=str))
        elif human is not None:
            click.echo(human)


def note(message: str) -> None:
    """A message for the person at the terminal (stderr)."""
    click.echo(message, err=True)


def _fail(settings: Settings | None, message: str, code: int, *, json_too: bool = True) -> NoReturn:
    note(f"gemini-batch: error: {message}")
    if settings is not None and settings.json and json_too:
        click.echo(json.dumps({"error": message, "exit_code": code}))
    sys.exit(code)


def _google_error(error: genai_errors.APIError) -> tuple[str, int]:
    code = EXIT_USAGE if error.code in (400, 401, 403, 404) else EXIT_FAILED
    status = f" {error.status}" if error.status else ""
    return f"Google answered {error.code}{status}: {error.message}", code


def _exit_code(error: BaseException) -> tuple[str, int]:
    """The message and exit code for an error that ended a command."""
    if isinstance(error, CommandError):
        return str(error), error.code
    if isinstance(error, genai_errors.APIError):
        return _google_error(error)
    if isinstance(error, MissingApiKeyError):
        return "no Gemini API key: pass --api-key or set GOOGLE_API_KEY", EXIT_USAGE
    if isinstance(error, BatchNotFinishedError):
        return (
            f"{error.batch_job} has not finished yet ({error.state}); wait for it with: "
            f"gemini-batch wait {error.batch_job}",
            EXIT_FAILED,
        )
    if isinstance(error, (InvalidRequestError, click.BadParameter)):
        return str(error), EXIT_USAGE
    if isinstance(
        error,
        (BatchJobError, BatchNotFinishedError, BatchWaitError, ResultMismatchError),
    ):
        return str(error), EXIT_FAILED
    if isinstance(error, GeminiBatchError):
        return str(error), EXIT_FAILED
    if isinstance(error, (ValueError, OSError)):
        return str(error), EXIT_USAGE
    return f"{type(error).__name__}: {error}", EXIT_FAILED


def _sigterm_as_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM does what Ctrl-C does (asyncio cancels the command; cleanup runs)."""
    del signum
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler) and handler is not signal.default_int_handler:
        handler(signal.SIGINT, frame)  # asyncio's: cancels the running command
        return
    raise KeyboardInterrupt


def run(
    settings: Settings,
    work: Callable[[], Awaitable[T]],
    *,
    on_interrupt: Callable[[], str] | None = None,
) -> T:
    """Run one command's coroutine; errors become a message on stderr and an exit code."""
    try:
        previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        previous = None
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        message = on_interrupt() if on_interrupt else "interrupted"
        _fail(settings, message, EXIT_INTERRUPTED)
    except BrokenPipeError:  # e.g. `gemini-batch results ID | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_FAILED)
    except Exception as error:  # every failure ends the command with a message
        message, code = _exit_code(error)
        reported = isinstance(error, CommandError) and error.reported
        _fail(settings, message, code, json_too=not reported)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def command(group: click.Group, name: str) -> Callable[[Callable[..., None]], click.Command]:
    """Register a command taking `Settings` first, with the options every command accepts."""

    def decorate(function: Callable[..., None]) -> click.Command:
        @functools.wraps(function)
        def wrapper(
            json_output: bool,
            model: str,
            api_key: str | None,
            base_url: str | None,
            journal: str | None,
            verbose: bool,
            **kwargs: Any,
        ) -> None:
            ctx = click.get_current_context()
            source = ctx.get_parameter_source("base_url")
            settings = Settings(
                json=json_output,
                model=model,
                api_key=api_key,
                base_url=base_url,
                base_url_from_option=source is click.core.ParameterSource.COMMANDLINE,
                journal=journal,
            )
            with _logging(verbose):
                function(settings, **kwargs)

        options = [
            click.option(
                "--json", "json_output", is_flag=True, help="Print machine-readable JSON."
            ),
            click.option(
                "--model",
                envvar="GEMINI_BATCH_MODEL",
                default=DEFAULT_MODEL,
                show_default=True,
                help="The model (env GEMINI_BATCH_MODEL).",
            ),
            click.option(
                "--api-key",
                envvar="GOOGLE_API_KEY",
                default=None,
                show_default=False,
                help="The Gemini API key (env GOOGLE_API_KEY, else GEMINI_API_KEY); never printed.",
            ),
            click.option(
                "--base-url",
                envvar="GOOGLE_GEMINI_BASE_URL",
                default=None,
                help="Send requests here, e.g. the local emulator (env GOOGLE_GEMINI_BASE_URL).",
            ),
            click.option(
                "--journal",
                type=click.Path(dir_okay=False),
                default=None,
                help="The job journal file (env GEMINI_BATCH_JOURNAL, else the user cache).",
            ),
            click.option("-v", "--verbose", is_flag=True, help="Log each state change (INFO)."),
        ]
        for option in reversed(options):
            wrapper = option(wrapper)
        return group.command(name)(wrapper)

    return decorate


@contextlib.contextmanager
def _logging(verbose: bool) -> Iterator[None]:
    """The package's warnings (and with -v its INFO lines) on stderr, for one command."""
    logger = logging.getLogger("langchain_gemini_batch")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("gemini-batch: %(levelname)s: %(message)s"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


_HELP = (
    "Submit, watch, download, list and cancel Gemini Batch API jobs.\n\n"
    "\b\n"  # click: keep the examples' line breaks
    "  gemini-batch submit requests.jsonl          # Google's batch JSONL format\n"
    "  gemini-batch submit prompts.csv --field question\n"
    "  gemini-batch wait batches/123 --timeout 3600\n"
    "  gemini-batch results batches/123 -o results.jsonl\n"
    "  gemini-batch status batches/123 --json\n\n"
    "Exit codes: 0 success; 1 the job failed, was cancelled or expired (or could not be waited "
    "for or read); 2 bad usage or input; 130 interrupted."
)


@click.group(
    help=_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="langchain-gemini-batch")
def cli() -> None:
    """Submit, watch, download, list and cancel Gemini Batch API jobs (see `_HELP`)."""
