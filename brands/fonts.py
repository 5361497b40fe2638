"""The fonts a brand kit may use: the families installed on this machine that can draw
English text, as fontconfig (which libass asks when it burns captions) lists them.

``scripts/setup.sh`` installs DejaVu, Liberation, Roboto and Noto; a family name that
fontconfig gives with aliases (``Roboto,Roboto Black``) offers each name, since libass
finds a font by any of them.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess

logger = logging.getLogger(__name__)


@functools.cache
def caption_fonts() -> tuple[str, ...]:
    """The family names, sorted; empty when fontconfig is missing (then only the templates'
    own fonts are used)."""
    binary = shutil.which("fc-list")
    if binary is None:
        logger.warning("fc-list is not installed: brand kits can only keep the templates' fonts")
        return ()
    try:
        listed = subprocess.run(
            [binary, ":lang=en:scalable=true", "family"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        logger.exception("fc-list failed: brand kits can only keep the templates' fonts")
        return ()
    names = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    # A comma cannot occur in a name split on commas; a name must also fit one ASS style field.
    return tuple(sorted(name for name in names if name and name.isprintable() and len(name) <= 100))
