"""The ``clipsite`` command: its group and help, ``login``, and :func:`main`, which turns
every failure into a plain message and an exit code."""

from __future__ import annotations

import json
import os

import click

from clipsite_cli import __version__, config, trends, videos
from clipsite_cli.app import KEY_HELP, URL_HELP, Globals, JsonErrors, json_option
from clipsite_cli.client import Client
from clipsite_cli.errors import CliError, ExitCode
from clipsite_cli.output import Output, printable

HELP = f"""Clipsite from the command line: submit videos, follow them, list, download and
re-render their clips, run trend discoveries and manage tracked items, over a Clipsite
server's REST API.

\b
Where the server is (the first place that has it wins):
  1. --url and --key (before or after the command's name)
  2. {config.URL_ENV} and {config.KEY_ENV}
  3. the config file that `clipsite login` writes: ${config.CONFIG_ENV}, else
     ~/.config/clipsite/config.toml (url = "...", key = "...", mode 0600)

\b
Every command takes --json: one JSON document on stdout (the server's answer, or
{{"error", "detail", "exitCode"}}), no bars. Otherwise results go to stdout and progress
bars to stderr.

\b
Exit codes:
  0    done
  1    the server refused (validation, quota, conflict, permission), the video or render
       failed, some clips were not downloaded, or a local file could not be read or written
  2    wrong command line, or no server URL configured
  3    no API key, or the server does not accept it
  4    not found: no such video, clip or tracked item in the key's workspace
  5    the server could not be reached, timed out or failed (5xx)
  130  interrupted (Ctrl-C); submitted work goes on on the server
"""


@click.group(help=HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--url", metavar="URL", help=URL_HELP)
@click.option("--key", metavar="KEY", help=KEY_HELP)
@json_option
@click.version_option(__version__, prog_name="clipsite", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, url: str | None, key: str | None, as_json: bool) -> None:
    ctx.obj = Globals(url, key, as_json)


@cli.command()
@click.option("--url", metavar="URL", help=f"The server's base URL (default: ${config.URL_ENV}).")
@click.option("--key", metavar="KEY", help="The API key; asked for without echo when left out (or read from stdin).")
@json_option
@click.pass_context
def login(ctx: click.Context, url: str | None, key: str | None, as_json: bool) -> None:
    """Save a server's URL and API key, once the server accepts them.

    The key is tried on the server first (GET /api/account); only a key it accepts is
    saved. The file is readable by you alone (mode 0600); its path is printed.
    """
    given = ctx.find_object(Globals) or Globals()
    out = Output(as_json or given.json)
    url = url or given.url or os.environ.get(config.URL_ENV)
    if not url:
        raise CliError("Give the server's URL with --url.", ExitCode.USAGE)
    key = key or given.key or os.environ.get(config.KEY_ENV)
    if not key:
        try:
            key = click.prompt("API key", hide_input=True, err=True)
        except click.Abort:
            raise CliError("No API key given: pass --key or type it when asked.", ExitCode.AUTH, "no_key") from None
    settings = config.Settings(config.normalise_url(url), key.strip())
    account = Client(settings).get("/api/account")
    path = config.save(settings)
    workspace = account.get("workspace") or {}
    out.emit({"url": settings.url, "config": str(path), "accountId": account.get("accountId"),
              "workspace": workspace.get("name"), "plan": account.get("plan")})  # fmt: skip
    out.line(f"Signed in to {settings.url}: workspace {workspace.get('name')} ({account.get('plan')} plan).")
    out.line(f"Saved to {path}.")


for command in (*videos.COMMANDS, *trends.COMMANDS):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run ``clipsite`` with ``argv`` (default: the process's arguments); return the exit code.

    Usage errors are shown by click (exit 2). Every other failure is one line,
    ``Error: <message>``, on stderr, and with --json also a JSON object on stdout (unless
    the command printed its result already); never a traceback.
    """
    JsonErrors.wanted = False
    try:
        result = cli.main(args=argv, prog_name="clipsite", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return _report(CliError("Interrupted.", ExitCode.INTERRUPTED, "interrupted"))
    except CliError as exc:
        return _report(exc)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _report(CliError(f"{exc.strerror or exc}{where}.", ExitCode.REFUSED, "local_file"))
    return result if isinstance(result, int) else ExitCode.OK


def _report(error: CliError) -> int:
    click.echo(f"Error: {printable(error.message)}", err=True)
    if JsonErrors.wanted and not error.result_shown:
        click.echo(json.dumps({"error": error.error, "detail": error.message, "exitCode": int(error.code)}))
    return int(error.code)
