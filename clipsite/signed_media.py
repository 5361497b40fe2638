"""Links to stored files that expire: local files through a signed view, S3 through presigning.

Both kinds expire after ``SIGNED_URL_TTL_SECONDS`` (one hour by default). A local link's
token is its payload (the storage name, the download name) encrypted and authenticated
with Fernet, so it reveals nothing of where files are kept. The view checks the token
and its age (403 when tampered or expired) and serves byte ranges, so browsers can seek
in a clip before it has downloaded.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from clipsite import crypto

_PURPOSE = "signed-media"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


def is_s3(storage=default_storage) -> bool:
    return hasattr(storage, "bucket_name")


def signed_url(name: str, *, download_name: str | None = None, request=None) -> str:
    """A URL for the stored file ``name`` that works for one TTL, without signing in.

    ``download_name`` makes browsers save the file under that name instead of playing it.
    Relative for local storage unless ``request`` is given to make it absolute.
    """
    ttl = settings.SIGNED_URL_TTL_SECONDS
    if is_s3():
        parameters = {}
        if download_name:
            parameters["ResponseContentDisposition"] = content_disposition_header(True, download_name)
        return default_storage.url(name, parameters=parameters or None, expire=ttl)
    payload = json.dumps({"n": name, "d": download_name or ""}, separators=(",", ":")).encode()
    # Fernet's base64 padding is dropped: "=" has no place in a path segment.
    token = crypto.fernet(_PURPOSE).encrypt(payload).decode().rstrip("=")
    url = reverse("signed_media", args=[token])
    return request.build_absolute_uri(url) if request is not None else url


@require_GET
def serve(request, token: str):
    box = crypto.fernet(_PURPOSE)
    try:
        raw = (token + "=" * (-len(token) % 4)).encode("ascii")
        payload = json.loads(box.decrypt(raw))
        issued = box.extract_timestamp(raw)
    except (UnicodeEncodeError, InvalidToken):
        return HttpResponseForbidden("This link is not valid.")
    if time.time() - issued > settings.SIGNED_URL_TTL_SECONDS:
        return HttpResponseForbidden("This link has expired. Ask for a new one.")
    name, download_name = payload["n"], payload["d"]
    if not default_storage.exists(name):
        return HttpResponse("This file no longer exists.", status=410)
    size = default_storage.size(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = content_disposition_header(bool(download_name), download_name or name.rsplit("/", 1)[-1])
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        return _partial(name, size, content_type, disposition, match)
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _partial(name: str, size: int, content_type: str, disposition: str, match: re.Match) -> HttpResponse:
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # "bytes=-N": the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response

    def chunks():
        with default_storage.open(name, "rb") as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                data = handle.read(min(_CHUNK, remaining))
                if not data:
                    break
                remaining -= len(data)
                yield data

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = disposition
    return response
