"""The LangChain line: `python3 tasks.py bench --langchain [--chain-sizes 10000,50000,100000]`.

For each N, `(prompt | model | StrOutputParser()).abatch(N inputs)` runs in a fresh Python
process (so that its peak RSS, `VmHWM`, is its own) twice:

- **ChatGeminiBatch** against the emulator on an instant clock (one batch job);
- **floor**: the same chain with langchain-core's `FakeListChatModel`, which answers at once:
  what LangChain itself costs per input (run managers, callbacks, the chain's steps).

The difference between the two is what this package adds per input (the job's requests and
results, the conversion to and from Gemini's format, the HTTP). Figures are medians of
`--repeat` runs; peak RSS is the largest.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._rss import peak_rss_mb

KEY = "bench-key"
MODEL = "gemini-2.5-flash"


async def run_chain(kind: str, n: int, base_url: str, journal: str) -> dict[str, Any]:
    """One `chain.abatch` of N inputs with the given model."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.language_models.fake_chat_models import FakeListChatModel
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from langchain_gemini_batch import ChatGeminiBatch

    model: BaseChatModel
    if kind == "gemini":
        model = ChatGeminiBatch(
            model=MODEL,
            api_key=KEY,
            base_url=base_url,
            journal=journal,
            batch_resume=False,
            batch_poll_interval=0.05,
            batch_poll_max_interval=0.05,
        )
    else:
        model = FakeListChatModel(responses=["Echo: a short answer."])
    prompt = ChatPromptTemplate.from_messages([("human", "Short prompt number {i}: say hi.")])
    chain = prompt | model | StrOutputParser()
    inputs = [{"i": i} for i in range(n)]
    baseline = peak_rss_mb()
    start = time.perf_counter()
    answers = await chain.abatch(inputs)
    seconds = time.perf_counter() - start
    if len(answers) != n or not all(isinstance(a, str) and a for a in answers):
        raise RuntimeError("missing answers")
    return {"seconds": seconds, "rss_mb": peak_rss_mb(), "import_rss_mb": baseline}


def _child(kind: str, n: int, base_url: str, journal: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench._langchain", kind, str(n), base_url, journal]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{kind} N={n} failed:\n{done.stderr[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def measure(n: int, repeat: int, base_url: str, work: Path) -> dict[str, Any]:
    """One row: ChatGeminiBatch and the fake model, alternating, `repeat` times each."""
    ours, floor = [], []
    for attempt in range(repeat):
        ours.append(_child("gemini", n, base_url, str(work / f"journal-{n}-{attempt}.db")))
        floor.append(_child("fake", n, base_url, ""))
    return {
        "n": n,
        "ours": statistics.median(r["seconds"] for r in ours),
        "floor": statistics.median(r["seconds"] for r in floor),
        "ours_rss": max(r["rss_mb"] for r in ours),
        "floor_rss": max(r["rss_mb"] for r in floor),
        "ours_base": statistics.median(r["import_rss_mb"] for r in ours),
        "floor_base": statistics.median(r["import_rss_mb"] for r in floor),
    }


def render(rows: list[dict[str, Any]]) -> str:
    """The table: time and peak RSS of both, and what the package adds per input."""
    lines = [
        "| N | ChatGeminiBatch s | fake model s | ratio | ChatGeminiBatch peak RSS MB |"
        " fake model peak RSS MB | added KB per input | LangChain KB per input |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ours_growth = r["ours_rss"] - r["ours_base"]
        floor_growth = r["floor_rss"] - r["floor_base"]
        lines.append(
            f"| {r['n']:,} | {r['ours']:.1f} | {r['floor']:.1f} | {r['ours'] / r['floor']:.2f}x | "
            f"{r['ours_rss']:.0f} | {r['floor_rss']:.0f} | "
            f"{(ours_growth - floor_growth) * 1000 / r['n']:.1f} | "
            f"{floor_growth * 1000 / r['n']:.1f} |"
        )
    return "\n".join(lines)


def run(sizes: list[int], repeat: int) -> None:
    """Print the LangChain table."""
    from bench._emulator import EmulatorProcess

    with EmulatorProcess() as base_url, tempfile.TemporaryDirectory(prefix="bench-lc-") as tmp:
        rows = []
        for n in sizes:
            rows.append(measure(n, repeat, base_url, Path(tmp)))
            print(f"measured chain.abatch N={n:,}", file=sys.stderr, flush=True)
    print(f"chain.abatch (prompt | model | StrOutputParser), median of {repeat} runs\n")
    print(render(rows))


if __name__ == "__main__":
    kind, size, url, journal_path = sys.argv[1:]
    print(json.dumps(asyncio.run(run_chain(kind, int(size), url, journal_path))))
