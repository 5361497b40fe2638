"""Asking before a destructive dashboard action (delete, revoke, remove, cancel): one pattern.

The action's button posts without ``confirm``; the view answers with :func:`ask`, which
changes nothing and shows the question: a page of its own, or, for htmx, the question
alone to swap in where the button was. Its "yes" form posts again with ``confirm=yes``
as a plain form, so the action ends in a redirect (POST-redirect-GET) with or without
JavaScript. Buttons carrying ``data-confirm`` instead ask in the browser's own dialog
and add ``confirm=yes`` themselves (``static/js/app.js``); without JavaScript the
server's question shows.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render


def confirmed(request) -> bool:
    """Whether the POST says yes to the question :func:`ask` put."""
    return request.POST.get("confirm") == "yes"


def ask(
    request, *, key: str, title: str, question: str, detail: str, action: str, yes: str, back_url: str,
    keep: str = "Keep it",
) -> HttpResponse:
    """The question before ``action`` (the URL the "yes" form posts to, with ``confirm=yes``).

    ``key`` makes the question's element ids unique on a page that asks about several
    rows; ``title`` heads the page shown without htmx; ``question`` is the sentence asked,
    ``detail`` what follows from it; ``yes`` labels the button that acts and ``keep`` the
    link back to ``back_url``.
    """
    context = {"key": key, "title": title, "question": question, "detail": detail, "action": action,
               "yes": yes, "keep": keep, "back_url": back_url}  # fmt: skip
    template = "partials/confirm.html" if request.htmx else "confirm.html"
    return render(request, template, context)
