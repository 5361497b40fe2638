"""bench.moments_folds: which group of rounds each tuning talk is read in, reading each talk
once by probes fitted without its group, and scoring the clips the analyser itself keeps."""

from __future__ import annotations

import dataclasses

import numpy as np

from bench.languages import lay_out
from bench.moments import DATA, Score, evaluate, read_talk
from bench.moments_folds import FIRST, GROUPS, chosen_by_analyser, group_of, read_by_group, report
from bench.train_moments import Clip, TalkData, lexical_cue, windows
from pipeline.config import PipelineConfig
from pipeline.moments import ClipOptions, find_moments
from pipeline.moments.content import load_probe
from pipeline.moments.embeddings import embed
from pipeline.moments.ranker import load_model
from tests.bench.laid_out import laid_out


def test_it_reads_each_round_with_its_group_and_the_rest_with_the_first_rounds():
    assert group_of("train_k_locksmith") == group_of("train_n_farrier") == "k, n"
    assert group_of("train_p_cobbler") == "o, p"
    assert group_of("train_t_potter") == group_of("train_u_woodturner") == "r, s, t, u"
    assert group_of("train_v_saddle_maker") == "v"
    assert group_of("train_q_stonemason") == "q"
    assert group_of("train_a_cooper") == "a"
    assert group_of("train_l_harpist") == "l"
    assert group_of("train_m_kayak_builder") == "m"
    assert group_of("train_x_sailmaker") == "x"
    assert group_of("train_aa_chimney_sweep") == "aa"
    assert group_of("train_ab_thatcher") == "ab"
    assert group_of("train_ac_winchman") == "ac"
    assert group_of("train_ad_tiler") == "ad"
    assert group_of("train_ae_rope_maker") == "ae"
    assert group_of("train_af_milliner") == "af"
    assert group_of("train_ag_bell_founder") == "ag"
    assert group_of("train_ah_harpsichord_tuner") == "ah"
    assert group_of("train_ai_whistler") == "ai"
    assert group_of("train_aj_broom_maker") == "aj"
    assert group_of("train_ak_clog_maker") == "ak"
    assert group_of("train_b_fog_signals") == group_of("interview_panel") == FIRST
    assert FIRST not in GROUPS


def test_it_reads_each_talk_by_probes_fitted_without_its_group():
    names = ("solo_vlog", "talk_podcast", "train_k_locksmith", "train_n_farrier")
    talks = [laid_out(name, seed) for seed, name in enumerate(names)]
    before = read_by_group(talks, strength=10.0)

    # A first rounds' talk taught otherwise: the probes reading its group never saw it, the others' did.
    flipped = dataclasses.replace(talks[0], labels=1.0 - talks[0].labels)
    after = read_by_group([flipped, *talks[1:]], strength=10.0)

    for name in ("solo_vlog", "talk_podcast"):
        assert np.array_equal(before[name].rows, after[name].rows)
    for name in ("train_k_locksmith", "train_n_farrier"):
        assert not np.array_equal(before[name].rows, after[name].rows)
    # One group's two talks are read by the same probes, fitted on the first rounds' talk alone.
    assert before["train_k_locksmith"].probes is before["train_n_farrier"].probes


def test_it_scores_the_clips_the_analyser_itself_keeps():
    prepared, labels = lay_out(read_talk(DATA / "tune" / "solo_vlog.txt"), "en")
    sentences = prepared.transcript.sentences
    talk = TalkData("solo_vlog", prepared, embed([s.sentence for s in sentences]), labels, lexical_cue(sentences))
    model = load_model()

    found = windows(talk, load_probe(), model.probes)
    score = chosen_by_analyser(prepared, found, model.ranking(found.rows, found.edges))

    options = ClipOptions(clip_count=len(prepared.planted))
    result = find_moments(prepared.transcript, options, PipelineConfig(), audio=prepared.audio)
    clips = [Clip(m.start, m.end, rank) for rank, m in enumerate(result.moments, start=1)]
    expected = evaluate(prepared, clips)[0]
    assert score.clips == expected.clips == len(prepared.planted)
    assert expected.covered > 0
    got = (score.covered, score.filler_edges, score.errors)
    assert got == (expected.covered, expected.filler_edges, expected.errors)


def test_it_reports_each_group_then_the_later_groups_together_and_by_genre():
    def score(covered, errors, filler):
        return Score(planted=7, covered=covered, clips=7, filler_edges=filler, errors=errors)

    by_talk = {
        (FIRST, "lecture"): score(7, [9.0, 9.0], 3),
        ("v", "lecture"): score(6, [1.0, 3.0], 1),
        ("v", "podcast"): score(5, [2.0], 2),
        ("ag", "lecture"): score(4, [2.0, 2.0], 0),
    }

    lines = report("ranker", by_talk)

    assert lines == [
        f"ranker, {FIRST}: {score(7, [9.0, 9.0], 3).line()}",
        f"ranker, v: {Score(planted=14, covered=11, clips=14, filler_edges=3, errors=[1.0, 3.0, 2.0]).line()}",
        f"ranker, ag: {score(4, [2.0, 2.0], 0).line()}",
        # The first rounds count in neither the later groups nor their genres.
        f"ranker, the later groups: {Score(21, 15, 21, 3, [1.0, 3.0, 2.0, 2.0, 2.0]).line()}",
        f"ranker, the later groups' lectures: {Score(14, 10, 14, 1, [1.0, 3.0, 2.0, 2.0]).line()}",
        f"ranker, the later groups' podcasts: {score(5, [2.0], 2).line()}",
    ]
    assert "recall@k 15/21" in lines[3] and "boundary error 2.00 s" in lines[3]
