"""The Cloud Storage JSON API subset through the official google-cloud-storage client."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.cloud import storage

from langchain_gemini_batch.testing.emulator import EmulatorServer
from tests.emulator.vertex_support import BUCKET, PROJECT, clean_env, gcs, raw

pytestmark = pytest.mark.emulator

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_env(monkeypatch)


@pytest.fixture
def server():
    with EmulatorServer(deterministic=True) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> storage.Client:
    return gcs(server)


@pytest.fixture
def bucket(client: storage.Client) -> storage.Bucket:
    return client.create_bucket(BUCKET)


def test_buckets_create_get_list_delete(server: EmulatorServer, client: storage.Client) -> None:
    created = client.create_bucket("first-bucket")
    assert created.name == "first-bucket"
    assert client.get_bucket("first-bucket").project_number is not None
    assert client.bucket("first-bucket").exists()
    assert not client.bucket("missing-bucket").exists()
    with pytest.raises(exceptions.Conflict):
        client.create_bucket("first-bucket")
    assert [b.name for b in client.list_buckets()] == ["first-bucket"]
    client.bucket("first-bucket").delete()
    assert server.cloud.buckets() == []
    assert server.count("storage.buckets.insert", status=200) == 1
    assert server.count("storage.buckets.get", status=404) == 1
    assert server.count("storage.buckets.delete") == 1
    assert server.requests[0].query["project"] == PROJECT


def test_small_upload_is_one_multipart_insert(
    server: EmulatorServer, bucket: storage.Bucket
) -> None:
    blob = bucket.blob("in/input.jsonl")
    blob.upload_from_string(b'{"request": {}}\n')
    assert server.cloud.objects() == [f"gs://{BUCKET}/in/input.jsonl"]
    assert server.cloud.read(f"gs://{BUCKET}/in/input.jsonl") == b'{"request": {}}\n'
    [insert] = [r for r in server.requests if r.action == "storage.objects.insert"]
    assert insert.query["uploadType"] == "multipart"
    assert blob.generation is not None
    assert blob.size == 16
    assert blob.crc32c
    assert blob.md5_hash
    assert blob.content_type == "text/plain"  # upload_from_string's default


def test_large_upload_is_resumable_in_chunks(
    server: EmulatorServer, bucket: storage.Bucket, tmp_path: Path
) -> None:
    data = os.urandom(9 * MIB)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    blob = bucket.blob("out/big.bin", chunk_size=4 * MIB)
    blob.upload_from_filename(str(source))
    assert server.cloud.read(f"gs://{BUCKET}/out/big.bin") == data
    assert server.count("storage.objects.insert", status=200) == 1
    assert server.count("storage.objects.uploadChunk", status=308) == 2
    assert server.count("storage.objects.uploadChunk", status=200) == 1
    start = next(r for r in server.requests if r.action == "storage.objects.insert")
    assert start.query["uploadType"] == "resumable"
    assert start.body["name"] == "out/big.bin"
    assert blob.download_as_bytes() == data  # whole download verifies X-Goog-Hash


def test_single_chunk_resumable_upload(server: EmulatorServer, bucket: storage.Bucket) -> None:
    data = os.urandom(9 * MIB)
    bucket.blob("one.bin").upload_from_string(data)
    assert server.count("storage.objects.uploadChunk", status=200) == 1
    assert server.count("storage.objects.uploadChunk", status=308) == 0
    assert server.cloud.read(f"gs://{BUCKET}/one.bin") == data


def test_download_whole_ranged_and_metadata(
    server: EmulatorServer, client: storage.Client, bucket: storage.Bucket
) -> None:
    bucket.blob("data.txt").upload_from_string("0123456789", content_type="text/plain")
    fresh = client.bucket(BUCKET).blob("data.txt")
    assert fresh.download_as_bytes() == b"0123456789"
    assert fresh.download_as_bytes(start=2, end=5) == b"2345"
    assert fresh.download_as_bytes(start=7) == b"789"
    loaded = client.bucket(BUCKET).get_blob("data.txt")
    assert loaded is not None
    assert (loaded.size, loaded.content_type) == (10, "text/plain")
    assert loaded.download_as_text() == "0123456789"  # through the mediaLink
    assert server.count("storage.objects.download", status=200) == 2
    assert server.count("storage.objects.download", status=206) == 2
    assert server.count("storage.objects.get", status=200) == 1


def test_list_with_prefix_delimiter_and_pages(
    server: EmulatorServer, client: storage.Client, bucket: storage.Bucket
) -> None:
    names = ["a/1.jsonl", "a/2.jsonl", "a/sub/3.jsonl", "b/4.jsonl", "top.txt"]
    for name in names:
        bucket.blob(name).upload_from_string(name)
    server.clear_requests()
    assert [b.name for b in client.list_blobs(BUCKET, page_size=2)] == names
    assert server.count("storage.objects.list") == 3
    assert [b.name for b in client.list_blobs(BUCKET, prefix="a/")] == names[:3]
    iterator = client.list_blobs(BUCKET, prefix="a/", delimiter="/")
    assert [b.name for b in iterator] == ["a/1.jsonl", "a/2.jsonl"]
    assert iterator.prefixes == {"a/sub/"}
    top = client.list_blobs(BUCKET, delimiter="/", page_size=2)
    assert [b.name for b in top] == ["top.txt"]
    assert top.prefixes == {"a/", "b/"}
    assert list(client.list_blobs(BUCKET, prefix="zzz")) == []


def test_delete_and_not_found(
    server: EmulatorServer, client: storage.Client, bucket: storage.Bucket
) -> None:
    blob = bucket.blob("gone.txt")
    blob.upload_from_string("x")
    blob.delete()
    assert server.cloud.objects() == []
    with pytest.raises(exceptions.NotFound):
        blob.delete()
    with pytest.raises(exceptions.NotFound):
        blob.download_as_bytes()
    with pytest.raises(exceptions.NotFound):
        client.bucket("no-bucket").blob("x").upload_from_string("x")
    assert server.count("storage.objects.delete", status=204) == 1
    assert server.count("storage.objects.delete", status=404) == 1


def test_errors_have_cloud_storage_shape(server: EmulatorServer, bucket: storage.Bucket) -> None:
    status, body = raw(server, "GET", f"/storage/v1/b/{BUCKET}/o/missing%2Fobject")
    assert status == 404
    assert body == {
        "error": {
            "code": 404,
            "message": f"No such object: {BUCKET}/missing/object",
            "errors": [
                {
                    "message": f"No such object: {BUCKET}/missing/object",
                    "domain": "global",
                    "reason": "notFound",
                }
            ],
        }
    }
    server.inject_errors(503, action="storage.objects.list")
    status, body = raw(server, "GET", f"/storage/v1/b/{BUCKET}/o")
    assert status == 503
    assert body["error"]["errors"][0]["reason"] == "backendError"


def test_generation_preconditions(server: EmulatorServer, bucket: storage.Bucket) -> None:
    blob = bucket.blob("once.txt")
    blob.upload_from_string("first", if_generation_match=0)
    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("once.txt").upload_from_string("second", if_generation_match=0)
    assert server.cloud.read(f"gs://{BUCKET}/once.txt") == b"first"


def test_storage_emulator_host_variable(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", server.base_url)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    client = storage.Client()
    client.create_bucket("env-bucket").blob("k.txt").upload_from_string("v")
    assert server.cloud.objects() == ["gs://env-bucket/k.txt"]
    assert client.bucket("env-bucket").blob("k.txt").download_as_text() == "v"


def test_crc32c_pure_fallback_matches_the_c_library() -> None:
    import google_crc32c

    from langchain_gemini_batch.testing.emulator import _crc32c

    data = os.urandom(4096)
    assert _crc32c._pure(b"123456789") == 0xE3069283  # the standard check value
    assert _crc32c._pure(data) == google_crc32c.value(data)
