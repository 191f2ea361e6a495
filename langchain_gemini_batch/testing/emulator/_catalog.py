"""The model catalog: which model names exist and which methods each one supports.

Every model endpoint looks the model up here first; an unknown model, or a known one that does
not support the method, gets Google's 404 NOT_FOUND `models/X is not found for API version
v1beta, or is not supported for <method>. Call ListModels to see the list of available models
and their supported methods.` `GET models` and `GET models/{id}` serve these entries in Google's
`Model` shape.

The entries copy a real `GET v1beta/models` answer of December 2025 (name, version,
displayName, description, token limits, `supportedGenerationMethods`, sampling defaults,
`thinking`). Differences from Google, on purpose or unverified:

- `text-embedding-004` is kept for older client code although Google retired it on 2026-01-14
  (real calls now get the 404 above). Its methods are only `embedContent` (and therefore
  `batchEmbedContents`), as Google listed it.
- `streamGenerateContent` is allowed wherever `generateContent` is, and `batchEmbedContents`
  wherever `embedContent` is (Google lists neither method). The 404 for a stream names the
  method `StreamGenerateContent` (one 2024 observation); for `batchEmbedContents` and `get` the
  method names in the message are unverified.
- Real `v1` serves fewer models than `v1beta` (no previews); the emulator serves the same
  catalog under both versions.
- `extra_models` (an emulator option) adds names: a name containing `embedding` becomes an
  embedding model (3072 dimensions, the methods of `gemini-embedding-001`), any other a
  generation model with the methods of `gemini-2.5-flash`. `tunedModels/<id>` names exist only
  when added this way.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CATALOG",
    "EMBEDDING_METHODS",
    "GENERATION_METHODS",
    "ModelInfo",
    "all_models",
    "find_model",
    "full_name",
    "model_page",
    "not_found_message",
    "thinking_model",
]

GENERATION_METHODS = (
    "generateContent",
    "countTokens",
    "createCachedContent",
    "batchGenerateContent",
)
EMBEDDING_METHODS = ("embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent")
# Methods Google does not list, allowed wherever the listed one is.
_IMPLIED = {"streamGenerateContent": "generateContent", "batchEmbedContents": "embedContent"}
_DEFAULT_PAGE_SIZE = 50
_MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class ModelInfo:
    """One catalog entry, as `GET models/{id}` returns it.

    Attributes:
        name: `models/<id>` (or `tunedModels/<id>`).
        version: Google's `version` string.
        display_name: `displayName`.
        description: `description`.
        input_token_limit: `inputTokenLimit`.
        output_token_limit: `outputTokenLimit`.
        methods: `supportedGenerationMethods`.
        sampling: `(temperature, topP, topK, maxTemperature)` for generation models.
        thinking: Whether the model thinks (`thinking: true`).
        dimension: The default embedding size, for embedding models.
    """

    name: str
    version: str
    display_name: str
    description: str
    input_token_limit: int
    output_token_limit: int
    methods: tuple[str, ...]
    sampling: tuple[float, float, int, float] | None = None
    thinking: bool = False
    dimension: int | None = None

    def supports(self, method: str) -> bool:
        """Whether the model answers `method` (e.g. `batchGenerateContent`)."""
        return _IMPLIED.get(method, method) in self.methods

    def resource(self) -> dict[str, Any]:
        """The `Model` JSON Google sends (keys in Google's order)."""
        body: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_token_limit,
            "outputTokenLimit": self.output_token_limit,
            "supportedGenerationMethods": list(self.methods),
        }
        if self.sampling is not None:
            temperature, top_p, top_k, max_temperature = self.sampling
            body.update(
                temperature=temperature, topP=top_p, topK=top_k, maxTemperature=max_temperature
            )
        if self.thinking:
            body["thinking"] = True
        return body


_FLASH_SAMPLING = (1, 0.95, 64, 2)
_FLASH2_SAMPLING = (1, 0.95, 40, 2)
_IMAGE_SAMPLING = (1, 0.95, 64, 1)
_EMBED_TEXT = "Obtain a distributed representation of a text."


def _gen(
    model_id: str,
    version: str,
    display: str,
    description: str,
    *,
    output: int = 65536,
    thinking: bool = True,
    methods: tuple[str, ...] = GENERATION_METHODS,
    sampling: tuple[float, float, int, float] = _FLASH_SAMPLING,
    input_limit: int = 1048576,
) -> ModelInfo:
    return ModelInfo(
        f"models/{model_id}", version, display, description, input_limit, output, methods,
        sampling, thinking,
    )  # fmt: skip


def _embed(model_id: str, version: str, display: str, methods: tuple[str, ...]) -> ModelInfo:
    dimension = 768 if model_id == "text-embedding-004" else 3072
    return ModelInfo(
        f"models/{model_id}", version, display, _EMBED_TEXT, 2048, 1, methods, dimension=dimension
    )


_IMAGE_METHODS = ("generateContent", "countTokens", "batchGenerateContent")

CATALOG: tuple[ModelInfo, ...] = (
    _gen("gemini-2.5-flash", "001", "Gemini 2.5 Flash",
         "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up "
         "to 1 million tokens, released in June of 2025."),
    _gen("gemini-2.5-pro", "2.5", "Gemini 2.5 Pro",
         "Stable release (June 17th, 2025) of Gemini 2.5 Pro"),
    _gen("gemini-2.0-flash", "2.0", "Gemini 2.0 Flash", "Gemini 2.0 Flash",
         output=8192, thinking=False, sampling=_FLASH2_SAMPLING),
    _gen("gemini-2.0-flash-001", "2.0", "Gemini 2.0 Flash 001",
         "Stable version of Gemini 2.0 Flash, our fast and versatile multimodal model for "
         "scaling across diverse tasks, released in January of 2025.",
         output=8192, thinking=False, sampling=_FLASH2_SAMPLING),
    _gen("gemini-2.0-flash-lite-001", "2.0", "Gemini 2.0 Flash-Lite 001",
         "Stable version of Gemini 2.0 Flash-Lite",
         output=8192, thinking=False, sampling=_FLASH2_SAMPLING),
    _gen("gemini-2.0-flash-lite", "2.0", "Gemini 2.0 Flash-Lite", "Gemini 2.0 Flash-Lite",
         output=8192, thinking=False, sampling=_FLASH2_SAMPLING),
    _gen("gemini-flash-latest", "Gemini Flash Latest", "Gemini Flash Latest",
         "Latest release of Gemini Flash"),
    _gen("gemini-flash-lite-latest", "Gemini Flash-Lite Latest", "Gemini Flash-Lite Latest",
         "Latest release of Gemini Flash-Lite"),
    _gen("gemini-pro-latest", "Gemini Pro Latest", "Gemini Pro Latest",
         "Latest release of Gemini Pro"),
    _gen("gemini-2.5-flash-lite", "001", "Gemini 2.5 Flash-Lite",
         "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025"),
    _gen("gemini-2.5-flash-image", "2.0", "Nano Banana", "Gemini 2.5 Flash Preview Image",
         input_limit=32768, output=32768, thinking=False, methods=_IMAGE_METHODS,
         sampling=_IMAGE_SAMPLING),
    _gen("gemini-2.5-flash-preview-09-2025", "Gemini 2.5 Flash Preview 09-2025",
         "Gemini 2.5 Flash Preview Sep 2025", "Gemini 2.5 Flash Preview Sep 2025"),
    _gen("gemini-2.5-flash-lite-preview-09-2025", "2.5-preview-09-25",
         "Gemini 2.5 Flash-Lite Preview Sep 2025",
         "Preview release (Septempber 25th, 2025) of Gemini 2.5 Flash-Lite"),
    _gen("gemini-3-pro-preview", "3-pro-preview-11-2025", "Gemini 3 Pro Preview",
         "Gemini 3 Pro Preview"),
    _gen("gemini-3-flash-preview", "3-flash-preview-12-2025", "Gemini 3 Flash Preview",
         "Gemini 3 Flash Preview"),
    _embed("text-embedding-004", "004", "Text Embedding 004", ("embedContent",)),
    _embed("gemini-embedding-001", "001", "Gemini Embedding 001", EMBEDDING_METHODS),
)  # fmt: skip

_BY_NAME = {model.name: model for model in CATALOG}


def _extra(name: str) -> ModelInfo:
    model_id = name.split("/", 1)[1]
    if "embedding" in model_id:
        return ModelInfo(name, "001", model_id, _EMBED_TEXT, 2048, 1, EMBEDDING_METHODS,
                         dimension=3072)  # fmt: skip
    return ModelInfo(name, "001", model_id, model_id, 1048576, 65536, GENERATION_METHODS,
                     _FLASH_SAMPLING, thinking=True)  # fmt: skip


def full_name(name: str) -> str:
    """`gemini-x` → `models/gemini-x`; `models/...` and `tunedModels/...` unchanged."""
    return name if name.startswith(("models/", "tunedModels/")) else f"models/{name}"


def all_models(extra: Iterable[str]) -> list[ModelInfo]:
    """The catalog followed by the extra names (each once), in listing order."""
    models = list(CATALOG)
    seen = set(_BY_NAME)
    for name in (full_name(n) for n in extra):
        if name not in seen:
            seen.add(name)
            models.append(_extra(name))
    return models


def find_model(name: str, extra: Iterable[str] = ()) -> ModelInfo | None:
    """Looks a model up by resource name (`models/<id>` or `tunedModels/<id>`).

    Args:
        name: The resource name.
        extra: The `extra_models` option.
    """
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    return _extra(name) if name in {full_name(n) for n in extra} else None


def thinking_model(model: str) -> bool:
    """Whether a model thinks (and signs its function calls).

    The catalog's `thinking` flag; for other names, `gemini-2.5*`, `gemini-3*` and `*-latest`.

    Args:
        model: The model id or resource name.
    """
    found = _BY_NAME.get(full_name(model))
    if found is not None:
        return found.thinking
    model_id = model.rsplit("/", 1)[-1]
    return model_id.startswith(("gemini-2.5", "gemini-3")) or model_id.endswith("-latest")


def not_found_message(name: str, version: str, method: str) -> str:
    """Google's 404 message for an unknown model or an unsupported method.

    Args:
        name: `models/<id>`.
        version: `v1beta` or `v1`.
        method: The method, e.g. `batchGenerateContent`.
    """
    shown = "StreamGenerateContent" if method == "streamGenerateContent" else method
    return (
        f"{name} is not found for API version {version}, or is not supported for {shown}. "
        "Call ListModels to see the list of available models and their supported methods."
    )


def _token(name: str) -> str:
    raw = name.encode()
    return base64.b64encode(b"\n" + bytes([len(raw)]) + raw).decode()


def model_page(
    models: list[ModelInfo], page_size: int | None, token: str | None
) -> tuple[list[ModelInfo], str | None]:
    """One page of `models` and the next page token (Google's: the last name, proto-encoded).

    Args:
        models: Every model, in listing order.
        page_size: `pageSize` (default 50, at most 1000).
        token: `pageToken`, or `None` for the first page.

    Raises:
        ValueError: The token was not issued by this emulator.
    """
    size = _DEFAULT_PAGE_SIZE if not page_size or page_size < 1 else page_size
    size = min(size, _MAX_PAGE_SIZE)
    start = 0
    if token:
        by_token = {_token(m.name): index + 1 for index, m in enumerate(models)}
        if token not in by_token:
            raise ValueError(token)
        start = by_token[token]
    chunk = models[start : start + size]
    following = _token(chunk[-1].name) if chunk and start + size < len(models) else None
    return chunk, following
