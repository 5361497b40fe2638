"""at_lower_priority: work, and what it starts, yields the CPU; the caller keeps its priority."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from pipeline.priority import MAX_NICENESS, at_lower_priority


def niceness() -> int:
    """The calling thread's niceness (Linux keeps one per thread)."""
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def seen_by_work() -> dict[str, int]:
    """The niceness of the work's thread, of a thread it starts and of a program it runs."""
    seen = {"work": niceness()}
    started = threading.Thread(target=lambda: seen.update(thread=niceness()))
    started.start()
    started.join()
    program = subprocess.run([sys.executable, "-c", "import os; print(os.nice(0))"], capture_output=True, check=True)
    seen["program"] = int(program.stdout)
    return seen


@pytest.mark.parametrize("lowered", [5, 50])
def test_it_runs_work_and_everything_it_starts_at_lower_priority(lowered):
    before = niceness()

    seen = at_lower_priority(lowered, seen_by_work)

    expected = min(MAX_NICENESS, before + lowered)
    assert seen == {"work": expected, "thread": expected, "program": expected}
    assert niceness() == before


def test_it_runs_work_in_the_callers_own_thread_when_not_lowered():
    assert at_lower_priority(0, threading.get_ident) == threading.get_ident()
    assert at_lower_priority(3, threading.get_ident) != threading.get_ident()


def test_it_hands_back_the_works_result_and_its_exception():
    assert at_lower_priority(2, lambda: "done") == "done"

    def fail():
        raise ValueError("the work failed")

    with pytest.raises(ValueError, match="the work failed"):
        at_lower_priority(2, fail)
