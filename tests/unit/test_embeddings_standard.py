"""langchain-tests' standard unit suite for `GeminiBatchEmbeddings`, unmodified."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings


class TestGeminiBatchEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[GeminiBatchEmbeddings]:
        return GeminiBatchEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "gemini-embedding-001"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"GOOGLE_API_KEY": "api_key"},
            {"model": "gemini-embedding-001"},
            {"google_api_key": "api_key"},
        )
