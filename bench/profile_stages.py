"""Where binlint's time goes on Binance code, stage by stage, in one process.

    python bench/profile_stages.py [FOLDER ...]      # default: the benchmark's SDK tree
    python bench/profile_stages.py --cprofile        # also cProfile the engine, top functions

For every `.py` file the gate lets through: parse (libcst), the module model (tree
index, imports, bindings), each derived model (sdk, secrets, requests, signing,
retries), every rule on its own, positions (only needed for findings), and the whole
engine (`check_bytes`) as users run it. Run it with the interpreter binlint is
installed in (the benchmark's venv: ~/.cache/binlint-bench/venv/bin/python).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DERIVED = ("sdk", "secrets", "requests", "signing", "retries")


def _files(folders: list[str]) -> list[Path]:
    found = []
    for top in folders:
        found.extend(sorted(p for p in Path(top).rglob("*.py") if p.is_file()))
    return found


def stages(files: list[Path]) -> dict[str, float]:
    from binlint.config import Config
    from binlint.pipeline.engine import RunSettings

    config = Config(root=Path.cwd())
    settings = RunSettings(config)
    spent: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for path in files:
        # As in the engine: the garbage collector waits for the end of each file.
        gc.collect(0)
        gc.disable()
        try:
            _one_file(path, spent, counts, settings, config)
        finally:
            gc.enable()
    spent.update({f"# {k}": v for k, v in counts.items()})
    return spent


def _one_file(path: Path, spent: dict[str, float], counts: dict[str, int], settings: object, config: object) -> None:
    import libcst as cst

    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.walk import TreeIndex
    from binlint.pipeline import gate
    from binlint.pipeline.discover import FileKind
    from binlint.pipeline.engine import _decode, check_bytes
    from binlint.pipeline.parse.nesting import too_deep
    from binlint.rules import all_rules

    clock = time.process_time  # CPU time: other processes on a shared machine disturb it less
    data = path.read_bytes()
    start = clock()
    passed = gate.worth_parsing(data)
    spent["gate (all files)"] += clock() - start
    text = _decode(data)[0] if passed else None
    if text is None:
        return
    start = clock()
    too_deep(text)
    spent["nesting check"] += clock() - start
    start = clock()
    try:
        module = cst.parse_module(text)
    except Exception:
        return
    spent["parse"] += clock() - start
    counts["files"] += 1
    start = clock()
    TreeIndex(module)
    spent["  tree index alone"] += clock() - start
    start = clock()
    model = ModuleModel(module, str(path), text)
    spent["module model (with tree index)"] += clock() - start
    analysis = Analysis(model, config)  # type: ignore[arg-type]
    start = clock()
    binance = analysis.is_binance
    spent["binance evidence"] += clock() - start
    counts["binance modules"] += bool(binance)
    for name in DERIVED:
        start = clock()
        try:
            derived = getattr(analysis, name)
        except (ImportError, AttributeError):
            continue
        for attribute in _BUILT_PARTS:  # the lazily built parts most rules read
            getattr(derived, attribute, None)
        spent[f"{name} model"] += clock() - start
    for rule in all_rules():
        if rule.binance_only and not binance:
            continue
        start = clock()
        try:
            counts["findings"] += len(list(rule().check(analysis)))
        except Exception:
            pass
        spent[f"rule {rule.code}"] += clock() - start
    start = clock()
    model.position(module)
    spent["positions (when a file has findings)"] += clock() - start
    start = clock()
    check_bytes(data, str(path), FileKind.PYTHON, settings)  # type: ignore[arg-type]
    spent["ENGINE check_bytes (all of it, again)"] += clock() - start


_BUILT_PARTS = ("calls", "constructions", "sites", "binance_sites", "digests", "signings", "attachments", "constructs",
                "http_retries", "literals", "exposures")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*")
    parser.add_argument("--cprofile", action="store_true", help="cProfile the engine and print the top functions")
    args = parser.parse_args()
    from bench.corpus import default_cache

    folders = args.folders or [str(default_cache() / "trees" / "binance")]
    files = _files(folders)
    print(f"{len(files)} files below {', '.join(folders)}")
    import libcst  # noqa: F401 - its import is not a stage of a file

    spent = stages(files)
    parse = spent.get("parse", 0.0) or 1e-9
    print(f"\n{'stage':45} {'seconds':>9} {'% of parse':>11}")
    for name, seconds in spent.items():
        if name.startswith("#"):
            return
        print(f"{name:45} {seconds:9.3f} {100 * seconds / parse:10.0f}%")
    print("  ".join(f"{k[2:]}: {int(v)}" for k, v in spent.items() if k.startswith("#")))

    if args.cprofile:
        from binlint.config import Config
        from binlint.pipeline.discover import FileKind
        from binlint.pipeline.engine import RunSettings, check_bytes

        settings = RunSettings(Config(root=Path.cwd()))
        blobs = [(p.read_bytes(), str(p)) for p in files]
        profiler = cProfile.Profile()
        profiler.enable()
        for data, name in blobs:
            check_bytes(data, name, FileKind.PYTHON, settings)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
        print(out.getvalue().replace(os.getcwd() + "/", ""))


if __name__ == "__main__":
    main()
