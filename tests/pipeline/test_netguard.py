"""The SSRF guard: IPv6 forms that carry IPv4, the development flag, redirects, DNS rebinding.

Real loopback HTTP servers answer; DNS and connect() are faked at the socket layer
(:class:`tests.fake_network.FakeNetwork`), which records every lookup and connection
attempt and lets nothing leave the machine.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import ssl
import time
from pathlib import Path
from unittest import mock

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipeline import netguard
from pipeline.errors import IngestError
from pipeline.ingest import ingest
from pipeline.ytdlp_guard import GuardedYoutubeDL
from tests.fake_network import FakeNetwork
from tests.pipeline.http_server import LocalHTTPServer
from tests.pipeline.test_ingest import HAMILTON, PUBLIC_ADDRESS, files_in, sha256, video_page
from tests.pipeline.test_probe import make_config

# IPv6 addresses that carry a loopback or metadata IPv4 address; the old guard let each through.
CARRYING_IPV4 = {
    "nat64": "64:ff9b::a9fe:a9fe",
    "ipv4-compatible": "::a9fe:a9fe",
    "6to4": "2002:a9fe:a9fe::1",
    "ipv4-compatible-loopback": "::7f00:1",
    "siit": "::ffff:0:7f00:1",
    "teredo": "2001:0:4136:e378:8000:63bf:80ff:fffe",  # client 127.0.0.1 (inverted), server 65.54.227.120
    "nat64-local-use": "64:ff9b:1::a9fe:a9fe",
}
FORMS = pytest.mark.parametrize("address", list(CARRYING_IPV4.values()), ids=list(CARRYING_IPV4))
MODES = pytest.mark.parametrize("allow_private", [False, True], ids=["strict", "development"])


@pytest.fixture
def server():
    with LocalHTTPServer() as running:
        yield running


def config(allow_private: bool):
    return make_config(allow_private_urls=allow_private)


# IPv6 forms that carry IPv4 ------------------------------------------------------------


@FORMS
@MODES
def test_it_refuses_each_ipv6_form_carrying_a_private_ipv4_address_as_a_literal(address, allow_private):
    with FakeNetwork() as network, pytest.raises(IngestError, match="private or local address"):
        netguard.check_url(f"http://[{address}]/talk.mp4", config(allow_private))

    assert network.lookups == [] and network.connects == []


@FORMS
@MODES
def test_it_refuses_a_name_that_resolves_to_such_a_form(address, allow_private):
    with (
        FakeNetwork().answer("videos.example", ["93.184.215.14", address]) as network,
        pytest.raises(IngestError, match=r"private or local address \(" + re.escape(address)),
    ):
        netguard.check_url("https://videos.example/talk.mp4", config(allow_private))

    assert network.connects == []


@FORMS
@pytest.mark.parametrize("by_name", [False, True], ids=["literal", "name"])
def test_it_refuses_to_download_from_such_a_form_without_connecting(address, by_name, tmp_path):
    url = "http://videos.example/talk.mp4" if by_name else f"http://[{address}]/talk.mp4"

    with (
        FakeNetwork().answer("videos.example", [address]) as network,
        pytest.raises(IngestError, match="private or local address"),
    ):
        netguard.download(url, tmp_path, config(True))

    assert network.connects == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:0:808:808", "::ffff:8.8.8.8"])
def test_it_admits_a_translated_address_that_carries_a_public_one(address):
    # A NAT64 or 6to4 path to a public IPv4 host is how IPv6-only networks reach it.
    assert netguard.refusal(ipaddress.ip_address(address), allow_private=False) is None


# The development flag --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::a9fe:a9fe]/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://0.0.0.0:6379/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "ftp://127.0.0.1/video.mp4",
    ],
)
def test_it_never_admits_link_local_metadata_unspecified_multicast_or_other_schemes(url):
    with FakeNetwork() as network, pytest.raises(IngestError, match=r"private or local|metadata|Only http"):
        netguard.check_url(url, config(True))

    assert network.lookups == [] and network.connects == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/a.mp4", "http://10.1.2.3/a.mp4", "http://[::1]/a.mp4",
                                 "http://[fd12:3456::1]/a.mp4", "http://[::ffff:192.168.1.2]/a.mp4"])  # fmt: skip
def test_it_admits_loopback_and_private_ranges_only_for_development(url):
    assert netguard.check_url(url, config(True)) == url
    with pytest.raises(IngestError, match="only public internet addresses can be fetched"):
        netguard.check_url(url, config(False))


# Every redirect hop, in development mode too -----------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://0.0.0.0:{port}/secret",  # Linux delivers the unspecified address to loopback
        "http://[::ffff:0:7f00:1]:{port}/secret",
        "http://internal.example:{port}/secret",  # one loopback and one metadata record
    ],
)
def test_it_checks_every_redirect_hop_with_the_development_flag(media_dir, server, tmp_path, target):
    server.add_file("/secret", media_dir / HAMILTON)
    start = server.add_redirect("/start", target.format(port=server.port))

    with (
        FakeNetwork().answer("internal.example", ["127.0.0.1", "169.254.169.254"]) as network,
        pytest.raises(IngestError, match=r"private or local address|metadata service"),
    ):
        netguard.download(start, tmp_path, config(True))

    assert network.connects == [("127.0.0.1", server.port)]  # the first hop only
    assert server.paths_requested() == ["/start"]
    assert list(tmp_path.iterdir()) == []


def test_it_follows_a_redirect_to_a_loopback_port_with_the_development_flag(media_dir, server, tmp_path):
    server.add_file("/secret", media_dir / HAMILTON)
    start = server.add_redirect("/start", server.url("/secret", host="localhost"))

    with FakeNetwork() as network:
        path = netguard.download(start, tmp_path, config(True))

    # The hop was judged (its name resolved by the guard) and admitted: loopback is what the flag is for.
    assert network.lookups == ["localhost"]
    assert set(network.connects) == {("127.0.0.1", server.port)}
    assert sha256(path) == sha256(media_dir / HAMILTON)


def test_it_checks_the_redirects_yt_dlp_follows_with_the_development_flag(media_dir, server, tmp_path):
    server.add_redirect("/media/latest.mp4", "http://169.254.169.254/latest/meta-data/")
    page = server.add_bytes("/watch/42", video_page("/media/latest.mp4"))

    with FakeNetwork() as network, pytest.raises(IngestError, match=r"private or local address \(169\.254"):
        ingest(page, tmp_path / "work", config(True), force_ytdlp=True)

    assert {address for address, _ in network.connects} == {"127.0.0.1"}
    assert files_in(tmp_path / "work") == []


# Connecting to the checked address -----------------------------------------------------


def test_it_connects_only_to_the_address_it_checked_when_dns_rebinds(media_dir, server, tmp_path):
    url = server.add_file("/talk.mp4", media_dir / HAMILTON).replace("127.0.0.1", "videos.example")
    # A rebinding DNS server: public for the check, loopback a moment later.
    rebinding = FakeNetwork().answer("videos.example", [PUBLIC_ADDRESS], ["127.0.0.1"]).route(PUBLIC_ADDRESS)

    with rebinding as network:
        path = netguard.download(url, tmp_path, config(False))

    assert network.lookups == ["videos.example"]
    assert network.connects == [(PUBLIC_ADDRESS, server.port)]
    assert sha256(path) == sha256(media_dir / HAMILTON)


def test_it_connects_yt_dlp_only_to_checked_addresses_when_dns_rebinds(media_dir, server, tmp_path):
    url = server.add_file("/talk.mp4", media_dir / HAMILTON).replace("127.0.0.1", "videos.example")
    rebinding = FakeNetwork().answer("videos.example", [PUBLIC_ADDRESS], ["127.0.0.1"]).route(PUBLIC_ADDRESS)

    with rebinding as network:
        try:
            ingest(url, tmp_path / "work", config(False), force_ytdlp=True)
        except IngestError as exc:  # a second connection gets the rebound answer and is refused
            assert "private or local address (127.0.0.1)" in exc.message

    assert network.connects and {address for address, _ in network.connects} == {PUBLIC_ADDRESS}


def test_it_keeps_the_host_name_for_the_host_header_and_tls_verification(tmp_path):
    certificate = self_signed_certificate("videos.example", tmp_path)
    server = LocalHTTPServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, certificate)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    server.add_bytes("/a.mp4", b"media", content_type="video/mp4")
    network = FakeNetwork().answer("videos.example", [PUBLIC_ADDRESS]).answer("other.example", [PUBLIC_ADDRESS])

    with server, network.route(PUBLIC_ADDRESS), requests.Session() as session:
        netguard.guard_session(session, allow_private=False)
        session.trust_env = False
        session.verify = str(certificate)
        answer = session.get(f"https://videos.example:{server.port}/a.mp4", timeout=10)
        # Same address, another name: the certificate is checked against the name, not the IP.
        with pytest.raises(requests.exceptions.SSLError):
            session.get(f"https://other.example:{server.port}/a.mp4", timeout=10)

    assert answer.content == b"media"
    assert server.hits[0].headers["Host"] == f"videos.example:{server.port}"
    assert network.connects == [(PUBLIC_ADDRESS, server.port)] * 2


def test_it_refuses_a_host_at_connect_time_before_connecting_anywhere():
    with (
        FakeNetwork().answer("videos.example", [PUBLIC_ADDRESS, "10.0.0.7"]) as network,
        pytest.raises(IngestError, match=r"videos\.example points to a private or local address \(10\.0\.0\.7\)"),
    ):
        netguard.connect("videos.example", 443, allow_private=False, timeout=5)

    assert network.lookups == ["videos.example"] and network.connects == []


# yt-dlp's downloaders ------------------------------------------------------------------

# AES-128 with byte ranges: yt-dlp's native HLS downloader hands this stream to ffmpeg.
UNREADABLE_HLS = b"""#EXTM3U
#EXT-X-VERSION:4
#EXT-X-TARGETDURATION:10
#EXT-X-KEY:METHOD=AES-128,URI="/key.bin"
#EXT-X-BYTERANGE:1000@0
#EXTINF:10.0,
/segment.ts
#EXT-X-ENDLIST
"""


def test_it_never_lets_ffmpeg_fetch_a_stream_yt_dlp_cannot_read(server, tmp_path):
    url = server.add_bytes("/stream.m3u8", UNREADABLE_HLS, content_type="application/vnd.apple.mpegurl")
    server.add_bytes("/key.bin", b"k" * 16, content_type="application/octet-stream")
    server.add_bytes("/segment.ts", b"\0" * 2000, content_type="video/mp2t")

    with pytest.raises(IngestError, match="could not be downloaded"):
        ingest(url, tmp_path / "work", config(True), force_ytdlp=True)

    # yt-dlp read the playlist through the guard; ffmpeg, which would not, fetched nothing.
    assert set(server.paths_requested()) == {"/stream.m3u8"}


@pytest.mark.parametrize(
    "info",
    [
        {"url": "rtmp://127.0.0.1:1935/live/talk"},  # rtmpdump
        {"url": "http://127.0.0.1:8000/live.m3u8", "protocol": "m3u8_native", "is_live": True},  # ffmpeg
    ],
    ids=["rtmp", "live-hls"],
)
def test_it_refuses_formats_that_only_an_external_program_would_fetch(info, tmp_path):
    with (
        FakeNetwork() as network,
        GuardedYoutubeDL({"quiet": True}, config(True)) as ydl,
        pytest.raises(IngestError, match="cannot be fetched safely"),
    ):
        ydl.dl(str(tmp_path / "source.mp4"), {"id": "talk", "ext": "mp4", **info})

    assert network.connects == []


# DNS --------------------------------------------------------------------------------


def test_it_gives_up_on_a_dns_lookup_that_takes_too_long():
    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(3)
        return []

    started = time.monotonic()
    with mock.patch("socket.getaddrinfo", slow), pytest.raises(IngestError, match=r"within 0\.2 seconds"):
        netguard.resolve("slow.example", 80, timeout=0.2)

    assert time.monotonic() - started < 2


def test_it_refuses_a_name_that_does_not_resolve():
    with FakeNetwork() as network, pytest.raises(IngestError, match="could not be found; check the link"):
        netguard.check_url("https://nowhere.example/v.mp4", config(True))

    assert network.lookups == ["nowhere.example"] and network.connects == []


def self_signed_certificate(name: str, folder: Path) -> Path:
    """A PEM file holding a key and a self-signed certificate for ``name``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return path
