"""Receiving an uploaded video: written to disk as bytes arrive, stopped at a limit.

Every view that takes a video file (``accepts_uploads = True``) receives it through
:func:`receiving_upload`, whatever its error bodies look like.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from rest_framework import exceptions

from accounts.models import Workspace
from clipsite import ratelimit
from clipsite.api import PayloadTooLarge

# What a form adds to the file it carries: boundaries, headers, short fields.
FORM_OVERHEAD = 64 * 1024


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Stream the file to a temporary file; refuse with 413 once it passes ``limit`` bytes.

    Counting the bytes as they arrive catches a client that sends no Content-Length or
    lies in it, without ever holding the file in memory. ``message`` is the 413's detail.
    """

    def __init__(self, limit: int, message: str, request=None):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.message = message

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.file is not None:
                self.file.close()
            raise PayloadTooLarge(self.message)
        return super().receive_data_chunk(raw_data, start)


@contextmanager
def receiving_upload(request, workspace: Workspace, limit: int, too_large: str) -> Iterator[None]:
    """Inside the block, the DRF ``request``'s body is read with a file of at most ``limit`` bytes.

    Refuses (``PayloadTooLarge`` with ``too_large`` as its detail) a declared length past
    the limit before reading a byte, and a body that grows past it while it arrives; and
    (``Throttled``) an upload beyond the plan's concurrent jobs in flight for the workspace.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + FORM_OVERHEAD:
        raise PayloadTooLarge(too_large)
    plan = workspace.plan
    if not ratelimit.acquire(f"upload:{workspace.pk}", plan.concurrent_jobs):
        raise exceptions.Throttled(
            wait=30, detail=f"The {plan.name} plan allows {plan.concurrent_jobs} uploads at once."
        )
    try:
        request._request.upload_handlers = [CappedUploadHandler(limit, too_large, request._request)]
        yield
    finally:
        ratelimit.release(f"upload:{workspace.pk}")
