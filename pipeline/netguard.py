"""Fetching user-given links safely: the SSRF guard and the guarded, size-capped download.

A user-supplied URL must never make the server talk to itself or to its neighbours:
loopback, private networks (RFC 1918, IPv6 unique-local), link-local addresses (which
include the cloud metadata service at ``169.254.169.254``), carrier-grade NAT, multicast
and the reserved ranges. :func:`check_url` resolves the host and refuses the URL when
*any* of its addresses is not a public unicast one, so a name with one public and one
private record is refused too. Callers check every hop, i.e. the first URL and each
redirect target, before sending a request to it; :func:`download` does so for direct
media links.

Limitation: the check resolves the name, and the HTTP client resolves it again when it
connects, so a DNS server that answers differently within seconds (DNS rebinding) could
slip through. Checking right before each hop keeps that window small.
``allow_private_urls`` (``ALLOW_PRIVATE_URLS``) turns the guard off; tests and
single-user installs that fetch from their own network need it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from pipeline.config import PipelineConfig
from pipeline.errors import IngestError
from pipeline.types import ProgressFn, no_progress

ALLOWED_SCHEMES = ("http", "https")

# Names of cloud metadata services, refused before any DNS lookup: inside a cloud VM
# they resolve to link-local or private addresses, and outside one the lookup would
# leak the attempt to whatever DNS server answers it.
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 10
CHUNK_BYTES = 256 * 1024
USER_AGENT = "Clipsite/0.1"


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the DNS boundary, patched in tests)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise IngestError(f"The host {host!r} could not be found ({exc}); check the link.") from None
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: IPAddress) -> bool:
    """True for a global unicast address; an IPv4-mapped IPv6 address is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str, config: PipelineConfig) -> str:
    """Refuse ``url`` unless it is http(s) with a host that may be fetched; return the URL.

    Raises :class:`IngestError` for another scheme, a missing host, a metadata-service
    name, or (unless ``config.allow_private_urls``) a host with any non-public address.
    An IP literal is judged without any network access.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise IngestError(f"Only http:// and https:// links can be fetched; {_short(url)} is neither.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise IngestError(f"The link {_short(url)} has no host name.")
    if config.allow_private_urls:
        return url
    if host in METADATA_HOSTS:
        raise IngestError(f"The link {_short(url)} points to a cloud metadata service and is refused.")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise IngestError(f"The link {_short(url)} has an invalid port.") from None
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        # A scoped IPv6 answer ("fe80::1%eth0") carries its zone after "%"; the zone
        # does not change whether the address is public.
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host, port)]
    blocked = [str(a) for a in addresses if not is_public(a)]
    if blocked:
        raise IngestError(
            f"The link {_short(url)} points to a private or local address ({', '.join(blocked)}); "
            "only public internet addresses can be fetched."
        )
    return url


def download(url: str, folder: Path, config: PipelineConfig, progress: ProgressFn = no_progress) -> Path:
    """Download the media file at ``url`` to ``folder/source.EXT`` and return its path.

    Every redirect hop is checked with :func:`check_url` before it is requested. Raises
    :class:`IngestError` for a refused or unreachable address, an HTTP error, a web page
    instead of a file, or a file over ``config.max_download_bytes`` (the partial file is
    deleted).
    """
    with requests.Session() as session:
        # The session must not pick up proxies or credentials from the environment.
        session.trust_env = False
        response, final_url = _follow(session, url, config)
        with response:
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type in ("text/html", "application/xhtml+xml"):
                raise IngestError(
                    f"The link {url[:120]} is a web page, not a video file; link to the video file itself "
                    "or import it from a supported video site."
                )
            total = _content_length(response)
            check_size(total, config)
            target = folder / ("source" + media_suffix(urlsplit(final_url).path))
            _stream_to(response, target, total, config, progress)
    return target


def _follow(session: requests.Session, url: str, config: PipelineConfig) -> tuple[requests.Response, str]:
    """GET ``url``, following redirects by hand so that each hop is checked before it is requested."""
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, config)
        try:
            response = session.get(
                url,
                stream=True,
                allow_redirects=False,
                timeout=config.socket_timeout_seconds,
                headers={"User-Agent": USER_AGENT},
            )
        except requests.Timeout:
            raise IngestError(
                f"The server at {urlsplit(url).netloc} did not answer within "
                f"{config.socket_timeout_seconds:g} seconds; try again later."
            ) from None
        except requests.RequestException as exc:
            raise IngestError(f"Could not connect to {urlsplit(url).netloc}: {_reason(exc)}.") from None
        if response.is_redirect:
            location = response.headers["Location"]
            response.close()
            url = urljoin(url, location)
            continue
        if response.status_code != 200:
            response.close()
            raise IngestError(
                f"The server answered HTTP {response.status_code} {response.reason or ''}".rstrip()
                + f" for {url[:120]}; check the link."
            )
        return response, url
    raise IngestError(f"The link {url[:120]} redirects more than {MAX_REDIRECTS} times.")


def _stream_to(
    response: requests.Response, target: Path, total: int | None, config: PipelineConfig, progress: ProgressFn
) -> None:
    partial = target.with_name(target.name + ".part")
    received = 0
    try:
        with partial.open("wb") as out:
            for chunk in response.iter_content(CHUNK_BYTES):
                received += len(chunk)
                check_size(received, config)
                out.write(chunk)
                if total:
                    progress(received / total, "downloading")
        if total is not None and received < total:
            raise IngestError(
                f"The download stopped after {received} of {total} bytes; the server closed the connection. "
                "Try again."
            )
        partial.replace(target)
    except requests.RequestException as exc:
        partial.unlink(missing_ok=True)
        raise IngestError(f"The download failed: {_reason(exc)}. Try again.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def check_size(size: int | None, config: PipelineConfig) -> None:
    """Refuse a download of ``size`` bytes (None: not known yet) over ``config.max_download_bytes``."""
    if size is not None and size > config.max_download_bytes:
        raise too_large(config)


def too_large(config: PipelineConfig) -> IngestError:
    """The refusal for a download over the size cap."""
    return IngestError(
        f"The video is larger than the download limit of {_megabytes(config.max_download_bytes)}; "
        "choose a shorter or lower-resolution video."
    )


def _content_length(response: requests.Response) -> int | None:
    # With a Content-Encoding the length counts compressed bytes, not what we write.
    if response.headers.get("Content-Encoding"):
        return None
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.0f} MB" if size >= 1024**2 else f"{size:,} bytes"


def _reason(exc: Exception) -> str:
    """The operating system's reason inside a requests error, without urllib3's object reprs."""
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return match.group(1).strip() if match else type(exc).__name__


def media_suffix(name: str) -> str:
    """The lower-case extension of ``name`` when it looks like one, else ``.media``."""
    suffix = Path(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".media"


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 3] + "..."
