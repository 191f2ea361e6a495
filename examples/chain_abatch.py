"""Run a LangChain chain over 25 inputs as ONE Gemini batch job.

    .venv/bin/python examples/chain_abatch.py

With `GOOGLE_API_KEY` set this runs on Google's Batch API (half the online price; a job can take
minutes or longer). Without it, the local Gemini API emulator is started in-process with a
three-second job clock, so the job visibly goes PENDING -> RUNNING -> SUCCEEDED in the log and
the script ends in a few seconds. The only change from an ordinary LangChain app is the model
class: `ChatGeminiBatch` instead of `ChatGoogleGenerativeAI`. Run it twice against Google and
the second run reattaches to the first run's job (the job journal) instead of paying again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.output_parsers import StrOutputParser
from langchain_core.outputs import LLMResult
from langchain_core.prompts import ChatPromptTemplate

from langchain_gemini_batch import ChatGeminiBatch, Cost
from langchain_gemini_batch.testing.emulator import EmulatorServer

COUNTRIES = [
    "France", "Japan", "Brazil", "Kenya", "Canada", "Norway", "India", "Peru", "Egypt",
    "Vietnam", "Mexico", "Italy", "Chile", "Ghana", "Iceland", "Nepal", "Morocco", "Poland",
    "Argentina", "Australia", "Portugal", "Mongolia", "Ireland", "Jordan", "Uruguay",
]  # fmt: skip


class BatchReport(BaseCallbackHandler):
    """Collects the batch job name and the cost of every model run (`response_metadata`)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.costs: list[Cost] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                if message is None:
                    continue
                metadata = message.response_metadata
                if "batch_job" in metadata:
                    self.names.add(metadata["batch_job"])
                if "cost" in metadata:
                    self.costs.append(Cost.from_metadata(metadata["cost"]))


@contextlib.contextmanager
def gemini_endpoint() -> Iterator[tuple[str | None, EmulatorServer | None]]:
    """Google when `GOOGLE_API_KEY` is set, else an in-process emulator: (base_url, server)."""
    if os.environ.get("GOOGLE_API_KEY"):
        logging.info("GOOGLE_API_KEY is set: using Google's Gemini Batch API")
        yield None, None
        return
    with EmulatorServer(job_seconds=3) as server:
        logging.info(
            "no GOOGLE_API_KEY: using the local Gemini API emulator at %s", server.base_url
        )
        yield server.base_url, server


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # keep the log to the job's progress
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with gemini_endpoint() as (base_url, server):
        model = ChatGeminiBatch(
            model="gemini-2.5-flash",
            api_key=os.environ.get("GOOGLE_API_KEY") or "emulator-key",
            base_url=base_url,
            temperature=0,
            max_tokens=200,
            batch_poll_interval=0.5 if server else 10,
            batch_poll_max_interval=1 if server else 60,
            batch_display_name="chain-abatch-example",
            show_progress=True,  # a progress bar on stderr while the job runs
        )
        prompt = ChatPromptTemplate.from_messages(
            [
                ("system", "You are a concise geography tutor."),
                ("human", "What is the capital of {country}? Answer in a few words."),
            ]
        )
        chain = prompt | model | StrOutputParser()

        jobs = BatchReport()
        inputs = [{"country": country} for country in COUNTRIES]
        answers = await chain.abatch(inputs, config={"callbacks": [jobs]})

        for country, answer in zip(COUNTRIES, answers, strict=True):
            print(f"{country:>10} -> {answer}")
        print(f"\n{len(answers)} answers from batch job(s): {', '.join(sorted(jobs.names))}")
        if jobs.costs:
            total = Cost.total(jobs.costs)
            print(
                f"cost at batch price: ${total.batch_usd:.6f} "
                f"(the same work online: ${total.online_usd:.6f})"
            )
        if server is not None:
            created = server.count("batchGenerateContent", status=200)
            print(f"batch jobs created on the emulator: {created}")


if __name__ == "__main__":
    asyncio.run(main())
