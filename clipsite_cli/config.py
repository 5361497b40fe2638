"""Where the server is and which key to use: flags, else the environment, else a file.

Each of the URL and the key is taken from the first place that has it: the ``--url`` /
``--key`` flags, the ``CLIPSITE_URL`` / ``CLIPSITE_API_KEY`` environment variables, then
the config file. The file is ``$CLIPSITE_CONFIG`` if set, else
``$XDG_CONFIG_HOME/clipsite/config.toml`` (``~/.config/clipsite/config.toml``): TOML with
two strings, ``url`` and ``key``. ``clipsite login`` writes it, readable by its owner only.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from clipsite_cli.errors import CliError, ExitCode

URL_ENV = "CLIPSITE_URL"
KEY_ENV = "CLIPSITE_API_KEY"
CONFIG_ENV = "CLIPSITE_CONFIG"


@dataclass(frozen=True)
class Settings:
    url: str
    key: str


def config_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "clipsite" / "config.toml"


def read_file(path: Path) -> dict[str, str]:
    """The file's ``url`` and ``key`` (either may be missing); empty when there is no file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"The config file {path} cannot be read: {exc}", ExitCode.USAGE) from None
    return {name: data[name] for name in ("url", "key") if isinstance(data.get(name), str)}


def normalise_url(url: str) -> str:
    """``url`` without a trailing slash; a usage error unless it is an http(s) URL with a host."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CliError(
            f"The server URL must start with http:// or https:// and name a host (got {url[:80]!r}).",
            ExitCode.USAGE,
        )
    return url


def resolve(url: str | None, key: str | None) -> Settings:
    """The settings from flags (``url``, ``key``), the environment and the file, in that order.

    Raises :class:`CliError`: a usage error without a URL, an auth error without a key.
    """
    saved: dict[str, str] | None = None

    def from_file(name: str) -> str | None:
        nonlocal saved
        if saved is None:
            saved = read_file(config_path())
        return saved.get(name)

    url = url or os.environ.get(URL_ENV) or from_file("url")
    key = key or os.environ.get(KEY_ENV) or from_file("key")
    if not url:
        raise CliError(
            f"No server given: pass --url, set {URL_ENV}, or run `clipsite login --url URL`.", ExitCode.USAGE
        )
    if not key:
        raise CliError(
            f"No API key given: pass --key, set {KEY_ENV}, or run `clipsite login`.", ExitCode.AUTH, "no_key"
        )
    return Settings(normalise_url(url), key.strip())


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` to the config file (mode 0600, its folder 0700) and return its path.

    The file is written whole under another name and renamed into place, so a reader
    never sees half of it and the key is never readable by others, even for a moment.
    """
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # JSON strings (without ASCII escaping) are valid TOML basic strings.
    text = "".join(f"{name} = {json.dumps(value, ensure_ascii=False)}\n" for name, value in
                   (("url", settings.url), ("key", settings.key)))  # fmt: skip
    fd, temp = tempfile.mkstemp(prefix=".config-", dir=path.parent)  # created with mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
