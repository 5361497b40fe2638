"""``manage.py mcp [--key KEY]``: Clipsite's MCP tools over stdio, for a local MCP client.

The client (Claude Desktop, an IDE, an agent) starts this command and speaks MCP on its
stdin and stdout. It acts as the owner of an API key, from ``CLIPSITE_API_KEY`` or
``--key`` (the environment keeps it out of the process list), checked before serving
and again at every tool call. Links in answers are absolute on ``SITE_URL``.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from accounts.models import ApiKey
from mcpserver.caller import Caller, acting_as
from mcpserver.server import stdio_server

KEY_VARIABLE = "CLIPSITE_API_KEY"


class Command(BaseCommand):
    help = "Serve Clipsite's MCP tools over stdio, as the owner of an API key (CLIPSITE_API_KEY or --key)."

    def add_arguments(self, parser):
        parser.add_argument("--key", help=f"An API key (default: the {KEY_VARIABLE} environment variable).")

    def handle(self, *args, key: str | None, **options):
        raw = (key or os.environ.get(KEY_VARIABLE, "")).strip()
        if not raw:
            raise CommandError(
                f"No API key: set {KEY_VARIABLE} or pass --key. Create one on the dashboard's API keys page, "
                "or with `manage.py create_api_key EMAIL`."
            )
        if ApiKey.objects.for_key(raw) is None:
            raise CommandError(f"The API key is invalid or revoked; create a new one and set {KEY_VARIABLE} to it.")
        # Tools use the database from worker threads; this thread's connection would sit idle.
        connections.close_all()
        with acting_as(Caller(raw_key=raw, base_url=settings.SITE_URL + "/")):
            stdio_server().run("stdio")
