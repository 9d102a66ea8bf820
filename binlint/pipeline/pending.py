"""A value computed in a child process while this one goes on: the project index, built on the
second core while the first file is parsed.

A run that checks a few files in its own process would leave a core idle while it builds the
project index and then parses: the index is computed in a forked child instead, and handed
back (pickled through a pipe) when the check first asks for it. Where a process cannot fork,
or the child fails, the value is computed here when asked for, as it would be without this.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """`compute()` run in a forked child from the start, its value read back by `result()`.

    `keep()` gives what else the child's run leaves that the caller wants (statistics), and
    `restore(kept)` puts it back in this process."""

    def __init__(self, compute: Callable[[], T | None], keep: Callable[[], Any] = lambda: None,
                 restore: Callable[[Any], None] = lambda kept: None) -> None:
        self._compute: Callable[[], T | None] | None = compute
        self._keep = keep
        self._restore = restore
        self._value: T | None = None
        self._child: tuple[int, int] | None = None  # (pid, read end of the pipe)
        if can_fork():
            self._fork()

    def result(self) -> T | None:
        """The value: read from the child (waiting for it), or computed here."""
        if self._child is not None:
            pid, source = self._child
            self._child = None
            with os.fdopen(source, "rb") as pipe:
                data = pipe.read()
            os.waitpid(pid, 0)
            try:
                self._value, kept = pickle.loads(data)
            except Exception:  # the child died or sent nothing usable: compute it here
                pass
            else:
                self._compute = None
                self._restore(kept)
        compute, self._compute = self._compute, None
        if compute is not None:
            self._value = compute()
        return self._value

    def _fork(self) -> None:
        source, sink = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(source)
            os.close(sink)
            return
        if pid == 0:  # the child: compute, send, and leave without running anything of the parent's
            code = 1
            try:
                os.close(source)
                assert self._compute is not None
                data = pickle.dumps((self._compute(), self._keep()), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(sink, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(sink)
        self._child = (pid, source)


def can_fork() -> bool:
    """Whether a child can be forked safely here: a POSIX system, and no thread but this one
    (a fork copies only the calling thread; a lock another one holds would stay taken)."""
    import threading

    return hasattr(os, "fork") and sys.platform != "win32" and threading.active_count() == 1
