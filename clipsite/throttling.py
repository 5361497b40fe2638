"""The per-workspace API rate limit, as a DRF throttle.

Kept apart from :mod:`clipsite.api` because DRF imports throttle classes while it loads
``rest_framework.views``, which that module itself imports.
"""

from __future__ import annotations

from rest_framework import throttling

from clipsite import ratelimit


class AccountRateThrottle(throttling.BaseThrottle):
    """Requests per minute per workspace, from its plan (``Plan.api_requests_per_minute``).

    API keys count against the workspace they belong to; browser sessions against the
    user's current workspace. Anonymous requests are left to the per-IP limit.
    """

    def allow_request(self, request, view) -> bool:
        workspace = getattr(request.auth, "workspace", None) or getattr(request._request, "workspace", None)
        if workspace is None:
            return True
        decision = ratelimit.hit(f"ws:{workspace.pk}", workspace.plan.api_requests_per_minute)
        self._retry_after = decision.retry_after
        return decision.allowed

    def wait(self) -> float:
        return self._retry_after
