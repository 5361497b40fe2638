"""Hostile inputs for the schemathesis run (loaded by its CLI through SCHEMATHESIS_HOOKS).

Schemathesis generates what the schema describes; these hooks mix in what an attacker
sends instead: strings with lone surrogates (as keys and as values), JSON nested far past
the parser's limit (up to the depth that used to raise RecursionError), and integers
past SQLite's 64 bits, in bodies, in an upload's ``config`` text and in query parameters.

Hostile bodies are handed over as the JSON text to send (bytes), written here: a lone
surrogate or a 1,500-deep structure as a Python value would trip schemathesis' own
copying and validation before the request ever left.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import strategies as st

# Each strategy below draws JSON text.
SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
# json.dumps writes a lone surrogate as its \ud800 escape, as an attacker would.
HOSTILE_TEXT = st.builds(lambda before, lone, after: json.dumps(before + lone + after), st.text(max_size=4), SURROGATE,
                         st.text(max_size=4))  # fmt: skip
HUGE_INT = (st.sampled_from([2**62, 2**63, -(2**63) - 1, 2**64, 10**30]) | st.integers(min_value=2**62)).map(str)


def _nested(depth: int, as_object: bool) -> str:
    if as_object:
        return '{"a": ' * depth + '"x"' + "}" * depth
    return "[" * depth + '"x"' + "]" * depth


# 33 is one past the parser's limit; around 1,000 the old parser raised RecursionError.
DEEP = st.builds(_nested, st.integers(min_value=33, max_value=1500), st.booleans())
HOSTILE_VALUE = st.one_of(HOSTILE_TEXT, HUGE_INT, DEEP)
# Config keys are where a bad value or an unknown key used to be echoed into the error.
CONFIG_KEYS = st.sampled_from(["aspectRatio", "genre", "clipModel", "language", "numberOfClips", "start"]).map(
    json.dumps
)
KEYS = CONFIG_KEYS | HOSTILE_TEXT
# The API's integer query parameters; ``page`` past 2**62 used to overflow SQLite.
INTEGER_PARAMETERS = ("page", "pageSize", "minScore", "maxScore")


def _object(members: dict[str, str]) -> str:
    """A JSON object from members already written as JSON text (key -> value)."""
    return "{" + ", ".join(f"{key}: {value}" for key, value in members.items()) + "}"


def _hostile_bodies(body: dict) -> st.SearchStrategy:
    members = {json.dumps(key): json.dumps(value, default=str) for key, value in body.items()}
    add = st.tuples(KEYS, HOSTILE_VALUE).map(lambda kv: _object({**members, kv[0]: kv[1]}))
    in_config = st.tuples(KEYS, HOSTILE_VALUE).map(lambda kv: _object({**members, '"config"': _object({kv[0]: kv[1]})}))
    variants = [add, in_config, DEEP]
    if members:
        replace = st.tuples(st.sampled_from(sorted(members)), HOSTILE_VALUE)
        variants.append(replace.map(lambda kv: _object({**members, kv[0]: kv[1]})))
    return st.one_of(variants).map(str.encode)


@schemathesis.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    if "file" in body:
        # A multipart upload: its config is JSON text inside the form.
        config = st.one_of(st.tuples(KEYS, HOSTILE_VALUE).map(lambda kv: _object({kv[0]: kv[1]})), DEEP)
        return st.just(body) | config.map(lambda text: {**body, "config": text})
    return st.just(body) | _hostile_bodies(body)


@schemathesis.hook
def flatmap_query(context, query):
    # Query strings carry no lone surrogates (they are bytes, decoded with replacement),
    # so integers are the hostile part here: page numbers and filters past 64 bits.
    query = query or {}
    keys = st.sampled_from(sorted({*INTEGER_PARAMETERS, *query}))
    return st.just(query) | st.tuples(keys, HUGE_INT).map(lambda kv: {**query, kv[0]: int(kv[1])})
