import time

from clipsite import ratelimit


def test_it_gives_a_bucket_its_whole_limit_from_its_first_request_then_refuses_until_the_window_ends(clean_redis):
    window = 1
    decisions = [ratelimit.hit("ws:1", 3, window) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after <= window
    assert ratelimit.hit("ws:2", 3, window).allowed, "another bucket has its own window"
    time.sleep(window + 0.2)
    assert ratelimit.hit("ws:1", 3, window).allowed, "a new window opens after the last one ended"
