"""langchain-tests' standard unit suite for `ChatGeminiBatch`, unmodified."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_gemini_batch.chat_models import ChatGeminiBatch


@pytest.fixture(autouse=True)
def _allow_loading_chat_gemini_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let `test_serdes` load the model back.

    `load(..., allowed_objects="all")` allows only the classes in langchain-core's
    serialization mapping, so any third-party model fails there however correct it is
    (reference note section 3.3). Add this class to that allowlist for these tests only.
    """
    loader = importlib.import_module("langchain_core.load.load")  # the module, not load()
    allowed = set(loader._get_default_allowed_class_paths("all"))
    allowed.add(tuple(ChatGeminiBatch.lc_id()))
    monkeypatch.setitem(loader._default_class_paths_cache, "all", allowed)


class TestChatGeminiBatchStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatGeminiBatch]:
        return ChatGeminiBatch

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemini-2.5-flash"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"GOOGLE_API_KEY": "api_key"},
            {"model": "gemini-2.5-flash"},
            {"google_api_key": "api_key"},
        )
