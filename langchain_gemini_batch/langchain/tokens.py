"""`get_num_tokens` and `get_num_tokens_from_messages` through Google's `countTokens`.

`count_text_tokens` sends what langchain-google-genai sends for `get_num_tokens` (one content
holding the text). `count_message_tokens` counts a whole conversation in one call: the request
the conversation would be sent as (system instruction, tools and settings included), as
`countTokens`' `generateContentRequest`. (langchain-google-genai inherits LangChain's default
there, one `countTokens` call per message over its text rendering.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from langchain_gemini_batch.invoker import GoogleLMInvoker
from langchain_gemini_batch.langchain.generation import call_options
from langchain_gemini_batch.langchain.messages import to_gemini_contents
from langchain_gemini_batch.langchain.settings import ChatRuntime

__all__ = ["count_message_tokens", "count_text_tokens"]


def _total(response: dict[str, Any]) -> int:
    return int(response.get("totalTokens") or 0)


async def count_text_tokens(invoker: GoogleLMInvoker, text: str) -> int:
    """The tokens of `text` (`countTokens` with one content)."""
    body = {"contents": [{"parts": [{"text": text}]}]}
    return _total(await invoker.client.count_tokens(invoker.model_name, body))


async def count_message_tokens(
    runtime: ChatRuntime, messages: Sequence[BaseMessage], tools: Sequence[Any] | None
) -> int:
    """The prompt tokens of a conversation sent with the model's settings (and `tools`)."""
    options = call_options(runtime.chat, None, {"tools": list(tools)} if tools else {})
    contents = to_gemini_contents(
        messages,
        model=options.model,
        convert_system_message_to_human=runtime.chat.convert_system_message_to_human,
    )
    invoker = runtime.invoker_for(options)
    request = invoker.request_builder(options.hyperparameters).build("count", contents)
    body = {
        "generateContentRequest": {"model": invoker.client.model_path(options.model), **request}
    }
    return _total(await invoker.client.count_tokens(options.model, body))
