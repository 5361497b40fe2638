"""HTTP to a Clipsite server: the API key, waits the server asks for, errors in plain words.

Every failure becomes a :class:`CliError` carrying the server's own message (its
``detail``, or viralcli's list of field errors) and the exit code its status maps to:
401 -> AUTH, 404/410 -> NOT_FOUND, 5xx and unreachable -> NETWORK, any other refusal ->
REFUSED. A 429 or 503 with ``Retry-After`` is retried after that wait (POSTs carry an
``Idempotency-Key``, so a retried one runs at most once).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urljoin

import requests
from requests.auth import AuthBase

from clipsite_cli import __version__
from clipsite_cli.config import Settings
from clipsite_cli.errors import CliError, ExitCode
from clipsite_cli.multipart import MultipartFile

USER_AGENT = f"clipsite-cli/{__version__}"
# (connect, read) seconds. urllib3 keeps the connect timeout on the socket while it sends the
# body, so an upload gets a long one: a server busy elsewhere may stop reading for a while
# (its buffers full, the client's send blocks), and its answer comes only once it has
# stored the file. :meth:`Client.upload` checks first that the server answers at all.
TIMEOUT = (10, 60)
UPLOAD_TIMEOUT = (120, 600)
MAX_RETRIES = 5
MAX_RETRY_WAIT = 60


class BearerAuth(AuthBase):
    """``Authorization: Bearer <key>``. Set as the session's auth, so a ``.netrc`` entry for
    the host is never used in its place."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request


class Client:
    """The API at ``settings.url`` with ``settings.key``; ``notify`` hears about retries."""

    def __init__(self, settings: Settings, notify: Callable[[str], None] | None = None):
        self.url = settings.url
        self.notify = notify or (lambda message: None)
        self.session = requests.Session()
        self.session.auth = BearerAuth(settings.key)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        # Signed media links need no key, and may point at another host (S3): never send it there.
        # Their bytes are wanted as stored (identity), so byte ranges and lengths mean the file's.
        self.media = requests.Session()
        self.media.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})

    def get(self, path: str, params: dict[str, Any] | None = None, *, not_found: str | None = None) -> Any:
        return self._json(self._send("GET", path, params=params), not_found)

    def post(self, path: str, body: dict[str, Any] | None = None, *, not_found: str | None = None,
             headers: dict[str, str] | None = None) -> Any:  # fmt: skip
        headers = {"Idempotency-Key": uuid.uuid4().hex, **(headers or {})}
        return self._json(self._send("POST", path, json=body or {}, headers=headers), not_found)

    def delete(self, path: str, *, not_found: str | None = None) -> None:
        self._json(self._send("DELETE", path), not_found)

    def upload(self, path: str, file: Path, fields: dict[str, str], on_read: Callable[[int, int], None],
               headers: dict[str, str] | None = None) -> Any:  # fmt: skip
        """POST ``file`` and ``fields`` as a multipart form, streamed from disk.

        Asks for the account first (with the short timeouts), so an unreachable server or a
        refused key fails at once rather than after, or in the middle of, sending the file.
        """
        self.get("/api/account")
        headers = {"Idempotency-Key": uuid.uuid4().hex, **(headers or {})}

        def body() -> MultipartFile:
            return MultipartFile(fields, "file", file, on_read)

        return self._json(self._send("POST", path, headers=headers, body=body, timeout=UPLOAD_TIMEOUT), None)

    def fetch(self, url: str, headers: dict[str, str]) -> requests.Response:
        """GET a signed media link (absolute, or relative to the server) as a stream, without the key."""
        try:
            return self.media.get(urljoin(self.url + "/", url), headers=headers, stream=True, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise network_error(self.url, exc) from None

    def raise_for(self, response: requests.Response, not_found: str | None = None) -> NoReturn:
        """Raise the :class:`CliError` for an error ``response``."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        message = _message_of(body)
        error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), str) else None
        if status == 401:
            code = ExitCode.AUTH
            message = message or "The server does not accept this API key."
        elif status in (404, 410):
            code = ExitCode.NOT_FOUND
            message = not_found or message
        elif status >= 500:
            code = ExitCode.NETWORK
            message = message or f"The server failed to answer ({status} {response.reason})."
        else:
            code = ExitCode.REFUSED
        if not message:
            message = f"The server at {self.url} answered {status} {response.reason}; is it a Clipsite server?"
        raise CliError(message, code, error or f"http_{status}")

    def _send(self, method: str, path: str, *, body: Callable[[], MultipartFile] | None = None,
              **kwargs: Any) -> requests.Response:  # fmt: skip
        kwargs.setdefault("timeout", TIMEOUT)
        attempt = 0
        while True:
            form = body() if body is not None else None
            try:
                if form is not None:
                    kwargs["data"] = form
                    kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": form.content_type}
                response = self.session.request(method, self.url + path, **kwargs)
            except requests.RequestException as exc:
                raise network_error(self.url, exc) from None
            finally:
                if form is not None:
                    form.close()
            wait = _retry_after(response)
            if wait is None or attempt == MAX_RETRIES:
                return response
            response.close()
            self.notify(f"The server is busy or rate-limiting; retrying in {wait} s.")
            time.sleep(wait)
            attempt += 1

    def _json(self, response: requests.Response, not_found: str | None) -> Any:
        if not response.ok:
            self.raise_for(response, not_found)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise CliError(
                f"The server at {self.url} did not answer with JSON; is it a Clipsite server?", ExitCode.NETWORK
            ) from None


def network_error(url: str, exc: requests.RequestException) -> CliError:
    """The error for a request that got no answer, naming why in plain words."""
    if isinstance(exc, requests.exceptions.SSLError):
        reason = "its TLS certificate could not be verified"
    elif isinstance(exc, requests.exceptions.ConnectTimeout):
        reason = "it did not accept the connection in time"
    elif isinstance(exc, requests.exceptions.Timeout):
        reason = "it stopped answering (timed out)"
    elif isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.ChunkedEncodingError):
        reason = "the connection was refused or broken"
    else:
        reason = "the request could not be sent"
    return CliError(f"Could not reach the Clipsite server at {url}: {reason}.", ExitCode.NETWORK, "network")


def _retry_after(response: requests.Response) -> int | None:
    """Seconds to wait before retrying, for a 429 or 503 that says how long (and not too long)."""
    if response.status_code not in (429, 503):
        return None
    header = response.headers.get("Retry-After", "")
    if not header.isdigit() or int(header) > MAX_RETRY_WAIT:
        return None
    return max(1, int(header))


def _message_of(body: Any) -> str | None:
    """The server's message: ``detail`` as text, or viralcli's field errors joined."""
    if not isinstance(body, dict):
        return None
    detail = body.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(part) for part in item.get("loc", [])[1:])
                parts.append(f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", "")))
        return "; ".join(parts) or None
    return None
