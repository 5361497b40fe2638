"""Fixtures for the tracking tests: YouTube answered from recordings (see tests/trends.py)."""

from tests.trends import youtube  # noqa: F401 - a fixture
