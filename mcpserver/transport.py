"""The MCP SDK's streamable HTTP app, run for one request (see :mod:`mcpserver.http`)."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.transport_security import TransportSecuritySettings

from clipsite.middleware import MAX_JSON_BODY
from mcpserver.http import PATH
from mcpserver.server import http_server

# Django checks the Host header against ALLOWED_HOSTS before the view runs.
HOSTS_CHECKED_BY_DJANGO = TransportSecuritySettings(enable_dns_rebinding_protection=False)


class Exchange:
    """One request through the SDK's app: the body in, the status, headers and body out."""

    def __init__(self, scope: dict[str, Any], body: bytes):
        self.scope = scope
        self.body = body
        self.status = 500
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self._delivered = False

    async def run(self) -> None:
        # A fresh app per request: its session manager runs once, on this request's loop.
        app = http_server().streamable_http_app(
            streamable_http_path=PATH, json_response=True, stateless_http=True,
            max_request_body_size=MAX_JSON_BODY, transport_security=HOSTS_CHECKED_BY_DJANGO,
        )  # fmt: skip
        self._answered = anyio.Event()  # made here: an anyio event belongs to a running loop
        async with app.router.lifespan_context(app):
            await app(self.scope, self._receive, self._send)

    async def _receive(self) -> dict[str, Any]:
        if not self._delivered:
            self._delivered = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        # The client is there until the answer is complete.
        await self._answered.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in message["headers"]]
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                self._answered.set()
