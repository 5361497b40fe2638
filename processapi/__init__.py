"""The self-hosted process API's dialect: ``POST /api/process`` and ``GET /api/status/{job_id}``.

Clients written for that FastAPI server (``../shared/reference/process-api.txt``) run
against Clipsite by changing the base URL (and, on a shared server, adding an API key).
A job is a Clipsite video submitted through :func:`videos.actions.submit_video` with
``via="process"``; its clips are the video's clips, visible through the native API and
the dashboard too. Which workspace a request acts in, the error bodies, the concurrency
cap (``MAX_CONCURRENT_JOBS``), the upload limit (``MAX_FILE_SIZE_MB``) and the deletion
of finished jobs (``JOB_RETENTION_SECONDS``, :mod:`processapi.jobs`) are this package's;
``docs/dialects.md`` describes them for users.
"""
