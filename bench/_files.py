"""The file-to-file line: `python3 tasks.py bench --files [--file-sizes 100000,1000000]`.

For each N, a JSONL file of N short requests in Google's batch format is written to disk (not
timed), then three runs go from that file to a JSONL file of results, each in a fresh Python
process so that its peak RSS (`VmHWM`) is its own:

- **ours**: `invoker.batch.create_raw(RequestFile(path))`, `wait`, `write_results(id, path)`
  (the direct API; the CLI's `submit` and `results` run the same calls);
- **floor**: the least any client must do with plain httpx against the same emulator: read and
  JSON-decode each line, JSON-encode it to an upload file, upload it (resumable protocol, 8 MB
  chunks as the SDK sends), create the job, poll, download the results file to disk and
  JSON-decode each result line;
- **emulator alone**: inside the floor run, the time from create until the job reads SUCCEEDED
  and the time to serve the download, and the emulator process's own peak RSS so far (one
  emulator serves the whole line and keeps every results file it made, as Google does for
  48 hours).

Each figure is the median of `--repeat` runs; ratios are ours / floor of the same run.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench._rss import peak_rss_mb, process_peak_mb

KEY = "bench-key"
MODEL = "gemini-2.5-flash"
CHUNK = 8 * 1024 * 1024  # the SDK's upload chunk size


def write_request_file(path: Path, n: int) -> int:
    """N short requests in Google's batch JSONL format; returns the file's size."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            line = {
                "key": f"req-{i}",
                "request": {
                    "contents": [
                        {"role": "user", "parts": [{"text": f"Short prompt number {i}: say hi."}]}
                    ]
                },
            }
            handle.write(json.dumps(line, separators=(",", ":")) + "\n")
    return path.stat().st_size


async def run_ours(requests: Path, results: Path, base_url: str, journal: Path) -> dict[str, Any]:
    """The package's direct API, file to file."""
    from langchain_gemini_batch import GoogleLMInvoker, PollingPolicy, RequestFile

    baseline = peak_rss_mb()
    invoker = GoogleLMInvoker(MODEL, api_key=KEY, base_url=base_url, journal=journal)
    start = time.perf_counter()
    batch_id = await invoker.batch.create_raw(RequestFile(requests), resume=False)
    created = time.perf_counter()
    await invoker.batch.wait(batch_id, polling=PollingPolicy(0.05, 0.05, 1))
    waited = time.perf_counter()
    written = await invoker.batch.write_results(batch_id, results)
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "create": created - start,
        "wait": waited - created,
        "results": end - waited,
        "lines": written.succeeded + written.failed,
        "rss_mb": peak_rss_mb(),
        "import_rss_mb": baseline,
    }


def run_floor(requests: Path, results: Path, base_url: str, emulator_pid: int) -> dict[str, Any]:
    """Plain httpx: encode, upload, create, poll, download and decode the same JSONL."""
    baseline = peak_rss_mb()
    headers = {"x-goog-api-key": KEY}
    with (
        httpx.Client(base_url=base_url, headers=headers, timeout=600) as http,
        tempfile.TemporaryDirectory() as tmp,
    ):
        start = time.perf_counter()
        upload = Path(tmp) / "upload.jsonl"
        with requests.open("rb") as source, upload.open("wb") as out:
            for line in source:
                if line.strip():
                    item = json.loads(line)
                    out.write(json.dumps(item, separators=(",", ":")).encode() + b"\n")
        size = upload.stat().st_size
        begun = http.post(
            "/upload/v1beta/files",
            headers={
                "X-Goog-Upload-Protocol": "resumable",
                "X-Goog-Upload-Command": "start",
                "X-Goog-Upload-Header-Content-Length": str(size),
                "X-Goog-Upload-Header-Content-Type": "application/jsonl",
            },
            json={"file": {"displayName": "floor", "mimeType": "application/jsonl"}},
        )
        begun.raise_for_status()
        url = begun.headers["x-goog-upload-url"]
        offset, answer = 0, None
        with upload.open("rb") as source:
            while True:
                data = source.read(CHUNK)
                last = offset + len(data) >= size
                answer = http.post(
                    url,
                    content=data,
                    headers={
                        "X-Goog-Upload-Command": "upload, finalize" if last else "upload",
                        "X-Goog-Upload-Offset": str(offset),
                    },
                )
                answer.raise_for_status()
                offset += len(data)
                if last:
                    break
        file_name = answer.json()["file"]["name"]
        created = http.post(
            f"/v1beta/models/{MODEL}:batchGenerateContent",
            json={"batch": {"displayName": "floor", "inputConfig": {"fileName": file_name}}},
        )
        created.raise_for_status()
        name = created.json()["name"]
        sent = time.perf_counter()
        while True:
            job = http.get(f"/v1beta/{name}").json()
            if job.get("done") or job["metadata"]["state"] == "BATCH_STATE_SUCCEEDED":
                break
            time.sleep(0.05)
        finished = time.perf_counter()
        output = (
            job.get("response", job["metadata"]).get("responsesFile")
            or job["metadata"]["output"]["responsesFile"]
        )
        downloaded = Path(tmp) / "results.jsonl"
        with (
            http.stream("GET", f"/v1beta/{output}:download", params={"alt": "media"}) as reply,
            downloaded.open("wb") as out,
        ):
            reply.raise_for_status()
            for part in reply.iter_bytes(CHUNK):
                out.write(part)
        served = time.perf_counter()
        lines = 0
        with downloaded.open("rb") as source, results.open("wb") as out:
            for line in source:
                if line.strip():
                    json.loads(line)
                    out.write(line)
                    lines += 1
        end = time.perf_counter()
    return {
        "seconds": end - start,
        "emulator_job": finished - sent,
        "emulator_download": served - finished,
        "lines": lines,
        "rss_mb": peak_rss_mb(),
        "import_rss_mb": baseline,
        "emulator_rss_mb": process_peak_mb(emulator_pid),
    }


def _child(kind: str, *args: str) -> dict[str, Any]:
    """Run one side in a fresh process; its JSON answer."""
    command = [sys.executable, "-m", "bench._files", kind, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def measure(n: int, repeat: int, base_url: str, emulator_pid: int, work: Path) -> dict[str, Any]:
    """One row: ours and the floor, `repeat` times each (alternating), medians."""
    requests = work / f"requests-{n}.jsonl"
    size = write_request_file(requests, n)
    ours_runs, floor_runs = [], []
    for attempt in range(repeat):
        journal = work / f"journal-{n}-{attempt}.sqlite3"
        ours_out, floor_out = work / f"ours-{n}.jsonl", work / f"floor-{n}.jsonl"
        ours_runs.append(_child("ours", str(requests), str(ours_out), base_url, str(journal)))
        floor_runs.append(
            _child("floor", str(requests), str(floor_out), base_url, str(emulator_pid))
        )
        if ours_runs[-1]["lines"] != n or floor_runs[-1]["lines"] != n:
            raise RuntimeError(f"expected {n} result lines: {ours_runs[-1]}, {floor_runs[-1]}")
        results_mb = ours_out.stat().st_size / 1e6
        ours_out.unlink()
        floor_out.unlink()
    requests.unlink()

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(run[key] for run in runs))

    return {
        "n": n,
        "requests_mb": size / 1e6,
        "results_mb": results_mb,
        "ours": median(ours_runs, "seconds"),
        "floor": median(floor_runs, "seconds"),
        "ours_rss": max(run["rss_mb"] for run in ours_runs),
        "ours_import_rss": median(ours_runs, "import_rss_mb"),
        "floor_rss": max(run["rss_mb"] for run in floor_runs),
        "emulator_job": median(floor_runs, "emulator_job"),
        "emulator_download": median(floor_runs, "emulator_download"),
        "emulator_rss": max(run["emulator_rss_mb"] for run in floor_runs),
        "ours_create": median(ours_runs, "create"),
        "ours_wait": median(ours_runs, "wait"),
        "ours_results": median(ours_runs, "results"),
    }


def render(rows: list[dict[str, Any]]) -> str:
    """The table, with the memory columns and the RSS growth against the smallest N."""
    lines = [
        "| N | requests MB | results MB | ours s (create / wait / results) | floor s | ratio |"
        f" ours peak RSS MB | vs N={rows[0]['n']:,} | floor peak RSS MB |"
        " emulator: job s, download s, peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    first = rows[0]["ours_rss"]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['requests_mb']:.0f} | {r['results_mb']:.0f} | "
            f"{r['ours']:.1f} ({r['ours_create']:.1f} / {r['ours_wait']:.1f} / "
            f"{r['ours_results']:.1f}) | {r['floor']:.1f} | {r['ours'] / r['floor']:.2f}x | "
            f"{r['ours_rss']:.0f} | {(r['ours_rss'] / first - 1) * 100:+.0f}% | "
            f"{r['floor_rss']:.0f} | {r['emulator_job']:.1f}, {r['emulator_download']:.1f}, "
            f"{r['emulator_rss']:.0f} |"
        )
    imports = rows[0]["ours_import_rss"]
    lines.append(
        f"\nours peak RSS includes {imports:.0f} MB for the interpreter and imports "
        "(google-genai, httpx, pydantic); the emulator's peak RSS is its own process's so far "
        "(it keeps every results file of the line)."
    )
    return "\n".join(lines)


def run(sizes: list[int], repeat: int) -> None:
    """Print the file-to-file table."""
    from bench._emulator import EmulatorProcess

    emulator = EmulatorProcess()
    with emulator as base_url, tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        assert emulator.process is not None
        rows = []
        for n in sizes:
            rows.append(measure(n, repeat, base_url, emulator.process.pid, Path(tmp)))
            print(f"measured file to file N={n:,}", file=sys.stderr, flush=True)
    print(f"file to file, median of {repeat} runs (peak RSS: the largest)\n")
    print(render(rows))


def _main(argv: list[str]) -> None:
    kind, requests, results, base_url, extra = argv
    if kind == "ours":
        answer = asyncio.run(run_ours(Path(requests), Path(results), base_url, Path(extra)))
    else:
        answer = run_floor(Path(requests), Path(results), base_url, int(extra))
    print(json.dumps(answer))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    _main(sys.argv[1:])
