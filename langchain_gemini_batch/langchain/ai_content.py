"""An `AIMessage`'s content as Gemini wire parts, as langchain-google-genai 4.4 replays it.

Mirrors `_convert_ai_message_content` and its helpers in `langchain_google_genai`: messages
from Gemini (`model_provider` `google_genai` / `google_vertexai`) are converted strictly;
messages from another provider, or with no provider, leniently (blocks Gemini cannot take are
dropped with a warning, foreign reasoning and signatures are not replayed); `output_version="v1"`
content is projected from LangChain's standard blocks; `gs://` references are dropped (the
Gemini Developer API cannot read them). Pure functions, no I/O.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import AIMessage

from langchain_gemini_batch.langchain.content_parts import Part, block_signature, convert_blocks

__all__ = ["ProviderKind", "ai_content_parts", "provider_kind"]

logger = logging.getLogger("langchain_gemini_batch")

ProviderKind = Literal["native", "foreign", "unknown"]
_NATIVE = frozenset({"google_genai", "google_vertexai"})
_REASONING = frozenset({"reasoning", "thinking", "reasoning_content"})
_REBUILT_FROM_TOOL_CALLS = frozenset(
    {"tool_call", "tool_call_chunk", "invalid_tool_call", "function_call_signature"}
)
_MEDIA_PROCESSING = "media_processing"


def provider_kind(model_provider: str | None) -> ProviderKind:
    """Whether a message came from Gemini (`native`), another provider, or says nothing."""
    if model_provider is None:
        return "unknown"
    return "native" if model_provider in _NATIVE else "foreign"


def _file_uri(block: Any) -> Any:
    if not isinstance(block, Mapping):
        return None
    file_data = block.get("file_data")
    if isinstance(file_data, Mapping):
        return file_data.get("file_uri")
    kind = block.get("type")
    if kind in ("file_data", "media"):
        return block.get("file_uri")
    if kind == "file":
        return block.get("file_id") or block.get("url")
    if kind == "image":
        return block.get("url")
    if kind == "image_url":
        url = block.get("image_url")
        return url.get("url") if isinstance(url, Mapping) else url
    return None


def _is_gcs(uri: Any) -> bool:
    return isinstance(uri, str) and uri.startswith("gs://")


def _drop_gcs(content: list[Any]) -> list[Any]:
    kept = []
    for block in content:
        if _is_gcs(_file_uri(block)):
            logger.warning(
                "dropping a gs:// file reference: the Gemini Developer API cannot read it"
            )
            continue
        kept.append(block)
    return kept


def _is_empty(block: Mapping[str, Any]) -> bool:
    if block.get("type") not in ("text", "thinking", "reasoning"):
        return False
    text = (
        block.get("text") or block.get("thinking") or block.get("reasoning") or block.get("summary")
    )
    return not text and not block_signature(block)


def _strip_signature(block: Mapping[str, Any]) -> Mapping[str, Any]:
    extras = block.get("extras")
    in_extras = isinstance(extras, dict) and "signature" in extras
    if not {"signature", "thought_signature"} & set(block) and not in_extras:
        return block
    stripped = {k: v for k, v in block.items() if k not in ("signature", "thought_signature")}
    if in_extras:
        assert isinstance(extras, dict)
        stripped["extras"] = {k: v for k, v in extras.items() if k != "signature"}
    return stripped


def _unsupported_foreign_server_tool(block: Mapping[str, Any], interpreter_ids: set[str]) -> bool:
    if block.get("type") == "server_tool_call":
        return block.get("name") != "code_interpreter"
    if block.get("type") == "server_tool_result":
        return block.get("tool_call_id") not in interpreter_ids
    return False


def _prepared(message: AIMessage, *, exclude_function_calls: bool) -> list[Any]:
    """Non-v1 content, normalized for replay (lcgg's `_prepare_ai_message_content`)."""
    foreign = provider_kind(message.response_metadata.get("model_provider")) == "foreign"
    content: Any = message.content_blocks if foreign else message.content
    if not isinstance(content, list):
        return [content] if content else []
    interpreter_ids: set[str] = {
        b["id"]
        for b in content
        if foreign
        and isinstance(b, dict)
        and b.get("type") == "server_tool_call"
        and b.get("name") == "code_interpreter"
        and isinstance(b.get("id"), str)
    }
    kept: list[Any] = []
    for block in content:
        if not isinstance(block, dict):
            if not (isinstance(block, str) and not block):
                kept.append(block)
            continue
        kind = block.get("type")
        if exclude_function_calls and (kind in _REBUILT_FROM_TOOL_CALLS or kind == "function_call"):
            continue
        if foreign and kind == "non_standard":
            logger.warning("dropping a non-standard block from another provider")
            continue
        if kind == "file_data" and "file_uri" in block:
            mime = block.get("mime_type", "application/octet-stream")
            kept.append({"type": "media", "file_uri": block["file_uri"], "mime_type": mime})
            continue
        candidate: Mapping[str, Any] = block
        if foreign:
            if kind in _REASONING or _unsupported_foreign_server_tool(block, interpreter_ids):
                continue  # another provider's thoughts are not Gemini thoughts
            candidate = _strip_signature(block)
        if not _is_empty(candidate):
            kept.append(candidate)
    return kept


def _signature(block: Mapping[str, Any]) -> Any:
    extras = block.get("extras")
    return block.get("thought_signature") or (
        extras.get("signature") if isinstance(extras, dict) else None
    )


def _file_block(url: Any, mime: Any) -> dict[str, Any] | None:
    if _is_gcs(url):
        logger.warning("dropping a gs:// file reference: the Gemini Developer API cannot read it")
        return None
    return {"file_data": {"mime_type": mime, "file_uri": url}}


def _v1_block(block: dict[str, Any], kind: ProviderKind) -> dict[str, Any] | None:
    """One standard v1 block as a type-less Gemini part dict (lcgg's v1 projection)."""
    foreign = kind == "foreign"
    block_type = block["type"]
    if block_type == "text":
        part: dict[str, Any] = {"text": block.get("text", "")}
        if (signature := _signature(block)) and not foreign:
            part["thought_signature"] = signature
        return part
    if block_type == "reasoning":
        signature = _signature(block)
        if foreign or (kind == "native" and not signature):
            return None
        text = block.get("reasoning")
        summary = block.get("summary")
        if text is None and isinstance(summary, list):
            texts = [
                t.strip()
                for item in summary
                if isinstance(item, dict) and isinstance((t := item.get("text")), str) and t.strip()
            ]
            text = " ".join(texts)
        if not text and not signature:
            return None
        part = {"thought": True, "text": text or ""}
        if signature:
            part["thought_signature"] = signature
        return part
    if block_type in ("image", "file"):
        default = "image/jpeg" if block_type == "image" else "application/octet-stream"
        mime = block.get("mime_type", default)
        if data := block.get("base64"):
            return {"inline_data": {"mime_type": mime, "data": data}}
        reference = block.get("file_id") if block_type == "file" else None
        reference = reference or block.get("url")
        return _file_block(reference, mime) if reference and not foreign else None
    if block_type in ("tool_call", "tool_call_chunk"):
        args = block.get("args", {})
        if block_type == "tool_call_chunk":
            raw = block.get("args") or "{}"
            try:
                args = json.loads(raw) if isinstance(raw, str) else raw
            except json.JSONDecodeError:
                args = {}
        name = block.get("name", "" if block_type == "tool_call" else "no_tool_name_present")
        return {"function_call": {"name": name, "args": args}}
    if block_type == "server_tool_call":
        if block.get("name") != "code_interpreter":
            return None
        args = block.get("args", {})
        return {
            "executable_code": {"language": args.get("language", ""), "code": args.get("code", "")}
        }
    if block_type == "server_tool_result":
        extras = block.get("extras", {})
        if extras.get("block_type") != "code_execution_result":
            return None
        outcome = extras.get("outcome", "")
        if isinstance(outcome, int):
            outcome = {1: "OUTCOME_OK", 2: "OUTCOME_FAILED"}.get(outcome, "OUTCOME_UNSPECIFIED")
        return {"code_execution_result": {"outcome": outcome, "output": block.get("output", "")}}
    if block_type == "non_standard":
        value = block.get("value")
        return value if not foreign and isinstance(value, dict) else None
    if block_type != "function_call_signature":
        logger.warning("dropping a v1 content block with no Gemini equivalent (%s)", block_type)
    return None


def _from_v1(content: Sequence[Any], kind: ProviderKind) -> list[dict[str, Any]]:
    converted = []
    for block in content:
        if not isinstance(block, dict) or "type" not in block:
            logger.warning("dropping a v1 content block that is not a typed mapping")
            continue
        if (part := _v1_block(dict(block), kind)) is not None:
            converted.append(part)
    return converted


def _redundant(block: Any) -> bool:
    """A projected part that duplicates a tool call, or an empty unsigned text/thought."""
    if not isinstance(block, dict):
        return False
    if "function_call" in block:
        return True
    if block.get("text"):
        return False
    return set(block) <= {"text", "thought", "thought_signature"} and not block.get(
        "thought_signature"
    )


def _lenient(content: list[Any], model: str | None, v1beta: bool) -> list[Part]:
    parts: list[Part] = []
    for block in content:
        try:
            parts.extend(convert_blocks([block], model, allow_v1beta_dicts=v1beta))
        except ValueError as exc:
            logger.warning("dropping a content block Gemini cannot take: %s", exc)
    return parts


def ai_content_parts(
    message: AIMessage, model: str | None, *, exclude_function_calls: bool
) -> list[Part]:
    """The wire parts of an AI message's content (its tool calls are added by the caller).

    Raises:
        ValueError: A block of a Gemini message cannot be converted.
    """
    kind = provider_kind(message.response_metadata.get("model_provider"))
    is_v1 = message.response_metadata.get("output_version") == "v1"
    content: list[Any]
    if is_v1:
        content = _from_v1(message.content if isinstance(message.content, list) else [], kind)
        if exclude_function_calls:
            content = [b for b in content if not _redundant(b)]
    elif exclude_function_calls or kind == "foreign":
        content = _prepared(message, exclude_function_calls=exclude_function_calls)
    else:
        content = [message.content] if isinstance(message.content, str) else list(message.content)
    content = _drop_gcs(content)
    if kind == "native":
        return convert_blocks(content, model, allow_v1beta_dicts=is_v1)
    return _lenient(content, model, is_v1)
