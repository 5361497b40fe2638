"""Bodies the server does not read, over real HTTP: against gunicorn as `make run` starts
it, and against Django's development server (what `manage.py runserver` serves).

A refused body (413) is left unread on the socket; the answer must say
``Connection: close`` and the server must close, instead of announcing keep-alive and
then dropping the connection under the client's next request. A chunked body (no
Content-Length) used to reach the views as empty; it is refused with 411.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection

from tests.plugins.services import free_port, wait_for_port
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The test database as a DATABASE_URL, for a server process to share its rows."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="module")
def gunicorn(django_db_setup, django_db_blocker):
    """gunicorn serving clipsite.wsgi with the worker class `make run` uses; yields its port."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "clipsite.wsgi", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", "1", "--threads", "4"],
        cwd=settings.BASE_DIR, env={**os.environ, "DATABASE_URL": database_url()},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=30, process=process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def runserver():
    """Django's development server serving clipsite.wsgi, as runserver does; yields its port."""
    from clipsite.wsgi import application

    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    server.set_app(application)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(params=["gunicorn", "runserver"])
def server(request) -> int:
    return request.getfixturevalue(request.param)


def exchange(port: int, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes, bool]:
    """Send a raw request (``head`` without its blank line, then ``body``) on a new
    connection; return the status, headers and body of the answer, and whether the
    server then closed the connection within a second (gunicorn's keep-alive is 2 s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body)
        response = http.client.HTTPResponse(sock)
        response.begin()
        content = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        sock.settimeout(1)
        try:
            closed = sock.recv(1) == b""
        except ConnectionResetError:
            closed = True
        except TimeoutError:
            closed = False
        return response.status, headers, content, closed


def test_it_closes_the_connection_after_refusing_a_json_body_over_the_cap(server, clean_redis):
    head = "POST /api/videos/url HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nContent-Length: 1000000"
    # Part of the body, as a client does that sends while it waits for an answer.
    status, headers, content, closed = exchange(server, head, b" " * 200_000)
    assert status == 413 and json.loads(content)["error"] == "payload_too_large"
    assert headers["connection"] == "close" and closed


def test_it_closes_the_connection_after_refusing_an_upload_over_the_plan(server, clean_redis, alice, key_for):
    head = (
        f"POST /api/videos/upload HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer {key_for(alice)}\n"
        f"Content-Type: multipart/form-data; boundary=xyz\nContent-Length: {20 * 1024**3}"
    )
    status, headers, content, closed = exchange(server, head, b"--xyz\r\n" + b"\0" * 100_000)
    assert status == 413 and "MB" in json.loads(content)["detail"]
    assert headers["connection"] == "close" and closed


@pytest.mark.parametrize("path", ["/api/videos/url", "/login"])
def test_it_refuses_chunked_bodies_with_411_and_closes(server, clean_redis, alice, key_for, path):
    payload = json.dumps({"url": "https://cdn.example.com/a.mp4"}).encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (payload[:10], payload[10:])) + b"0\r\n\r\n"
    head = (
        f"POST {path} HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer {key_for(alice)}\n"
        "Content-Type: application/json\nTransfer-Encoding: chunked"
    )
    status, headers, content, closed = exchange(server, head, chunked)
    assert status == 411 and b"Content-Length" in content
    assert headers["connection"] == "close" and closed
    assert not Video.objects.exists()


def test_it_keeps_the_connection_alive_after_a_body_it_read(server, clean_redis, alice, key_for):
    client = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    headers = {"Authorization": f"Bearer {key_for(alice)}", "Content-Type": "application/json"}
    client.request("POST", "/api/videos/url", body=json.dumps({"url": "ftp://x/y"}), headers=headers)
    refused = client.getresponse()
    assert refused.status == 422 and refused.getheader("Connection") != "close"
    refused.read()
    first_socket = client.sock
    client.request("GET", "/api/workspaces", headers=headers)
    listed = client.getresponse()
    assert listed.status == 200 and client.sock is first_socket
    client.close()
