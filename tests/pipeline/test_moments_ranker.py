"""The learned window ranker: which candidate windows are one whole moment."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.moments.content import load_probe
from pipeline.moments.features import analyse_transcript
from pipeline.moments.local import LocalAnalyser
from pipeline.moments.options import ClipOptions
from pipeline.moments.ranker import (
    EDGE_EVIDENCE_CAP,
    FEATURES,
    MERGE_HALVES_ABOVE,
    MODEL_FILE,
    WindowEvidence,
    beside,
    load_model,
    without_merges,
)
from tests.pipeline.test_moments_local import ADVICE, BAKING, GREETING, SPONSOR, STORY, timed_transcript


@pytest.fixture(scope="module")
def ranked():
    """The analyser of a talk whose moments are STORY and ADVICE, with sentence indexes of each block."""
    transcript = timed_transcript(GREETING, STORY, SPONSOR, ADVICE, GREETING[:2])
    local = LocalAnalyser(analyse_transcript(transcript), ClipOptions(min_length=5, max_length=60, clip_count=2))
    texts = [s.sentence for s in transcript.sentences]
    blocks = {
        name: (texts.index(block[0]), texts.index(block[-1]))
        for name, block in (("story", STORY), ("sponsor", SPONSOR), ("advice", ADVICE))
    }
    return local, blocks


def features(local: LocalAnalyser, window: tuple[int, int]) -> dict[str, float]:
    """The shipped ranker's evidence of ``window``, by feature name."""
    model = load_model()
    row = WindowEvidence(local.analysis, model.probes).row(*window, local.scorer.score(*window))
    return dict(zip(FEATURES, row.tolist(), strict=True))


def likelihood(local: LocalAnalyser, first: int, last: int) -> float:
    model = load_model()
    row = WindowEvidence(local.analysis, model.probes).row(first, last, local.scorer.score(first, last))
    return float(model.logit(row[None, :])[0])


def test_it_ranks_a_whole_moment_above_the_same_moment_with_filler_or_cut_short(ranked):
    local, blocks = ranked
    first, last = blocks["story"]

    whole = likelihood(local, first, last)

    assert whole > likelihood(local, first - 2, last), "two greeting lines before the story"
    assert whole > likelihood(local, first, last + 1), "the sponsor read's first line after it"
    assert whole > likelihood(local, first + 1, last), "the story without its opening"
    assert whole > likelihood(local, first, last - 1), "the story without its lesson"
    assert whole > likelihood(local, *blocks["sponsor"]), "the sponsor read"


def test_it_puts_the_whole_moments_first_and_picks_them(ranked):
    local, blocks = ranked

    order = local.ranked_ranges()
    spans, left_out = local.find(2)

    assert set(order[:2]) == {blocks["story"], blocks["advice"]}
    assert {(s.first, s.last) for s in spans} == {blocks["story"], blocks["advice"]}
    assert left_out == 0


def test_it_ranks_two_moments_merged_at_their_topic_break_last():
    # Sentences 0-5: the strongest inner break of (0, 5) is before sentence 3.
    breaks = np.array([1.0, 0.1, 0.2, 0.9, 0.1, 0.3, 1.0])
    ranges = [(0, 2), (3, 5), (0, 5), (1, 5), (0, 4)]
    both_moments = np.array([1.5, 0.4, 3.0, 2.0, -1.0])

    ranked = without_merges(ranges, both_moments, breaks)

    assert ranked[2] == -np.inf, "both halves are moments: the merged window goes last"
    # (1, 5) splits at 3 into (1, 2), not a candidate; (0, 4) into (3, 4), not one either.
    assert list(ranked[[0, 1, 3, 4]]) == [1.5, 0.4, 2.0, -1.0]
    one_moment = both_moments.copy()
    one_moment[1] = -0.2
    assert list(without_merges(ranges, one_moment, breaks)) == list(one_moment), "a half below 0 is no moment"


def test_it_ranks_two_moments_told_back_to_back_last_in_the_analyser():
    transcript = timed_transcript(GREETING, STORY, BAKING, GREETING[:2])
    local = LocalAnalyser(analyse_transcript(transcript), ClipOptions(min_length=5, max_length=60, clip_count=2))
    first, turn = len(GREETING), len(GREETING) + len(STORY)
    last = turn + len(BAKING) - 1

    likelihood = local.likelihood

    assert min(likelihood[first, turn - 1], likelihood[turn, last]) > MERGE_HALVES_ABOVE
    assert likelihood[first, last] == -np.inf
    assert all(span.last < turn or span.first >= turn for span in local.find(2)[0])


def test_it_refuses_a_model_fitted_on_other_features(tmp_path):
    model = load_model()
    path = tmp_path / "window_model.npz"
    model.save(path)
    with np.load(path) as data:
        arrays = dict(data)
    arrays["features"] = np.array((*FEATURES[:-1], "something_else"))
    np.savez(path, **arrays)

    with pytest.raises(ValueError, match="other window features"):
        load_model(path)


def test_it_saves_and_loads_the_installed_model_unchanged(tmp_path):
    model = load_model(MODEL_FILE)
    path = tmp_path / "copy.npz"

    model.save(path)
    loaded = load_model(path)

    for field in dataclasses.fields(model):
        original, copy = getattr(model, field.name), getattr(loaded, field.name)
        if field.name == "probes":
            for probe in dataclasses.fields(original):
                kept, read = getattr(original, probe.name), getattr(copy, probe.name)
                assert all(np.array_equal(getattr(kept, f.name), getattr(read, f.name))
                           for f in dataclasses.fields(kept))  # fmt: skip
        else:
            assert np.array_equal(original, copy)
    assert len(model.coef) == len(FEATURES) + 1


def test_it_reads_a_window_the_same_whatever_the_person_steers_towards(ranked):
    local, blocks = ranked
    first, last = blocks["advice"]
    steered = LocalAnalyser(local.analysis, dataclasses.replace(local.options, keywords=["savings"]))
    model = load_model()
    evidence = WindowEvidence(local.analysis, model.probes)

    plain, keyed = local.scorer.score(first, last), steered.scorer.score(first, last)

    # The keyword lifts the shown score; the ranker's evidence of a whole moment stays the
    # same, and the steering reaches the ranking at its own fixed rate.
    assert keyed.total > plain.total and keyed.steering == keyed.total - plain.total
    assert plain.steering == 0.0
    assert np.array_equal(evidence.row(first, last, plain), evidence.row(first, last, keyed))
    assert steered.ranked_ranges()[0] == (first, last)


def test_it_reads_the_edge_sentences_on_their_own_and_ends_a_clip_where_content_ends(ranked):
    local, blocks = ranked
    first, last = blocks["story"]
    analysis = local.analysis
    model = load_model()
    evidence = WindowEvidence(analysis, model.probes)
    lexical = np.array([signal.filler for signal in analysis.signals])

    # Each sentence's own reading is the probe's, before the chain smooths it over its neighbours.
    assert np.allclose(analysis.content_alone, load_probe().likelihood(analysis.embeddings, lexical))
    assert analysis.content_alone[last + 1] < 0.5 < analysis.content_alone[last]
    whole = evidence.edge_evidence(first, last)
    assert whole > evidence.edge_evidence(first, last + 1), "ending on the sponsor read's first line"
    assert whole > evidence.edge_evidence(first - 1, last), "starting on the last greeting line"
    assert all(abs(evidence.edge_evidence(*window)) <= 2 * EDGE_EVIDENCE_CAP for window in local.edges.ranges(5, 60))


def test_it_reads_the_sentence_and_the_break_just_outside_each_edge(ranked):
    local, blocks = ranked
    first, last = blocks["story"]
    analysis, model = local.analysis, load_model()
    opens, closes = model.probes.opens.score(analysis.embeddings), model.probes.closes.score(analysis.embeddings)

    late = features(local, (first + 1, last))
    # Started one line late, the window has the story's opening and its topic break just before it.
    assert late["opens_before"] == pytest.approx(opens[first]) and late["break_before"] == analysis.breaks[first]
    assert late["closes_before"] == pytest.approx(closes[first])
    whole = features(local, (first, last))
    assert opens[first] > whole["opens_before"], "the story opens; the greeting before it does not"
    early_end = features(local, (first, last - 1))
    assert early_end["closes_after"] == pytest.approx(closes[last])
    assert early_end["break_after"] == analysis.breaks[last + 1]
    count = len(analysis.sentences)
    whole_talk = features(local, (0, count - 1))
    # Nothing opens before a talk or closes after it; its start closes everything before it.
    assert (whole_talk["opens_before"], whole_talk["closes_before"]) == (0.0, 1.0)
    assert (whole_talk["closes_after"], whole_talk["break_before"], whole_talk["break_after"]) == (0.0, 0.0, 0.0)


def test_it_reads_whether_the_line_beside_each_edge_belongs_with_the_window(ranked):
    local, blocks = ranked
    first, last = blocks["story"]
    whole, late = features(local, (first, last)), features(local, (first + 1, last))
    early_end, in_filler = features(local, (first, last - 1)), features(local, (first - 1, last))
    # The story's own opening and lesson belong with the rest of it; the greeting and the
    # sponsor read beside it do not.
    assert late["joins_before"] > whole["joins_before"]
    assert early_end["joins_after"] > whole["joins_after"]
    assert whole["joins_first"] > in_filler["joins_first"]
    assert whole["joins_last"] > features(local, (first, last + 1))["joins_last"]
    # Cosines; beyond the talk's ends there is no line to read.
    count = len(local.analysis.sentences)
    assert all(-1.0 <= whole[name] <= 1.0 for name in ("joins_before", "joins_after", "joins_first", "joins_last"))
    whole_talk = features(local, (0, count - 1))
    assert (whole_talk["joins_before"], whole_talk["joins_after"]) == (0.0, 0.0)


def test_it_reads_each_line_beside_its_neighbours_for_where_a_moment_opens_and_closes(ranked):
    local, blocks = ranked
    first, last = blocks["story"]
    embeddings = local.analysis.embeddings
    near = beside(embeddings)
    # Each line, then the one before it, then the one after it; nothing past the talk's ends.
    width = embeddings.shape[1]
    assert near.shape == (len(embeddings), 3 * width)
    line, before, after = embeddings[first], embeddings[first - 1], embeddings[first + 1]
    assert np.array_equal(near[first], np.concatenate([line, before, after]))
    assert not near[0, width : 2 * width].any() and not near[-1, 2 * width :].any()
    read = load_model().probes.read(embeddings)
    assert np.allclose(read["opens_beside"], load_model().probes.opens_beside.score(near))

    whole, late = features(local, (first, last)), features(local, (first + 1, last))
    assert whole["opens_beside"] == pytest.approx(read["opens_beside"][first]) == late["opens_beside_before"]
    assert whole["closes_beside"] == pytest.approx(read["closes_beside"][last])
    # Beside the greeting before it and the story after it, the story's first line opens it
    # more than its second line does; its lesson, beside the sponsor read, closes it more
    # than the line before the lesson does.
    assert late["opens_beside_before"] > late["opens_beside"]
    early_end = features(local, (first, last - 1))
    assert early_end["closes_beside_after"] > early_end["closes_beside"]
    assert features(local, (first - 1, last))["opens_beside_inside"] >= whole["opens_beside"]


def test_it_reads_a_short_edge_line_apart_from_the_lines_that_say_something(ranked):
    local, blocks = ranked
    first, last = blocks["advice"]
    evidence = WindowEvidence(local.analysis, load_model().probes)
    short = first + ADVICE.index("Pay yourself first instead.")

    on_short = features(local, (short, last))
    # A window opening on a four-word line carries that line's readings a second time, under
    # its own names, so the ranker can weigh a short opening apart from one that says something.
    assert (on_short["short_first"], on_short["short_last"]) == (1.0, 0.0)
    assert on_short["alone_first_short"] == pytest.approx(evidence.alone[short])
    assert on_short["logit_first_short"] == pytest.approx(on_short["logit_first"])
    assert on_short["opens_beside_short"] == pytest.approx(on_short["opens_beside"])
    assert on_short["alone_last_short"] == on_short["logit_last_short"] == on_short["closes_beside_short"] == 0.0
    whole = features(local, (first, last))
    assert whole["short_first"] == whole["alone_first_short"] == whole["opens_beside_short"] == 0.0
    # The weakest line that says something: the short line is passed over, and a window of
    # short lines alone has its weakest line as it is.
    logits = np.delete(evidence.logits[first : last + 1], short - first)
    assert whole["logit_min_long"] == pytest.approx(logits.min())
    assert features(local, (short, short))["logit_min_long"] == features(local, (short, short))["logit_min"]
