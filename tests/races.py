"""Run one function in many threads at once, for tests of races on the real database."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import close_old_connections


def race(count: int, target: Callable[[int], object]) -> list[object]:
    """Start ``target(n)`` for n in 0..count-1, all released together; return their results.

    Each thread closes its database connection when it ends, as a request would.
    """
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = target(n)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
