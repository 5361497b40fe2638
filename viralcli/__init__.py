"""viralcli's dialect of the API, under /v1/: its paths, snake_case shapes and error bodies.

Clients written for viralcli (``../shared/reference/viralcli-api.txt``) run against
Clipsite by changing only the base URL and the key. The resources are Clipsite's own,
reached through the same actions as the ScaleReach-style API under /api/; only the
shapes differ. Every /v1/ route needs an API key (``Authorization: Bearer`` or
``X-API-Key``) and acts in that key's workspace.
"""
