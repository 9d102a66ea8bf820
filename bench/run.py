"""binlint's benchmark against its peers, on this machine, in one run.

    python bench/run.py                 # medians of 3 runs (10 for single files); about 12 minutes
    python bench/run.py --quick         # one run each: a rough look in a few minutes
    python bench/run.py --only single   # parts: stdlib, sdk, single; --no-peers: binlint and libcst only
    python bench/profile_stages.py      # where binlint's time goes on the SDK tree, stage by stage

The first run makes a scratch venv under ~/.cache/binlint-bench (or $BINLINT_BENCH_CACHE)
with binlint from this checkout and detect-secrets, bandit and ruff from PyPI, installs
the Binance SDK sources from PyPI and copies two trees of plain `.py` files: the
running Python's standard library without its tests, and the SDK sources. Later runs
reuse all of it.

Every tool is timed from process start to exit, output discarded, on the same files.
The table gives medians and how many times slower than binlint each peer is; then
each target is checked, and the exit status is 1 when one does not hold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import Corpus, default_cache, prepare, py_files  # noqa: E402
from bench.measure import Timing, run_many  # noqa: E402


@dataclass
class Row:
    tree: str
    tool: str
    timing: Timing

    @property
    def median(self) -> float:
        return self.timing.median


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' runs keep compiled modules; so do ours
    env["NO_COLOR"] = "1"
    return env


class Bench:
    def __init__(self, corpus: Corpus, runs: int, single_runs: int) -> None:
        self.corpus = corpus
        self.runs = runs
        self.single_runs = single_runs
        self.env = _env()
        self.rows: list[Row] = []
        self.rss: dict[str, tuple[int, int]] = {}

    # --- commands -------------------------------------------------------------------

    def binlint(self, *args: str) -> list[str]:
        return [self.corpus.tool("binlint"), "check", "--exit-zero", *args]

    def peers(self, tree: Path) -> dict[str, list[str]]:
        c = self.corpus
        return {
            "ruff --select ALL --no-cache": [c.tool("ruff"), "check", "--isolated", "--select", "ALL", "--no-cache",
                                             "--exit-zero", "--quiet", str(tree)],
            "bandit": [c.tool("bandit"), "-r", "-q", "-f", "json", str(tree)],
            "detect-secrets": [c.tool("detect-secrets"), "scan", "--all-files", str(tree)],
        }

    def parse_only(self, tree: Path, *flags: str) -> list[str]:
        return [str(self.corpus.python), str(Path(__file__).with_name("parse_only.py")), *flags, str(tree)]

    def drop_cache(self) -> None:
        for root in (self.corpus.trees, self.corpus.stdlib, self.corpus.binance):
            shutil.rmtree(root / ".binlint_cache", ignore_errors=True)

    # --- measuring --------------------------------------------------------------------

    def time(self, tree: str, tool: str, command: list[str], runs: int | None = None,
             before_each: object = None) -> Row:
        runs = runs or self.runs
        print(f"[bench] {tree}: {tool} x{runs}", file=sys.stderr, flush=True)
        timing = run_many(command, runs, cwd=str(self.corpus.trees), env=self.env, before_each=before_each)
        failed = [s.returncode for s in timing.samples if s.returncode not in (0, 1)]
        if failed:
            done = subprocess.run(command, cwd=str(self.corpus.trees), env=self.env, capture_output=True, text=True)
            raise SystemExit(f"bench: {' '.join(command)} exited {failed[0]}:\n{done.stderr[-2000:]}")
        row = Row(tree, tool, timing)
        self.rows.append(row)
        return row

    def warm_up(self, tree: Path) -> None:
        """Compile modules and fill the page cache, so the first timed run is not the odd one out."""
        for command in (self.binlint("--no-cache", str(tree)), self.parse_only(tree)):
            subprocess.run(command, cwd=str(self.corpus.trees), env=self.env, capture_output=True)

    def summary(self, tree: Path) -> dict[str, object]:
        done = subprocess.run(self.binlint("--no-cache", "--format", "json", str(tree)),
                              cwd=str(self.corpus.trees), env=self.env, capture_output=True, text=True)
        return json.loads(done.stdout)["summary"]

    def tree(self, name: str, tree: Path, peers: bool, floor: bool) -> dict[str, Row]:
        self.warm_up(tree)
        rows = {"binlint": self.time(name, "binlint", self.binlint("--no-cache", str(tree)))}
        rows["binlint -j1"] = self.time(name, "binlint -j1", self.binlint("--no-cache", "-j1", str(tree)))
        if floor:
            rows["libcst parse only"] = self.time(name, "libcst parse only (1 process)", self.parse_only(tree))
            rows["libcst parse only, GC paused"] = self.time(name, "libcst parse only, GC paused per file (1 process)",
                                                             self.parse_only(tree, "--gc-paused"))
        rows["cold"] = self.time(name, "binlint, empty cache", self.binlint(str(tree)), before_each=self.drop_cache)
        self.drop_cache()
        subprocess.run(self.binlint(str(tree)), cwd=str(self.corpus.trees), env=self.env, capture_output=True)
        rows["warm"] = self.time(name, "binlint, warm cache", self.binlint(str(tree)))
        self.drop_cache()
        if peers:
            for tool, command in self.peers(tree).items():
                rows[tool] = self.time(name, tool, command)
        return rows

    def peak_rss(self, tree: Path, peers: bool) -> None:
        commands = {"binlint": self.binlint("--no-cache", str(tree)),
                    "libcst parse only": self.parse_only(tree)}
        if peers:
            commands.update(self.peers(tree))
        for tool, command in commands.items():
            print(f"[bench] peak RSS: {tool}", file=sys.stderr, flush=True)
            timing = run_many(command, 1, cwd=str(self.corpus.trees), env=self.env, sample_tree=True)
            self.rss[tool] = (timing.max_rss_kb, timing.tree_rss_kb)

    def single(self, name: str, path: Path) -> Row:
        subprocess.run(self.binlint("--no-cache", str(path)), cwd=str(self.corpus.trees), env=self.env,
                       capture_output=True)
        return self.time(name, "binlint, one file", self.binlint("--no-cache", str(path)), runs=self.single_runs)


# --- the report ----------------------------------------------------------------------------


def _table(rows: list[Row], baseline: dict[str, float]) -> str:
    lines = ["| tree | tool | median s | CPU s | runs | × binlint |", "|---|---|---:|---:|---:|---:|"]
    for row in rows:
        base = baseline.get(row.tree)
        ratio = f"{row.median / base:.1f}" if base else ""
        lines.append(f"| {row.tree} | {row.tool} | {row.median:.3f} | {row.timing.cpu_median:.2f} "
                     f"| {len(row.timing.samples)} | {ratio} |")
    return "\n".join(lines)


def _check(name: str, holds: bool, detail: str) -> tuple[str, bool]:
    return f"- [{'x' if holds else ' '}] {name}: {detail}", holds


PARTS = ("stdlib", "sdk", "single")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time binlint against detect-secrets, bandit and ruff.")
    parser.add_argument("--cache", type=Path, default=None, help=f"scratch folder (default {default_cache()})")
    parser.add_argument("--runs", type=int, default=3, help="runs per tree measurement (median)")
    parser.add_argument("--single-runs", type=int, default=10, help="runs per single-file measurement")
    parser.add_argument("--quick", action="store_true", help="one run each (three for single files)")
    parser.add_argument("--no-peers", action="store_true", help="time binlint and libcst only")
    parser.add_argument("--only", default=",".join(PARTS), help=f"what to measure, of {','.join(PARTS)} (default all)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.single_runs = 1, 3
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if not parts <= set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    peers = not args.no_peers

    corpus = prepare(args.cache)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    bench = Bench(corpus, max(1, args.runs), max(1, args.single_runs))
    stdlib = bench.tree("stdlib", corpus.stdlib, peers=peers, floor=True) if "stdlib" in parts else None
    sdk = bench.tree("binance SDKs", corpus.binance, peers=peers, floor=True) if "sdk" in parts else None
    single = None
    if "single" in parts:
        single = (bench.single("one non-Binance file", corpus.plain_file),
                  bench.single("one 500-line Binance file", corpus.binance_file))
    if sdk is not None:
        bench.peak_rss(corpus.binance, peers=peers)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0

    _print_report(bench, corpus, stdlib, sdk, (load_before, load_after))
    checks = _targets(stdlib, sdk, single, peers)
    print("\nTargets:\n")
    print("\n".join(line for line, _ in checks))
    if args.json:
        args.json.write_text(json.dumps({
            "versions": corpus.versions,
            "rows": [{"tree": r.tree, "tool": r.tool, "median": r.median, "cpu_median": r.timing.cpu_median,
                      "runs": [s.seconds for s in r.timing.samples]} for r in bench.rows],
            "peak_rss_kb": bench.rss,
            "targets": [{"target": line, "holds": holds} for line, holds in checks],
        }, indent=2))
    return 0 if all(holds for _, holds in checks) else 1


def _print_report(bench: Bench, corpus: Corpus, stdlib: dict[str, Row] | None, sdk: dict[str, Row] | None,
                  load: tuple[float, float]) -> None:
    versions = corpus.versions
    print(f"\n## binlint benchmark — {platform.machine()}, {os.cpu_count()} cores, Python {versions['python']}\n")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items()) if k != "python"))
    busy = max(load) > (os.cpu_count() or 1)
    print(f"Load average (1 min) before/after: {load[0]:.1f} / {load[1]:.1f}"
          + (" — other work competed for the cores: wall times are inflated, CPU times less so" if busy else ""))
    trees = []
    for name, tree, rows in (("stdlib", corpus.stdlib, stdlib), ("binance SDKs", corpus.binance, sdk)):
        if rows is not None:
            summary = bench.summary(tree)
            trees.append(f"{name} = {len(py_files(tree))} .py files ({summary['parsed']} parsed by binlint, "
                         f"{summary['findings']} findings)")
    trees.append(f"the 500-line file has {corpus.binance_file.read_text().count(chr(10))} lines")
    print("Trees: " + "; ".join(trees) + ".\n")
    baseline = {name: rows["binlint"].median for name, rows in (("stdlib", stdlib), ("binance SDKs", sdk)) if rows}
    print(_table(bench.rows, baseline))
    if bench.rss:
        print("\nPeak RSS on the binance SDK tree (largest process / whole process tree, MB):\n")
        print("| tool | largest process | process tree |\n|---|---:|---:|")
        for tool, (largest, tree_kb) in bench.rss.items():
            print(f"| {tool} | {largest / 1024:.0f} | {tree_kb / 1024:.0f} |")


def _targets(stdlib: dict[str, Row] | None, sdk: dict[str, Row] | None, single: tuple[Row, Row] | None,
             peers: bool) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    if stdlib is not None and peers:
        b = stdlib["binlint"].median
        ds, bd, rf = (stdlib[k].median for k in ("detect-secrets", "bandit", "ruff --select ALL --no-cache"))
        checks.append(_check("stdlib: binlint ≤ 1/50 of detect-secrets", b * 50 <= ds,
                             f"{b:.3f} s vs {ds:.3f} s (1/{ds / b:.0f})"))
        checks.append(_check("stdlib: binlint ≤ 1/20 of bandit", b * 20 <= bd,
                             f"{b:.3f} s vs {bd:.3f} s (1/{bd / b:.0f})"))
        checks.append(_check("stdlib: binlint faster than ruff --select ALL --no-cache", b < rf,
                             f"{b:.3f} s vs {rf:.3f} s"))
    if sdk is not None:
        s, floor = sdk["binlint"].median, sdk["libcst parse only"].median
        one, paused = sdk["binlint -j1"].median, sdk["libcst parse only, GC paused"].median
        checks.append(_check("binance SDKs: binlint ≤ 1.0 × libcst parse only", s <= 1.0 * floor,
                             f"{s:.3f} s vs {floor:.3f} s ({s / floor:.2f}×; in one process (-j1) {one / floor:.2f}×, "
                             f"or {one / paused:.2f}× a parse with the collector paused as binlint does)"))
    for name, rows, most in (("stdlib", stdlib, 0.3), ("binance SDKs", sdk, 0.05)):
        if rows is not None:
            cold, warm = rows["cold"].median, rows["warm"].median
            checks.append(_check(f"{name}: warm rerun ≤ {most} × cold", warm <= most * cold,
                                 f"{warm:.3f} s vs {cold:.3f} s ({warm / cold:.2f}×)"))
    if single is not None:
        plain, bot = single
        checks.append(_check("one non-Binance file ≤ 150 ms", plain.median <= 0.150, f"{plain.median * 1000:.0f} ms"))
        checks.append(_check("one 500-line Binance file ≤ 400 ms", bot.median <= 0.400, f"{bot.median * 1000:.0f} ms"))
    return checks


if __name__ == "__main__":
    sys.exit(main())
