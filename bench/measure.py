"""Run a command and measure it: wall time, peak RSS of its largest process and of its whole tree.

The largest-process figure comes from `wait4` (exact). The tree figure is sampled from
/proc every few milliseconds (Linux only; 0 elsewhere), so it can miss a short peak.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Sequence

_SAMPLE_SECONDS = 0.02


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    seconds: float
    cpu_seconds: float  # user + system time of the command and the children it waited for
    max_rss_kb: int  # the largest single process (the command or any of its children)
    tree_rss_kb: int  # the largest sampled sum over the command's process tree
    returncode: int


@dataclass(frozen=True)
class Timing:
    """Several runs of one command."""

    samples: tuple[Sample, ...]

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def max_rss_kb(self) -> int:
        return max(s.max_rss_kb for s in self.samples)

    @property
    def tree_rss_kb(self) -> int:
        return max(s.tree_rss_kb for s in self.samples)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(name))
    return children


def _tree_rss_kb(root: int) -> int:
    children = _children_map()
    total = 0
    pending = [root]
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_once(command: Sequence[str], cwd: str | None = None, env: dict[str, str] | None = None,
             sample_tree: bool = False, stderr_path: str | None = None) -> Sample:
    """Run `command` to completion with its output discarded (its standard error written to
    `stderr_path` when one is given)."""
    peak = [0]
    start = time.perf_counter()
    with open(stderr_path, "wb") if stderr_path is not None else contextlib.nullcontext() as errors:
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=errors if errors is not None else subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL)
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(_SAMPLE_SECONDS):
            try:
                peak[0] = max(peak[0], _tree_rss_kb(process.pid))
            except OSError:
                pass

    thread = None
    if sample_tree and os.path.isdir("/proc"):
        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if thread is not None:
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, int(usage.ru_maxrss), peak[0], process.returncode)


def run_many(command: Sequence[str], runs: int, cwd: str | None = None, env: dict[str, str] | None = None,
             sample_tree: bool = False, before_each: object = None) -> Timing:
    """Run `command` `runs` times (calling `before_each()` first, untimed, if given)."""
    samples = []
    for _ in range(runs):
        if callable(before_each):
            before_each()
        samples.append(run_once(command, cwd, env, sample_tree))
    return Timing(tuple(samples))
