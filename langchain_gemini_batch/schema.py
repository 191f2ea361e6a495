"""Provider-neutral request and result types: the seed API's vocabulary.

Nothing here knows LangChain or Google. Requests are `LMInput`s (a string, a list of
`MessageContent`, or a list of `Message`); results are `LMOutput`s. `BatchStatus` is the
coarse job state the seed API reports.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, model_validator
from typing_extensions import Self

__all__ = [
    "Attachment",
    "BatchJobInfo",
    "BatchStatus",
    "GeminiContents",
    "LMInput",
    "LMOutput",
    "LMOutputItem",
    "Message",
    "MessageContent",
    "MessageRole",
    "RequestCounts",
    "Thinking",
    "TokenUsage",
    "ToolCall",
    "ToolResult",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def _trusted(cls, values: dict[str, Any]) -> Self:
        """Build from values that are already complete and of the right types (no validation).

        For this package's converters only, on hot paths (100,000 results); `values` must name
        every field. Equivalent to `model_construct` without its per-call field walk.
        """
        obj = cls.__new__(cls)
        object.__setattr__(obj, "__dict__", values)
        object.__setattr__(obj, "__pydantic_fields_set__", set(values))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj


class MessageRole(str, Enum):
    """Who speaks a `Message`."""

    SYSTEM = "system"
    """Instructions for the model; sent as Gemini's `systemInstruction`."""
    USER = "user"
    """The person (or program) asking; Gemini role `user`."""
    ASSISTANT = "assistant"
    """The model's earlier turns; Gemini role `model`."""


class Attachment(_Model):
    """A file given to (or returned by) the model: inline bytes, a URL, or an uploaded file.

    Exactly one of `data` or `url` is set. `url` may be an `https://` address, a Files API
    URI (`https://generativelanguage.googleapis.com/v1beta/files/abc`) or a `gs://` URI.

    Example:
        ```python
        Attachment.from_path("chart.png")
        Attachment.from_url("https://example.com/paper.pdf", mime_type="application/pdf")
        ```
    """

    mime_type: str
    """IANA media type, e.g. `image/png`."""
    data: bytes | None = None
    """The raw bytes, for inline attachments."""
    url: str | None = None
    """Where the file lives, for URL and uploaded-file attachments."""
    filename: str | None = None
    """An optional display name."""

    @model_validator(mode="after")
    def _one_source(self) -> Attachment:
        if (self.data is None) == (self.url is None):
            raise ValueError("an Attachment needs exactly one of `data` or `url`")
        if not self.mime_type:
            raise ValueError("an Attachment needs a mime_type")
        return self

    @classmethod
    def from_bytes(cls, data: bytes, mime_type: str, filename: str | None = None) -> Attachment:
        """Attach raw bytes."""
        return cls(data=data, mime_type=mime_type, filename=filename)

    @classmethod
    def from_base64(cls, data: str, mime_type: str, filename: str | None = None) -> Attachment:
        """Attach base64-encoded bytes (raises `ValueError` when `data` is not base64)."""
        try:
            raw = base64.b64decode(data, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"attachment data is not valid base64: {exc}") from exc
        return cls(data=raw, mime_type=mime_type, filename=filename)

    @classmethod
    def from_data_url(cls, data_url: str) -> Attachment:
        """Attach a `data:<mime>;base64,<data>` URL."""
        head, sep, payload = data_url.partition(",")
        if not (sep and head.startswith("data:") and head.endswith(";base64")):
            raise ValueError("expected a data URL of the form data:<mime>;base64,<data>")
        return cls.from_base64(payload, head[len("data:") : -len(";base64")])

    @classmethod
    def from_url(cls, url: str, mime_type: str | None = None) -> Attachment:
        """Attach a file by URL; the MIME type is guessed from the URL when not given."""
        mime = mime_type or mimetypes.guess_type(url)[0]
        if not mime:
            raise ValueError(f"cannot guess the MIME type of {url!r}: pass mime_type")
        return cls(url=url, mime_type=mime)

    @classmethod
    def from_uploaded_file(cls, uri: str, mime_type: str) -> Attachment:
        """Attach a file already uploaded with the Files API (its `uri`)."""
        return cls(url=uri, mime_type=mime_type)

    @classmethod
    def from_path(cls, path: str | Path, mime_type: str | None = None) -> Attachment:
        """Attach a local file's bytes; the MIME type is guessed from its name when not given."""
        file = Path(path)
        mime = mime_type or mimetypes.guess_type(file.name)[0]
        if not mime:
            raise ValueError(f"cannot guess the MIME type of {file.name!r}: pass mime_type")
        return cls(data=file.read_bytes(), mime_type=mime, filename=file.name)

    def __repr__(self) -> str:
        source = f"{len(self.data)} bytes" if self.data is not None else repr(self.url)
        return f"Attachment({self.mime_type}, {source})"


class ToolCall(_Model):
    """A function call requested by the model."""

    id: str
    """The call's ID (Gemini's `functionCall.id`, or one we generate when Gemini gives none)."""
    name: str
    """The function's name."""
    args: dict[str, Any] = Field(default_factory=dict)
    """The arguments, as decoded JSON."""
    signature: bytes | None = None
    """Gemini's `thoughtSignature` for the part, which must be sent back in the next turn."""


class ToolResult(_Model):
    """The result of running a tool, sent back to the model.

    Gemini matches a result to its call by function `name`; when `name` is omitted it is
    taken from the `ToolCall` with the same `id` earlier in the conversation.
    """

    id: str
    """The ID of the `ToolCall` this answers."""
    output: str | dict[str, Any] | list[Any]
    """What the tool returned; a string is sent as `{"output": <string>}`."""
    name: str | None = None
    """The function's name (the seed's `ToolResult` had none; Gemini needs one)."""


class Thinking(_Model):
    """A thought summary produced by the model (`include_thoughts=True`)."""

    thinking: str
    """The thought text."""
    signature: bytes | None = None
    """Gemini's `thoughtSignature`, to send back unchanged in multi-turn use."""


MessageContent: TypeAlias = str | Attachment | ToolCall | ToolResult | Thinking
"""One piece of a message: text, a file, a tool call or result, or a thought."""


class Message(_Model):
    """One turn of a conversation.

    Example:
        ```python
        [Message.system("Answer in French."), Message.user("Hello!")]
        ```
    """

    role: MessageRole
    contents: list[MessageContent]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def system(cls, contents: MessageContent | list[MessageContent]) -> Message:
        """A system message."""
        return cls(role=MessageRole.SYSTEM, contents=_as_list(contents))

    @classmethod
    def user(cls, contents: MessageContent | list[MessageContent]) -> Message:
        """A user message."""
        return cls(role=MessageRole.USER, contents=_as_list(contents))

    @classmethod
    def assistant(cls, contents: MessageContent | list[MessageContent]) -> Message:
        """An assistant (model) message."""
        return cls(role=MessageRole.ASSISTANT, contents=_as_list(contents))


def _as_list(contents: MessageContent | list[MessageContent]) -> list[MessageContent]:
    return list(contents) if isinstance(contents, list) else [contents]


class GeminiContents(_Model):
    """A request already in Gemini's wire shape: `contents` and an optional system instruction.

    Sent unchanged (beside the request's settings). `ChatGeminiBatch` converts LangChain
    messages into this, exactly as langchain-google-genai converts them, so both send the
    same request; use `Message`s otherwise.
    """

    contents: list[dict[str, Any]]
    """Gemini `Content`s in REST form (`{"role": "user", "parts": [{"text": ...}]}`)."""
    system_instruction: dict[str, Any] | None = None
    """A Gemini `Content` in REST form (`{"parts": [...]}`), sent as `systemInstruction`."""


LMInput: TypeAlias = list[Message] | list[MessageContent] | str | GeminiContents
"""One request: a conversation, or contents (or a string) sent as a single user message, or
contents already in Gemini's wire shape (`GeminiContents`)."""


class TokenUsage(_Model):
    """Token counts for one response.

    `output_tokens` counts everything the model generated, thinking included (as LangChain's
    `usage_metadata` does); `thinking_tokens` is the thinking part of it.
    """

    input_tokens: int = 0
    """Prompt tokens (Gemini `promptTokenCount`, tool-use prompt tokens included)."""
    output_tokens: int = 0
    """Generated tokens: `candidatesTokenCount + thoughtsTokenCount`."""
    thinking_tokens: int = 0
    """Thinking tokens (Gemini `thoughtsTokenCount`)."""
    cached_tokens: int = 0
    """Prompt tokens read from the context cache (Gemini `cachedContentTokenCount`)."""

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            thinking_tokens=self.thinking_tokens + other.thinking_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )


class LMOutputItem(_Model):
    """One piece of a response, in the order the model produced it."""

    type: Literal[
        "text",
        "thinking",
        "tool_call",
        "structured",
        "attachment",
        "executable_code",
        "code_execution_result",
        "server_tool_call",
        "server_tool_result",
    ]
    output: Any
    """`str` for text, `Thinking`, `ToolCall`, decoded JSON for structured, `Attachment`; for
    Gemini's server-side tools a dict: `{"code", "language"}` (code the model ran),
    `{"output", "outcome"}` (its result), `{"id", "tool_type", "args"}` (a server tool call)
    and `{"id", "tool_type", "response"}` (its result)."""
    signature: bytes | None = None
    """Gemini's `thoughtSignature` on this part (text, files and server tools carry one on
    Gemini 3; `Thinking` and `ToolCall` also keep theirs on the object)."""


class LMOutput(_Model):
    """A successful response to one request.

    A request that failed is never an `LMOutput`: batch results hold a
    `RequestFailedError` for it instead.
    """

    outputs: list[LMOutputItem] = Field(default_factory=list)
    token_usage: TokenUsage | None = None
    finish_details: dict[str, Any] = Field(default_factory=dict)
    """`finish_reason` (Gemini's, e.g. `STOP`, `MAX_TOKENS`), and as Google sends them (camelCase)
    when given: `finish_message`, `safety_ratings`, `grounding_metadata`, `citation_metadata`,
    `url_context_metadata`, `avg_logprobs`, `logprobs_result`."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """`model_version`, `response_id`, `usage_metadata` (Google's, as sent), `prompt_feedback`
    when given, and for batch results `batch_job` and `request_id`."""

    def _of(self, kind: str) -> list[Any]:
        return [item.output for item in self.outputs if item.type == kind]

    @property
    def texts(self) -> list[str]:
        """Every text part, thoughts excluded."""
        return self._of("text")

    @property
    def text(self) -> str:
        """The text parts joined (empty when the model only called tools)."""
        return "".join(self.texts)

    @property
    def structured_outputs(self) -> list[Any]:
        """Every decoded structured (JSON schema) output."""
        return self._of("structured")

    @property
    def structured_output(self) -> Any:
        """The first structured output, or `None`."""
        outputs = self.structured_outputs
        return outputs[0] if outputs else None

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The function calls the model asked for."""
        return self._of("tool_call")

    @property
    def thinkings(self) -> list[Thinking]:
        """Thought summaries (only with thinking enabled and `include_thoughts`)."""
        return self._of("thinking")

    @property
    def attachments(self) -> list[Attachment]:
        """Files the model produced (e.g. images)."""
        return self._of("attachment")

    def __repr__(self) -> str:
        text = self.text
        shown = text if len(text) <= 60 else text[:57] + "..."
        extra = f", {len(self.tool_calls)} tool calls" if self.tool_calls else ""
        return f"LMOutput(text={json.dumps(shown)}{extra})"


class BatchStatus(str, Enum):
    """The coarse state of a batch job (the seed's members, plus `CANCELLED`)."""

    IN_PROGRESS = "in_progress"
    """Queued, pending, running, paused or updating: results are not ready."""
    FINISHED = "finished"
    """Succeeded (possibly with per-request errors): results can be retrieved."""
    FAILED = "failed"
    """The job failed as a whole."""
    CANCELING = "canceling"
    """A cancel was asked for and is in progress."""
    CANCELLED = "cancelled"
    """The job was cancelled."""
    EXPIRED = "expired"
    """The job ran or waited longer than 48 hours and was stopped, without results."""
    UNKNOWN = "unknown"
    """A state this version does not know (reported with a warning)."""

    @property
    def is_terminal(self) -> bool:
        """Whether the job has ended (no further state changes)."""
        return self in _TERMINAL


_TERMINAL = frozenset(
    {BatchStatus.FINISHED, BatchStatus.FAILED, BatchStatus.CANCELLED, BatchStatus.EXPIRED}
)


class RequestCounts(_Model):
    """How many requests of a job have been answered (Google's `batchStats`)."""

    total: int = 0
    """Requests in the job."""
    succeeded: int = 0
    """Requests answered successfully."""
    failed: int = 0
    """Requests that failed (each has its own error)."""
    pending: int = 0
    """Requests not answered yet."""

    @property
    def done(self) -> int:
        """Requests answered, successfully or not."""
        return self.succeeded + self.failed

    def __add__(self, other: RequestCounts) -> RequestCounts:
        return RequestCounts(
            total=self.total + other.total,
            succeeded=self.succeeded + other.succeeded,
            failed=self.failed + other.failed,
            pending=self.pending + other.pending,
        )


class BatchJobInfo(_Model):
    """What is known of a batch job (or of every job behind a split batch ID).

    Example:
        ```python
        info = await invoker.batch.info(batch_id)
        print(info.status, info.request_counts.done, "/", info.request_counts.total)
        ```
    """

    name: str
    """The job name (`batches/...`), or the batch ID when it stands for several jobs."""
    status: BatchStatus
    """The coarse state (the seed's `BatchStatus`)."""
    state: str
    """Google's state as a `google.genai.types.JobState` value (`JOB_STATE_RUNNING`, ...)."""
    display_name: str | None = None
    """The display name given at create."""
    model: str | None = None
    """The model (`models/gemini-2.5-flash`)."""
    request_counts: RequestCounts = Field(default_factory=RequestCounts)
    """Requests in total, succeeded, failed and pending."""
    create_time: datetime | None = None
    """When the job was created."""
    update_time: datetime | None = None
    """When the job last changed."""
    end_time: datetime | None = None
    """When the job ended."""
    error: str | None = None
    """Google's job-level error message (FAILED jobs), if any."""
    jobs: tuple[BatchJobInfo, ...] = ()
    """For a batch split over several jobs: each job's own info (empty for a single job)."""
