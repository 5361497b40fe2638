"""An upload handler that writes to disk as bytes arrive and stops at the plan's limit."""

from __future__ import annotations

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from clipsite.api import PayloadTooLarge


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Stream the file to a temporary file; refuse with 413 once it passes ``limit`` bytes.

    Counting the bytes as they arrive catches a client that sends no Content-Length or
    lies in it, without ever holding the file in memory.
    """

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.file is not None:
                self.file.close()
            raise PayloadTooLarge(
                f"The file is larger than the plan's upload limit of {self.limit // 1024**2} MB."
            )
        return super().receive_data_chunk(raw_data, start)
