"""Error pages: JSON under /api/ and /v1/ (the API's error contract), HTML everywhere else."""

from django.shortcuts import render

from clipsite.api import json_error
from clipsite.middleware import API_PREFIXES


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES)


def not_found(request, exception=None):
    if _is_api(request):
        return json_error(404, "Not found.")
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _is_api(request):
        return json_error(500, "Something went wrong on our side. Try again later.")
    return render(request, "errors/500.html", status=500)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_error(403, str(exception) if exception else "Forbidden.")
    return render(request, "errors/403.html", {"exception": exception}, status=403)
