"""The command line: prints its URL, serves the SDK via GOOGLE_GEMINI_BASE_URL, stops on SIGTERM."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from google import genai
from google.genai import errors

from langchain_gemini_batch.testing.emulator import EmulatorOptions, EmulatorServer, run_emulator
from langchain_gemini_batch.testing.emulator.__main__ import build_parser
from tests.emulator.support import MODEL, inline_requests

pytestmark = pytest.mark.emulator

MODULE = "langchain_gemini_batch.testing.emulator"


@pytest.fixture
def cli() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", MODULE, "--port", "0", "--job-seconds", "0", "--deterministic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "GEMINI_"))},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.fullmatch(r"Gemini API emulator listening on (http://127\.0\.0\.1:\d+)\n", line)
    try:
        assert match, f"unexpected first line {line!r}"
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=10)


def test_cli_serves_the_sdk_through_the_environment_variable(
    cli: tuple[subprocess.Popen[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    process, base_url = cli
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", base_url)
    with genai.Client(api_key="test-key") as client:  # no other change: default api_version v1
        job = client.batches.create(model=MODEL, src=inline_requests(2))
        assert job.name is not None
        finished = client.batches.get(name=job.name)
        assert finished.dest is not None
        assert finished.dest.inlined_responses is not None
        assert [r.response.text for r in finished.dest.inlined_responses if r.response] == [
            "Echo: question 0",
            "Echo: question 1",
        ]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_help_documents_every_switch() -> None:
    result = subprocess.run(
        [sys.executable, "-m", MODULE, "--help"], capture_output=True, text=True, check=True
    )
    for field in dataclasses.fields(EmulatorOptions):
        assert f"--{field.name.replace('_', '-')}" in result.stdout


def test_every_switch_is_an_option_of_the_same_name() -> None:
    args = build_parser().parse_args(
        ["--fail-keys", "a,b", "--http-error-codes", "429,503", "--job-outcome", "expired"]
    )
    options = EmulatorOptions(**vars(args))
    assert {f.name for f in dataclasses.fields(EmulatorOptions)} == set(vars(args))
    assert options.fail_keys == frozenset({"a", "b"})
    assert options.http_error_codes == (429, 503)
    assert options.job_outcome == "expired"


def test_run_emulator_yields_a_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with run_emulator(job_seconds=0) as base_url:
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", base_url)
        with genai.Client(api_key="k") as client:
            assert client.models.generate_content(model=MODEL, contents="env").text == "Echo: env"


def test_extra_models_and_inject_switches_parse_into_options() -> None:
    args = build_parser().parse_args(
        [
            "--extra-models",
            "gemini-x,tunedModels/t",
            "--inject",
            "action=batches.get,nth=3,status=503",
            "--inject",
            "action=batchGenerateContent,delay=2.5",
        ]
    )
    options = EmulatorOptions(**vars(args))
    assert options.extra_models == ("gemini-x", "tunedModels/t")
    assert options.inject == (
        "action=batches.get,nth=3,status=503",
        "action=batchGenerateContent,delay=2.5",
    )


def test_inject_option_plans_faults_at_start() -> None:
    with EmulatorServer(inject=["action=generateContent,nth=2,status=500"]) as server:
        (fault,) = server.pending_faults
        assert (fault.action, fault.skip, fault.status) == ("generateContent", 1, 500)
        with genai.Client(
            api_key="k", http_options={"base_url": server.base_url, "api_version": "v1beta"}
        ) as client:
            client.models.generate_content(model=MODEL, contents="a")
            with pytest.raises(errors.ServerError):
                client.models.generate_content(model=MODEL, contents="b")
    assert [r.status for r in server.requests] == [200, 500]


@pytest.mark.parametrize(
    "spec",
    ["action=x,when=3", "status", "action=x,nth=two,status=500", "action=x,status=418", "nth=1"],
)
def test_bad_inject_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        EmulatorOptions(inject=(spec,))
