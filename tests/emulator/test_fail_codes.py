"""Per-request failure codes: `fail_code` globally, or one google.rpc.Code per key."""

from __future__ import annotations

import io
import json

import pytest

from langchain_gemini_batch.testing.emulator import EmulatorOptions, EmulatorServer
from langchain_gemini_batch.testing.emulator.__main__ import build_parser
from tests.emulator.support import MODEL, inline_requests, jsonl, make_client, results_by_key

pytestmark = pytest.mark.emulator

EXHAUSTED = "Resource has been exhausted (e.g. check quota)."


def test_each_key_gets_its_own_code_others_the_default() -> None:
    fail_keys = {"r0": 8, "r1": "INVALID_ARGUMENT", "r2": None}
    with (
        EmulatorServer(job_seconds=0, fail_keys=fail_keys) as server,
        make_client(server) as client,
    ):
        job = client.batches.create(model=MODEL, src=inline_requests(4))
        assert job.name is not None
        results = results_by_key(client.batches.get(name=job.name))
    errors = {key: item.error for key, item in results.items()}
    assert errors["r3"] is None
    assert results["r3"].response is not None
    assert [
        (e.code, e.message, e.details) for e in (errors["r0"], errors["r1"], errors["r2"]) if e
    ] == [
        (8, EXHAUSTED, None),
        (3, "Request contains an invalid argument.", None),
        (13, "Internal error encountered.", None),
    ]
    assert server.options.fail_keys == {"r0": 8, "r1": 3, "r2": None}


def test_fail_code_applies_to_key_sets_fraction_and_file_lines() -> None:
    lines = [{"key": k, "request": {"contents": [{"parts": [{"text": k}]}]}} for k in "ab"]
    with (
        EmulatorServer(job_seconds=0, fail_keys={"b"}, fail_code=14) as server,
        make_client(server) as client,
    ):
        uploaded = client.files.upload(file=io.BytesIO(jsonl(lines)), config={"mime_type": "jsonl"})
        assert uploaded.name is not None
        job = client.batches.create(model=MODEL, src=uploaded.name)
        assert job.name is not None
        finished = client.batches.get(name=job.name)
        assert finished.dest is not None
        assert finished.dest.file_name is not None
        data = client.files.download(file=finished.dest.file_name)
        server.options.fail_fraction = 1.0
        server.options.fail_code = 4
        inline = client.batches.create(model=MODEL, src=inline_requests(3))
        assert inline.name is not None
        results = results_by_key(client.batches.get(name=inline.name))
    parsed = [json.loads(line) for line in data.decode().splitlines()]
    assert parsed[1] == {
        "error": {"code": 14, "message": "The service is currently unavailable."},
        "key": "b",
    }
    assert "response" in parsed[0]
    assert {(item.error.code, item.error.message) for item in results.values() if item.error} == {
        (4, "Deadline expired before operation could complete.")
    }


def test_cli_fail_keys_with_codes_and_fail_code_by_name() -> None:
    args = build_parser().parse_args(
        ["--fail-keys", "a:8,b,doc:intro,c:UNAVAILABLE", "--fail-code", "RESOURCE_EXHAUSTED"]
    )
    options = EmulatorOptions(**vars(args))
    assert options.fail_keys == {"a": 8, "b": None, "doc:intro": None, "c": 14}
    assert options.fail_code == 8
    plain = EmulatorOptions(**vars(build_parser().parse_args(["--fail-keys", "a,b"])))
    assert plain.fail_keys == frozenset({"a", "b"})
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--fail-keys", "a:99"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--fail-code", "17"])


@pytest.mark.parametrize("options", [{"fail_code": 0}, {"fail_keys": {"a": 99}}])
def test_codes_outside_google_rpc_code_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"google\.rpc\.Code"):
        EmulatorOptions(**options)  # type: ignore[arg-type]
