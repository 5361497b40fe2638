"""The one mapping from refusals to tool errors (mcpserver/errors.py), for what the
transport tests cannot easily provoke: an outage, a bare 404, and a bug."""

from __future__ import annotations

import pytest
import redis
from django.http import Http404
from mcp.server.mcpserver.exceptions import ToolError
from rest_framework.exceptions import ValidationError

from mcpserver.errors import as_tool_errors, param_name, tool_error
from tracking.errors import TrendError
from videos.errors import SubmitRefused


@pytest.mark.parametrize(
    ("refusal", "text"),
    [
        (SubmitRefused(SubmitRefused.UPLOAD_TOO_LARGE, "The file is 900 MB; the Free plan accepts 500 MB.", "file"),
         "[upload_too_large] The file is 900 MB; the Free plan accepts 500 MB."),
        (TrendError(TrendError.TOO_MANY_JOBS, "Wait for one to finish.", retry_after=30),
         "[too_many_jobs] Wait for one to finish. Try again in 30 s."),
        (redis.exceptions.ConnectionError("Connection refused"),
         "[service_unavailable] A service Clipsite depends on is briefly unavailable. Try again in a few seconds."),
        (Http404("No Video matches the given query."), "[not_found] Not found."),
    ],
)  # fmt: skip
def test_it_words_each_refusal_with_its_code(refusal, text):
    assert str(tool_error(refusal)) == text


def test_it_leaves_a_bug_to_the_sdk_which_answers_without_its_details():
    assert tool_error(RuntimeError("/srv/clipsite/var/secret")) is None
    with pytest.raises(RuntimeError), as_tool_errors():
        raise RuntimeError("/srv/clipsite/var/secret")
    with pytest.raises(ToolError, match=r"^\[validation_error\] url: Enter a valid URL\.$"), as_tool_errors():
        raise ValidationError({"url": ["Enter a valid URL."]})


def test_it_names_fields_as_the_tools_spell_their_parameters():
    assert param_name("minScore") == "min_score"
    assert param_name("workspaceId") == "workspace_id"
    assert param_name("config.numberOfClips") == "config.numberOfClips"  # the options keep the API's keys
    assert param_name("event_types") == "event_types"
