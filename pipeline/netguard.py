"""Fetching user-given links safely: the SSRF guard, guarded HTTP connections, the download.

A user-supplied URL must never make the server talk to itself or to its neighbours.
This module is the one guard for every outgoing request made on a user's behalf (direct
downloads, yt-dlp, webhooks): :func:`check_url` judges a link before it is accepted, and
:func:`guard_session` makes a ``requests`` session judge every address it connects to.

What is refused (:func:`refusal`):

* in every mode: another scheme than http(s) (than https for a caller that asks
  ``require_https``, as webhooks do unless ``allow_private_urls``); cloud metadata
  names (``METADATA_HOSTS``) and addresses (``METADATA_ADDRESSES``); link-local
  addresses (169.254/16, fe80::/10, which hold the metadata service at
  169.254.169.254); unspecified (0.0.0.0, ::), multicast and reserved addresses;
* in every mode: any other address that is not global (carrier-grade NAT,
  documentation and benchmarking ranges, ...);
* unless ``config.allow_private_urls`` (``ALLOW_PRIVATE_URLS``, for development and
  tests): loopback, RFC 1918 and IPv6 unique-local addresses (``DEVELOPMENT_NETWORKS``,
  the only ones the flag admits). Every redirect hop is judged in both modes;
* IPv6 forms that carry an IPv4 address are judged by the IPv4 address they carry.
  IPv4-mapped ``::ffff:a.b.c.d`` is how a dual-stack socket writes an IPv4 address, so
  it is judged as that address, in either mode. NAT64 ``64:ff9b::/96``, SIIT
  ``::ffff:0:a.b.c.d``, 6to4 ``2002::/16`` and Teredo ``2001::/32`` (server in bits
  32-63, client in the inverted last 32 bits) are admitted only when every address they
  carry is public, in either mode: a translator reaches the carried address from its own
  network, where "private" means someone else's. Two forms are refused outright,
  whatever they carry: IPv4-compatible ``::a.b.c.d`` (deprecated by RFC 4291, no
  legitimate use) and the NAT64 local-use prefix ``64:ff9b:1::/48`` (RFC 8215 lets each
  operator put the IPv4 address at a different offset, so it cannot be read reliably).

A host name is refused when *any* of its addresses is refused, so a name with one public
and one private record is refused too. A host written as an IPv4 address in a legacy
spelling that the C library reads without DNS (``2130706433``, ``0x7f.0.0.1``,
``017700000001``, ``127.1``) is judged as that address. A refusal for what a host is or
resolves to raises :class:`AddressRefused`, whose ``reason`` is short enough for a log line.

Connecting to the checked address. :func:`guard_session` swaps the urllib3 connection
classes of a session's adapters for guarded ones whose ``_new_conn`` resolves the name
once (:func:`resolve`), judges every answer and connects the socket only to an address
it judged; the HTTP layer above is untouched, so the Host header, TLS SNI and
certificate verification still use the original name. This was chosen over an adapter
that rewrites URLs to IP addresses because it cannot be bypassed by any path that opens
a connection: each redirect hop, each keep-alive reconnect and each request yt-dlp makes
through the session goes through ``_new_conn``, and there is no second DNS resolution
for a rebinding DNS server to answer differently. It is scoped to the sessions it is
applied to; nothing is patched globally.

What remains (see :mod:`pipeline.ytdlp_guard` for yt-dlp's share): a guarded session
must not be given a proxy (a proxy connection would judge the proxy, not the target),
which is why downloads ignore the environment's proxies. The check at submit time and
the fetch resolve the name separately; the submit check only refuses early, and the
fetch, which connects only to what it judged then, is what protects. A lookup that
times out leaves its thread to finish in the background.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from pipeline.config import PipelineConfig
from pipeline.errors import IngestError
from pipeline.types import ProgressFn, no_progress

ALLOWED_SCHEMES = ("http", "https")

# Names of cloud metadata services, refused before any DNS lookup: inside a cloud VM
# they resolve to link-local or private addresses, and outside one the lookup would
# leak the attempt to whatever DNS server answers it.
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services outside the link-local ranges, refused even with allow_private_urls:
# AWS's and Google's IPv6 endpoints (unique-local), Alibaba's (carrier-grade NAT) and
# Azure's WireServer (a public address that only the host answers).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "fd20:ce::254", "100.100.100.200", "168.63.129.16")
)
# What allow_private_urls admits: loopback, RFC 1918 and IPv6 unique-local.
DEVELOPMENT_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
SIIT = ipaddress.ip_network("::ffff:0:0:0/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

RESOLVE_TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 10
CHUNK_BYTES = 256 * 1024
USER_AGENT = "Clipsite/0.1"


def resolve(host: str, port: int, timeout: float = RESOLVE_TIMEOUT_SECONDS) -> list[str]:
    """Every address ``host`` resolves to, within ``timeout`` seconds.

    The system resolver has no timeout of its own, so the lookup runs in a daemon thread
    that is abandoned (and ends with the resolver's own timeout) when it is too slow.
    Raises :class:`IngestError` for a name that does not resolve in time or at all.
    """
    answer: list = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            answer.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host[:40]}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not answer:
        raise IngestError(f"The host {host!r} did not answer a DNS lookup within {timeout:g} seconds; try again.")
    if isinstance(answer[0], BaseException) or not answer[0]:
        raise IngestError(f"The host {host!r} could not be found; check the link.")
    return sorted({str(info[4][0]) for info in answer[0]})


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """None when ``address`` may be connected to; otherwise how a refusal names it."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            blocked = refusal(address.ipv4_mapped, allow_private=allow_private)
            return None if blocked is None else f"::ffff:{blocked}"
        if address in IPV4_COMPATIBLE and int(address) > 1:
            return f"{address}, an IPv4-compatible form of {ipaddress.IPv4Address(int(address))}"
        if address in NAT64_LOCAL:
            return f"{address}, in the NAT64 local-use prefix {NAT64_LOCAL}"
        carried = _carried_ipv4(address)
        if carried:
            blocked = [str(a) for a in carried if refusal(a, allow_private=False) is not None]
            return f"{address}, which carries {' and '.join(blocked)}" if blocked else None
    if address.is_unspecified or address.is_multicast or address.is_link_local or address in METADATA_ADDRESSES:
        return str(address)
    if address.is_global and not address.is_reserved:
        return None
    if allow_private and any(address in network for network in DEVELOPMENT_NETWORKS):
        return None
    return str(address)


def _carried_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a NAT64, SIIT, 6to4 or Teredo address carries; [] for other addresses."""
    if address in NAT64 or address in SIIT:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    return []


def _parse(address: str) -> IPAddress:
    # A scoped IPv6 address ("fe80::1%eth0") carries its zone after "%"; the zone does
    # not change what the address is.
    return ipaddress.ip_address(address.split("%")[0])


class AddressRefused(IngestError):
    """The guard refused a host for what it is or resolves to; ``reason`` says so in a few words."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def parse_link(url: str, *, require_https: bool = False) -> tuple[str, int]:
    """The host and port of ``url``, refusing what is wrong without any network access.

    Raises :class:`IngestError` for another scheme than http(s) (than https with
    ``require_https``), a missing host, an invalid port or a metadata-service name
    (:class:`AddressRefused`).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise IngestError(f"Only http:// and https:// links can be fetched; {_short(url)} is neither.")
    if require_https and scheme != "https":
        raise IngestError(f"Only https:// links are accepted here; {_short(url)} is not one.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise IngestError(f"The link {_short(url)} has no host name.")
    if host in METADATA_HOSTS:
        raise _metadata_refused(f"The link {_short(url)}")
    try:
        return host, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise IngestError(f"The link {_short(url)} has an invalid port.") from None


def check_url(url: str, config: PipelineConfig, *, require_https: bool = False) -> str:
    """Refuse ``url`` unless it is http(s) with a host whose every address may be fetched; return it.

    An IP literal (in any spelling ``inet_aton`` reads, such as ``2130706433`` or
    ``0x7f.1``) is judged without any network access; a name is resolved with
    :func:`resolve` (a name that does not resolve is refused too). ``require_https``
    refuses plain http. Raises :class:`IngestError`. Used where a link is accepted
    (submit time); fetching goes through :func:`guard_session`, which judges the address
    it actually connects to.
    """
    host, port = parse_link(url, require_https=require_https)
    _checked_addresses(host, port, allow_private=config.allow_private_urls, subject=f"The link {_short(url)}")
    return url


def _checked_addresses(host: str, port: int, *, allow_private: bool, subject: str) -> list[IPAddress]:
    """The addresses of ``host``, resolved once, after judging each; raise when any is refused."""
    host = host.strip("[]").rstrip(".").lower()
    if host in METADATA_HOSTS:
        raise _metadata_refused(subject)
    literal = _ip_literal(host)
    addresses = [literal] if literal is not None else [_parse(a) for a in resolve(host, port)]
    blocked = [reason for a in addresses if (reason := refusal(a, allow_private=allow_private)) is not None]
    if blocked:
        rule = (
            "only public, loopback and private-network addresses can be fetched, never link-local or metadata ones"
            if allow_private
            else "only public internet addresses can be fetched"
        )
        raise AddressRefused(
            f"{subject} points to a private or local address ({'; '.join(blocked)}); {rule}.",
            reason=f"the address is private or local ({'; '.join(blocked)})",
        )
    return addresses


def _metadata_refused(subject: str) -> AddressRefused:
    return AddressRefused(
        f"{subject} points to a cloud metadata service and is refused.", reason="the host is a cloud metadata service"
    )


def connect(
    host: str,
    port: int,
    *,
    allow_private: bool,
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
    socket_options: list | None = None,
) -> socket.socket:
    """A TCP socket connected to an address of ``host`` that the guard judged, never to another.

    Raises :class:`IngestError` when the guard refuses the host (before any socket is
    made) and :class:`OSError` when no judged address answers.
    """
    addresses = _checked_addresses(host, port, allow_private=allow_private, subject=f"The host {host}")
    error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect((str(address), port))
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"no address to connect to for {host}")


class _GuardedHTTPConnection(HTTPConnection):
    """An urllib3 connection whose socket goes only to an address :func:`connect` judged."""

    def __init__(self, *args, allow_private: bool, **kwargs):
        self._allow_private = allow_private
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        try:
            return connect(
                self._dns_host, self.port, allow_private=self._allow_private, timeout=self.timeout,
                source_address=self.source_address, socket_options=self.socket_options,
            )  # fmt: skip
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class _GuardedHTTPSConnection(_GuardedHTTPConnection, HTTPSConnection):
    """The TLS variant: the handshake still uses the URL's host name for SNI and verification."""


class _GuardedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def guard_session(session: requests.Session, *, allow_private: bool) -> requests.Session:
    """Make every connection ``session``'s mounted adapters open go through the guard; return it.

    Works on any ``requests.adapters.HTTPAdapter`` (yt-dlp's included): its pool manager
    builds guarded connection pools from now on. The session must not use proxies.
    """
    pools = {
        "http": functools.partial(_GuardedHTTPConnectionPool, allow_private=allow_private),
        "https": functools.partial(_GuardedHTTPSConnectionPool, allow_private=allow_private),
    }
    for adapter in session.adapters.values():
        adapter.poolmanager.clear()
        adapter.poolmanager.pool_classes_by_scheme = pools
    return session


def download(url: str, folder: Path, config: PipelineConfig, progress: ProgressFn = no_progress) -> Path:
    """Download the media file at ``url`` to ``folder/source.EXT`` and return its path.

    Every redirect hop is parsed with :func:`parse_link` and every connection is judged
    by the guard (see the module docstring) before a byte is sent. Raises
    :class:`IngestError` for a refused or unreachable address, an HTTP error, a web page
    instead of a file, or a file over ``config.max_download_bytes`` (the partial file is
    deleted).
    """
    with requests.Session() as session:
        # The session must not pick up proxies or credentials from the environment.
        session.trust_env = False
        guard_session(session, allow_private=config.allow_private_urls)
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
    """GET ``url``, following redirects by hand so that each hop is parsed before it is requested."""
    for _ in range(MAX_REDIRECTS + 1):
        parse_link(url)
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


def os_reason(exc: Exception) -> str | None:
    """The operating system's reason inside a requests error ("Connection refused"),
    without urllib3's object reprs; None when the error carries none."""
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return match.group(1).strip() if match else None


def _reason(exc: Exception) -> str:
    return os_reason(exc) or type(exc).__name__


def media_suffix(name: str) -> str:
    """The lower-case extension of ``name`` when it looks like one, else ``.media``."""
    suffix = Path(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".media"


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return _parse(host.strip("[]"))
    except ValueError:
        return _inet_aton(host)


# What inet_aton, and so the C library's getaddrinfo, reads as an IPv4 address besides a
# dotted quad: one to four parts, each decimal, octal (leading 0) or hex (0x).
_INET_ATON_PART = re.compile(r"0x[0-9a-f]*|[0-9]+")


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a legacy spelling (``2130706433``, ``0x7f.0.0.1``, ``017700000001``,
    ``127.1``) stands for; None for a host name.

    The system resolver turns these into addresses without asking DNS, so the guard must
    judge them as the address they are, not as names. A host made only of numeric parts
    that no reading accepts (``08.1``, ``1.2.3.4.5``) is refused rather than sent to DNS.
    """
    parts = host.split(".")
    if not all(_INET_ATON_PART.fullmatch(part) for part in parts):
        return None
    try:
        values = [int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p[0] == "0" else int(p)
                  for p in parts]  # fmt: skip
    except ValueError:  # "0x" alone, or an octal part with an 8 or a 9
        values = None
    if values is None or len(values) > 4 or any(v > 255 for v in values[:-1]) or values[-1] >> (40 - 8 * len(values)):
        raise AddressRefused(f"The host {host} is not a valid address.", reason="the host is not a valid address")
    number = values[-1]
    for index, value in enumerate(values[:-1]):
        number |= value << (24 - 8 * index)
    return ipaddress.IPv4Address(number)


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 3] + "..."
