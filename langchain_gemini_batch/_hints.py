"""Hints ("did you mean ...?") that only name a setting meaning the same thing.

A hint is given for a misspelling (at most one or two edits, transpositions included, in a
name of four or more characters), for a camelCase spelling of a known snake_case name, or for a
known synonym listed by the caller. Names that merely look alike (`request_timeout` and
`batch_timeout`, `api_version` and `output_version`) get no hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["closest_name", "hint"]


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def closest_name(
    name: str, known: Iterable[str], synonyms: Mapping[str, str] | None = None
) -> str | None:
    """The known name `name` was probably meant to be, or `None` when none means the same.

    Args:
        name: The unknown name.
        known: The valid names.
        synonyms: Other libraries' names for the same settings (`{"max_new_tokens":
            "max_output_tokens"}`).
    """
    names = set(known)
    if synonyms and name in synonyms and synonyms[name] in names:
        return synonyms[name]
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    if snake != name and snake in names:
        return snake
    if len(name) < 4 or not names:
        return None
    allowed = 1 if len(name) < 8 else 2
    best = min(sorted(names), key=lambda known_name: _distance(name, known_name))
    return best if _distance(name, best) <= allowed else None


def hint(name: str, known: Iterable[str], synonyms: Mapping[str, str] | None = None) -> str:
    """`"; did you mean 'x'?"`, or `""` when no name means the same."""
    close = closest_name(name, known, synonyms)
    return f"; did you mean {close!r}?" if close else ""
