"""bench.train_moments: which windows it teaches as whole moments, its ridge from sums, its embedding cache."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from bench import train_moments
from bench.languages import lay_out
from bench.moments import Block, Prepared, Talk
from bench.train_moments import EdgeSums, Sums, TalkData
from pipeline.audio import SAMPLE_RATE
from pipeline.moments.embeddings import embed
from tests.bench.laid_out import laid_out


def test_it_keeps_two_moments_with_no_filler_between_them_apart():
    talk = Talk("t", "solo talk", [
        Block("filler", "filler", [("1", "Hi everyone. Welcome back.")]),
        Block("planted", "story", [("1", "I crashed my father's car. He forgave me.")]),
        Block("planted", "bread", [("1", "Sourdough needs time. Give it a day.")]),
        Block("filler", "filler", [("1", "Thanks for watching.")]),
        Block("planted", "savings", [("1", "Pay yourself first. Save on payday.")]),
        Block("filler", "filler", [("1", "Bye.")]),
    ])  # fmt: skip
    prepared, labels = lay_out(talk, "en")

    blocks = TalkData("t", prepared, np.zeros((len(labels), 2)), labels, labels).blocks()

    # Sentences 2-3 are the story and 4-5 the bread: one run of content, two moments.
    assert blocks == [(2, 3), (4, 5), (7, 8)]


def test_it_solves_the_ridge_of_any_set_of_talks_from_their_sums():
    rng = np.random.default_rng(7)
    talks = [rng.normal(size=(n, 12)).astype(np.float32) for n in (30, 45, 25, 40)]
    labels = [(rng.random(len(t)) < 0.4).astype(float) for t in talks]
    sums = Sums.of(talks, labels)

    for without in ([], [1], [0, 3]):
        rows = np.vstack([t.astype(float) for i, t in enumerate(talks) if i not in without])
        target = np.concatenate([y for i, y in enumerate(labels) if i not in without]) * 2 - 1
        mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-6
        z = (rows - mean) / scale
        weights = np.linalg.solve(z.T @ z + 5.0 * np.eye(12), z.T @ (target - target.mean()))

        got = sums.ridge(5.0, without)

        for expected, value in zip((mean, scale, weights, target.mean()), got, strict=True):
            assert np.allclose(expected, value, atol=1e-9)

    # The first talks' sums alone solve the same ridge as sums built from those talks.
    for got, expected in zip(sums.first(2).ridge(5.0), Sums.of(talks[:2], labels[:2]).ridge(5.0), strict=True):
        assert np.allclose(got, expected, atol=1e-9)


def test_it_keeps_a_talks_embeddings_beside_its_media_and_reads_them_back(tmp_path, monkeypatch):
    talk = Talk("t", "solo talk", [
        Block("filler", "filler", [("1", "Hi everyone. Welcome back.")]),
        Block("planted", "story", [("1", "I crashed my father's car. He forgave me.")]),
    ])  # fmt: skip
    prepared, _ = lay_out(talk, "en")
    prepared = dataclasses.replace(prepared, media=str(tmp_path / "speech.wav"))
    calls = []

    def counting_embed(texts):
        calls.append(list(texts))
        return embed(texts)

    monkeypatch.setattr(train_moments, "embed", counting_embed)

    first = train_moments.cached_embeddings(prepared)
    again = train_moments.cached_embeddings(prepared)

    assert len(calls) == 1 and calls[0] == [s.sentence for s in prepared.transcript.sentences]
    assert np.array_equal(first, again) and first.shape == (4, 384)
    # One cache file, and nothing half-written left beside it.
    names = [path.name for path in tmp_path.iterdir()]
    assert len(names) == 1 and names[0].startswith("embeddings-") and names[0].endswith(".npy")


def test_it_tells_the_near_misses_of_a_planted_moment_from_the_windows_far_from_any():
    whole = {(2, 3), (4, 5), (7, 8)}
    near = train_moments.near_miss

    assert near(2, 3, whole) == near(0, 1, whole) == near(6, 6, whole) == 0
    # Into the filler before the story, or on into the bread that follows it.
    assert near(1, 3, whole) == near(2, 4, whole) == near(6, 8, whole) == train_moments.NEAR_SPILL
    assert near(7, 7, whole) == near(3, 3, whole) == train_moments.NEAR_SHORT


def test_it_weighs_the_near_misses_it_is_told_to_when_fitting_the_ranker():
    rng = np.random.default_rng(3)
    kinds = np.repeat([0, 1, 2], [40, 120, 2000])  # whole moments, spills, far windows
    # The first feature tells the far windows from the rest, and is a little higher on a
    # spill than on its moment (a longer window scores higher); only the second tells a
    # moment from its spill.
    first = np.select([kinds == 0, kinds == 1], [rng.normal(3, 0.5, 2160), rng.normal(3.5, 0.5, 2160)], 0)
    rows = np.column_stack([first + rng.normal(0, 1, 2160) * (kinds == 2), (kinds == 0) + rng.normal(0, 1, 2160)])
    near = np.where(kinds == 1, train_moments.NEAR_SPILL, 0)
    found = train_moments.Windows(None, [], rows, (kinds == 0).astype(float), near, None, np.zeros(len(kinds)))

    def moment_over_spill(spill: float) -> float:
        """How often a moment outranks a spill."""
        logit = train_moments.fit_windows([found], None, spill=spill).logit(rows)
        return float((logit[kinds == 0][:, None] > logit[kinds == 1][None, :]).mean())

    assert moment_over_spill(10.0) > moment_over_spill(1.0) + 0.1


def timed(talk: Talk) -> tuple[Prepared, np.ndarray]:
    """``talk`` laid out in English with its labels, each audio sample holding its own time, so
    where the speech was cut shows in it."""
    prepared, labels = lay_out(talk, "en")
    seconds = np.arange(int(prepared.transcript.duration * SAMPLE_RATE)) / SAMPLE_RATE
    return dataclasses.replace(prepared, audio=seconds.astype(np.float32)), labels


def test_it_joins_two_moments_by_cutting_the_filler_between_them_out_of_speech_and_transcript():
    talk = Talk("t", "solo talk", [
        Block("filler", "hello", [("1", "Hi everyone. Welcome back.")]),
        Block("planted", "story", [("1", "I crashed my father's car. He forgave me.")]),
        Block("filler", "sponsor", [("1", "This video is sponsored. Use my code.")]),
        Block("planted", "bread", [("1", "Sourdough needs time. Give it a day.")]),
        Block("filler", "bye", [("1", "Thanks for watching.")]),
    ])  # fmt: skip
    prepared, labels = timed(talk)
    embeddings = np.arange(len(labels), dtype=float)[:, None]
    original = TalkData("t", prepared, embeddings, labels, labels * 2)

    cut = train_moments.joined(original)

    texts = [s.sentence for s in cut.prepared.transcript.sentences]
    assert texts == ["Hi everyone.", "Welcome back.", "I crashed my father's car.", "He forgave me.",
                     "Sourdough needs time.", "Give it a day.", "Thanks for watching."]  # fmt: skip
    assert [s.index for s in cut.prepared.transcript.sentences] == list(range(7))
    assert cut.embeddings[:, 0].tolist() == [0, 1, 2, 3, 6, 7, 8] and cut.lexical.tolist() == (cut.labels * 2).tolist()
    assert [f.label for f in cut.prepared.filler] == ["hello", "bye"]
    story, bread = cut.prepared.planted
    old_story, old_bread = prepared.planted
    shift = old_bread.start - prepared.filler[1].start
    assert story == old_story and abs(bread.start - (old_bread.start - shift)) < 1e-3
    # The bread now starts the pause after the story ends, in the speech as in the words.
    assert abs(bread.start - prepared.filler[1].start) < 1e-3
    assert abs(cut.prepared.transcript.sentences[4].words[0].start - bread.start) < 1e-6
    assert len(cut.prepared.audio) == len(prepared.audio) - round(shift * SAMPLE_RATE)
    after = round(bread.start * SAMPLE_RATE)
    assert abs(cut.prepared.audio[after] - old_bread.start) < 1e-3
    assert abs(cut.prepared.transcript.duration - (prepared.transcript.duration - shift)) < 1e-6
    # Two moments back to back: two blocks, and no filler between them to cut again.
    assert cut.blocks() == [(2, 3), (4, 5)]
    words = cut.prepared.transcript.words
    assert all(a.end <= b.start for a, b in itertools.pairwise(words))


def test_it_joins_only_two_moments_with_filler_between_them():
    talk = Talk("t", "solo talk", [
        Block("filler", "hello", [("1", "Hi everyone. Welcome back.")]),
        Block("planted", "story", [("1", "I crashed my father's car. He forgave me.")]),
        Block("planted", "bread", [("1", "Sourdough needs time. Give it a day.")]),
        Block("filler", "sponsor", [("1", "This video is sponsored. Use my code.")]),
        Block("planted", "savings", [("1", "Pay yourself first. Save on payday.")]),
    ])  # fmt: skip
    prepared, labels = lay_out(talk, "en")
    original = TalkData("t", prepared, np.zeros((len(labels), 1)), labels, labels)

    cut = train_moments.joined(original)

    assert [f.label for f in cut.prepared.filler] == ["hello"]
    assert cut.blocks() == [(2, 3), (4, 5), (6, 7)]


def test_it_packs_a_talk_by_cutting_the_filler_between_every_two_moments():
    talk = Talk("t", "solo talk", [
        Block("filler", "hello", [("1", "Hi everyone. Welcome back.")]),
        Block("planted", "story", [("1", "I crashed my father's car. He forgave me.")]),
        Block("filler", "sponsor", [("1", "This video is sponsored. Use my code.")]),
        Block("planted", "bread", [("1", "Sourdough needs time. Give it a day.")]),
        Block("planted", "garden", [("1", "Tomatoes want sun. Water them at dawn.")]),
        Block("filler", "aside", [("1", "Sorry, my cat is here.")]),
        Block("planted", "savings", [("1", "Pay yourself first. Save on payday.")]),
        Block("filler", "bye", [("1", "Thanks for watching.")]),
    ])  # fmt: skip
    prepared, labels = timed(talk)
    original = TalkData("t", prepared, np.arange(len(labels), dtype=float)[:, None], labels, labels, genre="solo talk")

    cut = train_moments.packed(original)

    # The filler before the first moment and after the last stays; all between them goes.
    assert [f.label for f in cut.prepared.filler] == ["hello", "bye"]
    assert cut.blocks() == [(2, 3), (4, 5), (6, 7), (8, 9)]
    assert cut.embeddings[:, 0].tolist() == [0, 1, 2, 3, 6, 7, 8, 9, 11, 12, 13]
    assert cut.name == "t, packed" and cut.genre == "solo talk"
    # Each moment starts where the one before it ended, after the pause that ended it.
    planted = cut.prepared.planted
    assert all(0 <= b.start - a.end < 1.5 for a, b in itertools.pairwise(planted))
    sentences = cut.prepared.transcript.sentences
    assert [sentences[first].sentence for first, _ in cut.blocks()] == [
        "I crashed my father's car.", "Sourdough needs time.", "Tomatoes want sun.", "Pay yourself first."]  # fmt: skip
    starts = [sentences[first].words[0].start for first, _ in cut.blocks()]
    assert np.allclose(starts, [p.start for p in planted], atol=1e-6)
    # The speech was cut where the words were: each moment's first sample is its old one.
    assert abs(len(cut.prepared.audio) / SAMPLE_RATE - cut.prepared.transcript.duration) < 1e-3
    for new, old in zip(planted, prepared.planted, strict=True):
        assert abs(cut.prepared.audio[round(new.start * SAMPLE_RATE)] - old.start) < 1e-3


def test_it_teaches_the_ranker_a_talks_other_readings_as_other_talks():
    rng = np.random.default_rng(5)

    def found(n: int) -> train_moments.Windows:
        rows = rng.normal(size=(n, 3))
        labels = (rows[:, 0] + rng.normal(0, 1, n) > 1.5).astype(float)
        return train_moments.Windows(None, [], rows, labels, np.zeros(n, int), None, np.zeros(n))

    talk, again, cut = found(300), found(200), found(250)
    talk.also = [again, cut]

    taught = train_moments.fit_windows([talk], None).coef

    as_three = [dataclasses.replace(talk, also=[]), again, cut]
    assert np.allclose(taught, train_moments.fit_windows(as_three, None).coef)
    assert not np.allclose(taught, train_moments.fit_windows(as_three[:1], None).coef)


def test_it_teaches_the_content_probe_the_talks_in_other_languages_by_meaning_alone(tmp_path, monkeypatch):
    (tmp_path / "solo_talk_bees_es.txt").write_text(
        "# genre: solo talk\n== filler\nHola a todos. Suscribíos al canal.\n"
        "== planted swarm\nUn enjambre pesa dos kilos. Lo atrapé con una caja de zapatos.\n"
        "== filler\nGracias por ver el vídeo.\n"
    )
    monkeypatch.setattr(train_moments, "OTHER_LANGUAGES", tmp_path)

    [talk] = train_moments.in_other_languages()

    assert talk.name == "solo_talk_bees_es" and talk.prepared.transcript.language == "es"
    assert talk.labels.tolist() == [0, 0, 1, 1, 0]
    # The English word lists read nothing here: the probe must learn it from the meaning.
    assert talk.lexical.tolist() == [0.0] * 5
    assert talk.embeddings.shape == (5, 384)

    rng = np.random.default_rng(11)

    def english(n: int) -> TalkData:
        labels = (rng.random(n) < 0.4).astype(float)
        return TalkData("en", None, rng.normal(size=(n, 384)) + labels[:, None], labels, 1 - labels)

    talks = [english(40), english(60)]
    probe = train_moments.fit_probe(talks, 10.0, [talk])

    every = [*talks, talk]
    taught = train_moments.fit(every, 10.0, Sums.of([t.embeddings for t in every], [t.labels for t in every]))[0]
    assert np.allclose(probe.weights, taught.weights)
    assert not np.allclose(probe.weights, train_moments.fit_probe(talks, 10.0).weights)


def test_it_keeps_the_reading_of_other_languages_when_asked_and_refits_it_otherwise():
    rng = np.random.default_rng(5)

    def talk(n: int, shift: float) -> TalkData:
        labels = (rng.random(n) < 0.4).astype(float)
        return TalkData("en", None, rng.normal(size=(n, 384)) + shift * labels[:, None], labels, 1 - labels)

    kept = train_moments.fit_probe([talk(40, 1.0), talk(50, 1.0)], 10.0)
    refit = train_moments.fit_probe([talk(60, 2.0), talk(70, 2.0), talk(40, 2.0)], 10.0)
    sentences = rng.normal(size=(12, 384))
    lexical = rng.random(12)

    # A fresh fit reads a language without word lists by its own ridge, folded onto the
    # raw embeddings: the score is the same, the calibration the one fitted without words.
    folded = sentences @ refit.weights_without_words + refit.bias_without_words
    assert np.allclose(folded, refit.score(sentences))

    both = train_moments.kept_other_languages(refit, kept)

    assert np.allclose(both.likelihood(sentences, None), kept.likelihood(sentences, None))
    assert not np.allclose(both.likelihood(sentences, None), refit.likelihood(sentences, None))
    assert np.allclose(both.likelihood(sentences, lexical), refit.likelihood(sentences, lexical))


def test_it_fits_the_probes_that_read_a_line_beside_its_neighbours_without_a_left_out_talks_whole_unit():
    talks = [laid_out(f"t{seed}", seed) for seed in range(4)]
    sums = Sums.of([t.embeddings for t in talks], [t.labels for t in talks])
    by_talk, by_pair = EdgeSums.of(talks, sums), EdgeSums.of(talks, sums, ["a", "a", "b", "b"])

    left = by_pair.probes(10.0, without=[0])

    # The probes reading a line alone leave out the talk; those reading it beside its
    # neighbours leave out its unit, as if fitted on the other unit's talks alone.
    assert np.allclose(left.opens.weights, by_talk.probes(10.0, without=[0]).opens.weights)
    alone_sums = Sums.of([t.embeddings for t in talks[2:]], [t.labels for t in talks[2:]])
    other_unit = EdgeSums.of(talks[2:], alone_sums).probes(10.0)
    for name in ("opens_beside", "closes_beside"):
        kept, fitted = getattr(left, name), getattr(other_unit, name)
        assert np.allclose(kept.weights, fitted.weights) and np.isclose(kept.bias, fitted.bias)
        assert len(kept.weights) == 3 * talks[0].embeddings.shape[1]
    assert not np.allclose(left.opens_beside.weights, by_talk.probes(10.0, without=[0]).opens_beside.weights)
    # Each reads its own side: a moment's first lines for one, its last for the other.
    assert not np.allclose(left.opens_beside.weights, left.closes_beside.weights)
