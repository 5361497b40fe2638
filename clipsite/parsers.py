"""Reading the JSON people send, so that no body can become a server error.

Python's json module recurses once per nesting level: ``[[[[…`` a thousand deep raises
RecursionError. JSON's ``\\ud800`` escapes decode to lone surrogates, which are not
text: UTF-8 cannot encode them, so storing or echoing one breaks the database write or
the response. :func:`loads` refuses both, and :class:`JSONParser`, the API's body
parser, answers them as client errors. Every JSON document a user sends goes through
:func:`loads`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rest_framework import renderers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser, get_encoding

# Far deeper than any request the API defines (config is two levels), far shallower
# than the interpreter's recursion limit.
MAX_DEPTH = 32
SURROGATE_MESSAGE = "Not valid text: it holds a lone surrogate (\\ud800-\\udfff), which is not a Unicode character."

# A JSON string, escapes included, written so that matching it never backtracks.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidJson(ValueError):
    """JSON that is malformed, nested too deep or holds text that is not valid Unicode.

    ``field`` names the value at fault (``config.language``, ``topicKeywords[2]``); it is
    "" when the problem is the document as a whole. A field named by a key with a lone
    surrogate holds it: whatever shows it must escape it (the API's error handler does).
    """

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def loads(text: str | bytes) -> Any:
    """Parse a JSON document from a user. Raises :class:`InvalidJson`, never anything else.

    Refused: malformed JSON, nesting deeper than :data:`MAX_DEPTH`, ``NaN``/``Infinity``,
    numbers too long or too large to read, and strings or keys with lone surrogates.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidJson("The JSON is not UTF-8 text.") from None
    if _too_deep(text):
        raise InvalidJson(f"The JSON is nested deeper than {MAX_DEPTH} levels.")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except InvalidJson:
        raise
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"The JSON is malformed: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise InvalidJson("The JSON holds a number too long to read.") from None
    _refuse_invalid_text(data)
    return data


def _refuse_constant(name: str):
    raise InvalidJson(f"{name} is not a JSON number.")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):  # 1e999 reads as infinity, which nothing can store or answer
        raise InvalidJson("The JSON holds a number too large to read.")
    return value


def _too_deep(text: str) -> bool:
    # Strings are dropped first so that brackets inside them do not count.
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _refuse_invalid_text(data: Any) -> None:
    pending: list[tuple[Any, str]] = [(data, "")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise InvalidJson(SURROGATE_MESSAGE, field=path or "request")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    raise InvalidJson(SURROGATE_MESSAGE, field=name)
                pending.append((item, name))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{index}]") for index, item in enumerate(value))


class JSONParser(BaseParser):
    """The API's JSON body parser: :func:`loads`, with its refusals answered as client
    errors: 422 naming the field for invalid text in one value, 400 for the rest."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"The body is not valid {encoding} text.") from None
        try:
            return loads(text)
        except InvalidJson as exc:
            if exc.field:
                raise ValidationError({exc.field: [exc.message]}) from None
            raise ParseError(exc.message) from None
