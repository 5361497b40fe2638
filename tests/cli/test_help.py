"""``clipsite --help`` and every subcommand's help; the client's own pieces without a server."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from clipsite_cli import config
from clipsite_cli.download import target_path
from clipsite_cli.errors import CliError, ExitCode
from clipsite_cli.main import cli, main
from clipsite_cli.multipart import MultipartFile
from tests.cli.conftest import CLIPSITE


def commands(group: click.Group, path: tuple[str, ...] = ()):
    """``(path, command)`` for every command under ``group``, groups included."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def test_it_documents_configuration_and_exit_codes_in_the_main_help():
    done = subprocess.run([str(CLIPSITE), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for words in ("CLIPSITE_URL and CLIPSITE_API_KEY", "~/.config/clipsite/config.toml", "mode 0600", "--json"):
        assert words in text
    meanings = {0: "done", 1: "the server refused", 2: "wrong command line", 3: "no API key", 4: "not found",
                5: "the server could not be reached", 130: "interrupted"}  # fmt: skip
    for code, meaning in meanings.items():
        assert f" {code} {meaning}" in text
    assert {int(code) for code in ExitCode} == {0, 1, 2, 3, 4, 5, 130}
    for name in ("submit", "status", "clips", "download", "render", "discover", "track", "login"):
        assert f" {name} " in text


def test_it_documents_every_command_and_option(capsys):
    walked = list(commands(cli))
    assert {" ".join(path) for path, _ in walked} >= {"submit", "status", "clips", "download", "render", "discover",
                                                       "track", "track add", "track list", "track remove", "login"}
    for path, command in walked:
        assert main([*path, "--help"]) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert text.startswith(f"Usage: clipsite {' '.join(path)} ")
        assert command.help and " ".join(command.help.split()[:4]) in text, path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)
                assert param.opts[-1] in text and " ".join(param.help.split()[:3]) in text, (path, param.name)
        if not isinstance(command, click.Group):
            assert "--json" in text and "--url" in text and "--key" in text, path


def test_it_is_a_pure_http_client():
    code = "import sys, clipsite_cli.main; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    for server_side in ("django", "rest_framework", "pipeline", "videos", "clips", "clipsite", "accounts"):
        assert f"'{server_side}'" not in loaded.stdout


def test_it_takes_flags_over_the_environment_over_the_file(tmp_path, monkeypatch):
    path = tmp_path / "c" / "config.toml"
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    monkeypatch.delenv(config.URL_ENV, raising=False)
    monkeypatch.delenv(config.KEY_ENV, raising=False)
    saved = config.save(config.Settings("https://file.example", 'cs_live_"quoted"\\key'))
    assert saved == path and oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert config.resolve(None, None) == config.Settings("https://file.example", 'cs_live_"quoted"\\key')
    monkeypatch.setenv(config.URL_ENV, "https://env.example/")
    assert config.resolve(None, None).url == "https://env.example"
    assert config.resolve("http://flag.example", "k2") == config.Settings("http://flag.example", "k2")


def test_it_streams_an_upload_in_blocks_and_counts_the_bytes(tmp_path):
    video = tmp_path / 'talk "one".mp4'
    video.write_bytes(bytes(range(256)) * 4096)  # 1 MiB
    seen: list[tuple[int, int]] = []

    def on_read(sent: int, total: int) -> None:
        seen.append((sent, total))

    with MultipartFile({"config": '{"numberOfClips": 2}'}, "file", video, on_read) as body:
        blocks = []
        while block := body.read(16384):
            assert len(block) <= 16384
            blocks.append(block)
    data = b"".join(blocks)
    assert len(data) == len(body) and seen[-1] == (len(body), len(body)) and len(seen) == len(blocks) > 60
    assert [sent for sent, _ in seen] == sorted({sent for sent, _ in seen})
    boundary = body.content_type.split("boundary=")[1].encode()
    assert data.startswith(b"--" + boundary + b'\r\nContent-Disposition: form-data; name="config"\r\n\r\n{"numberOf')
    assert b'name="file"; filename="talk %22one%22.mp4"\r\nContent-Type: video/mp4\r\n\r\n' in data
    assert data.endswith(video.read_bytes() + b"\r\n--" + boundary + b"--\r\n")


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com", "http://"])
def test_it_refuses_a_server_url_that_is_not_http(url):
    with pytest.raises(CliError, match="must start with http") as raised:
        config.normalise_url(url)
    assert raised.value.code == ExitCode.USAGE


@pytest.mark.parametrize("clip_id", ["../../.bashrc", "/etc/passwd", "clip_1\n", ""])
def test_it_never_writes_outside_the_folder_whatever_the_server_names_a_clip(tmp_path, clip_id):
    with pytest.raises(CliError, match="which is not a clip id") as raised:
        target_path(tmp_path, {"id": clip_id, "createdAt": "2026-01-01T00:00:00Z"})
    assert raised.value.code == ExitCode.NETWORK
