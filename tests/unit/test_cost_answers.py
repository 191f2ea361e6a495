"""The cost of each decoded answer, and a job's total: the fast pricer against `cost_of`."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from langchain_gemini_batch.batch._costing import AnswerPricer, CostTally, wire_usage
from langchain_gemini_batch.batch.codecs import GenerateCodec, RawCodec
from langchain_gemini_batch.convert.google_request import RequestBuilder
from langchain_gemini_batch.errors import InvalidRequestError, RequestFailedError
from langchain_gemini_batch.pricing import DEFAULT_PRICES, ENV_VAR, Cost, cost_of
from langchain_gemini_batch.schema import LMOutput, TokenUsage

DAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _no_price_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def usages(seed: int, count: int) -> list[TokenUsage]:
    """Varied usages: small and long prompts (past the 200k tier), cache hits, thinking."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        prompt = rng.choice([1, 7, 523, 199_999, 200_000, 200_001, 1_048_576, rng.randrange(10**6)])
        thinking = rng.choice([0, 0, rng.randrange(5_000)])
        found.append(
            TokenUsage(
                input_tokens=prompt,
                cached_tokens=rng.choice([0, 0, rng.randrange(prompt + 1), prompt + 5]),
                output_tokens=rng.randrange(70_000) + thinking,
                thinking_tokens=thinking,
            )
        )
    return found


@pytest.mark.parametrize("model", DEFAULT_PRICES.models)
def test_each_answer_is_priced_exactly_as_cost_of_does(model: str) -> None:
    pricer = AnswerPricer(model, on=DAY)
    for usage in usages(seed=len(model), count=300):
        expected = cost_of(usage, model, on=DAY)
        assert expected is not None
        assert pricer.metadata(usage, None) == expected.as_metadata()


def test_a_job_total_is_the_exact_sum_of_its_answers() -> None:
    pricer = AnswerPricer("gemini-2.5-pro", on=DAY)
    tally = CostTally()
    each = []
    for usage in usages(seed=7, count=2_000):
        tally.add(pricer.price(usage, "gemini-2.5-pro"))
        each.append(cost_of(usage, "gemini-2.5-pro", on=DAY))
    expected = Cost.total(each)
    assert tally.total == expected  # Decimals, tokens, requests, priced_as, date: all equal
    assert tally.total.requests == 2_000
    assert tally.unpriced == 0


def test_unknown_models_and_missing_usage_are_not_priced_nor_counted() -> None:
    pricer = AnswerPricer("my-own-model", on=DAY)
    tally = CostTally()
    usage = TokenUsage(input_tokens=10, output_tokens=10)
    tally.add(pricer.price(usage, "also-unknown"))
    tally.add(pricer.price(None, "gemini-2.5-flash"))
    assert tally.answers == 2
    assert tally.unpriced == 2
    assert tally.total == Cost.zero()


def test_the_response_model_wins_else_the_batch_model() -> None:
    pricer = AnswerPricer("gemini-2.5-flash", on=DAY)
    usage = TokenUsage(input_tokens=1_000, output_tokens=100)
    pro = pricer.metadata(usage, "gemini-2.5-pro-preview-06-05")
    assert pro is not None
    assert pro["priced_as"] == "gemini-2.5-pro"
    fallback = pricer.metadata(usage, "a-model-nobody-prices")
    assert fallback is not None
    assert fallback["priced_as"] == "gemini-2.5-flash"
    # 1,000 x 0.15 + 100 x 1.25 per million at batch price
    assert Decimal(str(fallback["batch_usd"])) == Decimal("0.000275")


def test_rates_with_many_decimals_fall_back_to_exact_decimals() -> None:
    prices = DEFAULT_PRICES.with_prices(
        {"odd": {"input": "0.1234567890123456789", "output": "1.0000000000000000001"}}
    )
    pricer = AnswerPricer("odd", prices=prices, on=DAY)
    tally = CostTally()
    for usage in usages(seed=3, count=50):
        expected = cost_of(usage, "odd", prices=prices, on=DAY)
        assert expected is not None
        cost = pricer.price(usage)
        assert cost is not None
        assert cost.as_metadata() == expected.as_metadata()
        tally.add(cost)
    assert (
        tally.total.batch_usd
        == Cost.total(
            cost_of(u, "odd", prices=prices, on=DAY) for u in usages(seed=3, count=50)
        ).batch_usd
    )


def test_wire_usage_reads_gemini_usage_metadata() -> None:
    usage = wire_usage(
        {
            "promptTokenCount": 100,
            "toolUsePromptTokenCount": 5,
            "candidatesTokenCount": 20,
            "thoughtsTokenCount": 7,
            "cachedContentTokenCount": 40,
        }
    )
    assert usage == TokenUsage(
        input_tokens=105, output_tokens=27, thinking_tokens=7, cached_tokens=40
    )
    assert wire_usage(None) is None
    assert wire_usage({}) is None


def answer(text: str, *, model: str | None, usage: dict[str, int] | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "candidates": [
            {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP"}
        ]
    }
    if model:
        response["modelVersion"] = model
    if usage:
        response["usageMetadata"] = usage
    return {"response": response}


def test_generate_codec_adds_the_cost_to_every_answer_it_can_price() -> None:
    codec = GenerateCodec(RequestBuilder({}), model="gemini-2.5-flash")
    usage = {"promptTokenCount": 1_000, "candidatesTokenCount": 100}
    priced = codec.decode(
        "a", answer("hi", model="gemini-2.5-flash", usage=usage), structured=False, batch_job="b"
    )
    assert isinstance(priced, LMOutput)
    assert priced.metadata["cost"] == {
        "batch_usd": 0.000275,
        "online_usd": 0.00055,
        "saved_usd": 0.000275,
        "currency": "USD",
        "priced_as": "gemini-2.5-flash",
        "prices_as_of": priced.metadata["cost"]["prices_as_of"],
    }
    unpriced = codec.decode(
        "b", answer("hi", model=None, usage=None), structured=False, batch_job="b"
    )
    assert isinstance(unpriced, LMOutput)
    assert "cost" not in unpriced.metadata
    unknown = GenerateCodec(RequestBuilder({}), model="my-model").decode(
        "c", answer("hi", model="my-model-001", usage=usage), structured=False, batch_job="b"
    )
    assert isinstance(unknown, LMOutput)
    assert "cost" not in unknown.metadata


def test_raw_codec_checks_lightly_and_returns_google_result_lines() -> None:
    codec = RawCodec()
    request = {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"x": 1}}
    assert codec.build("k", request) == request
    assert codec.encode_line("k", request).endswith(b"\n")
    with pytest.raises(InvalidRequestError, match=r"request 'k'.*contents"):
        codec.build("k", {"contents": []})
    with pytest.raises(InvalidRequestError, match="JSON object"):
        codec.build("k", "hi")  # type: ignore[arg-type]
    ok = codec.decode("k", {"response": {"candidates": []}, "metadata": {"key": "k"}},
                      structured=False, batch_job="b")  # fmt: skip
    assert ok == {"key": "k", "response": {"candidates": []}}
    failed = codec.decode("k", {"error": {"code": 3, "message": "bad"}}, structured=False,
                          batch_job="b")  # fmt: skip
    assert failed == {"key": "k", "error": {"code": 3, "message": "bad"}}
    empty = codec.decode("k", {}, structured=False, batch_job="b")
    assert "error" in empty
    # same kind and fingerprint seed as unstructured generateContent jobs
    assert codec.kind == GenerateCodec(RequestBuilder({})).kind
    assert codec.fingerprint("m") == GenerateCodec(RequestBuilder({})).fingerprint("m")


def test_request_failed_error_is_not_priced() -> None:
    codec = GenerateCodec(RequestBuilder({}), model="gemini-2.5-flash")
    failure = codec.decode("k", {"error": {"code": 13, "message": "boom"}}, structured=False,
                           batch_job="b")  # fmt: skip
    assert isinstance(failure, RequestFailedError)


def test_a_wire_tally_adds_up_to_the_same_total_as_pricing_each_answer() -> None:
    """`WireTally` sums tokens per model and tier; its total equals `CostTally`'s exactly."""
    from langchain_gemini_batch.batch._wire_tally import WireTally

    rng = random.Random(11)
    names = [*DEFAULT_PRICES.models, None, "no-such-model"]
    fields = (
        "promptTokenCount",
        "candidatesTokenCount",
        "thoughtsTokenCount",
        "cachedContentTokenCount",
        "toolUsePromptTokenCount",
    )
    for _ in range(150):
        pricer = AnswerPricer(rng.choice(names), on=DAY)
        each, summed = CostTally(), WireTally(pricer)
        for _ in range(rng.randrange(40)):
            raw = {f: rng.choice([0, 9, 199_999, 200_001, rng.randrange(10**6)]) for f in fields}
            raw = (
                {f: v for f, v in raw.items() if rng.random() < 0.8} if rng.random() < 0.95 else {}
            )
            version = rng.choice(names)
            each.add(pricer.price(wire_usage(raw), version))
            summed.add(raw, version)
        assert summed.total == each.total
        assert summed.unpriced == each.unpriced
