"""Fixtures for the tracking tests: YouTube answered from recordings (see tests/trends.py)."""

from tests.trends import youtube  # noqa: F401 - a fixture
from tests.webhooks.conftest import clock, receiver, subscribe  # noqa: F401 - fixtures
