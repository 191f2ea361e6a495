"""Reading requests from files: Google's batch JSONL and JSONL/CSV prompts, with line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langchain_gemini_batch.batch.files import InputFileError, PromptFile, RequestFile
from tests.cli.conftest import request_line


def test_request_file_yields_key_and_request_per_line(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text(
        "\ufeff"
        + request_line("a", "one")
        + "\n  \n"  # blank lines are skipped but counted
        + request_line("b", "two", generationConfig={"maxOutputTokens": 5})
    )
    reader = RequestFile(path)
    pairs = list(reader)
    assert [key for key, _ in pairs] == ["a", "b"]
    assert pairs[1][1]["generationConfig"] == {"maxOutputTokens": 5}
    assert reader.line == 4
    assert reader.count == 2


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        ([request_line("a", "x"), "{not json\n"], 2, "not valid JSON"),
        (["[1, 2]\n"], 1, "expected a JSON object, got an array"),
        ([json.dumps({"request": {"contents": [{}]}}) + "\n"], 1, "`key` must be a non-empty"),
        ([json.dumps({"key": 5, "request": {"contents": [{}]}}) + "\n"], 1, "`key`"),
        ([request_line("a", "x"), json.dumps({"key": "b"}) + "\n"], 2, "`request` must be"),
        ([json.dumps({"key": "b", "request": {"contents": []}}) + "\n"], 1, "non-empty list"),
        ([json.dumps({"key": "b", "request": {}, "metadata": {}}) + "\n"], 1, "unexpected fields"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, lines: list[str], line: int, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(lines))
    with pytest.raises(InputFileError, match=message) as caught:
        list(RequestFile(path))
    assert caught.value.line == line
    assert f"bad.jsonl, line {line}:" in str(caught.value)


def test_invalid_utf8_is_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(request_line("a", "x").encode() + b'{"key": "\xff"}\n')
    with pytest.raises(InputFileError, match="line 2: not UTF-8"):
        list(RequestFile(path))


def test_request_file_reads_lazily(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text(request_line("a", "x") + "garbage\n")
    pairs = iter(RequestFile(path))
    assert next(pairs)[0] == "a"  # the bad second line is not read yet
    with pytest.raises(InputFileError, match="line 2"):
        next(pairs)


def test_prompt_jsonl_keys_are_positions_or_the_id_field(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    rows = [{"q": "one", "id": "x"}, {"q": "two", "id": 7}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert list(PromptFile(path, field="q")) == [("1", "one"), ("2", "two")]
    assert list(PromptFile(path, field="q", id_field="id")) == [("x", "one"), ("7", "two")]


def test_prompt_csv_reads_quoted_multiline_records(tmp_path: Path) -> None:
    path = tmp_path / "prompts.csv"
    path.write_text('id,question\na,"first, with a comma"\nb,"two\nlines"\nc,third\n')
    reader = PromptFile(path, field="question", id_field="id")
    assert list(reader) == [("a", "first, with a comma"), ("b", "two\nlines"), ("c", "third")]
    assert reader.line == 5  # the record `c` starts on line 5 (b spans lines 3-4)
    assert reader.count == 3


@pytest.mark.parametrize(
    ("name", "text", "options", "message"),
    [
        ("p.csv", "id,question\na,hi\n", {"field": "prompt"}, r"line 1: no column 'prompt'"),
        ("p.csv", "id,q\na,hi\nb,\n", {"field": "q"}, r"line 3: the prompt field 'q' is empty"),
        ("p.jsonl", '{"q": "a"}\n{"r": "b"}\n', {"field": "q"}, r"line 2: .* is missing"),
        ("p.jsonl", '{"q": 5}\n', {"field": "q"}, r"line 1: .*not a non-empty string"),
        ("p.jsonl", '{"q": "a", "id": null}\n', {"field": "q", "id_field": "id"}, "ID field"),
        ("p.jsonl", '{"q": "a"}\nnope\n', {"field": "q"}, "line 2: not valid JSON"),
    ],
)
def test_bad_prompt_records_are_named(
    tmp_path: Path, name: str, text: str, options: dict[str, str], message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputFileError, match=message):
        list(PromptFile(path, **options))  # type: ignore[arg-type]


def test_csv_format_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "prompts.txt"
    path.write_text("q\nhello\n")
    assert list(PromptFile(path, field="q", file_format="csv")) == [("1", "hello")]
