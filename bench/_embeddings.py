"""The embeddings bench line: `python3 tasks.py bench --embeddings [--embed-size 100000]`.

Against the emulator in its own process (instant clock), for N texts at `--dimension` values
per vector (default 256; the emulator draws the full 3072 values of each vector, about 70 s
per 100,000 texts, paid once when the job ends), it measures:

(a) create: `GoogleEMInvoker.batch.create(texts, resume=False)` (validate, encode, fingerprint,
    journal, upload the JSONL with the SDK, create), beside a floor measured in the same run:
    build the same JSONL with `json.dumps`, upload it with plain httpx (resumable start, one
    upload-and-finalize), POST `asyncBatchEmbedContent`;
(b) retrieve: `GoogleEMInvoker.batch.retrieve(batch_id)` (download, decode, join by key, check
    every key against the journal), beside a floor: GET the job, download the results file
    with plain httpx and JSON-decode it (every line in one `json.loads`);
(c) `GeminiBatchEmbeddings.aembed_documents(texts)` run again on the same work: plan and
    fingerprint, find the journaled job (no create), read it, vectors in input order; beside
    the same retrieve floor;
(d) peak memory (tracemalloc) of (b), beside the bytes of the results file.

Figures are medians of `--repeat` runs; ratios are ours / floor.
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

from bench._emulator import EmulatorProcess
from langchain_gemini_batch import BatchLimits, BatchStatus, PollingPolicy
from langchain_gemini_batch.em_invoker import GoogleEMInvoker
from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings

KEY = "bench-key"
MODEL = "gemini-embedding-001"
TASK = "RETRIEVAL_DOCUMENT"


def make_texts(n: int) -> list[str]:
    return [f"Passage {i}: a short paragraph about topic {i % 97} for the index." for i in range(n)]


class EmbeddingsBench:
    def __init__(self, base_url: str, repeat: int, dimension: int) -> None:
        self.base_url = base_url
        self.repeat = repeat
        self.dimension = dimension
        self.journal = Path(tempfile.mkdtemp(prefix="bench-embed-journal-")) / "journal.sqlite3"
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"x-goog-api-key": KEY}, timeout=600
        )

    def invoker(self) -> GoogleEMInvoker:
        return GoogleEMInvoker(
            MODEL,
            KEY,
            task_type=TASK,
            output_dimensionality=self.dimension,
            base_url=self.base_url,
            journal=self.journal,
        )

    def embeddings(self) -> GeminiBatchEmbeddings:
        return GeminiBatchEmbeddings(
            model=MODEL,
            api_key=KEY,
            output_dimensionality=self.dimension,
            base_url=self.base_url,
            journal=self.journal,
            batch_poll_interval=0.05,
            batch_poll_max_interval=0.05,
        )

    def floor_jsonl(self, texts: list[str]) -> bytes:
        request = {"taskType": TASK, "outputDimensionality": self.dimension}
        return "".join(
            json.dumps({"key": str(i), "request": {"content": {"parts": [{"text": t}]}, **request}})
            + "\n"
            for i, t in enumerate(texts)
        ).encode()

    async def floor_submit(self, texts: list[str]) -> str:
        data = self.floor_jsonl(texts)
        start = await self.http.post(
            "/upload/v1beta/files",
            json={"file": {"displayName": "floor", "mimeType": "jsonl"}},
            headers={
                "x-goog-upload-protocol": "resumable",
                "x-goog-upload-command": "start",
                "x-goog-upload-header-content-length": str(len(data)),
            },
        )
        start.raise_for_status()
        done = await self.http.post(
            start.headers["x-goog-upload-url"],
            content=data,
            headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
        )
        done.raise_for_status()
        file_name = done.json()["file"]["name"]
        body = {"batch": {"inputConfig": {"fileName": file_name}, "displayName": "floor"}}
        created = await self.http.post(
            f"/v1beta/models/{MODEL}:asyncBatchEmbedContent",
            content=json.dumps(body),
            headers={"content-type": "application/json"},
        )
        created.raise_for_status()
        return str(created.json()["name"])

    async def floor_fetch(self, batch_id: str) -> list[Any]:
        job = (await self.http.get(f"/v1beta/{batch_id}")).json()
        output = job["metadata"]["output"]
        raw = await self.http.get(
            f"/v1beta/{output['responsesFile']}:download", params={"alt": "media"}
        )
        lines = [line for line in raw.content.splitlines() if line.strip()]
        return list(json.loads(b"[" + b",".join(lines) + b"]"))  # one decode, not one per line

    async def results_bytes(self, batch_id: str) -> int:
        job = (await self.http.get(f"/v1beta/{batch_id}")).json()
        file = (await self.http.get(f"/v1beta/{job['metadata']['output']['responsesFile']}")).json()
        return int(file["sizeBytes"])

    async def run(self, n: int) -> dict[str, Any]:
        from bench.__main__ import timed

        texts = make_texts(n)
        requests = {str(i): text for i, text in enumerate(texts)}
        row: dict[str, Any] = {"n": n, "jsonl_mb": len(self.floor_jsonl(texts)) / 1e6}
        invoker = self.invoker()
        row["submit"], batch_id = await timed(
            lambda: invoker.batch.create(requests, resume=False), self.repeat
        )
        row["submit_floor"], _ = await timed(lambda: self.floor_submit(texts), self.repeat)
        assert self.invoker().batch.engine.limits == BatchLimits()
        start = time.perf_counter()
        status = await invoker.batch.wait(batch_id, polling=PollingPolicy(0.05, 0.5, 1.5))
        row["emulator_s"] = time.perf_counter() - start
        assert status is BatchStatus.FINISHED
        row["results_mb"] = await self.results_bytes(batch_id) / 1e6

        row["fetch_floor"], lines = await timed(lambda: self.floor_fetch(batch_id), self.repeat)
        assert len(lines) == n
        del lines
        row["retrieve"], results = await timed(
            lambda: self.invoker().batch.retrieve(batch_id), self.repeat
        )
        assert len(results) == n
        assert all(len(v) == self.dimension for v in results.values())
        del results
        # the same work through LangChain: reattaches to the journaled job (this run created
        # the job with the same texts and settings), reads it, orders the vectors
        row["lc_rerun"], vectors = await timed(
            lambda: self.embeddings().aembed_documents(texts), self.repeat
        )
        assert len(vectors) == n
        del vectors

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        results = await self.invoker().batch.retrieve(batch_id)
        row["retrieve_peak_mb"] = (tracemalloc.get_traced_memory()[1] - base) / 1e6
        tracemalloc.stop()
        del results
        return row


def render(row: dict[str, Any], repeat: int, dimension: int) -> str:
    r = row
    lines = [
        f"Embeddings: Python {platform.python_version()} on {platform.machine()}, "
        f"{dimension} values per vector, median of {repeat} runs",
        "",
        "| N | JSONL MB | create s | floor s | ratio | results MB | retrieve s | floor s | ratio |"
        " embed_documents rerun s | ratio | retrieve peak MB | / results MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['n']:,} | {r['jsonl_mb']:.1f} | {r['submit']:.3f} | {r['submit_floor']:.3f} | "
        f"{r['submit'] / r['submit_floor']:.2f}x | {r['results_mb']:.0f} | {r['retrieve']:.2f} | "
        f"{r['fetch_floor']:.2f} | {r['retrieve'] / r['fetch_floor']:.2f}x | "
        f"{r['lc_rerun']:.2f} | {r['lc_rerun'] / r['fetch_floor']:.2f}x | "
        f"{r['retrieve_peak_mb']:.0f} | {r['retrieve_peak_mb'] / r['results_mb']:.1f}x |",
        "",
        f"(the emulator took {r['emulator_s']:.0f} s to compute the vectors; not ours)",
    ]
    return "\n".join(lines)


async def run(n: int, repeat: int, dimension: int) -> None:
    with EmulatorProcess() as base_url:
        bench = EmbeddingsBench(base_url, repeat, dimension)
        row = await bench.run(n)
        await bench.http.aclose()
    print(render(row, repeat, dimension))
