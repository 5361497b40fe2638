"""Storage through django-storages against a real S3 endpoint (moto's server)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.files.storage import default_storage

from clipsite.signed_media import is_s3, signed_url
from videos import storage


@pytest.fixture
def bucket():
    """A fresh bucket per test: the moto server lives for the whole session."""
    import uuid

    return f"clipsite-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3(settings, moto_endpoint, bucket):
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")  # fmt: skip
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": moto_endpoint, "region_name": "us-east-1",
            "access_key": "test", "secret_key": "test", "querystring_auth": True,
            "querystring_expire": 3600, "file_overwrite": False, "signature_version": "s3v4"}},
    }  # fmt: skip
    assert is_s3()
    return client


def test_it_saves_and_serves_presigned_links_that_expire_in_an_hour(s3, bucket, tmp_path):
    local = tmp_path / "clip.mp4"
    local.write_bytes(b"\0\0\0\x18ftypmp42" + b"x" * 5000)
    name = storage.save_file("videos/vid_1/clips/clip_1-v1.mp4", local)
    assert s3.head_object(Bucket=bucket, Key=name)["ContentLength"] == local.stat().st_size

    url = signed_url(name, download_name="my-clip.mp4")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["3600"]
    assert "my-clip.mp4" in query["response-content-disposition"][0]
    response = requests.get(url, timeout=10)
    assert response.status_code == 200 and response.content == local.read_bytes()
    assert "my-clip.mp4" in response.headers["Content-Disposition"]


def test_it_downloads_a_source_once_per_machine_for_the_engine(s3, bucket, tmp_path):
    local = tmp_path / "source.mp4"
    local.write_bytes(b"source bytes")
    name = storage.save_file("videos/vid_2/source.mp4", local)
    first = storage.local_path(name)
    assert first.read_bytes() == b"source bytes"
    s3.delete_object(Bucket=bucket, Key=name)  # a second call must not need S3 again
    assert storage.local_path(name) == first
    storage.drop_cached("videos/vid_2")
    assert not first.exists()


def test_it_deletes_everything_under_a_videos_prefix(s3, bucket, tmp_path):
    local = tmp_path / "f.bin"
    local.write_bytes(b"1")
    for key in ("videos/vid_3/source.mp4", "videos/vid_3/clips/a-v1.mp4", "videos/vid_4/source.mp4"):
        storage.save_file(key, local)
    storage.delete_prefix("videos/vid_3")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == ["videos/vid_4/source.mp4"]
    assert not default_storage.exists("videos/vid_3/source.mp4")
