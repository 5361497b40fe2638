"""The MCP SDK is loaded by the first MCP request, not by every process that loads URLs."""

from __future__ import annotations

import subprocess
import sys

from tests.media import REPO_ROOT

LOAD_URLS = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(sorted(name for name in sys.modules if name == "mcp" or name.startswith("mcp.")))
"""


def test_it_loads_the_urlconf_without_importing_the_mcp_sdk():
    # A fresh interpreter: this test process may have served MCP already.
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_URLS], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert loaded == "[]"
