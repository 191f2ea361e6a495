"""Request IDs in bounded memory: digests, compressed ID logs, repeats, and the key check."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from langchain_gemini_batch import BatchLimits, InvalidRequestError, ResultMismatchError
from langchain_gemini_batch.batch._keycheck import KeyCheck
from langchain_gemini_batch.batch._keys import IdLog, KeyDigest, RequestIds, StoredIds, key_hash
from langchain_gemini_batch.batch._plan import plan_jobs
from langchain_gemini_batch.batch._repeats import HashBuckets
from langchain_gemini_batch.batch.codecs import RawCodec

ODD_IDS = ["plain", "with space", 'quote"d', "new\nline", "tab\t", "é", "😀", "a,b", "[x]", ""]


def request(text: str = "hi") -> dict[str, object]:
    return {"contents": [{"parts": [{"text": text}], "role": "user"}]}


def test_the_digest_ignores_order_and_sees_missing_unknown_and_repeated_keys() -> None:
    keys = [f"k{i}" for i in range(1000)]
    digest = KeyDigest.of(keys)
    shuffled = keys[:]
    random.Random(1).shuffle(shuffled)
    assert KeyDigest.of(shuffled) == digest
    assert KeyDigest.parse(str(digest)) == digest
    assert KeyDigest.of(keys[:-1]) != digest  # one missing
    assert KeyDigest.of([*keys[:-1], "k-unknown"]) != digest  # one swapped for an unknown key
    assert KeyDigest.of([*keys[:-1], "k0"]) != digest  # one missing, another repeated
    assert KeyDigest.of([*keys, "k0"]) != digest  # one repeated
    assert key_hash("k1") == key_hash("k1") != key_hash("k2")


def test_an_id_log_spills_to_disk_and_reads_back_every_id_in_order() -> None:
    ids = [f"{ODD_IDS[i % len(ODD_IDS)]}-{i}" for i in range(20_000)]
    log = IdLog(spill_bytes=10_000)
    for key in ids:
        log.append(key)
    assert log.spilled
    assert len(log) == 20_000
    assert list(log) == ids
    assert log == ids
    assert log.digest == KeyDigest.of(ids)
    assert log._spool is not None
    folder = log._spool.folder
    assert folder.exists()
    log.close()
    assert not folder.exists()
    small = RequestIds.of(["a", "b"])
    assert not small.spilled
    assert small == ("a", "b")
    assert "b" in small


def test_hash_buckets_find_repeats_in_memory_and_on_disk() -> None:
    values = [key_hash(f"k{i}") for i in range(5_000)]
    for spill in (1_000_000, 300):
        with HashBuckets(spill_hashes=spill) as buckets:
            for value in values:
                buckets.add(value)
            assert buckets.repeated() == set()
            buckets.add(values[17])
            buckets.add(values[4_321])
            buckets.add(values[17])
            assert buckets.repeated() == {values[17], values[4_321]}


class CountingIds(StoredIds):
    """Stored IDs that count how often they are read back (the slow pass)."""

    def __init__(self, ids: list[str]) -> None:
        self.reads = 0
        packed = RequestIds.of(ids)

        def load() -> Iterator[bytes]:
            self.reads += 1
            return packed.blocks()

        super().__init__(len(ids), load, KeyDigest.of(ids))


def check_of(expected: list[str] | None, count: int | None = None) -> tuple[KeyCheck, CountingIds]:
    ids = CountingIds(expected or [])
    check = KeyCheck("batches/j", ids if expected is not None else None, count)
    return check, ids


def test_the_happy_path_never_reads_the_submitted_ids_back() -> None:
    expected = [f"k{i}" for i in range(10_000)]
    check, ids = check_of(expected)
    returned: list[str | None] = list(reversed(expected))
    for start in range(0, len(returned), 2048):
        assert all(check.accept_all(returned[start : start + 2048]))
    check.finish()
    assert ids.reads == 0


@pytest.mark.parametrize(
    ("returned", "missing", "unexpected", "repeated"),
    [
        (["a", "b"], ["c"], [], []),
        (["a", "b", "c", "zzz"], [], ["zzz"], []),
        (["a", "b", "a", "c"], [], ["a"], ["a"]),
        (["b", "a", "b", "zzz"], ["c"], ["b", "zzz"], ["b"]),
    ],
    ids=["a missing key", "an unknown key", "a duplicate key", "all three"],
)
def test_a_mismatch_is_named_on_the_slow_pass(
    returned: list[str], missing: list[str], unexpected: list[str], repeated: list[str]
) -> None:
    check, ids = check_of(["a", "b", "c"])
    for key in returned:
        assert check.accept(key)
    with pytest.raises(ResultMismatchError) as caught:
        check.finish()
    error = caught.value
    assert (error.missing, error.unexpected, error.repeated) == (missing, unexpected, repeated)
    assert ids.reads == 1  # the submitted IDs were read back once, to name the keys


def test_without_the_submitted_ids_repeats_and_short_counts_are_still_caught() -> None:
    check, _ = check_of(None, count=3)
    assert check.accept_all(["x", None, "y", "x"]) == [True, False, True, True]
    with pytest.raises(ResultMismatchError, match="1 results carry no request key") as caught:
        check.finish()
    assert caught.value.repeated == ["x"]
    check, _ = check_of(None, count=3)
    for key in ("x", "y", "x"):
        check.accept(key)
    with pytest.raises(ResultMismatchError, match="duplicate keys") as caught:
        check.finish()
    assert caught.value.unexpected == ["x"]
    check, _ = check_of(None, count=3)
    for key in ("x", "y"):
        check.accept(key)
    with pytest.raises(ResultMismatchError, match="2 keyed results for 3 requests"):
        check.finish()
    check, _ = check_of(None, count=2)
    for key in ("y", "x"):
        check.accept(key)
    check.finish()


def test_a_repeated_request_id_is_refused_with_its_place_in_the_input() -> None:
    pairs = [(f"r{i}", request()) for i in range(7)] + [("r3", request())]
    limits = BatchLimits(max_requests_per_job=2)
    with pytest.raises(InvalidRequestError, match="request 'r3': duplicate") as caught:
        plan_jobs(pairs, RawCodec(), limits)
    assert caught.value.position == 7
    # a request set aside as invalid keeps its place
    pairs = [("a", request()), ("bad", {"contents": []}), ("b", request()), ("bad", request())]
    invalid: dict[str, InvalidRequestError] = {}
    with pytest.raises(InvalidRequestError, match="request 'bad': duplicate") as caught:
        plan_jobs(pairs, RawCodec(), limits, invalid=invalid)
    assert caught.value.position == 3


def test_a_plan_keeps_its_ids_in_a_log_per_job() -> None:
    pairs = [(f"{ODD_IDS[i % 9]}{i}", request(str(i))) for i in range(39)]
    chunks = plan_jobs(pairs, RawCodec(), BatchLimits(max_requests_per_job=8))
    try:
        assert [chunk.count for chunk in chunks] == [8, 8, 8, 8, 7]
        assert [key for chunk in chunks for key in chunk.ids] == [key for key, _ in pairs]
        assert chunks[0].ids.digest == KeyDigest.of(key for key, _ in pairs[:8])
    finally:
        for chunk in chunks:
            chunk.close()
