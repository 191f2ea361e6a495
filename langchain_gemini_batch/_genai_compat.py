"""The only module that touches google-genai's private names.

The package uses a few SDK internals on purpose: the raw API client (the SDK's HTTP stack,
auth, retries and `APIError` mapping without the pydantic round trip, which costs seconds per
10,000 requests and drops `batchStats`), the model-name transformer, and the SDK's own
`GenerateContentConfig` to wire converter (so our requests carry exactly what
`generate_content` sends). Each is looked up lazily, at the call that needs it: an SDK release
that renames one breaks only that call, with an `SdkCompatibilityError` naming the SDK version,
never `import langchain_gemini_batch`. Contract tests compare our request bodies with what the
*public* `client.models.generate_content` sends, so drift is caught.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from typing import Any

from google import genai
from google.genai import types

from langchain_gemini_batch.errors import GeminiBatchError

__all__ = [
    "SUPPORTED_SDK",
    "SdkCompatibilityError",
    "api_request",
    "api_request_streamed",
    "config_to_wire",
    "model_path",
]

SUPPORTED_SDK = ">=3.6.1,<3.7"
"""The google-genai versions whose internals this module was written against."""


class SdkCompatibilityError(GeminiBatchError, ImportError):
    """The installed google-genai lacks an internal this package relies on."""


def _private(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(f"google.genai.{module}"), name)
    except (ImportError, AttributeError) as exc:
        raise SdkCompatibilityError(
            f"google-genai {genai.__version__} has no google.genai.{module}.{name}; "
            f"langchain-gemini-batch needs google-genai{SUPPORTED_SDK}"
        ) from exc


def _api_client(client: genai.Client) -> Any:
    try:
        return client.aio._api_client
    except AttributeError as exc:
        raise SdkCompatibilityError(
            f"google-genai {genai.__version__} has no AsyncClient._api_client; "
            f"langchain-gemini-batch needs google-genai{SUPPORTED_SDK}"
        ) from exc


def model_path(client: genai.Client, model: str) -> str:
    """`models/<model>` (or the Vertex spelling) exactly as the SDK writes it in URLs."""
    t_model = _private("_transformers", "t_model")
    return str(t_model(_api_client(client), model))


async def api_request(
    client: genai.Client,
    method: str,
    path: str,
    body: dict[str, Any],
    options: types.HttpOptions | None = None,
) -> bytes | str | None:
    """One JSON call through the SDK's API client; the raw response body."""
    response = await _api_client(client).async_request(method, path, body, options)
    body_out: bytes | str | None = response.body
    return body_out


async def api_request_streamed(
    client: genai.Client, method: str, path: str, body: dict[str, Any]
) -> AsyncIterator[bytes | str | None]:
    """A streamed (SSE) call through the SDK's API client; yields each event's body."""
    stream = await _api_client(client).async_request_streamed(method, path, body)
    async for chunk in stream:
        yield chunk.body


def config_to_wire(client: genai.Client, config: types.GenerateContentConfig) -> dict[str, Any]:
    """The wire fields the SDK puts beside `contents` for this config (camelCase, JSON-ready).

    Uses the SDK's own `GenerateContentParameters` converter, so `systemInstruction`, `tools`,
    `toolConfig`, `safetySettings`, `cachedContent` and `generationConfig` come out exactly as
    `generate_content` sends them.
    """
    params_type = _private("types", "_GenerateContentParameters")
    backend = "vertex" if client.vertexai else "mldev"
    to_wire = _private("models", f"_GenerateContentParameters_to_{backend}")
    convert_to_dict = _private("_common", "convert_to_dict")
    encode = _private("_common", "encode_unserializable_types")
    params = params_type(model="placeholder", config=config)
    part = to_wire(_api_client(client), params)
    part.pop("_url", None)
    return dict(encode(convert_to_dict(part)))
