"""ClipOptions: ScaleReach/Ssemble defaults, preferred lengths and refusals that name the field."""

from __future__ import annotations

import pytest

from pipeline.errors import AnalysisError
from pipeline.moments import ClipOptions, ClipOptionsError


def test_it_starts_from_scalereachs_defaults():
    options = ClipOptions()

    assert (options.min_length, options.max_length) == (15.0, 90.0)
    assert (options.model, options.genre, options.clip_count) == ("ClipBasic", "Auto", None)


@pytest.mark.parametrize(("duration", "count"), [(60, 3), (10 * 60, 5), (20 * 60, 10), (4 * 3600, 15)])
def test_it_chooses_the_clip_count_from_the_video_length(duration, count):
    assert ClipOptions().count_for(duration) == count
    assert ClipOptions(clip_count=7).count_for(duration) == 7


@pytest.mark.parametrize(
    ("name", "bounds"), [("under30sec", (10, 30)), ("Under60Sec", (15, 60)), ("under10min", (180, 600))]
)
def test_it_maps_ssembles_preferred_length_onto_a_range(name, bounds):
    options = ClipOptions(min_length=50, max_length=70, preferred_length=name)

    assert (options.min_length, options.max_length) == bounds
    assert options.preferred_length == {"Under60Sec": "under60sec"}.get(name, name)


def test_it_normalises_names_and_keywords():
    options = ClipOptions(
        genre="podcast", model="clipanything", keywords=" money,  AI , money ,", language="pt-BR"
    )

    assert (options.genre, options.model, options.language) == ("Podcast", "ClipAnything", "pt-BR")
    assert options.keywords == ["money", "AI"]


def test_it_round_trips_through_json():
    options = ClipOptions(preferred_length="under90sec", clip_count=4, keywords=["sleep"], genre="Education")

    assert ClipOptions.from_dict(options.to_dict()) == options


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_length": 2}, "min_length"),
        ({"min_length": "soon"}, "min_length"),
        ({"max_length": 5000}, "max_length"),
        ({"min_length": 60, "max_length": 30}, "max_length"),
        ({"clip_count": 0}, "clip_count"),
        ({"clip_count": 2.5}, "clip_count"),
        ({"clip_count": True}, "clip_count"),
        ({"genre": "Opera"}, "genre"),
        ({"model": "GPT-9"}, "model"),
        ({"language": "English please"}, "language"),
        ({"keywords": ["x" * 51]}, "keywords"),
        ({"keywords": [f"k{i}" for i in range(11)]}, "keywords"),
        ({"keywords": 42}, "keywords"),
        ({"preferred_length": "under2sec"}, "preferred_length"),
    ],
)
def test_it_refuses_a_bad_value_naming_the_field(changes, field):
    with pytest.raises(ClipOptionsError) as refused:
        ClipOptions(**changes)

    assert refused.value.field == field
    assert refused.value.message.startswith(field)
    assert isinstance(refused.value, AnalysisError)
