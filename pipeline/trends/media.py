"""Fetch caption files and media from a platform's servers, through the SSRF guard.

Every request goes through a ``requests`` session made by :func:`guarded_session`
(:func:`pipeline.netguard.guard_session`: each connection, redirects included, goes
only to an address the guard judged), never picks up proxies or credentials from the
environment, and times out after ``config.socket_timeout_seconds``.

:func:`fetch_prefix` takes only the start of a file, with HTTP ``Range`` requests: it
asks for a first guess of bytes, and for twice as much each time the caller's check says
the file does not yet hold enough (a container whose index sits at the end needs all of
it). A server that ignores ``Range`` is read only as far as asked and then hung up on.
:func:`fetch_whole` takes a whole file. Both stop at ``config.max_download_bytes`` and
delete their partial file on any failure.

HTTP failures become platform errors with plain messages: 429 (and 403, how media
servers turn away clients they suspect) :class:`PlatformRefused` with the server's
``Retry-After``; 404 and 410 :class:`VideoUnavailable`; timeouts, refused connections
and 5xx :class:`PlatformUnavailable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import requests

from pipeline.config import PipelineConfig
from pipeline.errors import IngestError
from pipeline.netguard import USER_AGENT, check_size, guard_session, os_reason, too_large
from pipeline.trends.platforms import (
    DEFAULT_RETRY_AFTER,
    MediaFormat,
    PlatformRefused,
    PlatformUnavailable,
    VideoUnavailable,
)

CHUNK_BYTES = 64 * 1024
MAX_CAPTION_BYTES = 8 * 1024 * 1024
MAX_RETRY_AFTER = 24 * 3600
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def guarded_session(config: PipelineConfig) -> requests.Session:
    """A session whose every connection passes the SSRF guard and ignores the environment's proxies."""
    session = requests.Session()
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    return guard_session(session, allow_private=config.allow_private_urls)


def fetch_text(url: str, config: PipelineConfig, *, label: str) -> str | None:
    """The text at ``url`` (a caption file), or None when the server does not give it (a
    4xx answer but 429) or it is larger than :data:`MAX_CAPTION_BYTES`."""
    try:
        with guarded_session(config) as session, _get(session, url, {}, config, label=label) as response:
            if response.status_code == 429 or response.status_code >= 500:
                _raise_for_status(response, label)
            if response.status_code != 200:
                return None
            body = bytearray()
            for chunk in response.iter_content(CHUNK_BYTES):
                body += chunk
                if len(body) > MAX_CAPTION_BYTES:
                    return None
            # Caption files are UTF-8; requests would guess Latin-1 for a text/* type without a charset.
            return body.decode("utf-8-sig", "replace")
    except requests.RequestException as exc:
        raise _network_failure(exc, label) from None


def fetch_prefix(fmt: MediaFormat, target: Path, config: PipelineConfig, *, label: str, first_bytes: int,
                 enough: Callable[[Path], bool], pace: Callable[[], None]) -> Path:  # fmt: skip
    """Download the start of ``fmt`` to ``target``: ``first_bytes``, then twice as many at a
    time until ``enough(partial_file)`` holds or the file is complete. ``pace()`` runs before
    each request. Returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with guarded_session(config) as session, partial.open("wb") as out:
            want = max(1, min(first_bytes, config.max_download_bytes))
            while True:
                pace()
                complete = _read_range(session, fmt, out, want, config, label=label)
                out.flush()
                if complete or enough(partial):
                    break
                if out.tell() >= config.max_download_bytes:
                    raise too_large(config)
                want = min(out.tell() * 2, config.max_download_bytes)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def fetch_whole(fmt: MediaFormat, target: Path, config: PipelineConfig, *, label: str) -> Path:
    """Download all of ``fmt`` to ``target`` (within ``config.max_download_bytes``); returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with guarded_session(config) as session, _get(session, fmt.url, fmt.headers, config, label=label) as response:
            _raise_for_status(response, label)
            check_size(_length(response), config)
            with partial.open("wb") as out:
                for chunk in response.iter_content(CHUNK_BYTES):
                    out.write(chunk)
                    check_size(out.tell(), config)
        partial.replace(target)
    except requests.RequestException as exc:
        partial.unlink(missing_ok=True)
        raise _network_failure(exc, label) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _read_range(session: requests.Session, fmt: MediaFormat, out: BinaryIO, want: int, config: PipelineConfig, *,
                label: str) -> bool:  # fmt: skip
    """Extend ``out`` (holding the file's first ``out.tell()`` bytes) to ``want`` bytes; True
    when the file is complete."""
    have = out.tell()
    headers = {**fmt.headers, "Range": f"bytes={have}-{want - 1}"}
    try:
        with _get(session, fmt.url, headers, config, label=label) as response:
            if response.status_code == 416:  # nothing at or after ``have``: the file ended there
                return True
            _raise_for_status(response, label)
            total = _total_size(response)
            start = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if response.status_code == 206 and start and int(start.group(1)) != have:
                raise PlatformUnavailable(f"{label} sent another part of the file than was asked for; try again.",
                                          detail=response.headers.get("Content-Range", ""))  # fmt: skip
            if response.status_code == 200:  # the server sent the whole file from its first byte
                out.seek(0)
                out.truncate()
            for chunk in response.iter_content(CHUNK_BYTES):
                out.write(chunk[: want - out.tell()])
                if out.tell() >= want:
                    break
    except requests.RequestException as exc:
        raise _network_failure(exc, label) from None
    return out.tell() < want or (total is not None and out.tell() >= total)


def _get(session: requests.Session, url: str, headers: dict[str, str], config: PipelineConfig, *,
         label: str) -> requests.Response:  # fmt: skip
    try:
        return session.get(url, headers=headers, stream=True, timeout=config.socket_timeout_seconds)
    except IngestError as exc:  # the guard refused an address on the way
        raise PlatformUnavailable(f"{label}'s servers could not be reached safely; try again later.",
                                  detail=exc.message) from None  # fmt: skip
    except requests.RequestException as exc:
        raise _network_failure(exc, label) from None


def _raise_for_status(response: requests.Response, label: str) -> None:
    status = response.status_code
    if status in (200, 206):
        return
    where = urlsplit(response.url).netloc
    detail = f"HTTP {status} from {where}"
    if status in (403, 429):
        raise PlatformRefused(f"{label} is refusing our requests for now (it limits how often it can be asked); "
                              "try again later.",
                              retry_after=retry_after(response.headers.get("Retry-After")), detail=detail)  # fmt: skip
    if status in (404, 410):
        raise VideoUnavailable(f"{label} no longer serves this video's media; it may have been removed.",
                               detail=detail)  # fmt: skip
    raise PlatformUnavailable(f"{label} could not send the video's media (HTTP {status}); try again later.",
                              detail=detail)  # fmt: skip


def retry_after(value: str | None, default: int = DEFAULT_RETRY_AFTER) -> int:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); ``default`` when absent or bad."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return max(1, min(int(value), MAX_RETRY_AFTER))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(1, min(int((moment - datetime.now(UTC)).total_seconds()), MAX_RETRY_AFTER))


def _network_failure(exc: requests.RequestException, label: str) -> PlatformUnavailable:
    if isinstance(exc, requests.Timeout):
        return PlatformUnavailable(f"{label} did not answer in time; try again later.", detail=type(exc).__name__)
    return PlatformUnavailable(f"{label} could not be reached; try again later.",
                               detail=os_reason(exc) or type(exc).__name__)  # fmt: skip


def _total_size(response: requests.Response) -> int | None:
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if match and match.group(3) != "*":
        return int(match.group(3))
    return _length(response) if response.status_code == 200 else None


def _length(response: requests.Response) -> int | None:
    if response.headers.get("Content-Encoding"):
        return None
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None
