"""Command line: `python -m langchain_gemini_batch.testing.emulator [--port 8765] [switches]`.

Prints `Gemini API emulator listening on http://HOST:PORT` once it listens, then serves until
SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from langchain_gemini_batch.testing.emulator._options import JOB_OUTCOMES, EmulatorOptions
from langchain_gemini_batch.testing.emulator._server import EmulatorServer
from langchain_gemini_batch.testing.emulator._wire import rpc_code

_DEFAULTS = EmulatorOptions()


def _keys(text: str) -> frozenset[str] | dict[str, int | None]:
    """`a,b` → a set; `a:8,b:RESOURCE_EXHAUSTED,c` → `{"a": 8, "b": 8, "c": None}`."""
    keys: dict[str, int | None] = {}
    for item in (k.strip() for k in text.split(",")):
        if not item:
            continue
        key, sep, code = item.rpartition(":")
        if not (sep and key and code):
            keys[item] = None
            continue
        try:
            keys[key] = rpc_code(code)
        except ValueError as exc:
            if code.isdigit():  # `k:99`: a code out of range, not part of the key
                raise argparse.ArgumentTypeError(str(exc)) from exc
            keys[item] = None  # a key that holds a colon, e.g. `doc:intro`
    if all(code is None for code in keys.values()):
        return frozenset(keys)
    return keys


def _rpc(text: str) -> int:
    try:
        return rpc_code(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _names(text: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in text.split(",") if k.strip())


def _codes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in text.split(",") if c.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected HTTP codes like 429,500,503: {text!r}") from exc


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text}")
    return value


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows `(default: ...)` only for switches whose default says something."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if (
            action.default is None
            or action.default is False
            or action.default in (frozenset(), (), [])
        ):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser; every switch maps to the `EmulatorOptions` field of its name."""
    parser = argparse.ArgumentParser(
        prog="python -m langchain_gemini_batch.testing.emulator",
        description=(
            "Local Gemini API emulator: serves the batch, files, models, generateContent and "
            "embedding endpoints under /v1beta and /v1 as Google does, with deterministic "
            "models. Point a client at it with GOOGLE_GEMINI_BASE_URL=http://HOST:PORT."
        ),
        formatter_class=_HelpFormatter,
    )
    add = parser.add_argument
    add("--host", default=_DEFAULTS.host, help="interface to bind")
    add("--port", type=int, default=8765, help="port to bind; 0 picks a free port")
    add(
        "--api-key",
        default=None,
        metavar="K",
        help="the only API key accepted (others get 400 API_KEY_INVALID); by default any "
        "non-empty key works, a missing key gets 403",
    )
    add(
        "--job-seconds",
        type=float,
        default=_DEFAULTS.job_seconds,
        metavar="N",
        help="seconds from create to the end of a job: first third PENDING, then RUNNING (the "
        "batchStats counts move with the elapsed fraction), then SUCCEEDED; 0 = ended by the "
        "first get",
    )
    add(
        "--max-running-jobs",
        type=int,
        default=_DEFAULTS.max_running_jobs,
        metavar="N",
        help="unfinished jobs allowed at once; one more create gets 429 RESOURCE_EXHAUSTED",
    )
    add(
        "--inline-limit-bytes",
        type=int,
        default=_DEFAULTS.inline_limit_bytes,
        metavar="N",
        help="largest JSON request body; larger gets 400 'Request payload size exceeds the limit'",
    )
    add(
        "--deterministic",
        action="store_true",
        help="virtual clock from 2026-01-01T00:00:00Z advancing 1 s per request, seeded ids: "
        "byte-identical answers on every run (for cassette recording)",
    )
    add(
        "--seed",
        type=int,
        default=_DEFAULTS.seed,
        help="seed of every random choice (ids when deterministic, shuffles, failures, HTTP "
        "errors)",
    )
    add(
        "--shuffle-results",
        action="store_true",
        help="return inline results and JSONL lines in a shuffled order",
    )
    add(
        "--drop-metadata",
        action="store_true",
        help="leave 'metadata' off inline results and 'key' off JSONL result lines",
    )
    add(
        "--fail-keys",
        type=_keys,
        default=frozenset(),
        metavar="K1,K2:CODE",
        help="request keys (metadata.key / JSONL key) whose result is an error; 'key:CODE' "
        "gives that key its own google.rpc.Code (8 or RESOURCE_EXHAUSTED), else --fail-code",
    )
    add(
        "--fail-fraction",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of requests, chosen at random, whose result is an error (--fail-code)",
    )
    add(
        "--fail-code",
        type=_rpc,
        default=_DEFAULTS.fail_code,
        metavar="CODE",
        help="google.rpc.Code of per-request errors, by number or name (3 INVALID_ARGUMENT, 8 "
        "RESOURCE_EXHAUSTED, 13 INTERNAL, 14 UNAVAILABLE, ...); the error is {code, message} "
        "with Google's standard message",
    )
    add(
        "--job-outcome",
        choices=JOB_OUTCOMES,
        default=_DEFAULTS.job_outcome,
        help="how jobs end; 'failed' carries a top-level error, 'cancelled' and 'expired' end "
        "without results",
    )
    add(
        "--http-error-rate",
        type=_fraction,
        default=0.0,
        metavar="F",
        help="fraction of API calls answered with an HTTP error from --http-error-codes",
    )
    add(
        "--http-error-codes",
        type=_codes,
        default=",".join(str(code) for code in _DEFAULTS.http_error_codes),  # parsed by type
        metavar="429,500,503",
        help="HTTP errors drawn from by --http-error-rate (429 carries RetryInfo)",
    )
    add(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="sleep this long before answering each request",
    )
    add(
        "--retry-delay-seconds",
        type=int,
        default=_DEFAULTS.retry_delay_seconds,
        metavar="N",
        help="RetryInfo.retryDelay carried by 429 answers",
    )
    add(
        "--extra-models",
        type=_names,
        default=(),
        metavar="M1,M2",
        help="model names added to the catalog (gemini-x, models/gemini-x or tunedModels/x; a "
        "name containing 'embedding' is an embedding model); other unknown models get 404",
    )
    add(
        "--inject",
        action="append",
        default=[],
        metavar="SPEC",
        help="plan one fault (repeatable), written as EmulatorServer.inject's keywords: "
        "'action=batches.get,nth=3,status=503' (the 3rd poll gets 503), "
        "'action=batchGenerateContent,drop=after' (job created, connection closed unanswered), "
        "'action=batchGenerateContent,delay=5' (job created, answer 5 s late); nth counts from "
        "start; status: 400,403,404,429,500,503,504; drop: before|after",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the emulator until SIGINT or SIGTERM; returns the exit status.

    Args:
        argv: Arguments (without the program name); `sys.argv[1:]` when omitted.
    """
    args = vars(build_parser().parse_args(argv))
    try:
        server = EmulatorServer(**args)
        server.start()
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: cannot start the emulator: {exc}\n")
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    sys.stdout.write(f"Gemini API emulator listening on {server.base_url}\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
