"""A one-line description of the machine a benchmark ran on, printed with every figure."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 1024**3:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    gpu = ""
    if shutil.which("nvidia-smi"):
        result = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True
        )
        if result.returncode == 0 and result.stdout.strip():
            gpu = f", GPU {result.stdout.strip().splitlines()[0]}"
    return f"{cpu}, {cores} cores{memory}{gpu}, Python {platform.python_version()}, {platform.system()}"


if __name__ == "__main__":
    print(describe())
