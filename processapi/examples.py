"""The OpenAPI examples of the process API: its document's (``process-api.txt``), and the
status answers Clipsite gives for them (the document shows none)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

JOB_ID = "550e8400-e29b-41d4-a716-446655440000"
_SIGNED = "https://clipsite.example/media/signed/gAAAAABm"

SUBMIT = [
    OpenApiExample("Process YouTube Video", value={"url": "https://youtube.com/watch?v=dQw4w9WgXcQ"},
                   request_only=True, media_type="application/json"),
    OpenApiExample("Response", value={"job_id": JOB_ID, "status": "queued"}, response_only=True, status_codes=["200"]),
    OpenApiExample("Missing X-Gemini-Key header", value={"detail": "Missing X-Gemini-Key header: send your Google "
                   "Gemini API key in it."}, response_only=True, status_codes=["400"]),
    OpenApiExample("File exceeds 2048 MB limit", value={"detail": "File exceeds 2048 MB limit"}, response_only=True,
                   status_codes=["413"]),
]  # fmt: skip

STATUS = [
    OpenApiExample("Processing", response_only=True, status_codes=["200"], value={
        "job_id": JOB_ID, "status": "processing", "progress": 55, "stage": "analyzing", "error": None, "clips": [],
    }),
    OpenApiExample("Completed", response_only=True, status_codes=["200"], value={
        "job_id": JOB_ID, "status": "completed", "progress": 100, "stage": "completed", "error": None,
        "clips": [{
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "title": "Nobody tells you this about money",
            "start": 312.4, "end": 351.9, "duration": 39.5, "score": 91,
            "description": "The one money habit that compounds. #money #finance #tips",
            "video_url": f"{_SIGNED}-video", "thumbnail_url": f"{_SIGNED}-thumbnail",
        }],
    }),
    OpenApiExample("Failed", response_only=True, status_codes=["200"], value={
        "job_id": JOB_ID, "status": "failed", "progress": 2, "stage": "failed", "clips": [],
        "error": "The server answered HTTP 404 Not Found for https://example.com/talk.mp4; check the link.",
    }),
    OpenApiExample("Job not found", value={"detail": "Job not found"}, response_only=True, status_codes=["404"]),
]  # fmt: skip
