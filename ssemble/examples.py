"""The OpenAPI examples of /api/v1/: Ssemble's documented examples, as Clipsite answers them.

Values are the document's (``ssemble-get-shorts.txt``) except where Clipsite's answer
differs by design: ``template`` is the caption template applied (Ssemble's "hormozi1" is
Clipsite's "hormozi"), and ``video_url`` is a signed link to this server.
"""

from __future__ import annotations

REQUEST_ID = "665a1b2c3d4e5f6a7b8c9d0e"
_SIGNED = "https://clipsite.example/media/signed/gAAAAABm"

CREATE_REQUEST = {
    "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "start": 0,
    "end": 600,
    "preferredLength": "under60sec",
    "language": "en",
    "template": "hormozi1",
    "captionLanguage": "",
}
CREATED = {"data": {"requestId": REQUEST_ID, "_id": REQUEST_ID, "status": "queued"}}

STATUS_PROCESSING = {
    "data": {"_id": REQUEST_ID, "status": "processing", "step": "analyzing", "stepMessage": "Finding moments",
             "progress": 60, "userEmail": "user@example.com", "isDemo": False},
}  # fmt: skip
STATUS_FAILED = {
    "data": {"_id": REQUEST_ID, "status": "failed", "step": "failed", "stepMessage": "Failed", "progress": 15,
             "userEmail": "user@example.com", "failureReason": "The link answered 403: the server refused the "
             "download.", "isDemo": False},
}  # fmt: skip

SHORTS = {
    "data": {
        "_id": REQUEST_ID,
        "status": "completed",
        "progress": 100,
        "userEmail": "user@example.com",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "start": 0,
        "end": 600,
        "title": "My Video Title",
        "language": "en",
        "template": "hormozi",
        "captionLanguage": "",
        "heatmap": [],
        "sentences": [
            {"index": 0, "sentence": "This is the first transcribed sentence.", "start": 12.5, "end": 15.3},
            {
                "index": 1,
                "sentence": "This is the second transcribed sentence with more content.",
                "start": 15.3,
                "end": 22.8,
            },
        ],
        "preferredLength": "under60sec",
        "projectId": None,
        "shorts": [
            {
                "id": "f2c713ff-865f-4cd5-98ab-f6aa696a3620",
                "title": "The Most Viral Moment",
                "sentenceIndexes": [0, 1],
                "reason": "High engagement potential due to emotional hook and surprise element",
                "description": "Speaker reveals an unexpected insight about productivity that challenges conventional "
                "wisdom. #productivity #mindset #viral",
                "viral_score": 85,
                "video_url": f"{_SIGNED}1.mp4",
                "startTimestamp": 12.5,
                "endTimestamp": 55.3,
                "duration": 42.8,
                "width": 1080,
                "height": 1920,
                "recompiling": False,
                "error": False,
            },
            {
                "id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
                "title": "Key Takeaway That Changes Everything",
                "sentenceIndexes": [3, 4, 5],
                "reason": "Actionable advice with strong shareability — viewers will want to save this",
                "description": "A concise summary of the three-step framework discussed earlier in the video. "
                "#tips #howto #learning",
                "viral_score": 72,
                "video_url": f"{_SIGNED}2.mp4",
                "startTimestamp": 120.0,
                "endTimestamp": 175.5,
                "duration": 55.5,
                "width": 1080,
                "height": 1920,
                "recompiling": False,
                "error": False,
            },
        ],
    }
}

INVALID_ID = {
    "error": {"code": "invalid_request", "details": {"id": ["The request id must be 24 hexadecimal characters, as "
              "POST /shorts/create returns it."]},
              "message": "id: The request id must be 24 hexadecimal characters, as POST /shorts/create returns it."},
}  # fmt: skip
INVALID_KEY = {
    "error": {"code": "invalid_api_key", "message": "Send your API key in the X-API-Key header.", "details": None}
}
NOT_FOUND = {
    "error": {"code": "resource_not_found", "message": "No request with this id was found in your account.",
              "details": None},
}  # fmt: skip
