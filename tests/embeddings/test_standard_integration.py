"""langchain-tests' standard integration suite for `GeminiBatchEmbeddings`, on the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_gemini_batch.embeddings import GeminiBatchEmbeddings
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.embeddings.conftest import API_KEY, MODEL

pytestmark = pytest.mark.emulator


class TestGeminiBatchEmbeddingsOnTheEmulator(EmbeddingsIntegrationTests):
    base_url = ""

    @pytest.fixture(autouse=True)
    def _emulator(self) -> Iterator[None]:
        with EmulatorServer(job_seconds=0) as server:
            type(self).base_url = server.base_url
            yield
            # documents went through one batch job per call, queries online
            assert server.count("asyncBatchEmbedContent", status=200) <= 1
            assert server.count("embedContent") == 0

    @property
    def embeddings_class(self) -> type[GeminiBatchEmbeddings]:
        return GeminiBatchEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {
            "model": MODEL,
            "api_key": API_KEY,
            "base_url": self.base_url,
            "output_dimensionality": 32,
            "batch_poll_interval": 0.01,
            "batch_poll_max_interval": 0.05,
            "journal": False,
        }
