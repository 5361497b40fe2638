"""Ssemble's published document (``shared/reference/ssemble-get-shorts.txt``), cut into
the parts the contract tests replay: the response example, the error table and the
JavaScript download loop, read at test time so they are exactly what Ssemble publishes."""

from __future__ import annotations

import json
import re

from tests.media import SHARED_MEDIA

DOCUMENT = SHARED_MEDIA.parent / "reference" / "ssemble-get-shorts.txt"


def text() -> str:
    return DOCUMENT.read_text()


def response_example() -> dict:
    """The documented answer to ``GET /shorts/:id``."""
    document = text()
    start = document.index("{", document.index("\nResponse\n"))
    return json.JSONDecoder().raw_decode(document[start:])[0]


def error_table() -> list[tuple[int, str]]:
    """``(status, code)`` for each row of the "Error responses" table."""
    section = text().split("Error responses", 1)[1].split("Important notes", 1)[0]
    return [(int(status), code) for status, code in re.findall(r"^(\d{3})([a-z_]+)", section, re.M)]


def download_loop() -> str:
    """The JavaScript ``downloadShorts`` function, as published."""
    document = text()
    start = document.index("async function downloadShorts")
    return document[start : document.index("\nError responses", start)].strip()


def json_type(value) -> str:
    """The JSON type of a decoded value (a number is a number, integral or not)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]
