"""viralcli's documented ``verify`` ("Receiving & verifying" in
``shared/reference/viralcli-api.txt``), copied verbatim: what its users run on every delivery."""

# ruff: noqa: E401, I001
# fmt: off
import hashlib, hmac
def verify(secret, body_bytes, header):
    expected = "sha256=" + hmac.new(secret.encode(), body_bytes,
        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)
# fmt: on
