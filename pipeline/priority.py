"""Work run at a lower CPU priority than its caller, with everything it starts.

Linux keeps a niceness per thread, and a thread or a process inherits the niceness of the
thread that starts it. Work run in a fresh thread whose niceness was raised therefore
yields the CPU together with every thread and program it starts (ffmpeg, decoder
threads, the face pass), while the caller keeps its own priority: an unprivileged
process may lower a priority but never raise it back, so the caller's thread is never
lowered itself. A limit: a library's process-wide thread pool (OpenCV's) is made by the
first thread that needs it and keeps that thread's niceness. The service renders each
clip in a work horse of its own (RQ forks one per job), so that pool lives as long as one
render; in the ``clip`` command it can be made by a later clip's render.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

# Unix's lowest priority.
MAX_NICENESS = 19

T = TypeVar("T")


def at_lower_priority(niceness: int, work: Callable[[], T]) -> T:
    """``work()``'s result (or its exception), run in a new thread ``niceness`` below the
    caller's priority (at most :data:`MAX_NICENESS`); with ``niceness`` 0, in the caller's
    own thread. A system without priorities runs it as it is."""
    if niceness <= 0:
        return work()
    with ThreadPoolExecutor(1, thread_name_prefix="lowered", initializer=_lower, initargs=(niceness,)) as pool:
        return pool.submit(work).result()


def _lower(niceness: int) -> None:
    thread = threading.get_native_id()
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, thread, min(MAX_NICENESS, os.getpriority(os.PRIO_PROCESS, thread) + niceness))
