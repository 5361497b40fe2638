"""Edge moves: a second look at each chosen clip's start and end, one sentence at a time."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.moments.edge_moves import (
    FEATURES,
    MAX_GROWTH,
    MODEL_FILE,
    MOVES,
    MoveModel,
    load_models,
    save_models,
)
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from pipeline.moments.options import ClipOptions
from tests.pipeline.test_moments_local import ADVICE, GREETING, SPONSOR, STORY, timed_transcript


def sure(chance: float) -> MoveModel:
    """A model that gives every move ``chance`` (0 or 1), whatever it reads."""
    width = len(FEATURES)
    return MoveModel(np.zeros(width), np.ones(width), np.append(np.zeros(width), 30.0 if chance else -30.0))


@pytest.fixture(scope="module")
def chosen():
    """The analyser of a talk whose moments are STORY and ADVICE, what it chose and the blocks' sentences."""
    transcript = timed_transcript(GREETING, STORY, SPONSOR, ADVICE, GREETING[:2])
    local = LocalAnalyser(analyse_transcript(transcript), ClipOptions(min_length=5, max_length=60, clip_count=2))
    texts = [s.sentence for s in transcript.sentences]
    blocks = {name: (texts.index(b[0]), texts.index(b[-1])) for name, b in (("story", STORY), ("advice", ADVICE))}
    return local, local.choose(2), blocks


def test_it_leaves_the_edges_where_no_move_is_likely(chosen):
    _, (windows, _, moves), _ = chosen
    never = {move: sure(0) for move in MOVES}

    assert moves.apply(windows, never) == windows


def test_it_grows_each_edge_at_most_twice_and_never_into_another_clip(chosen):
    _, (windows, _, moves), blocks = chosen
    assert sorted(windows) == sorted(blocks.values())
    always = {move: sure(1) for move in MOVES}
    story, advice = blocks["story"], blocks["advice"]

    moved = dict(zip(windows, moves.apply(windows, always), strict=True))

    assert moved[story] == (story[0] - MAX_GROWTH, story[1] + MAX_GROWTH)
    assert advice[0] - MAX_GROWTH <= moved[story][1], "the sponsor read between them is short"
    assert moved[advice] == (moved[story][1] + 1, advice[1] + MAX_GROWTH), "the start stops at the story's clip"
    grown_story = moved[story]
    grow_only = {**always, "start_later": sure(0), "end_earlier": sure(0)}
    assert moves.apply([grown_story], grow_only, taken=[(grown_story[1] + 1, grown_story[1] + 3)]) == [
        (grown_story[0] - MAX_GROWTH, grown_story[1])
    ], "the end stops short of a clip already taken"


def test_it_shrinks_an_edge_by_one_sentence_when_growing_it_is_unlikely(chosen):
    _, (_, _, moves), blocks = chosen
    shrink_only = {"start_earlier": sure(0), "end_later": sure(0), "start_later": sure(1), "end_earlier": sure(1)}
    story = blocks["story"]

    assert moves.apply([story], shrink_only) == [(story[0] + 1, story[1] - 1)]


def test_it_moves_no_edge_to_a_window_outside_the_length_bounds(chosen):
    local, _, blocks = chosen
    story = local.edges.span(*blocks["story"])
    longest = story.end - story.start + 1.0
    bounded = LocalAnalyser(local.analysis, ClipOptions(min_length=5, max_length=longest, clip_count=2))
    windows, _, moves = bounded.choose(2)

    moved = moves.apply(windows, {move: sure(1) for move in MOVES})

    assert moved != windows
    for first, last in moved:
        span = bounded.edges.span(first, last)
        assert 5 <= span.end - span.start <= longest
    assert moves.row((blocks["story"][0], blocks["story"][0]), "end_earlier") is None, "no window ends before it starts"


def test_it_reads_a_move_by_the_sentence_it_adds(chosen):
    _, (_, _, moves), blocks = chosen
    story = blocks["story"]

    window, row = moves.row(story, "start_earlier")
    values = dict(zip(FEATURES, row, strict=True))

    assert window == (story[0] - 1, story[1])
    assert values["ranking_change"] == pytest.approx(moves.ranking[window] - moves.ranking[story])
    assert values["ranking_change"] < 0, "the greeting line before the story makes a worse window"
    assert values["alone_moved"] < values["alone_kept"], "a greeting reads less surely content than the story"


def test_it_saves_and_loads_the_installed_models_unchanged(tmp_path):
    models = load_models(MODEL_FILE)
    path = tmp_path / "copy.npz"

    save_models(models, path)

    copy = load_models(path)
    for move in MOVES:
        np.testing.assert_array_equal(copy[move].coef, models[move].coef)
        np.testing.assert_array_equal(copy[move].mean, models[move].mean)


def test_it_refuses_models_fitted_on_other_features(tmp_path):
    path = tmp_path / "edge_moves.npz"
    save_models(load_models(MODEL_FILE), path)
    with np.load(path) as data:
        arrays = dict(data)
    arrays["features"] = np.array((*FEATURES[:-1], "something_else"))
    np.savez(path, **arrays)

    with pytest.raises(ValueError, match="other edge features"):
        load_models(path)
