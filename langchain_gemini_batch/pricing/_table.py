"""`PriceTable`: model name -> `ModelPrice`, with name normalisation, dated versions, overrides."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

from pydantic import ValidationError

from langchain_gemini_batch.pricing._model import ModelPrice

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None

__all__ = ["PriceSpec", "PriceTable", "load_price_file", "today_utc"]

PriceSpec: TypeAlias = ModelPrice | Mapping[str, Any] | Sequence[ModelPrice | Mapping[str, Any]]
"""One model's price: a `ModelPrice`, a dict in its format, or a list of dated versions."""

_DATE_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{2}-\d{4}|\d{2}-\d{2}|\d{4}|\d{3})$")
_PRERELEASE = ("-preview", "-exp", "-experimental")
_MAX_RESOLVED = 1024


_EPOCH = date(1970, 1, 1).toordinal()
_today: list[tuple[int, date]] = [(0, date(1970, 1, 1))]


def today_utc() -> date:
    """Today's date in UTC: the day whose prices apply when no date is given."""
    days = int(time.time() // 86_400)
    known_days, known = _today[0]
    if days != known_days:
        known = date.fromordinal(_EPOCH + days)
        _today[0] = (days, known)
    return known


def _key(model: str) -> str:
    """`models/gemini-2.5-flash`, `publishers/google/models/X`, ` X ` -> `x`."""
    return model.strip().rsplit("/", 1)[-1].lower()


def _candidates(model: str) -> Iterator[str]:
    """Names to try, most specific first (see `PriceTable.resolve`)."""
    name = _key(model)
    yield name
    stem = name.removesuffix("-latest")
    if stem != name:
        yield stem
    undated = _DATE_SUFFIX.sub("", stem)
    if undated != stem:
        yield undated
        for tag in _PRERELEASE:
            if undated.endswith(tag):
                yield undated[: -len(tag)]


def _versions(model: str, spec: PriceSpec) -> tuple[ModelPrice, ...]:
    items = spec if isinstance(spec, Sequence) and not isinstance(spec, str) else [spec]
    try:
        versions = [ModelPrice.model_validate(item) for item in items]
    except ValidationError as exc:
        raise ValueError(f"invalid price for model {model!r}: {exc}") from exc
    if not versions:
        raise ValueError(f"no price given for model {model!r}")
    starts = [version.effective_from or date.min for version in versions]
    if len(set(starts)) != len(starts):
        raise ValueError(f"model {model!r} has two prices with the same effective_from")
    return tuple(sorted(versions, key=lambda version: version.effective_from or date.min))


class PriceTable:
    """Prices by model name, looked up the way the Gemini API names models.

    Lookup (`resolve`) lower-cases the name, drops any path (`models/`,
    `publishers/google/models/`), then tries in order: the name itself; without `-latest`;
    without a date or version suffix (`-05-20`, `-09-2025`, `-001`); and for such dated
    names, without `-preview`/`-exp`. So `models/gemini-2.5-flash-preview-05-20` is priced as
    `gemini-2.5-flash` (the family's current price, which may differ from what the preview
    cost). Anything else, including aliases like `gemini-flash-latest`, is unknown: `get`
    returns `None`. Add a model with `with_prices`, a price file, or `GEMINI_BATCH_PRICES`.

    A model may have several dated versions (`ModelPrice.effective_from`) for announced price
    changes; `get(model, on=day)` picks the one in force that day (today, UTC, by default).

    Tables are immutable: `with_prices` and `with_file` return new ones.

    Example:
        ```python
        prices = DEFAULT_PRICES.with_prices({"my-tuned-flash": {"input": 0.3, "output": 2.5}})
        prices.get("models/my-tuned-flash").batch.input  # Decimal("0.15")
        ```
    """

    __slots__ = ("_as_of", "_prices", "_resolved")

    def __init__(self, prices: Mapping[str, PriceSpec], *, as_of: date | None = None) -> None:
        """Build a table.

        Args:
            prices: Model name -> price (a `ModelPrice`, a dict, or a list of dated versions).
            as_of: The day the table's figures were checked.

        Raises:
            ValueError: A price is invalid (negative, NaN, unknown key, ...).
        """
        table: dict[str, tuple[ModelPrice, ...]] = {}
        for model, spec in prices.items():
            key = _key(model)
            if not key:
                raise ValueError(f"invalid model name {model!r}")
            table[key] = _versions(model, spec)
        self._prices = table
        self._as_of = as_of
        self._resolved: dict[str, str | None] = {}

    @property
    def as_of(self) -> date | None:
        """The day the table's figures were checked."""
        return self._as_of

    @property
    def models(self) -> tuple[str, ...]:
        """The model names the table prices, sorted."""
        return tuple(sorted(self._prices))

    def resolve(self, model: str) -> str | None:
        """The table entry that prices `model` (see the class doc), or `None`."""
        if model in self._resolved:
            return self._resolved[model]
        found = next((name for name in _candidates(model) if name in self._prices), None)
        if len(self._resolved) >= _MAX_RESOLVED:
            self._resolved.clear()
        self._resolved[model] = found
        return found

    def versions(self, model: str) -> tuple[ModelPrice, ...]:
        """Every dated price of `model`, oldest first (empty when unknown)."""
        name = self.resolve(model)
        return () if name is None else self._prices[name]

    def get(self, model: str, *, on: date | None = None) -> ModelPrice | None:
        """The price of `model` in force on `on` (default: today, UTC), or `None`.

        Args:
            model: A model name as the API or the user writes it.
            on: The day to price (e.g. the day a batch job ran).
        """
        day = on or today_utc()
        chosen = None
        for version in self.versions(model):
            if version.effective_from is None or version.effective_from <= day:
                chosen = version
        return chosen

    def with_prices(
        self, prices: Mapping[str, PriceSpec | None], *, as_of: date | None = None
    ) -> PriceTable:
        """A new table with `prices` added or replacing entries; `None` removes a model.

        Args:
            prices: Model name -> price (all dated versions of that model are replaced).
            as_of: The new table's date (default: this table's).

        Raises:
            ValueError: A price is invalid.
        """
        merged: dict[str, PriceSpec] = dict(self._prices)
        for model, spec in prices.items():
            if spec is None:
                merged.pop(_key(model), None)
            else:
                merged[_key(model)] = spec
        return PriceTable(merged, as_of=as_of or self._as_of)

    def with_file(self, path: str | os.PathLike[str]) -> PriceTable:
        """A new table merged with a JSON or TOML price file (see `load_price_file`)."""
        return self.with_prices(load_price_file(path))

    def __contains__(self, model: object) -> bool:
        return isinstance(model, str) and self.resolve(model) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self._prices)

    def __repr__(self) -> str:
        day = self._as_of.isoformat() if self._as_of else "undated"
        return f"PriceTable({len(self)} models, as of {day})"


def load_price_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a price file: model name -> price, in `ModelPrice`'s dict format.

    JSON (any suffix but `.toml`; `null` removes a model) or TOML (`.toml`, Python 3.11+ or
    with `tomli` installed). JSON numbers are read as exact decimals.

    Example file (JSON):
        ```json
        {"my-tuned-flash": {"input": 0.30, "output": 2.50, "cached_input": 0.03},
         "gemini-2.5-pro": {"input": 1.25, "output": 10.0,
                            "batch": {"input": 0.625, "output": 5.0},
                            "long_prompt": [{"above_tokens": 200000, "input": 2.5, "output": 15}]}}
        ```

    Args:
        path: The file.

    Raises:
        ValueError: The file cannot be read or parsed, or is not a JSON/TOML object.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
        if file.suffix.lower() == ".toml":
            data: Any = _toml_loads(text)
        else:
            data = json.loads(text, parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read price file {file}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"price file {file} must hold an object: model name -> price")
    return data


def _toml_loads(text: str) -> dict[str, Any]:
    if tomllib is None:  # pragma: no cover - Python 3.10 without tomli
        raise ValueError("TOML price files need Python 3.11+ or `tomli`")
    return tomllib.loads(text)
