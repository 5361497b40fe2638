"""bench.moment_judges: what the judges read, how their answers are read and scored."""

from __future__ import annotations

import pytest

from bench.moment_judges import (
    Judged,
    assign,
    compare,
    judged,
    lines_of,
    moments_of,
    packet,
    read_answers,
)
from bench.moments import Block, Planted, Talk, speak
from bench.train_moments import Clip

TALK = Talk(
    "kiln_talk",
    "podcast",
    [
        Block("filler", "filler", [("1", "Hello and welcome back. Grab a coffee first.")]),
        Block("planted", "kiln", [("1", "Why did it crack?"), ("2", "The damper was shut. Heat had nowhere to go.")]),
        Block("filler", "filler", [("1", "Wow. Okay, see you next week.")]),
    ],
)


def test_it_numbers_every_spoken_sentence_and_points_at_each_moment_without_marking_its_edges():
    text = packet(TALK)

    assert text.splitlines()[:8] == [
        "TALK kiln_talk (podcast)",
        "1 A: Hello and welcome back.",
        "2 A: Grab a coffee first.",
        "3 A: Why did it crack?",
        "4 B: The damper was shut.",
        "5 B: Heat had nowhere to go.",
        "6 A: Wow.",
        "7 A: Okay, see you next week.",
    ]
    assert text.splitlines()[8:] == ["MOMENTS", "m1: the moment that includes line 4"]
    assert "kiln" not in text.replace("kiln_talk", "")
    assert moments_of(TALK) == [("m1", "kiln", 4)]
    assert [line.block for line in lines_of(TALK)] == [0, 0, 1, 1, 1, 2, 2]


def test_it_gives_each_talk_to_two_different_judges_and_each_judge_a_share():
    names = [f"t{n}" for n in range(20)]

    shares = assign(names, 8)

    assert sorted(name for share in shares for name in share) == sorted(names * 2)
    assert all(len(share) == 5 for share in shares)
    assert all(len(set(share)) == len(share) for share in shares)
    with pytest.raises(ValueError):
        assign(names, 1)


def test_it_reads_answer_lines_and_names_one_that_is_not():
    answers = read_answers(
        "j1",
        "kiln_talk m1 start=3 end=5 also_start=2 also_end=\nkiln_talk m2 start=9 end=12 also_start= also_end=12,13\n",
    )

    assert [(a.talk, a.moment, a.start, a.end) for a in answers] == [
        ("kiln_talk", "m1", 3, 5),
        ("kiln_talk", "m2", 9, 12),
    ]
    assert answers[0].starts == {2, 3} and answers[0].ends == {5}
    assert answers[1].ends == {12, 13}
    with pytest.raises(ValueError, match="j1: not an answer line: 'm1 from 3 to 5'"):
        read_answers("j1", "m1 from 3 to 5")


def test_it_times_the_judges_lines_as_the_talk_was_spoken(tmp_path):
    _, planted, filler = speak(TALK.blocks, tmp_path, gaps="blind")
    answers = read_answers("j1", "kiln_talk m1 start=3 end=6 also_start=2 also_end=5") + read_answers(
        "j2", "kiln_talk m1 start=3 end=5 also_start= also_end=6"
    )

    found = judged(TALK, planted, filler, tmp_path, answers)

    kiln = found.writer["kiln"]
    assert kiln == (planted[0].start, planted[0].end)
    assert found.judges["kiln"]["j2"] == kiln
    j1_start, j1_end = found.judges["kiln"]["j1"]
    assert j1_start == kiln[0] and filler[1].start < j1_end <= filler[1].end
    # Line 3 both accept, line 2 only j1: the writer's edge and line 3's (the same) start.
    starts, ends = found.accepted["kiln"]
    assert starts == [kiln[0], kiln[0]]
    assert sorted(ends) == sorted([kiln[1], kiln[1], j1_end])
    with pytest.raises(ValueError, match="names no moment or a line past the talk"):
        judged(TALK, planted, filler, tmp_path, read_answers("j3", "kiln_talk m1 start=3 end=8 also_start= also_end="))
    with pytest.raises(ValueError, match="names no moment or a line past the talk"):
        judged(TALK, planted, filler, tmp_path, read_answers("j3", "kiln_talk m1 start=3 end=5 also_start=9 also_end="))


def test_it_forgives_an_analysers_edge_only_where_the_judges_accept_it():
    filler = [Planted("filler", 0.0, 10.0), Planted("filler", 50.0, 60.0)]
    talk = Judged(
        "podcast",
        filler,
        writer={"kiln": (12.0, 48.0)},
        judges={"kiln": {"j1": (8.0, 48.0), "j2": (8.0, 46.0)}},
        accepted={"kiln": ([12.0, 8.0], [48.0])},
    )

    tallies = compare(talk, [Clip(8.0, 55.0, 1)])

    assert tallies["judges against the writer"].errors == [4.0, 0.0, 4.0, 2.0]
    assert tallies["judges against the writer"].in_filler == 2
    assert tallies["judges against each other"].errors == [0.0, 2.0]
    assert tallies["analyser against the writer"].errors == [4.0, 7.0]
    assert tallies["analyser against each judge"].errors == [0.0, 7.0, 0.0, 9.0]
    assert tallies["analyser against the nearest accepted edge"].errors == [0.0, 7.0]
    # It starts on the accepted line 2 s inside the filler but ends 5 s into the next filler.
    assert tallies["analyser's clips"].in_filler == 1
    assert tallies["analyser's clips, accepted edges forgiven"].in_filler == 1
    assert compare(talk, [Clip(8.0, 48.0, 1)])["analyser's clips, accepted edges forgiven"].in_filler == 0
    assert compare(talk, [Clip(8.0, 48.0, 1)])["analyser's clips"].in_filler == 1
