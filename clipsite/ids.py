"""Public identifiers: a short type prefix and random base-62 characters (``ws_3kT9...``).

They are unguessable, so an id in a URL reveals nothing about how many rows exist,
and the prefix tells a developer reading logs or API responses what an id refers to.
"""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 16) -> str:
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))
