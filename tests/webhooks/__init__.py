"""Webhook tests, and the receiver's side of every delivery they check.

:func:`assert_signed` checks a received request with viralcli's documented snippet
(:func:`tests.webhooks.viralcli.verify`, verbatim) and with the official
``standardwebhooks`` verifier, on the exact bytes the receiver read.
"""

import json

from standardwebhooks import Webhook

from tests.webhooks.viralcli import verify


def assert_signed(received, secret: str, previous: str | None = None) -> dict:
    """Both verifiers accept ``received`` with ``secret`` (and ``previous``, during a rotation,
    through the -Previous header); return the parsed body."""
    headers = dict(received.headers.items())
    body = json.loads(received.body)
    assert Webhook(secret).verify(received.body, headers) == body
    assert verify(secret, received.body, received.headers["X-Socialdata-Signature"])
    signatures = received.headers["webhook-signature"].split(" ")
    if previous is None:
        assert len(signatures) == 1 and "X-Socialdata-Signature-Previous" not in received.headers
    else:
        assert len(signatures) == 2
        assert Webhook(previous).verify(received.body, headers) == body
        assert verify(previous, received.body, received.headers["X-Socialdata-Signature-Previous"])
    return body
