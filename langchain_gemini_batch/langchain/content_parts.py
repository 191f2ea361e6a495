"""LangChain content blocks to Gemini wire parts, as langchain-google-genai 4.4 converts them.

Mirrors `langchain_google_genai.chat_models._convert_to_parts` block by block (text with
thought signatures, `thinking`/`reasoning`, LangChain v0/v1 data blocks, OpenAI `image_url`,
Gemini `media` blocks with video metadata and per-part media resolution, code execution
blocks, `non_standard` wrappers), but writes the REST parts the SDK would send for lcgg's
`Part`s directly: bytes as URL-safe base64 (as the SDK encodes them), nested objects with
their field names. One deliberate difference: files are never downloaded; an `http(s)` URL
that langchain-google-genai would fetch and inline is sent as `fileData` (Gemini reads it).
Pure functions, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from google.genai import types
from langchain_core.messages import is_data_content_block
from pydantic import BaseModel, ValidationError

from langchain_gemini_batch.langchain.settings import is_gemini_3_or_later, normalize_model_name

__all__ = ["Part", "b64", "block_signature", "convert_blocks", "decode_signature", "part_to_wire"]

logger = logging.getLogger("langchain_gemini_batch")

Part = dict[str, Any]
"""One wire part, e.g. `{"text": "hi"}` or `{"inlineData": {"data": ..., "mime_type": ...}}`."""

_RESOLVED_HOSTS = ("youtube.com", "youtu.be", "generativelanguage.googleapis.com")
_FILES_API = "https://generativelanguage.googleapis.com/v1beta/"
_NATIVE_NON_STANDARD = frozenset({"media", "thinking", "executable_code", "code_execution_result"})
_MEDIA_PROCESSING = "media_processing"
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def b64(data: bytes) -> str:
    """Bytes as the SDK writes them on the wire (URL-safe base64)."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def _decode(data: str) -> bytes:
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        raise ValueError("the block's data is not valid base64") from None


def decode_signature(signature: object) -> bytes | str | None:
    """A thought signature as bytes (`None` when empty); the bypass sentinel stays a str."""
    if isinstance(signature, str):
        return _decode(signature) or None
    if isinstance(signature, bytes):
        return signature or None
    return None


def block_signature(block: Mapping[str, Any]) -> object:
    """A block's signature from its v0, v1 or Vertex location."""
    extras = block.get("extras")
    return (
        block.get("thought_signature")
        or block.get("signature")
        or (extras.get("signature") if isinstance(extras, Mapping) else None)
    )


def _signed(part: Part, signature: bytes | str | None) -> Part:
    if signature:
        part["thoughtSignature"] = b64(signature) if isinstance(signature, bytes) else signature
    return part


def _dumped(value: Any) -> Any:
    return (
        value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value
    )


def part_to_wire(part: types.Part) -> Part:
    """A google-genai `Part` as the SDK sends it to the Gemini Developer API."""
    wire: Part = {}
    for name, value in part:
        if value is None:
            continue
        key = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
        if name == "function_call":
            call = value.model_dump(mode="json", exclude_none=True)
            wire[key] = {k: call[k] for k in ("id", "args", "name") if k in call}
        elif isinstance(value, bytes):
            wire[key] = b64(value)
        else:
            wire[key] = _dumped(value)
    return wire


def _blob(data: bytes, mime_type: str | None) -> Part:
    blob: dict[str, Any] = {"data": b64(data)}
    if mime_type:
        blob["mime_type"] = mime_type
    return {"inlineData": blob}


def _file(uri: str, mime_type: str | None) -> Part:
    data: dict[str, Any] = {"file_uri": uri}
    if mime_type:
        data["mime_type"] = mime_type
    return {"fileData": data}


def _resolved_uri(block: Mapping[str, Any]) -> str | None:
    """A URI Gemini reads itself (lcgg's list: Files API, YouTube, gs://)."""
    file_id = block.get("file_id")
    if isinstance(file_id, str) and file_id:
        return file_id
    url = block.get("url")
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("gs://"):
        return url
    host = urlparse(url).hostname or ""
    return url if any(host == h or host.endswith(f".{h}") for h in _RESOLVED_HOSTS) else None


def _url_part(url: str, mime_type: str | None) -> Part:
    """A URL as a part: data URLs inline, anything else by reference (never downloaded)."""
    if url.startswith("data:"):
        match = re.search(r"data:([^;]+);base64,(.*)", url)
        if match is None:
            raise ValueError(f"Invalid base64 data URI format: {url[:60]}...")
        guessed = mimetypes.guess_type(url)[0] or match.group(1)
        return _blob(_decode(match.group(2)), mime_type or guessed)
    if url.startswith("files/"):  # a Files API name; Gemini wants the file's URI
        return _file(_FILES_API + url, mime_type)
    if urlparse(url).scheme not in ("http", "https", "gs"):
        raise ValueError(f"Media string must be a URL, a data URI or a gs:// URI, got {url!r}")
    return _file(url, mime_type or mimetypes.guess_type(url)[0])


def _media_resolution(part: Part, block: Mapping[str, Any], model: str | None) -> None:
    if "media_resolution" not in block or not model:
        return
    if "gemini-2.5" in normalize_model_name(model):
        warnings.warn(
            "Setting per-part media resolution requests to Gemini 2.5 models and older is not "
            "supported. The media_resolution parameter will be ignored.",
            UserWarning,
            stacklevel=4,
        )
    elif is_gemini_3_or_later(model):
        part["mediaResolution"] = {"level": _dumped(block["media_resolution"])}


def _extras_signature(block: Mapping[str, Any]) -> bytes | None:
    extras = block.get("extras")
    signature = extras.get("signature") if isinstance(extras, Mapping) else None
    if isinstance(signature, str):
        return _decode(signature)
    return signature if isinstance(signature, bytes) else None


def _data_block(block: Mapping[str, Any], model: str | None) -> Part:
    """A LangChain v0/v1 image, audio, video or file block."""
    resolved = None if "source_type" in block else _resolved_uri(block)
    mime = block.get("mime_type")
    if resolved is not None:
        part = _file(resolved, mime)
    elif "source_type" in block:
        if block["source_type"] == "url":
            part = _url_part(str(block["url"]), mime)
        elif block["source_type"] == "base64":
            part = _blob(_decode(str(block["data"])), mime)
        else:
            raise ValueError("source_type must be url or base64.")
    elif "url" in block:
        part = _url_part(str(block["url"]), mime)
    elif "base64" in block:
        part = _blob(_decode(str(block["base64"])), mime)
    elif block.get("type") == "text-plain" and isinstance(block.get("text"), str):
        part = _blob(block["text"].encode(), mime or "text/plain")  # lcgg refuses these
    else:
        raise ValueError("Data content block must contain 'url', 'base64', or 'data' field.")
    if "inlineData" in part and "mime_type" not in part["inlineData"]:
        raise ValueError(f"a {block.get('type')!r} block with base64 data needs a mime_type")
    _media_resolution(part, block, model)
    if "media_processing" in block:
        part["mediaProcessing"] = _dumped(block["media_processing"])
    return part


def _media_block(block: Mapping[str, Any], model: str | None) -> Part:
    """A Gemini `media` block (`data` or `file_uri`, optional `video_metadata`)."""
    mime = block.get("mime_type")
    if "data" in block:
        if not mime:
            raise ValueError(f"Missing mime_type in media part: {dict(block)}")
        data = block["data"]
        if isinstance(data, str):
            clean = re.sub(r"\s+", "", data)
            if not _BASE64.match(clean) or len(clean) % 4:
                raise ValueError("Data should be valid base64")
            data = _decode(clean)
        part = _blob(data, mime)
    elif "file_uri" in block:
        part = _file(str(block["file_uri"]), mime)
    else:
        raise ValueError(f"Media part must have either data or file_uri: {dict(block)}")
    if "video_metadata" in block:
        metadata = types.VideoMetadata.model_validate(block["video_metadata"])
        part["videoMetadata"] = _dumped(metadata)
    _media_resolution(part, block, model)
    if "media_processing" in block:
        part["mediaProcessing"] = _dumped(block["media_processing"])
    return _signed(part, _extras_signature(block))


def _reasoning(block: Mapping[str, Any]) -> Part | None:
    text = block.get("reasoning")
    if text is None:
        summary = block.get("summary")
        if isinstance(summary, list):
            texts = [
                t.strip()
                for item in summary
                if isinstance(item, dict) and isinstance((t := item.get("text")), str) and t.strip()
            ]
            text = " ".join(texts)
        if not text:
            return None
    return _signed({"text": text, "thought": True}, decode_signature(block_signature(block)))


def _server_tool_call(block: Mapping[str, Any]) -> Part | None:
    if block.get("name") == _MEDIA_PROCESSING:
        return None  # informational; Gemini refuses it when echoed back
    if block.get("name") == "code_interpreter":
        args = block.get("args", {})
        code = types.ExecutableCode(
            language=args.get("language", "python"), code=args.get("code", "")
        )
        return {"executableCode": _dumped(code)}
    warnings.warn(
        f"Server tool call with name '{block.get('name')}' is not currently supported by "
        "Google GenAI. Only 'code_interpreter' is supported.",
        stacklevel=4,
    )
    return None


def _outcome(raw: Any) -> Any:
    if isinstance(raw, int):
        return {1: "OUTCOME_OK", 2: "OUTCOME_FAILED"}.get(raw, "OUTCOME_UNSPECIFIED")
    return raw


def _server_tool_result(block: Mapping[str, Any]) -> Part | None:
    extras = block.get("extras")
    if isinstance(extras, Mapping) and extras.get("block_type") == _MEDIA_PROCESSING:
        return None
    ok = block.get("status", "success") == "success"
    outcome = "OUTCOME_OK" if ok else "OUTCOME_FAILED"
    if isinstance(extras, Mapping) and "outcome" in extras:
        outcome = _outcome(extras["outcome"])  # lcgg 4.4.3 crashes on an int outcome here
    result = types.CodeExecutionResult(output=str(block.get("output", "")), outcome=outcome)
    return {"codeExecutionResult": _dumped(result)}


def _legacy_code(block: Mapping[str, Any]) -> Part:
    if block["type"] == "executable_code":
        if "executable_code" not in block or "language" not in block:
            raise ValueError(
                f"Executable code part must have 'code' and 'language' keys, got {dict(block)}"
            )
        code = types.ExecutableCode(language=block["language"], code=block["executable_code"])
        return {"executableCode": _dumped(code)}
    if "code_execution_result" not in block:
        raise ValueError(
            f"Code execution result part must have 'code_execution_result', got {dict(block)}"
        )
    outcome = _outcome(block["outcome"]) if "outcome" in block else "OUTCOME_OK"
    result = types.CodeExecutionResult(outcome=outcome, output=block["code_execution_result"])
    return {"codeExecutionResult": _dumped(result)}


def _typed_block(block: Mapping[str, Any], model: str | None, v1beta: bool) -> list[Part]:
    kind = block["type"]
    converters: dict[str, Callable[[Mapping[str, Any]], Part | None]] = {
        "thinking": lambda b: _signed(
            {"text": b["thinking"], "thought": True}, decode_signature(block_signature(b))
        ),
        "reasoning": _reasoning,
        "server_tool_call": _server_tool_call,
        "server_tool_result": _server_tool_result,
        "executable_code": _legacy_code,
        "code_execution_result": _legacy_code,
        "media": lambda b: _media_block(b, model),
        "image_url": _image_url,
    }
    if kind == "text":
        return [_signed({"text": block["text"]}, decode_signature(block_signature(block)))]
    if kind == "file" and "file_id" in block:
        part = _file(str(block["file_id"]), block.get("mime_type", "application/octet-stream"))
        if "media_processing" in block:
            part["mediaProcessing"] = _dumped(block["media_processing"])
        return [part]
    if is_data_content_block(dict(block)):
        return [_data_block(block, model)]
    if kind in converters:
        converted = converters[kind](block)
        return [converted] if converted is not None else []
    if kind == "non_standard":
        value = block.get("value")
        if isinstance(value, Mapping) and value.get("type") in _NATIVE_NON_STANDARD:
            return convert_blocks([dict(value)], model, allow_v1beta_dicts=v1beta)
        logger.warning("dropping a non-standard content block Gemini cannot take")
        return []
    if kind == "refusal":
        return []
    raise ValueError(f"Unrecognized message part type: {kind}.")


def _image_url(block: Mapping[str, Any]) -> Part:
    url = block["image_url"]
    if isinstance(url, Mapping):
        if "url" not in url:
            raise ValueError(f"Unrecognized message image format: {dict(url)}")
        url = url["url"]
    return _signed(_url_part(str(url), None), _extras_signature(block))


def convert_blocks(
    content: str | Sequence[Any], model: str | None, *, allow_v1beta_dicts: bool = False
) -> list[Part]:
    """Convert message content (a string or content blocks) into wire parts.

    Args:
        content: The message content.
        model: The model (per-part media resolution depends on its version).
        allow_v1beta_dicts: Accept type-less dicts that are already Gemini parts (v1 replay).

    Raises:
        ValueError: A block cannot be converted (the caller names the message and block).
    """
    blocks = [content] if isinstance(content, str) else content
    parts: list[Part] = []
    for block in blocks:
        if isinstance(block, str):
            parts.append({"text": block})
        elif isinstance(block, Mapping) and "type" in block:
            parts.extend(_typed_block(block, model, allow_v1beta_dicts))
        elif (
            isinstance(block, Mapping)
            and allow_v1beta_dicts
            and set(block) & set(types.Part.model_fields)
        ):
            try:
                parts.append(part_to_wire(types.Part.model_validate(dict(block))))
            except ValidationError as exc:
                raise ValueError(f"not a Gemini part: {exc.errors()[0]['msg']}") from None
        elif isinstance(block, Mapping) and set(block) == {"cachePoint"}:
            continue
        elif isinstance(block, Mapping):
            logger.warning("unrecognized content block format; sent as text")
            parts.append({"text": str(block)})
        else:
            raise ValueError(f"a content block must be a str or a dict, got {type(block).__name__}")
    return parts
