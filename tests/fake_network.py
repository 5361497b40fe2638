"""A fake internet at the socket layer, so that network tests never send a packet off the machine.

:class:`FakeNetwork` replaces ``socket.getaddrinfo`` and ``socket.socket.connect`` for
the duration of a ``with`` block (in every thread):

* DNS: a name given to :meth:`FakeNetwork.answer` resolves to the addresses the test
  chose (one answer per lookup, the last one repeating, so a test can play a DNS server
  that rebinds); IP literals and ``localhost`` resolve as usual; any other name fails
  as unknown, without a query leaving the machine;
* connect: every connection attempt is recorded in :attr:`FakeNetwork.connects` as
  ``(address, port)``. Loopback connections go through; an address given to
  :meth:`FakeNetwork.route` is delivered to loopback on the same port, so a loopback
  test server can stand in for a public host; any other address is refused with
  ``ENETUNREACH``. Unix sockets are left alone.

``offline_dns()`` is the default for every test, installed by ``tests/conftest.py``:
the test domains that tests submit links on resolve to loopback, IP literals,
``localhost`` and the machine's own name as usual, and any other name fails as unknown
without a query leaving the machine.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from unittest import mock

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect

# Names reserved for documentation and tests (RFC 2606, RFC 6761) and the video sites
# that tests submit links of; subdomains included.
TEST_DOMAINS = ("example", "example.com", "example.net", "example.org", "test",
                "youtube.com", "youtu.be", "tiktok.com", "instagram.com", "vimeo.com")  # fmt: skip


class FakeNetwork:
    def __init__(self) -> None:
        self._answers: dict[str, list[list[str]]] = {}
        self._routes: dict[str, str] = {}
        self.lookups: list[str] = []
        self.connects: list[tuple[str, int]] = []

    def answer(self, host: str, *answers: list[str]) -> FakeNetwork:
        """Make ``host`` resolve to ``answers[0]`` first, then ``answers[1]``…, the last one repeating."""
        self._answers[host.lower()] = [list(a) for a in answers]
        return self

    def route(self, address: str, to: str = "127.0.0.1") -> FakeNetwork:
        """Deliver connections to ``address`` to ``to`` (loopback) on the same port."""
        self._routes[address] = to
        return self

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        name = name.rstrip(".").lower()
        self.lookups.append(name)
        if name in self._answers:
            queue = self._answers[name]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [_info(address, int(port or 0)) for address in addresses]
        if _is_literal(name) or name == "localhost":
            return _real_getaddrinfo(host, port, family, type, proto, flags)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def connect(self, sock: socket.socket, address) -> None:
        if not isinstance(address, tuple):  # a Unix socket's path
            return _real_connect(sock, address)
        host, port = str(address[0]), int(address[1])
        self.connects.append((host, port))
        if host in self._routes:
            target = self._routes[host]
            return _real_connect(sock, (target, port) if ":" not in target else (target, port, 0, 0))
        if ipaddress.ip_address(host.split("%")[0]).is_loopback:
            return _real_connect(sock, address)
        raise OSError(errno.ENETUNREACH, f"the test network does not reach {host}")

    def __enter__(self) -> FakeNetwork:
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(mock.patch("socket.getaddrinfo", self.getaddrinfo))
        network = self

        def connect(sock, address):  # type: ignore[no-untyped-def]
            return network.connect(sock, address)

        self._stack.enter_context(mock.patch.object(socket.socket, "connect", connect))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()


@contextlib.contextmanager
def offline_dns():
    """Resolve the test domains (``TEST_DOMAINS``) to loopback and no other name off the machine."""
    own_name = socket.gethostname().lower()

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = (host.decode() if isinstance(host, bytes) else str(host or "")).rstrip(".").lower()
        if any(name == d or name.endswith("." + d) for d in TEST_DOMAINS):
            return [_info("127.0.0.1", int(port or 0))]
        if not name or _is_literal(name) or name in ("localhost", own_name):
            return _real_getaddrinfo(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with mock.patch("socket.getaddrinfo", getaddrinfo):
        yield


def _info(address: str, port: int) -> tuple:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


def _is_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True
