"""The command's exit codes and the one error type its commands raise."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What ``clipsite`` exits with; scripts may rely on these numbers."""

    OK = 0
    #: The server refused the request (a validation error, a quota, a conflict, a
    #: permission), a video or a render failed, or some clips could not be downloaded.
    REFUSED = 1
    #: The command line was wrong, or no server URL is configured.
    USAGE = 2
    #: No API key is configured, or the server does not accept it (401).
    AUTH = 3
    #: The video, clip or tracked item does not exist, or is another workspace's (404, 410).
    NOT_FOUND = 4
    #: The server could not be reached, timed out, failed (5xx) or did not answer as Clipsite does.
    NETWORK = 5
    #: Interrupted with Ctrl-C; work already submitted goes on on the server.
    INTERRUPTED = 130


class CliError(Exception):
    """A failure to report in plain words and exit with ``code``.

    ``error`` is a short machine-readable code (the server's, when it sent one), shown in
    ``--json`` output beside the message. ``result_shown`` says the command has printed
    its result (a failed video's status) and the error is only its exit code and a line
    on stderr: ``--json`` output stays one document.
    """

    def __init__(self, message: str, code: ExitCode, error: str | None = None, *, result_shown: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.error = error or code.name.lower()
        self.result_shown = result_shown
