"""JSON schemas for tool parameters that are the REST API's objects, read from its serializers.

The ``config`` a video is submitted with is validated by
:class:`videos.config.VideoConfigSerializer`, as on every other surface; its schema here
is derived from that serializer's fields, so the agent's view of the options cannot
drift from what is enforced.
"""

from __future__ import annotations

import functools
from typing import Any

from rest_framework import fields, serializers

from pipeline.captions import TEMPLATES
from videos.config import VideoConfigSerializer

# What a field without help text means, for an agent choosing options.
CONFIG_HELP = {
    "clipType": "The kind of clips to make.",
    "clipDurationMin": "The shortest clip, in seconds.",
    "clipDurationMax": "The longest clip, in seconds.",
    "preferredLength": "A length band instead of min/max seconds.",
    "numberOfClips": "How many clips to make (null: as many as the video supports).",
    "aspectRatio": "The clips' shape.",
    "enableCaptions": "Burn captions into the clips.",
    "captionTemplate": f"The caption style: {', '.join(TEMPLATES)}.",
    "enableAutoHook": "Show a hook line at the start of each clip.",
    "genre": "What kind of video it is, to weigh moments.",
    "clipModel": "ClipBasic (local analysis) or ClipAnything (Gemini, with the workspace's Gemini key).",
    "language": "The spoken language's code, e.g. en; empty to detect it.",
    "topicKeywords": "Topics the clips should be about.",
    "start": "Process the source from this second.",
    "end": "Process the source up to this second.",
}


@functools.cache
def config_schema() -> dict[str, Any]:
    """The JSON schema of the ``config`` object (the REST API's, camelCase keys), or null."""
    properties = {
        name: {**field_schema(field), "description": str(field.help_text or CONFIG_HELP.get(name, ""))}
        for name, field in VideoConfigSerializer().fields.items()
    }
    return {
        "anyOf": [{"type": "object", "properties": properties, "additionalProperties": False}, {"type": "null"}],
        "default": None,
        "description": "Processing options, as the REST API's `config`; any left out take their defaults. "
        "Unknown keys and out-of-range values are refused, naming the key.",
    }


def field_schema(field: fields.Field) -> dict[str, Any]:
    """A JSON schema for one serializer field: its type, bounds, choices and default."""
    schema: dict[str, Any]
    if isinstance(field, serializers.ChoiceField):
        schema = {"enum": list(field.choices)}
    elif isinstance(field, serializers.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, serializers.IntegerField | serializers.FloatField):
        schema = {"type": "integer" if isinstance(field, serializers.IntegerField) else "number"}
        schema.update(_present(minimum=field.min_value, maximum=field.max_value))
    elif isinstance(field, serializers.ListField):
        schema = {"type": "array", "items": field_schema(field.child), **_present(maxItems=field.max_length)}
    elif isinstance(field, serializers.CharField):
        schema = {"type": "string", **_present(maxLength=field.max_length)}
    else:
        schema = {}
    if field.allow_null:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if field.default is not fields.empty:
        schema["default"] = field.default
    return schema


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
