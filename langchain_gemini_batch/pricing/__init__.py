"""Prices of Gemini models, online and through the Batch API, and the cost of answers and jobs.

A dated table (`DEFAULT_PRICES`, checked on `PRICES_AS_OF`) gives USD per million tokens for
input, output and cached input, online and in batch, with long-prompt tiers and audio rates
where Google has them. `cost_of` prices one answer's token usage at batch price and at online
price; `Cost`s add up (`sum(costs, Cost.zero())`) to a job's total; `estimate_batch_cost`
prices a batch before it is sent. Money is `Decimal` (exact sums); `Cost.as_metadata()` is the
JSON-friendly dict stored as `response_metadata["cost"]` / `LMOutput.metadata["cost"]`:

```python
{"batch_usd": 0.00027, "online_usd": 0.00054, "saved_usd": 0.00027, "currency": "USD",
 "priced_as": "gemini-2.5-flash", "prices_as_of": "2026-03-30"}
```

Billing rules: the prompt count includes cached tokens, which are billed at the cached rate
instead of the input rate; thinking tokens are output; the prompt size picks the tier. Unknown
models get `None`, never a guess.

Your own prices (a tuned model, a negotiated rate, Vertex AI, a newer table):

```python
prices = DEFAULT_PRICES.with_prices({
    "my-tuned-flash": {"input": 0.30, "output": 2.50, "cached_input": 0.03},  # batch: half
    "gemini-2.5-pro": None,  # remove
})
cost_of(usage, "my-tuned-flash", prices=prices)
```

or point `GEMINI_BATCH_PRICES` at a JSON (or `.toml`) file of the same shape: `default_prices()`
(the default of every `prices=` argument) merges it over `DEFAULT_PRICES`.
"""

from langchain_gemini_batch.pricing._cost import Cost, cost_metadata, cost_of, usage_counts
from langchain_gemini_batch.pricing._defaults import (
    DEFAULT_PRICES,
    ENV_VAR,
    PRICES_AS_OF,
    default_prices,
)
from langchain_gemini_batch.pricing._estimate import (
    DEFAULT_OUTPUT_TOKENS,
    CostEstimate,
    approximate_tokens,
    estimate_batch_cost,
)
from langchain_gemini_batch.pricing._model import ModelPrice, PriceTier, Rates
from langchain_gemini_batch.pricing._table import PriceTable, load_price_file

__all__ = [
    "DEFAULT_OUTPUT_TOKENS",
    "DEFAULT_PRICES",
    "ENV_VAR",
    "PRICES_AS_OF",
    "Cost",
    "CostEstimate",
    "ModelPrice",
    "PriceTable",
    "PriceTier",
    "Rates",
    "approximate_tokens",
    "cost_metadata",
    "cost_of",
    "default_prices",
    "estimate_batch_cost",
    "load_price_file",
    "usage_counts",
]
