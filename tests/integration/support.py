"""Helpers shared by the emulator tests: expected answers and a recording callback handler."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from langchain_gemini_batch.testing.emulator import EmulatorServer, generate_response

MODEL = "gemini-2.5-flash"


def expected_answer(prompt: str, **request: Any) -> str:
    """What the emulator's documented deterministic model answers to one user text."""
    wire = {"contents": [{"role": "user", "parts": [{"text": prompt}]}], **request}
    response = generate_response(wire, model=MODEL)
    parts = response["candidates"][0]["content"]["parts"]
    return "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))


def created_jobs(server: EmulatorServer) -> list[dict[str, Any]]:
    """The bodies of every batch job the emulator accepted, oldest first."""
    return [
        r.body["batch"]
        for r in server.requests
        if r.action == "batchGenerateContent" and r.status == 200
    ]


def job_keys(job: dict[str, Any]) -> list[str]:
    """The request keys of an inline job."""
    return [item["metadata"]["key"] for item in job["inputConfig"]["requests"]["requests"]]


def all_keys(value: Any) -> set[str]:
    """Every dict key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


class Recorder(AsyncCallbackHandler):
    """Records the LLM run lifecycle."""

    def __init__(self) -> None:
        self.starts: list[dict[str, Any]] = []
        self.ends: list[tuple[UUID, LLMResult]] = []
        self.errors: list[tuple[UUID, BaseException]] = []

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.starts.append(
            {
                "run_id": run_id,
                "parent_run_id": parent_run_id,
                "tags": tags or [],
                "metadata": metadata or {},
                "messages": messages,
                **kwargs,
            }
        )

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        self.ends.append((run_id, response))

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.errors.append((run_id, error))

    @property
    def start_ids(self) -> list[UUID]:
        return [start["run_id"] for start in self.starts]

    def closed_ids(self) -> list[UUID]:
        return [run_id for run_id, _ in self.ends] + [run_id for run_id, _ in self.errors]
