"""bench.moments_folds: which group of rounds each tuning talk is read in."""

from __future__ import annotations

from bench.moments_folds import FIRST, GROUPS, group_of


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
    assert group_of("train_b_fog_signals") == group_of("interview_panel") == FIRST
    assert FIRST not in GROUPS
