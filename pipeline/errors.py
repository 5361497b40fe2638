"""Errors raised by the pipeline.

Every refusal a user can cause (a bad file, a blocked URL, a video that is too long)
raises :class:`PipelineError` or a subclass with a message meant for that user: it
names what was wrong and, where it helps, what to do instead. Anything else is a bug.
"""


class PipelineError(Exception):
    """A refusal with a message fit to show to the person who gave the input."""

    code = "pipeline_error"

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.message = message
        # For logs only (a tool's own output, server paths): never shown to users.
        self.detail = detail


class ConfigError(PipelineError):
    """A setting has a value the pipeline cannot use; the message names the setting."""

    code = "config_error"


class IngestError(PipelineError):
    """The source could not be fetched: bad URL, blocked address, download failure."""

    code = "ingest_error"


class MediaError(PipelineError):
    """The media file is unusable: empty, truncated, no video or audio, too long."""

    code = "media_error"


class UnsupportedMediaError(MediaError):
    """The file is not one of the self-contained media formats Clipsite reads (a playlist, a
    concat script, a file referring to other files, or no media at all)."""

    code = "unsupported_media"


class UnreadableMediaError(MediaError):
    """The file passed the container check but the media reader cannot read it: damaged,
    cut short, or not media at all (text whose first bytes happen to look like a container)."""

    code = "unreadable_media"


class TranscriptionError(PipelineError):
    code = "transcription_error"


class AnalysisError(PipelineError):
    code = "analysis_error"


class RenderError(PipelineError):
    code = "render_error"
