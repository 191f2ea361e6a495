"""The built-in price table (Gemini Developer API, USD per million tokens) and `default_prices`.

Figures come from Google's pricing page <https://ai.google.dev/gemini-api/docs/pricing>: its
full copy of 2026-03-30 for the 2.5 and 3.x preview models, and later transcriptions of the
same page (read 2026-10-07) plus LiteLLM 1.110.2's price map for the 3.5-3.8 models. Each
entry's `notes` says what was not read on Google's page itself. Vertex AI prices differ for
some models: override them if you run on Vertex.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from typing import Any

from langchain_gemini_batch.pricing._table import PriceTable

__all__ = ["DEFAULT_PRICES", "ENV_VAR", "PRICES_AS_OF", "default_prices"]

PRICES_AS_OF = date(2026, 11, 30)
"""The day the built-in table was compiled and checked against its sources."""

ENV_VAR = "GEMINI_BATCH_PRICES"
"""Environment variable naming a JSON (or `.toml`) price file merged over `DEFAULT_PRICES`."""

_PAGE = "https://ai.google.dev/gemini-api/docs/pricing"
_PAGE_COPY = date(2026, 3, 30)
_LATER = date(2026, 10, 7)
_OFFICIAL = "Google's pricing page, full copy of 2026-03-30."
_THIRD_PARTY = (
    "Standard input/output from third-party transcriptions of Google's pricing page "
    "(read 2026-10-07); cached and batch rates from LiteLLM 1.110.2's price map; "
    "not read on Google's page itself."
)


def _official(**fields: Any) -> dict[str, Any]:
    return {"source": _PAGE, "as_of": _PAGE_COPY, "notes": _OFFICIAL, **fields}


def _later(**fields: Any) -> dict[str, Any]:
    return {"source": _PAGE, "as_of": _LATER, "notes": _THIRD_PARTY, **fields}


def _flash_3x(notes: str) -> list[dict[str, Any]]:
    """Gemini 3.6/3.7/3.8 Flash: half price through 2026-12-31, list price from 2027-01-01."""
    promo = {"input": "0.75", "output": "3.75", "cached_input": "0.075"}
    promo_batch = {"input": "0.375", "output": "1.875", "cached_input": "0.0375"}
    full = {"input": "1.50", "output": "7.50", "cached_input": "0.15"}
    full_batch = {"input": "0.75", "output": "3.75", "cached_input": "0.075"}
    return [
        _later(**promo, batch=promo_batch, notes=f"{_THIRD_PARTY} {notes}"),
        _later(
            **full,
            batch=full_batch,
            effective_from=date(2027, 1, 1),
            notes=(
                "Announced list price from 2027-01-01 (third-party transcriptions); batch at "
                "50% and cached at 10% of input are inferred from the promotional rates. " + notes
            ),
        ),
    ]


_PRO_STORAGE = "4.50"
_FLASH_STORAGE = "1.00"

_TABLE: dict[str, Any] = {
    "gemini-2.5-pro": _official(
        input="1.25",
        output="10.00",
        cached_input="0.125",
        batch={"input": "0.625", "output": "5.00", "cached_input": "0.125"},
        long_prompt=[
            {
                "above_tokens": 200_000,
                "online": {"input": "2.50", "output": "15.00", "cached_input": "0.25"},
                "batch": {"input": "1.25", "output": "7.50", "cached_input": "0.25"},
            }
        ],
        cache_storage_per_hour=_PRO_STORAGE,
    ),
    "gemini-2.5-flash": _official(
        input="0.30",
        audio_input="1.00",
        output="2.50",
        cached_input="0.03",
        cached_audio_input="0.10",
        batch={
            "input": "0.15",
            "audio_input": "0.50",
            "output": "1.25",
            "cached_input": "0.03",
            "cached_audio_input": "0.10",
        },
        cache_storage_per_hour=_FLASH_STORAGE,
    ),
    "gemini-2.5-flash-lite": _official(
        input="0.10",
        audio_input="0.30",
        output="0.40",
        cached_input="0.01",
        cached_audio_input="0.03",
        batch={
            "input": "0.05",
            "audio_input": "0.15",
            "output": "0.20",
            "cached_input": "0.01",
            "cached_audio_input": "0.03",
        },
        cache_storage_per_hour=_FLASH_STORAGE,
    ),
    "gemini-3.1-pro-preview": _official(
        input="2.00",
        output="12.00",
        cached_input="0.20",
        batch={"input": "1.00", "output": "6.00", "cached_input": "0.20"},
        long_prompt=[
            {
                "above_tokens": 200_000,
                "online": {"input": "4.00", "output": "18.00", "cached_input": "0.40"},
                "batch": {"input": "2.00", "output": "9.00", "cached_input": "0.40"},
            }
        ],
        cache_storage_per_hour=_PRO_STORAGE,
    ),
    "gemini-3-flash-preview": _official(
        input="0.50",
        audio_input="1.00",
        output="3.00",
        cached_input="0.05",
        cached_audio_input="0.10",
        batch={
            "input": "0.25",
            "audio_input": "0.50",
            "output": "1.50",
            "cached_input": "0.05",
            "cached_audio_input": "0.10",
        },
        cache_storage_per_hour=_FLASH_STORAGE,
        notes=_OFFICIAL + ' Batch cached: "Same as Standard, Batch pricing not yet implemented".',
    ),
    "gemini-3.1-flash-lite-preview": _official(
        input="0.25",
        audio_input="0.50",
        output="1.50",
        cached_input="0.025",
        cached_audio_input="0.05",
        batch={
            "input": "0.125",
            "audio_input": "0.25",
            "output": "0.75",
            "cached_input": "0.0125",
            "cached_audio_input": "0.025",
        },
        cache_storage_per_hour=_FLASH_STORAGE,
    ),
    "gemini-3.1-flash-lite": _later(
        input="0.25",
        audio_input="0.50",
        output="1.50",
        cached_input="0.025",
        cached_audio_input="0.05",
        batch={
            "input": "0.125",
            "audio_input": "0.25",
            "output": "0.75",
            "cached_input": "0.0125",
            "cached_audio_input": "0.025",
        },
        cache_storage_per_hour=_FLASH_STORAGE,
        notes="The GA name of gemini-3.1-flash-lite-preview, same rates (LiteLLM 1.110.2).",
    ),
    "gemini-3.5-flash": _later(
        input="1.50",
        output="9.00",
        cached_input="0.15",
        batch={"input": "0.75", "output": "4.50", "cached_input": "0.075"},
    ),
    "gemini-3.5-flash-lite": _later(
        input="0.30",
        output="2.50",
        cached_input="0.03",
        batch={"input": "0.15", "output": "1.25", "cached_input": "0.015"},
    ),
    "gemini-3.6-flash": _flash_3x("Price change quoted for 3.6 by one transcription."),
    "gemini-3.7-flash": _flash_3x("Page 'last updated 2026-08-13' as quoted by a third party."),
    "gemini-3.8-flash": _flash_3x("Cached 0.075 then 0.15: Google's migration note (3p copy)."),
    "gemini-embedding-001": _official(
        input="0.15",
        output="0",
        batch={"input": "0.075", "output": "0"},
        notes=_OFFICIAL + " Batch price also in Google's blog of 2025-09-08.",
    ),
    "gemini-embedding-2": _later(
        input="0.20",
        audio_input="6.50",
        output="0",
        batch={"input": "0.10", "audio_input": "3.25", "output": "0"},
        notes=(
            "Text input 0.20 (image 0.45, video 12.00: not modelled) from transcriptions read "
            "2026-10-07; batch at 50% from LiteLLM 1.110.2 (the 2026-03-30 page said batch "
            "'Not available' for the preview)."
        ),
    ),
}

DEFAULT_PRICES = PriceTable(_TABLE, as_of=PRICES_AS_OF)
"""The built-in table: current Gemini models on the Gemini Developer API (paid tier)."""

_loaded: dict[str, PriceTable] = {}
_lock = threading.Lock()


def default_prices(*, reload: bool = False) -> PriceTable:
    """`DEFAULT_PRICES`, merged with the price file named by `GEMINI_BATCH_PRICES` if set.

    The file is read once per process and path (pass `reload=True` to read it again). Call
    this once at start-up so a bad file is reported before any job is sent.

    Args:
        reload: Read the file again even if it was read before.

    Raises:
        ValueError: The file cannot be read or holds an invalid price.
    """
    path = os.environ.get(ENV_VAR, "").strip()
    if not path:
        return DEFAULT_PRICES
    with _lock:
        if reload or path not in _loaded:
            try:
                _loaded[path] = DEFAULT_PRICES.with_file(path)
            except ValueError as exc:
                raise ValueError(f"{ENV_VAR}={path}: {exc}") from exc
        return _loaded[path]
