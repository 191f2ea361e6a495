"""Benchmarks: `python3 tasks.py bench [--sizes 1000,10000,100000] [--repeat 3] [--embeddings]`.

For each N, against the local emulator on an instant clock (a separate process, so it does not
share the GIL with the client), it measures:

(a) build and submit: `invoker.batch.create(requests, resume=False)` (a fresh job each time),
    beside a floor measured in the same run
    on the same payload: build the inline request dicts, JSON-encode them, POST them with plain
    httpx to the same emulator;
(b) retrieve and convert: `retrieve()` (to `LMOutput`), then `LMOutput` to `AIMessage`, beside a
    floor: GET the same results with plain httpx, JSON-decode them and build as many bare
    `AIMessage(content=text)`;
(c) peak memory (tracemalloc, separate pass) of (a) and (b), beside the size of the batch's JSONL.

Figures are medians of `--repeat` runs; ratios are ours / floor. The seed's library
(gllm-inference-binary) is measured when it is importable and skipped otherwise.

`--embeddings` measures the embeddings line instead (`bench/_embeddings.py`: 100,000 texts
through `GoogleEMInvoker.batch` and `GeminiBatchEmbeddings`, beside plain-httpx floors).
`--files` measures the file-to-file line (`bench/_files.py`: 100,000 and 1,000,000 requests
from a JSONL file to a JSONL file of results, with peak RSS). `--langchain` measures
`chain.abatch` against a fake chat model (`bench/_langchain.py`). `--all` runs every line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from langchain_core.messages import AIMessage

from bench._emulator import EmulatorProcess
from langchain_gemini_batch import BatchStatus, GoogleLMInvoker, PollingPolicy
from langchain_gemini_batch._gc import gc_paused
from langchain_gemini_batch.langchain.output import output_to_message

KEY = "bench-key"
MODEL = "gemini-2.5-flash"


def make_requests(n: int) -> dict[str, str]:
    return {f"req-{i}": f"Short prompt number {i}: say hi." for i in range(n)}


async def timed(step: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = await step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


class Bench:
    def __init__(self, base_url: str, repeat: int) -> None:
        self.base_url = base_url
        self.repeat = repeat
        self.journal = Path(tempfile.mkdtemp(prefix="bench-journal-")) / "journal.sqlite3"
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"x-goog-api-key": KEY}, timeout=120
        )

    def invoker(self) -> GoogleLMInvoker:
        # a journal of the bench's own (its cost is part of create), fresh jobs every time
        return GoogleLMInvoker(MODEL, api_key=KEY, base_url=self.base_url, journal=self.journal)

    async def floor_submit(self, requests: dict[str, str]) -> str:
        items = [
            {
                "request": {"contents": [{"parts": [{"text": text}], "role": "user"}]},
                "metadata": {"key": key},
            }
            for key, text in requests.items()
        ]
        body = json.dumps(
            {"batch": {"inputConfig": {"requests": {"requests": items}}, "displayName": "floor"}}
        )
        response = await self.http.post(
            f"/v1beta/models/{MODEL}:batchGenerateContent",
            content=body,
            headers={"content-type": "application/json"},
        )
        response.raise_for_status()
        return str(response.json()["name"])

    async def floor_fetch(self, batch_id: str) -> int:
        """GET and JSON-decode the results, and build one bare `AIMessage` per answer."""
        response = await self.http.get(f"/v1beta/{batch_id.split(',', maxsplit=1)[0]}")
        job = response.json()
        output = job["metadata"]["output"]
        if "responsesFile" in output:
            raw = await self.http.get(
                f"/v1beta/{output['responsesFile']}:download", params={"alt": "media"}
            )
            answers = [json.loads(line)["response"] for line in raw.content.splitlines()]
        else:
            answers = [item["response"] for item in output["inlinedResponses"]["inlinedResponses"]]
        messages = [
            AIMessage(content=answer["candidates"][0]["content"]["parts"][0]["text"])
            for answer in answers
        ]
        return len(messages)

    async def finish(self, invoker: GoogleLMInvoker, batch_id: str) -> None:
        await invoker.batch.wait(batch_id, polling=PollingPolicy(0.05, 0.05, 1))
        assert await invoker.batch.status(batch_id) is BatchStatus.FINISHED

    async def size(self, n: int) -> dict[str, Any]:
        requests = make_requests(n)
        builder = self.invoker().request_builder()
        jsonl_bytes = sum(len(builder.jsonl_line(k, v)) for k, v in requests.items())
        row: dict[str, Any] = {"n": n, "jsonl_mb": jsonl_bytes / 1e6}

        invoker = self.invoker()
        row["submit"], batch_id = await timed(
            lambda: invoker.batch.create(requests, resume=False), self.repeat
        )
        row["submit_floor"], floor_id = await timed(
            lambda: self.floor_submit(requests), self.repeat
        )
        await self.finish(invoker, batch_id)
        await self.finish(invoker, floor_id)

        row["fetch_floor"], count = await timed(lambda: self.floor_fetch(batch_id), self.repeat)
        assert count == n, count
        row["retrieve"], results = await timed(
            lambda: self.invoker().batch.retrieve(batch_id), self.repeat
        )
        assert len(results) == n
        start = time.perf_counter()
        with gc_paused():  # as ChatGeminiBatch's abatch converts its results
            messages = [output_to_message(o, model=MODEL, batch=True) for o in results.values()]
        row["to_aimessage"] = time.perf_counter() - start
        assert len(messages) == n
        del results, messages

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        await self.invoker().batch.create(requests, resume=False)
        row["submit_peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 1e6
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        results = await self.invoker().batch.retrieve(batch_id)
        row["retrieve_peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 1e6
        tracemalloc.stop()
        del results
        return row


def status_calls_for(seconds: float, policy: PollingPolicy) -> int:
    elapsed, calls = 0.0, 1
    for wait in policy.intervals():
        if elapsed >= seconds:
            return calls
        elapsed += wait
        calls += 1
    raise AssertionError("unreachable")


def seed_library_row() -> str:
    """The seed's library cannot share this venv: it pins google-genai 2.x (we need 3.6)."""
    try:
        import gllm_inference  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - would need google-genai 2.x, which this package cannot use
        return "seed library: importable, but it needs google-genai 2.x; measure it in its own venv"
    return (
        "seed library (gllm-inference-binary): not installed, skipped (it pins google-genai 2.x; "
        "the project's peer survey measured 3.9 s to create and 3.1 s to retrieve 10,000)"
    )


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| N | JSONL MB | create s | floor s | ratio | retrieve s | +AIMessage s | floor s |"
        " ratio (retrieve+AIMessage) | create peak MB | / JSONL | retrieve peak MB | / JSONL |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        fetch_total = r["retrieve"] + r["to_aimessage"]
        lines.append(
            f"| {r['n']:,} | {r['jsonl_mb']:.2f} | {r['submit']:.3f} | {r['submit_floor']:.3f} | "
            f"{r['submit'] / r['submit_floor']:.2f}x | {r['retrieve']:.3f} | "
            f"{r['to_aimessage']:.3f} | {r['fetch_floor']:.3f} | "
            f"{fetch_total / r['fetch_floor']:.2f}x | {r['submit_peak_mb']:.1f} | "
            f"{r['submit_peak_mb'] / r['jsonl_mb']:.1f}x | {r['retrieve_peak_mb']:.1f} | "
            f"{r['retrieve_peak_mb'] / r['jsonl_mb']:.1f}x |"
        )
    return "\n".join(lines)


async def run(sizes: list[int], repeat: int) -> None:
    with EmulatorProcess() as base_url:
        bench = Bench(base_url, repeat)
        rows = []
        for n in sizes:
            rows.append(await bench.size(n))
            print(f"measured N={n:,}", file=sys.stderr, flush=True)
        await bench.http.aclose()
    print(f"Python {platform.python_version()} on {platform.machine()}, median of {repeat} runs\n")
    print(render(rows))
    hour = status_calls_for(3600, PollingPolicy())
    print(f"\nstatus calls for a job that takes one hour (default polling): {hour}")
    print(seed_library_row())


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python3 tasks.py bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--embeddings", action="store_true", help="run the embeddings line (bench/_embeddings.py)"
    )
    parser.add_argument("--embed-size", type=int, default=100_000, help="texts (--embeddings)")
    parser.add_argument("--dimension", type=int, default=256, help="values per vector")
    parser.add_argument("--files", action="store_true", help="run the file-to-file line")
    parser.add_argument("--file-sizes", default="100000,1000000", help="requests (--files)")
    parser.add_argument("--langchain", action="store_true", help="run the chain.abatch line")
    parser.add_argument("--chain-sizes", default="10000,50000", help="inputs (--langchain)")
    parser.add_argument("--all", action="store_true", help="run every line")
    args = parser.parse_args()
    if args.all or not (args.embeddings or args.files or args.langchain):
        asyncio.run(run([int(s) for s in args.sizes.split(",")], args.repeat))
    if args.all or args.files:
        from bench import _files

        print()
        _files.run([int(s) for s in args.file_sizes.split(",")], args.repeat)
    if args.all or args.langchain:
        from bench import _langchain

        print()
        _langchain.run([int(s) for s in args.chain_sizes.split(",")], args.repeat)
    if args.all or args.embeddings:
        from bench import _embeddings

        print()
        asyncio.run(_embeddings.run(args.embed_size, args.repeat, args.dimension))


if __name__ == "__main__":
    main()
