"""Token usage in its several shapes, estimating a batch's cost before it is sent, token counts.

Expected figures are computed by hand from Google's published prices (USD per million tokens).
"""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal

import pytest

from langchain_gemini_batch.pricing import (
    DEFAULT_OUTPUT_TOKENS,
    ENV_VAR,
    approximate_tokens,
    cost_of,
    estimate_batch_cost,
    usage_counts,
)
from langchain_gemini_batch.schema import TokenUsage
from langchain_gemini_batch.testing.emulator._model import count_tokens

D = Decimal
DAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _no_price_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_estimate_before_sending() -> None:
    est = estimate_batch_cost(
        "gemini-2.5-flash", [1000, 3000], output_tokens=[100, 300], max_output_tokens=1000, on=DAY
    )
    assert est is not None
    assert (est.requests, est.input_tokens, est.expected_output_tokens) == (2, 4000, 400)
    assert est.output_assumption == "given"
    # low: 4,000 x 0.15 = 600 batch, x 0.30 = 1,200 online (per million)
    assert (est.low.batch_usd, est.low.online_usd) == (D("0.0006"), D("0.0012"))
    # expected: + 400 x 1.25 = 500 batch, + 400 x 2.50 = 1,000 online
    assert (est.batch_usd, est.online_usd, est.saved_usd) == (D("0.0011"), D("0.0022"), D("0.0011"))
    # high: + 2,000 x 1.25 = 2,500 batch
    assert est.high is not None
    assert (est.high.batch_usd, est.high.output_tokens) == (D("0.0031"), 2000)
    assert est.low.batch_usd <= est.batch_usd <= est.high.batch_usd
    data = est.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["expected"]["batch_usd"] == 0.0011
    assert data["high"]["online_usd"] == 0.0062


def test_estimate_output_defaults_and_tiers() -> None:
    by_limit = estimate_batch_cost("gemini-2.5-flash", [0, 0], max_output_tokens=[10, 30], on=DAY)
    assert by_limit is not None
    assert (by_limit.output_assumption, by_limit.expected_output_tokens) == (
        "max_output_tokens",
        40,
    )
    guessed = estimate_batch_cost("gemini-2.5-flash", [0], on=DAY)
    assert guessed is not None
    assert guessed.output_assumption == "default"
    assert guessed.expected_output_tokens == DEFAULT_OUTPUT_TOKENS == 1000
    assert guessed.high is None
    assert guessed.as_dict()["high"] is None
    # each request's own prompt picks its tier: 100 tokens short, 300,000 long
    pro = estimate_batch_cost("gemini-2.5-pro", [100, 300_000], output_tokens=1000, on=DAY)
    assert pro is not None
    # batch: 100 x 0.625 + 1,000 x 5 + 300,000 x 1.25 + 1,000 x 7.5 = 387,562.5
    assert pro.batch_usd == D("0.3875625")
    assert pro.online_usd == D("0.775125")
    empty = estimate_batch_cost("gemini-2.5-pro", [], on=DAY)
    assert empty is not None
    assert (empty.requests, empty.batch_usd, empty.low.requests) == (0, D(0), 0)
    with pytest.raises(ValueError, match="1 entries for 2 requests"):
        estimate_batch_cost("gemini-2.5-flash", [1, 2], output_tokens=[1], on=DAY)
    with pytest.raises(ValueError, match="input_tokens"):
        estimate_batch_cost("gemini-2.5-flash", [-1], on=DAY)


@pytest.mark.parametrize("text", ["", "a", "abcd", "abcde", "é" * 9, "x" * 4001])
def test_approximate_tokens_matches_the_emulator(text: str) -> None:
    assert approximate_tokens(text) == count_tokens(text) == max(1, math.ceil(len(text) / 4))


def test_usage_is_read_from_gemini_and_langchain_shapes() -> None:
    expected = TokenUsage(input_tokens=130, output_tokens=70, thinking_tokens=20, cached_tokens=40)
    gemini = {
        "promptTokenCount": 120,
        "toolUsePromptTokenCount": 10,
        "candidatesTokenCount": 50,
        "thoughtsTokenCount": 20,
        "cachedContentTokenCount": 40,
        "totalTokenCount": 200,
    }
    snake = {
        "prompt_token_count": 120,
        "tool_use_prompt_token_count": 10,
        "candidates_token_count": 50,
        "thoughts_token_count": 20,
        "cached_content_token_count": 40,
    }
    langchain = {
        "input_tokens": 130,
        "output_tokens": 70,
        "total_tokens": 200,
        "input_token_details": {"cache_read": 40},
        "output_token_details": {"reasoning": 20},
    }
    for shape in (gemini, snake, langchain, expected.model_dump(), expected):
        assert usage_counts(shape) == expected
    assert usage_counts({"promptTokenCount": 5, "candidatesTokenCount": None}) == TokenUsage(
        input_tokens=5
    )
    for bad in ({"input_tokens": -1}, {"input_tokens": True}, {"promptTokenCount": "5"}):
        with pytest.raises(ValueError, match="non-negative integer"):
            cost_of(bad, "gemini-2.5-flash", on=DAY)


def test_usage_dumped_by_the_sdk_is_understood() -> None:
    from google.genai import types

    usage = types.GenerateContentResponseUsageMetadata(
        prompt_token_count=1000,
        cached_content_token_count=200,
        candidates_token_count=400,
        thoughts_token_count=100,
        tool_use_prompt_token_count=0,
        total_token_count=1500,
    )
    for dumped in (usage.model_dump(exclude_none=True), usage.model_dump(by_alias=True)):
        cost = cost_of(usage_counts(dumped), "gemini-2.5-flash", on=DAY)
        assert cost is not None
        assert (cost.batch_usd, cost.online_usd) == (D("0.000751"), D("0.001496"))
