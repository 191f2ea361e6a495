"""The part of `GoogleBatchOperations` about files and money: write results, cost, estimate.

A mixin, so that `batch/google.py` stays the seed API's façade at a readable length; every
method here is documented as part of `GoogleBatchOperations`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from langchain_gemini_batch.batch._costing import AnswerPricer
from langchain_gemini_batch.batch._estimate import DEFAULT_COUNT_CONCURRENCY, estimate_requests
from langchain_gemini_batch.batch._wire_tally import WireTally
from langchain_gemini_batch.batch.codecs import Codec, GenerateCodec, RawCodec
from langchain_gemini_batch.batch.files import (
    ResultsWritten,
    keep_matched_lines,
    write_result_lines,
)
from langchain_gemini_batch.errors import ResultMismatchError
from langchain_gemini_batch.pricing import Cost, CostEstimate

if TYPE_CHECKING:
    from langchain_gemini_batch.batch.engine import BatchEngine
    from langchain_gemini_batch.invoker import GoogleLMInvoker

__all__ = ["FilesAndCosts"]


class FilesAndCosts:
    """`write_results`, `cost`, `estimate` and `estimate_raw` (see `GoogleBatchOperations`)."""

    _invoker: GoogleLMInvoker
    engine: BatchEngine

    def _codec(self, hyperparameters: Mapping[str, Any] | None = None) -> GenerateCodec:
        raise NotImplementedError

    async def write_results(
        self,
        batch_id: str,
        destination: str | os.PathLike[str] | IO[bytes],
        *,
        format: Literal["jsonl"] = "jsonl",
        custom_request_ids: Iterable[str] | None = None,
    ) -> ResultsWritten:
        """Write a finished batch's results to a JSONL file, streamed, in bounded memory.

        One line per request, in Google's batch output format: `{"key": ..., "response":
        {...}}` (a `GenerateContentResponse`) or `{"key": ..., "error": {...}}` (a
        `google.rpc.Status`). Results are read a block at a time and written a line at a
        time, however large the batch. A path is written to a temporary file beside it and
        renamed when complete, so a file of that name is never half-written.

        Example:
            ```python
            written = await invoker.batch.write_results(batch_id, "results.jsonl")
            print(written.succeeded, written.failed, written.cost.batch_usd)
            ```

        Args:
            batch_id: The batch ID from `create`.
            destination: A file path, or a binary stream (e.g. `sys.stdout.buffer`).
            format: `jsonl` (the only format).
            custom_request_ids: See `retrieve`.

        Returns:
            The counts, and the answers' cost (each priced as its `modelVersion`).

        Raises:
            BatchNotFinishedError: A job has not ended yet.
            BatchJobError: A job ended FAILED, CANCELLED or EXPIRED.
            ResultMismatchError: After writing every matched result (the file is kept, without
                the lines of unknown keys and with the first line of a repeated one; to a
                stream, those lines may have been written before the error named them).
        """
        if format != "jsonl":
            raise ValueError(f"unknown results format {format!r}; known: jsonl")
        blocks = self.engine.iter_result_blocks(
            batch_id, RawCodec(), custom_request_ids=custom_request_ids
        )
        pricer = AnswerPricer(self._invoker.model_name)
        if not isinstance(destination, (str, os.PathLike)):
            return await write_result_lines(blocks, destination, pricer)
        path = Path(destination)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or deleted below
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )
        try:
            with handle:
                try:
                    written = await write_result_lines(blocks, handle, pricer)
                except ResultMismatchError as error:
                    handle.close()
                    keep_matched_lines(Path(handle.name), error)
                    os.replace(handle.name, path)  # every matched result is in it
                    raise
            os.replace(handle.name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(handle.name)
            raise
        return written

    async def cost(self, batch_id: str) -> Cost:
        """What a finished batch cost at batch price (and would have cost online), exactly.

        Reads the results (streamed, in bounded memory) and sums each answer's cost, priced
        as its `modelVersion` (else the invoker's model) from its `usageMetadata`; the total
        equals the sum of the answers' `metadata["cost"]`. Reading for the cost leaves the
        batch as it was (its results can still be retrieved as new).

        Returns:
            The total; `requests` says how many answers were priced (answers of a model the
            price table does not know, and failed requests, cost nothing here).

        Raises:
            BatchNotFinishedError: A job has not ended yet.
            BatchJobError: A job ended FAILED, CANCELLED or EXPIRED.
        """
        tally = WireTally(AnswerPricer(self._invoker.model_name))
        add = tally.add
        blocks = self.engine.iter_result_blocks(batch_id, RawCodec(), settle=False)
        async for block in blocks:
            for _, result in block:
                item = result[0] if type(result) is tuple else result  # a `RawLine`: (item, line)
                response = item.get("response") if isinstance(item, dict) else None
                if response is not None:
                    add(response.get("usageMetadata"), response.get("modelVersion"))
        return tally.total

    async def estimate(
        self,
        requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
        hyperparameters: Mapping[str, Any] | None = None,
        *,
        count_tokens: bool = False,
        output_tokens: int | None = None,
        concurrency: int = DEFAULT_COUNT_CONCURRENCY,
    ) -> CostEstimate | None:
        """What `create(requests, hyperparameters)` would cost; nothing is sent to the Batch API.

        Example:
            ```python
            est = await invoker.batch.estimate(requests, {"max_output_tokens": 256})
            print(f"about ${est.batch_usd:.4f} (online ${est.online_usd:.4f})")
            ```

        Args:
            requests: As `create` takes them (each is built as `create` would).
            hyperparameters: As `create` takes them.
            count_tokens: Ask Google's `countTokens` for each request's prompt tokens (one
                call per request, `concurrency` at a time; free, but rate-limited); `False`
                (default) approximates them as ceil(text characters / 4), which ignores
                attachments and tool declarations.
            output_tokens: Output tokens to assume per request (default: the request's
                `max_output_tokens`, else `DEFAULT_OUTPUT_TOKENS`).
            concurrency: `countTokens` calls in flight at once.

        Returns:
            A `CostEstimate` (`low` / `expected` / `high`, batch and online), or `None` when
            the price table does not know the model.
        """
        return await self._estimate(
            requests, self._codec(hyperparameters), count_tokens, output_tokens, concurrency
        )

    async def estimate_raw(
        self,
        requests: Mapping[str, Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any]]],
        *,
        count_tokens: bool = False,
        output_tokens: int | None = None,
        concurrency: int = DEFAULT_COUNT_CONCURRENCY,
    ) -> CostEstimate | None:
        """`estimate` for requests in Google's wire form (what `create_raw` takes)."""
        return await self._estimate(requests, RawCodec(), count_tokens, output_tokens, concurrency)

    async def _estimate(
        self,
        requests: Mapping[str, Any] | Iterable[tuple[str, Any]],
        codec: Codec,
        count_tokens: bool,
        output_tokens: int | None,
        concurrency: int,
    ) -> CostEstimate | None:
        model = self._invoker.model_name
        client = self._invoker.client

        async def count(request: dict[str, Any]) -> int:
            return await client.count_request_tokens(model, request)

        return await estimate_requests(
            requests,
            codec,
            model,
            count=count if count_tokens else None,
            concurrency=concurrency,
            output_tokens=output_tokens,
        )
