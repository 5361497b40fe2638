"""Fixtures for the webhooks tests: a receiver, a controllable clock, endpoints, strict mode."""

from __future__ import annotations

import dataclasses
import datetime
from unittest import mock

import pytest
from django.utils import timezone

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


class Clock:
    """``django.utils.timezone.now`` for the test: it stands still until :meth:`advance`."""

    def __init__(self) -> None:
        self.now = timezone.now().replace(microsecond=0)  # HTTP dates have whole seconds

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> datetime.datetime:
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    moments = Clock()
    with mock.patch("django.utils.timezone.now", moments):
        yield moments


@pytest.fixture
def subscribe(workspace, alice):
    """Create an endpoint of alice's workspace through the real action; return (endpoint, secret)."""
    from webhooks import actions

    def make(url: str, event_types=("*",), **options):
        return actions.create_endpoint(workspace, alice, url=url, event_types=list(event_types), **options)

    return make


@pytest.fixture
def strict(settings):
    """Production's guard: ALLOW_PRIVATE_URLS off (the test session turns it on)."""
    settings.PIPELINE = dataclasses.replace(settings.PIPELINE, allow_private_urls=False)
    return settings.PIPELINE
