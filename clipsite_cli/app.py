"""What every command shares: the --url, --key and --json options, and the :class:`App`
(output and client) a command is called with."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from clipsite_cli import config
from clipsite_cli.client import Client
from clipsite_cli.output import Output

URL_HELP = f"The server's base URL, e.g. https://clips.example.com (default: ${config.URL_ENV}, then the config file)."
KEY_HELP = f"An API key, cs_live_... (default: ${config.KEY_ENV}, then the config file)."
JSON_HELP = "Print one JSON document on stdout (the result or the error) and draw no progress bars."


@dataclass
class Globals:
    """The shared options as given before the command's name."""

    url: str | None = None
    key: str | None = None
    json: bool = False


@dataclass
class App:
    """What a command works with: its output, and (on first use) a client for the server."""

    url: str | None
    key: str | None
    out: Output
    _client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client(config.resolve(self.url, self.key), notify=self.out.note)
        return self._client


class JsonErrors:
    """Whether the command running was asked for --json: its errors are then JSON on stdout too."""

    wanted = False


def remember_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """Callback of every --json option."""
    JsonErrors.wanted = JsonErrors.wanted or value
    return value


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help=JSON_HELP, callback=remember_json)(func)


def shared_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command --url, --key and --json, and call it with an :class:`App` first."""

    @functools.wraps(func)
    def command(*args: Any, url: str | None, key: str | None, as_json: bool, **kwargs: Any) -> Any:
        given = click.get_current_context().find_object(Globals) or Globals()
        app = App(url or given.url, key or given.key, Output(as_json or given.json))
        return func(app, *args, **kwargs)

    command = json_option(command)
    command = click.option("--key", metavar="KEY", help=KEY_HELP)(command)
    return click.option("--url", metavar="URL", help=URL_HELP)(command)
