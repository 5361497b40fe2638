"""Signed media links reveal nothing of where files are stored, and still expire and seek."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import zlib

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from clipsite import crypto
from clipsite.signed_media import signed_url


def every_decoding(token: str) -> list[bytes]:
    """What anyone can read out of a token without a key: each part of it (split where
    signers put separators), base64-decoded, and inflated when it is zlib data."""
    found = [token.encode()]
    for part in re.split(r"[.:]", token):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            continue
        found.append(raw)
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(raw))
    return found


def test_it_keeps_storage_names_out_of_the_links_token(alice_api, finished_video):
    clip = finished_video.clips.get(rank=1)
    links = alice_api.get(f"/api/clips/{clip.pk}").json()["clip"]
    for url in (links["downloadUrl"], links["thumbnailUrl"]):
        token = url.rsplit("/", 1)[1]
        for readable in every_decoding(token):
            assert finished_video.pk.encode() not in readable and b"clips/" not in readable
            assert clip.pk.encode() not in readable and b"clip-1" not in readable


def test_it_makes_a_different_token_for_each_link_to_the_same_file(finished_video):
    name = finished_video.clips.get(rank=1).file.name
    assert signed_url(name) != signed_url(name)


def test_it_serves_whole_files_and_ranges_through_the_opaque_link(finished_video):
    clip = finished_video.clips.get(rank=1)
    url = signed_url(clip.file.name, download_name="best clip.mp4")
    data = default_storage.open(clip.file.name).read()
    whole = Client().get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Content-Disposition"] == 'attachment; filename="best clip.mp4"'
    partial = Client().get(url, HTTP_RANGE="bytes=10-19")
    assert partial.status_code == 206 and b"".join(partial.streaming_content) == data[10:20]


def test_it_refuses_a_token_encrypted_for_another_purpose(finished_video):
    # A stored Gemini key is encrypted from the same SECRET_KEY, but never opens a file.
    name = finished_video.clips.get(rank=1).file.name
    forged = crypto.encrypt(json.dumps({"n": name, "d": ""})).decode().rstrip("=")
    response = Client().get(f"/media/signed/{forged}")
    assert response.status_code == 403 and b"not valid" in response.content


@pytest.mark.parametrize("token", ["not-a-token", "gAAAAA", "\u00e9t\u00e9", "a" * 400])
def test_it_refuses_garbage_tokens_with_403(db, token):
    response = Client().get(f"/media/signed/{token}")
    assert response.status_code == 403 and b"not valid" in response.content


def test_it_says_a_link_has_expired_after_its_lifetime(finished_video, settings):
    url = signed_url(finished_video.clips.get(rank=1).file.name)
    assert Client().get(url).status_code == 200
    settings.SIGNED_URL_TTL_SECONDS = -1
    expired = Client().get(url)
    assert expired.status_code == 403 and b"expired" in expired.content
