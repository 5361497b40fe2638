"""Ssemble's shorts API as a dialect of Clipsite's, under /api/v1/.

Clients written for Ssemble (``../shared/reference/ssemble-get-shorts.txt``) run against
Clipsite by changing only the base URL and the key: ``POST /shorts/create`` submits a
video through :func:`videos.actions.submit_video`, ``GET /shorts/{id}/status`` and
``GET /shorts/{id}`` read it back in Ssemble's shapes. A request is a Clipsite video
(its ``_id`` is ``Video.public_hex``) and a short is one of its clips (``id`` is
``Clip.public_uuid``); nothing here is stored apart from them. Every route needs an API
key (``X-API-Key``, or ``Authorization: Bearer``) and acts in that key's workspace.
Every error is Ssemble's ``{"error": {"code", "message", "details"}}`` (:mod:`ssemble.errors`).
"""
