"""Prices, the cost of answers and jobs, estimates and user overrides.

Expected figures are computed by hand from Google's pricing page as transcribed in
`embeddings-vertex-pricing.md` §4 (USD per million tokens), not read back from the table.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from langchain_gemini_batch.pricing import (
    DEFAULT_PRICES,
    ENV_VAR,
    PRICES_AS_OF,
    Cost,
    ModelPrice,
    PriceTable,
    cost_metadata,
    cost_of,
    default_prices,
    estimate_batch_cost,
    load_price_file,
)
from langchain_gemini_batch.pricing._table import today_utc
from langchain_gemini_batch.schema import TokenUsage

D = Decimal
DAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _no_price_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def usd(usage: TokenUsage, model: str, **kwargs: object) -> tuple[Decimal, Decimal]:
    cost = cost_of(usage, model, on=DAY, **kwargs)  # type: ignore[arg-type]
    assert cost is not None
    return cost.batch_usd, cost.online_usd


# Published figures (reference §4.1, page copy of 2026-03-30): online input, output, cached;
# batch input, output, cached.
PUBLISHED = {
    "gemini-2.5-pro": ("1.25", "10.00", "0.125", "0.625", "5.00", "0.125"),
    "gemini-2.5-flash": ("0.30", "2.50", "0.03", "0.15", "1.25", "0.03"),
    "gemini-2.5-flash-lite": ("0.10", "0.40", "0.01", "0.05", "0.20", "0.01"),
    "gemini-3.1-pro-preview": ("2.00", "12.00", "0.20", "1.00", "6.00", "0.20"),
    "gemini-3-flash-preview": ("0.50", "3.00", "0.05", "0.25", "1.50", "0.05"),
    "gemini-3.1-flash-lite-preview": ("0.25", "1.50", "0.025", "0.125", "0.75", "0.0125"),
}


@pytest.mark.parametrize(("model", "figures"), PUBLISHED.items())
def test_table_matches_the_published_page(model: str, figures: tuple[str, ...]) -> None:
    price = DEFAULT_PRICES.get(model, on=DAY)
    assert price is not None
    online, batch = price.online, price.batch
    got = (
        *(online.input, online.output, online.cached_input),
        *(batch.input, batch.output, batch.cached_input),
    )
    assert got == tuple(D(f) for f in figures)
    assert price.as_of == date(2026, 3, 30)
    assert price.source == "https://ai.google.dev/gemini-api/docs/pricing"


def test_every_entry_is_dated_sourced_and_batch_is_half_of_online() -> None:
    assert DEFAULT_PRICES.as_of == PRICES_AS_OF == date(2026, 11, 30)
    assert len(DEFAULT_PRICES) == 14
    for model in DEFAULT_PRICES:
        for price in DEFAULT_PRICES.versions(model):
            assert price.as_of is not None
            assert price.as_of <= PRICES_AS_OF
            assert (price.source or "").startswith("https://ai.google.dev/")
            assert price.notes
            tiers = [(price.online, price.batch)] + [(t.online, t.batch) for t in price.long_prompt]
            for online, batch in tiers:
                assert batch.input * 2 == online.input, model
                assert batch.output * 2 == online.output, model
                assert batch.audio_input_rate * 2 == online.audio_input_rate, model
                # a cache hit is never dearer in batch, and never cheaper than half
                assert online.cached_input_rate / 2 <= batch.cached_input_rate
                assert batch.cached_input_rate <= online.cached_input_rate


def test_a_million_input_tokens_of_flash_cost_half_in_batch() -> None:
    assert usd(TokenUsage(input_tokens=1_000_000), "gemini-2.5-flash") == (D("0.15"), D("0.30"))
    assert usd(TokenUsage(output_tokens=1_000_000), "gemini-2.5-flash") == (D("1.25"), D("2.50"))


def test_cached_tokens_are_billed_at_the_cached_rate_instead_of_input() -> None:
    usage = TokenUsage(input_tokens=1000, output_tokens=500, cached_tokens=200)
    # batch: 800 x 0.15 + 200 x 0.03 + 500 x 1.25 = 751 per million tokens
    # online: 800 x 0.30 + 200 x 0.03 + 500 x 2.50 = 1496
    assert usd(usage, "gemini-2.5-flash") == (D("0.000751"), D("0.001496"))
    # 3.1 Flash-Lite halves cache hits in batch: 1000 cached -> 0.0125 vs 0.025
    cached = TokenUsage(input_tokens=1_000_000, cached_tokens=1_000_000)
    assert usd(cached, "gemini-3.1-flash-lite-preview") == (D("0.0125"), D("0.025"))
    # ... 2.5 Flash does not ("same as standard")
    assert usd(cached, "gemini-2.5-flash") == (D("0.03"), D("0.03"))


def test_more_cached_than_prompt_tokens_bills_the_prompt_only() -> None:
    odd = TokenUsage(input_tokens=100, cached_tokens=500)
    assert usd(odd, "gemini-2.5-flash") == (D("0.000003"), D("0.000003"))


def test_thinking_is_output_and_is_not_billed_twice() -> None:
    usage = TokenUsage(input_tokens=0, output_tokens=300, thinking_tokens=200)
    assert usd(usage, "gemini-2.5-flash") == (D("0.000375"), D("0.00075"))


def test_long_prompt_tier_prices_every_token_of_the_request() -> None:
    at_limit = TokenUsage(input_tokens=200_000, output_tokens=1000)
    # 200,000 x 1.25 + 1,000 x 10 = 260,000 online; half in batch
    assert usd(at_limit, "gemini-2.5-pro") == (D("0.13"), D("0.26"))
    above = TokenUsage(input_tokens=200_001, output_tokens=1000)
    # 200,001 x 2.50 + 1,000 x 15 = 515,002.5 online; 200,001 x 1.25 + 1,000 x 7.5 batch
    assert usd(above, "gemini-2.5-pro") == (D("0.2575012500"), D("0.5150025"))
    # cached tokens count toward the prompt size, then bill at the long cached rate
    cached = TokenUsage(input_tokens=250_000, cached_tokens=100_000)
    # online 150,000 x 2.50 + 100,000 x 0.25 = 400,000; batch 150,000 x 1.25 + 100,000 x 0.25
    assert usd(cached, "gemini-3.1-pro-preview") == (D("0.34"), D("0.64"))
    assert usd(cached, "gemini-2.5-pro") == (D("0.2125"), D("0.4"))


def test_audio_tokens_use_the_audio_rate() -> None:
    audio = TokenUsage(input_tokens=1_000_000)
    assert usd(audio, "gemini-2.5-flash", audio_tokens=1_000_000) == (D("0.50"), D("1.00"))
    cached = TokenUsage(input_tokens=2_000_000, cached_tokens=1_000_000)
    # 1M cached audio at 0.10 (batch and online) + 1M text at 0.15 / 0.30
    assert usd(cached, "gemini-2.5-flash", cached_audio_tokens=1_000_000) == (
        D("0.25"),
        D("0.40"),
    )
    # models without an audio rate bill audio as text
    assert usd(audio, "gemini-3.5-flash", audio_tokens=1_000_000) == (D("0.75"), D("1.50"))
    with pytest.raises(ValueError, match="exceed"):
        cost_of(audio, "gemini-2.5-flash", audio_tokens=1_000_001, on=DAY)


def test_embedding_models_have_an_input_price_only() -> None:
    usage = TokenUsage(input_tokens=1_000_000)
    assert usd(usage, "gemini-embedding-001") == (D("0.075"), D("0.15"))
    assert usd(usage, "models/gemini-embedding-2") == (D("0.10"), D("0.20"))


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("  GEMINI-2.5-Flash ", "gemini-2.5-flash"),
        ("gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"),
        ("gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash"),
        ("gemini-2.5-flash-001", "gemini-2.5-flash"),
        ("publishers/google/models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-3-flash-preview", "gemini-3-flash-preview"),
        ("gemini-3-flash-preview-12-2025", "gemini-3-flash-preview"),
        ("gemini-3.1-flash-lite-latest", "gemini-3.1-flash-lite"),
        ("gemini-embedding-001", "gemini-embedding-001"),
        ("gemini-embedding-exp-03-07", None),
        ("gemini-flash-latest", None),
        ("gemini-2.5-flash-preview-tts", None),
        ("gemini-2.5-flash-image", None),
        ("gpt-5", None),
        ("tunedModels/my-model-abc", None),
    ],
)
def test_model_names_resolve_to_their_family_or_to_nothing(name: str, entry: str | None) -> None:
    assert DEFAULT_PRICES.resolve(name) == entry
    assert (name in DEFAULT_PRICES) is (entry is not None)
    assert (DEFAULT_PRICES.get(name, on=DAY) is None) is (entry is None)


def test_prices_default_to_today_in_utc() -> None:
    assert today_utc() == datetime.now(timezone.utc).date()
    assert DEFAULT_PRICES.get("gemini-2.5-flash") is DEFAULT_PRICES.get(
        "gemini-2.5-flash", on=today_utc()
    )


def test_unknown_models_have_no_price() -> None:
    usage = TokenUsage(input_tokens=10)
    assert cost_of(usage, "gemini-flash-latest", on=DAY) is None
    assert cost_metadata(usage, "my-model", on=DAY) is None
    assert estimate_batch_cost("my-model", [10], on=DAY) is None
    assert DEFAULT_PRICES.versions("my-model") == ()


def test_announced_price_change_applies_from_its_day() -> None:
    usage = TokenUsage(input_tokens=1_000_000, output_tokens=1_000_000)
    before = cost_of(usage, "gemini-3.8-flash", on=date(2026, 12, 31))
    after = cost_of(usage, "gemini-3.8-flash", on=date(2027, 1, 1))
    assert before is not None
    assert after is not None
    assert (before.batch_usd, before.online_usd) == (D("2.25"), D("4.50"))
    assert (after.batch_usd, after.online_usd) == (D("4.50"), D("9.00"))
    starts = [p.effective_from for p in DEFAULT_PRICES.versions("gemini-3.8-flash")]
    assert starts == [None, date(2027, 1, 1)]
    only_future = PriceTable({"m": {"input": 1, "output": 1, "effective_from": "2030-01-01"}})
    assert only_future.get("m", on=DAY) is None


def test_with_prices_adds_derives_batch_replaces_and_removes() -> None:
    prices = DEFAULT_PRICES.with_prices(
        {
            "models/My-Tuned-Flash": {"input": 0.3, "output": 2.5, "cached_input": 0.03},
            "gemini-2.5-flash": {
                "online": {"input": 1, "output": 2},
                "batch": {"input": 0.9, "output": 1.8},
            },
            "gemini-2.5-pro": None,
        }
    )
    tuned = prices.get("my-tuned-flash", on=DAY)
    assert tuned is not None
    assert (tuned.batch.input, tuned.batch.output, tuned.batch.cached_input) == (
        D("0.15"),
        D("1.25"),
        D("0.03"),
    )
    assert usd(TokenUsage(input_tokens=1_000_000), "gemini-2.5-flash", prices=prices) == (
        D("0.9"),
        D("1"),
    )
    assert prices.get("gemini-2.5-pro", on=DAY) is None
    assert len(prices) == len(DEFAULT_PRICES)  # one added, one removed
    # the default table is unchanged
    assert DEFAULT_PRICES.get("gemini-2.5-pro", on=DAY) is not None
    assert DEFAULT_PRICES.get("my-tuned-flash", on=DAY) is None
    assert prices.as_of == PRICES_AS_OF
    assert repr(prices) == "PriceTable(14 models, as of 2026-11-30)"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"input": -0.1}, "greater than or equal to 0"),
        ({"input": float("nan")}, "finite"),
        ({"input": float("inf")}, "finite"),
        ({"input": "0.3", "output": 1, "outptu": 1}, "Extra inputs"),
        ({"input": "0.3"}, "output\n  Field required"),
        ({"input": "cheap"}, "decimal"),
        ({"online": {"input": 1}, "batch": {"input": -1}}, "greater than or equal to 0"),
        (
            {
                "input": 1,
                "output": 1,
                "long_prompt": [{"above_tokens": 10, "input": 2, "output": 2}] * 2,
            },
            "distinct above_tokens",
        ),
        ([], "no price given"),
    ],
)
def test_invalid_prices_are_rejected(spec: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        DEFAULT_PRICES.with_prices({"bad-model": spec})  # type: ignore[dict-item]
    assert "bad-model" in str(caught.value)


def test_long_prompt_tiers_are_sorted_and_the_highest_passed_applies() -> None:
    price = ModelPrice.model_validate(
        {
            "input": 1,
            "output": 1,
            "long_prompt": [
                {"above_tokens": 1000, "input": 3, "output": 3},
                {"above_tokens": 100, "input": 2, "output": 2},
            ],
        }
    )
    assert [t.above_tokens for t in price.long_prompt] == [100, 1000]
    assert [price.rates(n, batch=False).input for n in (100, 101, 1000, 1001)] == [
        D(1),
        D(2),
        D(2),
        D(3),
    ]
    assert price.rates(1001, batch=True).input == D("1.5")


def test_price_files_json_and_toml(tmp_path: Path) -> None:
    json_file = tmp_path / "prices.json"
    json_file.write_text(
        json.dumps({"models/my-model": {"input": 0.1, "output": 0.7}, "gemini-2.5-pro": None})
    )
    data = load_price_file(json_file)
    assert data["models/my-model"]["input"] == D("0.1")  # exact, not a float
    prices = DEFAULT_PRICES.with_file(json_file)
    assert usd(TokenUsage(output_tokens=1_000_000), "my-model", prices=prices) == (
        D("0.35"),
        D("0.7"),
    )
    assert "gemini-2.5-pro" not in prices

    toml_file = tmp_path / "prices.toml"
    toml_file.write_text(
        '["my-model"]\ninput = 0.2\noutput = 1.0\nas_of = 2026-12-01\n'
        '[["my-model".long_prompt]]\nabove_tokens = 100\ninput = 0.4\noutput = 2.0\n'
    )
    price = DEFAULT_PRICES.with_file(toml_file).get("my-model", on=DAY)
    assert price is not None
    assert (price.online.input, price.as_of) == (D("0.2"), date(2026, 12, 1))
    assert price.rates(101, batch=True).input == D("0.2")

    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "broken.json").write_text("{")
    for bad in ("list.json", "broken.json", "missing.json"):
        with pytest.raises(ValueError, match=bad):
            load_price_file(tmp_path / bad)


def test_env_var_price_file_is_merged_into_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_prices() is DEFAULT_PRICES
    file = tmp_path / "prices.json"
    file.write_text(json.dumps({"my-model": {"input": 1, "output": 2}}))
    monkeypatch.setenv(ENV_VAR, str(file))
    usage = TokenUsage(input_tokens=1_000_000)
    assert usd(usage, "my-model") == (D("0.5"), D("1"))
    assert usd(usage, "gemini-2.5-flash") == (D("0.15"), D("0.30"))
    file.write_text(json.dumps({"my-model": {"input": 4, "output": 8}}))
    assert usd(usage, "my-model") == (D("0.5"), D("1"))  # read once per process
    assert default_prices(reload=True).get("my-model", on=DAY) is not None
    assert usd(usage, "my-model") == (D("2"), D("4"))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match=f"{ENV_VAR}=.*nope.json"):
        default_prices()


def test_costs_sum_to_the_job_total_exactly() -> None:
    one = cost_of(TokenUsage(input_tokens=1), "gemini-2.5-flash-lite", on=DAY)
    assert one is not None
    assert one.batch_usd == D("0.00000005")
    costs = [one] * 100_000
    total = sum(costs, Cost.zero())
    assert total == sum(costs)
    assert total == Cost.total([*costs, None])
    assert (total.batch_usd, total.online_usd, total.saved_usd) == (
        D("0.005"),
        D("0.01"),
        D("0.005"),
    )
    assert (total.requests, total.input_tokens) == (100_000, 100_000)
    assert total.priced_as == "gemini-2.5-flash-lite"
    assert total.prices_as_of == date(2026, 3, 30)

    other = cost_of(TokenUsage(input_tokens=1), "gemini-3.5-flash", on=DAY)
    assert other is not None
    mixed = one + other
    assert (mixed.priced_as, mixed.prices_as_of, mixed.requests) == (None, None, 2)
    assert mixed.batch_usd == D("0.00000005") + D("0.00000075")
    empty = Cost.total([])
    assert (empty.requests, empty.batch_usd, empty.online_usd) == (0, D(0), D(0))
    assert Cost.total([None]) == empty


def test_metadata_dict_shape_and_round_trip() -> None:
    usage = TokenUsage(input_tokens=1000, output_tokens=500, thinking_tokens=100, cached_tokens=200)
    cost = cost_of(usage, "models/gemini-2.5-flash", on=DAY)
    assert cost is not None
    meta = cost.as_metadata()
    assert meta == {
        "batch_usd": 0.000751,
        "online_usd": 0.001496,
        "saved_usd": 0.000745,
        "currency": "USD",
        "priced_as": "gemini-2.5-flash",
        "prices_as_of": "2026-03-30",
    }
    assert json.loads(json.dumps(meta)) == meta
    assert cost_metadata(usage, "gemini-2.5-flash", on=DAY) == meta
    full = cost.as_dict()
    assert {k: full[k] for k in ("requests", "input_tokens", "cached_tokens")} == {
        "requests": 1,
        "input_tokens": 1000,
        "cached_tokens": 200,
    }
    assert (full["output_tokens"], full["thinking_tokens"]) == (500, 100)
    assert Cost.from_metadata(full) == cost
    rebuilt = Cost.from_metadata(meta)
    assert (rebuilt.batch_usd, rebuilt.online_usd) == (cost.batch_usd, cost.online_usd)
