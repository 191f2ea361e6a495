"""`gemini-batch` as a process against the emulator: every command, its JSON, its exit code."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from langchain_gemini_batch.pricing import cost_of
from langchain_gemini_batch.schema import TokenUsage
from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.cli.conftest import (
    API_KEY,
    MODEL,
    as_json,
    gemini_batch,
    in_process,
    write_requests,
)

pytestmark = pytest.mark.emulator

INFO_KEYS = {
    "name",
    "status",
    "state",
    "display_name",
    "model",
    "request_counts",
    "create_time",
    "update_time",
    "end_time",
    "error",
    "jobs",
}


def result_lines(text: str) -> dict[str, dict[str, object]]:
    lines = [json.loads(line) for line in text.splitlines()]
    return {line["key"]: line for line in lines}


def test_submit_status_wait_jobs_results(server: EmulatorServer, tmp_path: Path) -> None:
    server.options.fail_keys = frozenset({"k3"})
    requests = write_requests(tmp_path / "requests.jsonl", 5)

    submitted = gemini_batch(server, "submit", str(requests), "--json")
    assert submitted.returncode == 0, submitted.stderr
    created = as_json(submitted)
    assert created == {
        "batch_id": created["batch_id"],
        "requests": 5,
        "model": MODEL,
        "reattached": False,
    }
    batch_id = created["batch_id"]
    assert server.count("batchGenerateContent", status=200) == 1
    again = in_process(server, "submit", str(requests))  # the same work: reattached
    assert again.returncode == 0
    assert again.stdout.strip() == batch_id
    assert "already submitted, nothing sent again (--new for a fresh job)" in again.stderr
    assert "resume=False" not in again.stderr  # the log line names the CLI's flag too
    assert "submitted 5 requests" not in again.stderr
    assert server.count("batchGenerateContent", status=200) == 1

    status = gemini_batch(server, "status", batch_id, "--json")
    assert status.returncode == 0, status.stderr
    info = as_json(status)
    assert set(info) == INFO_KEYS
    assert info["state"] == "JOB_STATE_SUCCEEDED"
    assert info["status"] == "finished"
    assert info["request_counts"] == {"total": 5, "succeeded": 4, "failed": 1, "pending": 0}
    human = in_process(server, "status", batch_id)
    assert "5/5 done: 4 succeeded, 1 failed, 0 pending" in human.stdout

    waited = gemini_batch(server, "wait", batch_id, "--json")
    assert waited.returncode == 0, waited.stderr
    final = as_json(waited)
    assert set(final) == INFO_KEYS | {"cost"}
    assert final["cost"]["requests"] == 4  # the failed request cost nothing
    assert f"{batch_id} JOB_STATE_SUCCEEDED: 5/5 done (4 succeeded, 1 failed)" in waited.stderr

    pending = as_json(gemini_batch(server, "jobs", "--json"))  # reading the cost left it alone
    assert [job["job_name"] for job in pending] == [batch_id]
    assert pending[0]["request_count"] == 5
    assert pending[0]["remote_state"] == "JOB_STATE_SUCCEEDED"

    results = gemini_batch(server, "results", batch_id)
    assert results.returncode == 0, results.stderr
    lines = result_lines(results.stdout)
    assert sorted(lines) == ["k0", "k1", "k2", "k3", "k4"]
    assert set(lines["k3"]) == {"key", "error"}
    assert all(set(lines[k]) == {"key", "response"} for k in ("k0", "k1", "k2", "k4"))
    assert "wrote 5 results (4 succeeded, 1 failed) to stdout" in results.stderr

    # the job's total is the sum of its answers, priced from the lines just written
    total = sum(
        (
            cost_of(
                TokenUsage(
                    input_tokens=line["response"]["usageMetadata"]["promptTokenCount"],  # type: ignore[index]
                    output_tokens=line["response"]["usageMetadata"]["candidatesTokenCount"],  # type: ignore[index]
                ),
                MODEL,
            ).batch_usd  # type: ignore[union-attr]
            for line in lines.values()
            if "response" in line
        ),
        Decimal(0),
    )
    assert Decimal(str(final["cost"]["batch_usd"])) == total
    assert as_json(in_process(server, "jobs", "--json")) == []  # read: no longer pending


def test_prompt_files_with_fields_settings_and_ids(server: EmulatorServer, tmp_path: Path) -> None:
    csv_file = tmp_path / "questions.csv"
    csv_file.write_text('id,question\nq-a,"Why, though?"\nq-b,What is 2 + 2?\n')
    submitted = in_process(
        server,
        "submit",
        str(csv_file),
        "--field",
        "question",
        "--id-field",
        "id",
        "--system",
        "Be brief.",
        "--config",
        '{"max_output_tokens": 3}',
        "--json",
    )
    assert submitted.returncode == 0, submitted.stderr
    batch_id = as_json(submitted)["batch_id"]
    body = next(r.body for r in server.requests if r.action == "batchGenerateContent")
    sent = body["batch"]["inputConfig"]["requests"]["requests"]
    assert [item["metadata"]["key"] for item in sent] == ["q-a", "q-b"]
    assert sent[0]["request"]["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert sent[0]["request"]["generationConfig"]["maxOutputTokens"] == 3

    out = tmp_path / "results.jsonl"
    written = in_process(server, "results", batch_id, "-o", str(out), "--json")
    assert written.returncode == 0, written.stderr
    summary = as_json(written)
    assert summary["total"] == 2
    assert summary["output"] == str(out)
    assert set(result_lines(out.read_text())) == {"q-a", "q-b"}

    jsonl = tmp_path / "prompts.jsonl"
    jsonl.write_text('{"text": "one"}\n{"text": "two"}\n{"text": "three"}\n')
    plain = in_process(server, "submit", str(jsonl), "--field", "text")
    assert plain.returncode == 0, plain.stderr
    results = in_process(server, "results", plain.stdout.strip())
    assert sorted(result_lines(results.stdout)) == ["1", "2", "3"]


def test_bad_input_exits_2_naming_the_line(server: EmulatorServer, tmp_path: Path) -> None:
    broken = write_requests(tmp_path / "broken.jsonl", 3)
    with broken.open("a") as handle:
        handle.write('{"key": "k9", "request": {"contents": [}\n')
    duplicated = write_requests(tmp_path / "duplicated.jsonl", 3)
    lines = duplicated.read_text().splitlines()
    duplicated.write_text("\n".join([lines[0], lines[1], "", lines[1], lines[2]]) + "\n")
    csv_file = tmp_path / "prompts.csv"
    csv_file.write_text("q\nhello\n")

    bad_json = gemini_batch(server, "submit", str(broken), "--json")
    assert bad_json.returncode == 2
    assert "broken.jsonl, line 4: not valid JSON" in bad_json.stderr
    assert as_json(bad_json)["exit_code"] == 2
    duplicate = in_process(server, "submit", str(duplicated))
    assert duplicate.returncode == 2
    assert "duplicated.jsonl, line 4: request 'k1': duplicate request ID" in duplicate.stderr
    no_field = in_process(server, "estimate", str(csv_file))
    assert no_field.returncode == 2
    assert "--field" in no_field.stderr
    missing = in_process(server, "submit", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert server.count("batchGenerateContent") == 0  # nothing was sent


def test_failed_cancelled_and_expired_jobs_exit_1(server: EmulatorServer, tmp_path: Path) -> None:
    server.options.job_outcome = "failed"
    failed = in_process(server, "submit", str(write_requests(tmp_path / "a.jsonl", 2)))
    assert failed.returncode == 0
    waited = gemini_batch(server, "wait", failed.stdout.strip())
    assert waited.returncode == 1
    assert "ended JOB_STATE_FAILED" in waited.stderr
    results = in_process(server, "results", failed.stdout.strip())
    assert results.returncode == 1
    assert results.stdout == ""

    server.options.job_outcome = "expired"
    server.options.job_seconds = 3600
    expired = in_process(server, "submit", str(write_requests(tmp_path / "b.jsonl", 2)))
    running = in_process(server, "status", expired.stdout.strip())
    assert running.returncode == 0
    assert "JOB_STATE_" in running.stdout
    cancel = gemini_batch(server, "cancel", expired.stdout.strip(), "--json")
    assert cancel.returncode == 0, cancel.stderr
    answer = as_json(cancel)
    assert answer["cancel_requested"] is True
    assert answer["info"]["state"] in {"JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED"}
    assert server.count("batches.cancel") == 1
    status = in_process(server, "status", expired.stdout.strip(), "--json")
    assert status.returncode == 1
    assert as_json(status)["state"] == "JOB_STATE_CANCELLED"


def test_list_and_limit(server: EmulatorServer, tmp_path: Path) -> None:
    for name in ("a", "b"):
        path = write_requests(tmp_path / f"{name}.jsonl", 2, prefix=name)
        assert in_process(server, "submit", str(path), "--display-name", name).returncode == 0
    listed = as_json(gemini_batch(server, "list", "--json"))
    assert len(listed) == 2
    assert {item["display_name"].split(" ")[0] for item in listed} == {"a", "b"}
    assert {"id", "state", "status", "request_counts", "create_time"} <= set(listed[0])
    limited = in_process(server, "list", "--limit", "1")
    assert limited.returncode == 0
    assert len(limited.stdout.strip().splitlines()) == 2  # the header and one job


def test_estimate_before_and_cost_after(server: EmulatorServer, tmp_path: Path) -> None:
    requests = write_requests(tmp_path / "requests.jsonl", 4, size=37)
    approximate = as_json(gemini_batch(server, "estimate", str(requests), "--json"))
    counted = as_json(in_process(server, "estimate", str(requests), "--count-tokens", "--json"))
    assert server.count("countTokens") == 4
    assert approximate["input_tokens"] == counted["input_tokens"]  # the emulator's ceil(n / 4)
    assert approximate["output_assumption"] == "default"

    batch_id = in_process(server, "submit", str(requests)).stdout.strip()
    spent = as_json(gemini_batch(server, "cost", batch_id, "--json"))
    assert spent["input_tokens"] == approximate["input_tokens"]  # estimate = actual prompts
    output_usd = Decimal(spent["output_tokens"]) * Decimal("1.25") / 1_000_000  # batch output
    assert Decimal(str(spent["batch_usd"])) == Decimal(str(approximate["low"]["batch_usd"])) + (
        output_usd
    )
    human = in_process(server, "cost", batch_id)
    assert "at batch price" in human.stdout
    assert "for 4 answers" in human.stdout


def test_file_jobs_stream_their_results(server: EmulatorServer, tmp_path: Path) -> None:
    requests = write_requests(tmp_path / "requests.jsonl", 300, size=50)
    submitted = in_process(server, "submit", str(requests), "--inline-max-bytes", "0")
    assert submitted.returncode == 0, submitted.stderr
    assert server.count("files.upload") == 1
    out = tmp_path / "out" / "results.jsonl"
    out.parent.mkdir()
    written = gemini_batch(server, "results", submitted.stdout.strip(), "-o", str(out))
    assert written.returncode == 0, written.stderr
    assert server.count("files.download") == 1
    assert len(result_lines(out.read_text())) == 300
    assert [p.name for p in out.parent.iterdir()] == ["results.jsonl"]  # no temporary left


def test_the_api_key_is_never_printed(server: EmulatorServer) -> None:
    server.options.api_key = "the-only-valid-key"
    secret = "wrong-secret-5b2e90"
    rejected = gemini_batch(server, "list", "--api-key", secret, "--json")
    assert rejected.returncode == 2
    assert "API key not valid" in rejected.stderr
    assert secret not in rejected.stdout + rejected.stderr
    helped = in_process(server, "wait", "--help", env={"GOOGLE_API_KEY": secret})
    assert secret not in helped.stdout
    server.options.api_key = None
    listed = in_process(server, "list", "--json", "-v")
    assert listed.returncode == 0
    assert API_KEY not in listed.stdout + listed.stderr


def test_usage_errors_exit_2(server: EmulatorServer) -> None:
    no_key = in_process(server, "list", env={"GOOGLE_API_KEY": None})
    assert no_key.returncode == 2
    assert "no Gemini API key" in no_key.stderr
    unknown = in_process(server, "status", "batches/does-not-exist", "--json")
    assert unknown.returncode == 2
    assert "404" in unknown.stderr
    assert as_json(unknown)["exit_code"] == 2
    bad_option = in_process(server, "wait", "batches/x", "--timeout", "-1")
    assert bad_option.returncode == 2


def test_every_command_takes_the_shared_options() -> None:
    from click.testing import CliRunner

    from langchain_gemini_batch.cli import cli

    runner = CliRunner()
    names = sorted(cli.commands)
    assert names == [
        "cancel",
        "cost",
        "estimate",
        "jobs",
        "list",
        "results",
        "status",
        "submit",
        "wait",
    ]
    for name in names:
        helped = runner.invoke(cli, [name, "--help"])
        assert helped.exit_code == 0
        for option in ("--json", "--model", "--api-key", "--base-url", "--journal"):
            assert option in helped.output, (name, option)


def test_a_timeout_exits_1_and_leaves_the_job_unless_told(
    server: EmulatorServer, tmp_path: Path
) -> None:
    server.options.job_seconds = 600
    batch_id = in_process(server, "submit", str(write_requests(tmp_path / "a.jsonl", 2))).stdout
    batch_id = batch_id.strip()
    left = in_process(server, "wait", batch_id, "--timeout", "0.3", "--poll-interval", "0.1")
    assert left.returncode == 1
    assert f"{batch_id} did not end within 0.3 s; the job keeps running" in left.stderr
    assert f"resume with: gemini-batch wait {batch_id} --base-url {server.base_url}" in left.stderr
    assert server.count("batches.cancel") == 0
    cancelled = in_process(
        server, "wait", batch_id, "--timeout", "0.3", "--poll-interval", "0.1", "--cancel-on-exit"
    )
    assert cancelled.returncode == 1
    assert "cancelled it" in cancelled.stderr
    assert server.count("batches.cancel") == 1


def test_jobs_without_a_journal_file_creates_none(server: EmulatorServer, tmp_path: Path) -> None:
    path = tmp_path / "absent" / "journal.sqlite3"
    listed = in_process(server, "jobs", "--journal", str(path))
    assert listed.returncode == 0
    assert f"no unfinished jobs in {path}" in listed.stdout
    assert not path.parent.exists()
