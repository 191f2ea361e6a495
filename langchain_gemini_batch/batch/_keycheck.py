"""Checking the keys of a job's results against what was submitted, in bounded memory.

Every result carries its request's key, and results are joined on it, never on position. The
check must catch a result without a key, a key nobody submitted, a repeated key and a submitted
ID without a result, for a million results as for ten, without holding a set of them:

- the happy path keeps a `KeyDigest` (count and sum of 64-bit hashes) of the keys that came
  back, and a compressed log of them on disk (`IdLog`); at the end, the digest is compared with
  the digest of the submitted IDs (from the journal, or `custom_request_ids`);
- when it disagrees, a slow pass reads the submitted IDs back and the logged keys once, and
  names every missing, unknown and repeated key (`ResultMismatchError`);
- when the submitted IDs are unknown (a job created elsewhere), the job's request count is
  checked, and repeated keys are found through `HashBuckets` (hashes bucketed on disk).

A key is accepted as it arrives, so a stream yields a result before the check can say its key
was unknown or repeated: the error then names it, and `retrieve`/`write_results` drop it from
what they return (keeping the first result of a repeated key).
"""

from __future__ import annotations

from langchain_gemini_batch.batch._keys import IdLog, KeyDigest, RequestIds, key_hash, key_hashes
from langchain_gemini_batch.batch._repeats import HashBuckets, repeated_keys
from langchain_gemini_batch.errors import ResultMismatchError

__all__ = ["KeyCheck"]


class KeyCheck:
    """Tracks the keys of one job's results (or a whole batch's) against what was submitted.

    Args:
        batch_job: The job's name (or batch ID), for errors.
        expected: The submitted IDs, when known.
        expected_count: `batchStats.requestCount`, checked when `expected` is unknown.
        expected_digest: The IDs' `KeyDigest` when known without reading them (the journal's).
    """

    def __init__(
        self,
        batch_job: str,
        expected: RequestIds | None,
        expected_count: int | None,
        expected_digest: KeyDigest | None = None,
    ) -> None:
        self.batch_job = batch_job
        self.expected = expected
        if expected_digest is None and expected is not None:
            expected_digest = expected.digest
        self.expected_digest = expected_digest
        self.expected_count = expected_count
        self.seen = IdLog()
        self.hashes = HashBuckets() if expected_digest is None else None
        self.unkeyed = 0

    def accept(self, key: str | None) -> bool:
        """Record a result's key; whether the result can be given to it (it has a key).

        A key that proves unknown or repeated is named by `finish`.
        """
        if not isinstance(key, str):
            self.unkeyed += 1
            return False
        hashed = key_hash(key)
        self.seen.append(key, hashed)
        if self.hashes is not None:
            self.hashes.add(hashed)
        return True

    def accept_all(self, keys: list[str | None]) -> list[bool]:
        """`accept` for each key of a block, in order."""
        accepted = [isinstance(key, str) for key in keys]
        good: list[str] = [key for key in keys if isinstance(key, str)]
        self.unkeyed += len(keys) - len(good)
        hashes = key_hashes(good)
        self.seen.extend(good, hashes)
        if self.hashes is not None:
            add = self.hashes.add
            for hashed in hashes:
                add(hashed)
        return accepted

    def finish(self) -> None:
        """Raise `ResultMismatchError` if anything did not match; frees the key log."""
        try:
            if self.expected_digest is not None:
                self._finish_against_expected(self.expected_digest)
            else:
                self._finish_by_count()
        finally:
            self.close()

    def close(self) -> None:
        """Delete the key log and hash buckets (safe to call twice)."""
        self.seen.close()
        if self.hashes is not None:
            self.hashes.close()

    def _finish_against_expected(self, expected_digest: KeyDigest) -> None:
        if self.seen.digest == expected_digest and not self.unkeyed:
            return  # every key once, none missing, none unknown (but with ~2^-64 odds)
        expected = set(self.expected or ())  # the slow pass: only when something is wrong
        accepted: set[str] = set()
        unexpected: list[str] = []
        repeated: list[str] = []
        for key in self.seen:
            if key in accepted:
                unexpected.append(key)
                repeated.append(key)
            elif key in expected:
                accepted.add(key)
            else:
                unexpected.append(key)
        raise ResultMismatchError(
            self.batch_job,
            missing=expected - accepted,
            unexpected=unexpected,
            repeated=repeated,
            unkeyed=self.unkeyed,
        )

    def _finish_by_count(self) -> None:
        assert self.hashes is not None
        counts = repeated_keys(self.seen, self.hashes.repeated())
        repeated = [key for key, n in counts.items() for _ in range(n - 1)]
        distinct = self.seen.count - len(repeated)
        count_short = self.expected_count is not None and distinct != self.expected_count
        if not (repeated or self.unkeyed or count_short):
            return
        error = ResultMismatchError(
            self.batch_job, unexpected=repeated, repeated=repeated, unkeyed=self.unkeyed
        )
        if count_short and not (repeated or self.unkeyed):
            error.args = (
                f"results of batch job {self.batch_job} hold {distinct} keyed "
                f"results for {self.expected_count} requests",
            )
        raise error
