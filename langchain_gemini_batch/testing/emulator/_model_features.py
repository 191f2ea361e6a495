"""The deterministic model's extras: signatures, grounding, code execution, logprobs, blocks.

The rules are in `_model`'s docstring; everything here is a pure function.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from langchain_gemini_batch.testing.emulator._fields import field

__all__ = [
    "BLOCK_MARKER",
    "blocked_feedback",
    "code_execution_parts",
    "grounding_metadata",
    "has_tool",
    "logprobs",
    "thought_signature",
]

BLOCK_MARKER = "[[blocked]]"
_SIGNATURE_TAG = b"emulator-thought-signature\x00"
_REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
_SOURCES = ("example.com", "example.org")
_HARM_CATEGORIES = (
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
)
_ALTERNATIVES = (" the", " a", ".", ",", " and", " of", " to", " is")
_TOOL_NAMES = {
    "googleSearch": ("googleSearch", "google_search", "googleSearchRetrieval",
                     "google_search_retrieval"),
    "codeExecution": ("codeExecution", "code_execution"),
}  # fmt: skip


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\n".join(parts).encode()).digest()


def has_tool(request: Mapping[str, Any], kind: str) -> bool:
    """Whether `tools` holds a `googleSearch` (or `googleSearchRetrieval`) / `codeExecution` tool.

    Args:
        request: The GenerateContentRequest.
        kind: `googleSearch` or `codeExecution`.
    """
    tools = field(request, "tools")
    names = _TOOL_NAMES[kind]
    return any(
        isinstance(tool, Mapping) and any(name in tool for name in names)
        for tool in (tools if isinstance(tools, list) else [])
    )


def thought_signature(model_id: str, request_json: str, label: str) -> str:
    """A deterministic base64 thought signature for one part.

    Args:
        model_id: The model id.
        request_json: The request as compact sorted JSON.
        label: Which part (`call:0`, `text`).
    """
    return base64.b64encode(_SIGNATURE_TAG + _digest(model_id, request_json, label)).decode()


def grounding_metadata(answer: str, query: str) -> dict[str, Any]:
    """`groundingMetadata` for an answer grounded by Google Search.

    Two web sources; the answer is split at the space nearest its middle into two segments, the
    first supported by source 0, the second by source 1 (one segment when there is no space).
    Segment indices are UTF-8 byte offsets into the answer part; a zero `startIndex` is omitted,
    as proto3 JSON omits zeros.

    Args:
        answer: The answer text.
        query: The search query (the prompt text).
    """
    chunks = [
        {
            "web": {
                "uri": _REDIRECT
                + base64.urlsafe_b64encode(_digest(query, source)).decode().rstrip("="),
                "title": source,
            }
        }
        for source in _SOURCES
    ]
    spaces = [i for i, char in enumerate(answer) if char == " "]
    middle = min(spaces, key=lambda i: abs(i - len(answer) // 2)) if spaces else None
    pieces = [(0, len(answer))] if middle is None else [(0, middle), (middle + 1, len(answer))]
    supports = []
    for index, (start, end) in enumerate(pieces):
        segment: dict[str, Any] = {}
        start_byte = len(answer[:start].encode())
        if start_byte:
            segment["startIndex"] = start_byte
        segment["endIndex"] = len(answer[:end].encode())
        segment["text"] = answer[start:end]
        supports.append({"segment": segment, "groundingChunkIndices": [index]})
    rendered = (
        '<div class="container"><div class="headline">'
        f"{json.dumps(query, ensure_ascii=False)}</div></div>"
    )
    return {
        "searchEntryPoint": {"renderedContent": rendered},
        "groundingChunks": chunks,
        "groundingSupports": supports,
        "webSearchQueries": [query],
    }


def code_execution_parts(prompt: str) -> list[dict[str, Any]]:
    """The `executableCode` and `codeExecutionResult` parts: code printing the prompt.

    Args:
        prompt: The prompt text `P`.
    """
    literal = json.dumps(prompt, ensure_ascii=False)
    return [
        {"executableCode": {"language": "PYTHON", "code": f"print({literal})\n"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": prompt + "\n"}},
    ]


def _logprob(token: str, position: int) -> float:
    value = int.from_bytes(_digest(token, str(position))[:2], "big") / 65535
    return -round(0.05 + value * 0.45, 6)


def logprobs(text: str, top: int) -> tuple[float, dict[str, Any]]:
    """`(avgLogprobs, logprobsResult)` for an answer.

    Tokens are the answer cut into 4-character pieces (the emulator's token rule); each chosen
    token's log probability is a deterministic value in [-0.5, -0.05]. With `top` > 0, each
    position lists `top` candidates: the chosen token first, then fixed alternatives, each 1.0
    lower than the one before.

    Args:
        text: The answer text (for a function call: its name and compact args).
        top: `generationConfig.logprobs` (0 or absent: no `topCandidates`).
    """
    tokens = [text[i : i + 4] for i in range(0, len(text), 4)] or [""]
    values = [_logprob(t, i) for i, t in enumerate(tokens)]
    chosen = [{"token": t, "logProbability": v} for t, v in zip(tokens, values, strict=True)]
    total = sum(values)
    result: dict[str, Any] = {}
    if top > 0:
        result["topCandidates"] = [
            {
                "candidates": [
                    c,
                    *(
                        {
                            "token": _ALTERNATIVES[(i + k) % len(_ALTERNATIVES)],
                            "logProbability": round(values[i] - 1.0 * (k + 1), 6),
                        }
                        for k in range(top - 1)
                    ),
                ]
            }
            for i, c in enumerate(chosen)
        ]
    result["chosenCandidates"] = chosen
    result["logProbabilitySum"] = round(total, 6)
    return round(total / len(chosen), 6), result


def blocked_feedback() -> dict[str, Any]:
    """`promptFeedback` of a prompt blocked for safety (dangerous content rated HIGH)."""
    return {
        "blockReason": "SAFETY",
        "safetyRatings": [
            {
                "category": category,
                "probability": "HIGH" if category.endswith("DANGEROUS_CONTENT") else "NEGLIGIBLE",
            }
            for category in _HARM_CATEGORIES
        ],
    }
