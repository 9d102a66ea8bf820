"""The floor for a CST linter: read and parse every file below the given folders with libcst,
in this one process, and nothing else. Prints the files parsed and the seconds spent parsing.

With --gc-paused the cyclic garbage collector waits for the end of each file, as in
binlint's engine (a tree is millions of young objects the collector would scan again
and again)."""

from __future__ import annotations

import os
import sys
import time


def main(folders: list[str], gc_paused: bool = False) -> None:
    import gc

    import libcst

    parsed = failed = 0
    spent = 0.0
    for top in folders:
        for folder, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                with open(os.path.join(folder, name), "rb") as handle:
                    data = handle.read()
                start = time.perf_counter()
                if gc_paused:
                    gc.disable()
                try:
                    libcst.parse_module(data)
                    parsed += 1
                except Exception:
                    failed += 1
                if gc_paused:
                    gc.enable()
                    gc.collect(0)
                spent += time.perf_counter() - start
    print(f"{parsed} parsed, {failed} failed, {spent:.3f} s parsing")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main([a for a in arguments if a != "--gc-paused"], gc_paused="--gc-paused" in arguments)
