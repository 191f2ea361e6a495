"""How `streamGenerateContent` splits one deterministic response into chunks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["stream_chunks"]


def _split(text: str) -> list[str]:
    pieces = 3 if len(text) >= 3 else max(1, len(text))
    size = math.ceil(len(text) / pieces) if text else 1
    return [text[i : i + size] for i in range(0, len(text), size)] or [text]


def stream_chunks(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Splits a response into the chunks `streamGenerateContent` sends.

    Thought, function-call and code-execution parts travel alone; the answer text is split into
    up to three pieces, the first carrying the part's other keys (e.g. `thoughtSignature`).
    `finishReason`, the candidate's other fields (`groundingMetadata`, `avgLogprobs`,
    `logprobsResult`) and `usageMetadata` ride on the last chunk only. A response without
    candidates (a blocked prompt) is sent as one chunk.

    Args:
        response: A response made by `generate_response`.

    Returns:
        The GenerateContentResponse chunks, in order.
    """
    if not response.get("candidates"):
        return [dict(response)]
    candidates: Sequence[Mapping[str, Any]] = response["candidates"]
    steps: list[dict[str, Any]] = []
    for part in candidates[0]["content"]["parts"]:
        if "text" in part and not part.get("thought"):
            pieces = [{"text": piece} for piece in _split(part["text"])]
            pieces[0].update((k, v) for k, v in part.items() if k != "text")
            steps += pieces
        else:
            steps.append(dict(part))
    chunks: list[dict[str, Any]] = []
    for number, part in enumerate(steps):
        last = number == len(steps) - 1
        chunk_candidates = []
        for candidate in candidates:
            chunk: dict[str, Any] = {"content": {"parts": [part], "role": "model"}}
            if last:
                chunk.update((k, v) for k, v in candidate.items() if k not in ("content", "index"))
            chunk["index"] = candidate["index"]
            chunk_candidates.append(chunk)
        body: dict[str, Any] = {"candidates": chunk_candidates}
        if last:
            body["usageMetadata"] = response["usageMetadata"]
        body["modelVersion"] = response["modelVersion"]
        body["responseId"] = response["responseId"]
        chunks.append(body)
    return chunks
