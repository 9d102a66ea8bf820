"""The project index (phase one of a run): its cost, its growth with the project, its cache.

    python bench/project_index.py [--sdk DIR] [--before REF] [--runs N]

On the Binance SDK sources (from `--sdk`, a site-packages folder holding them; by default the
scratch venv of the slow tests, else the benchmark corpus of bench/corpus.py) copied into a
scratch project (pyproject.toml at its root), it prints:

1. the index pass alone, in this process, on the tree copied 1, 2 and 4 times: seconds and
   microseconds per file (linear: the per-file cost stays flat);
2. the whole check (`binlint check --no-cache -j1`, index included) against libcst parse-only
   of the same files, and, with `--before REF`, the same check by binlint at that commit
   (extracted with `git archive`, run from its sources): seconds and the ratios;
3. the summary cache: a cold index pass, a warm one, and a warm one after one file was
   touched — how many files each summarised (0 warm, 1 after the touch).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PACKAGES = ("binance", "binance_common", "binance_sdk_spot")


def find_sdk(given: str | None) -> Path:
    if given:
        return Path(given)
    candidates = sorted((Path.home() / ".cache" / "binlint-tests" / "sdk-venv" / "lib").glob("python3*/site-packages"))
    for candidate in candidates:
        if (candidate / "binance").is_dir():
            return candidate
    bench = Path.home() / ".cache" / "binlint-bench" / "trees" / "binance"
    if bench.is_dir():
        return bench
    raise SystemExit("no SDK sources: run the slow tests once (tests/test_sdk_sources.py) or pass --sdk")


def copy_tree(sdk: Path, destination: Path, copies: int = 1) -> int:
    """The SDK packages (ccxt: its Binance modules) copied `copies` times below `destination`."""
    count = 0
    for copy in range(copies):
        base = destination / f"copy{copy}"
        for package, source in _package_folders(sdk):
            for folder, dirs, files in os.walk(source):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    if not name.endswith(".py"):
                        continue
                    path = Path(folder, name)
                    relative = path.relative_to(source.parent)
                    if package == "ccxt" and not any(p.startswith("binance") for p in relative.parts[1:]):
                        continue
                    out = base / relative
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, out)
                    count += 1
    (destination / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    return count


def _package_folders(sdk: Path) -> list[tuple[str, Path]]:
    """(package, folder) of each SDK package below `sdk`: a site-packages folder holds them at its
    top; the benchmark corpus one level down, one folder per distribution (several of which
    install into `binance/`: copied into one package, as pip installs them)."""
    found = []
    for package in (*PACKAGES, "ccxt"):
        for source in (sdk / package, *sorted(sdk.glob(f"*/{package}"))):
            if source.is_dir():
                found.append((package, source))
    return found


def index_pass(tree: Path, runs: int) -> float:
    from binlint.analysis import project
    from binlint.config import Config

    config = Config(root=tree)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        project.build_index(str(tree), config, use_cache=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def timed(command: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        samples.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk", help="a folder holding the SDK packages (binance, ccxt, ...)")
    parser.add_argument("--before", help="a git commit of binlint to compare the whole check with")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sdk = find_sdk(args.sdk)
    binlint = [sys.executable, "-m", "binlint"]
    with tempfile.TemporaryDirectory(prefix="binlint-project-bench-") as scratch:
        scratch_path = Path(scratch)
        print(f"SDK sources: {sdk}")
        print("\n1. index pass (in process, no cache)")
        print(f"{'copies':>6} {'files':>6} {'seconds':>8} {'us/file':>8}")
        for copies in (1, 2, 4):
            tree = scratch_path / f"x{copies}"
            files = copy_tree(sdk, tree, copies)
            index_pass(tree, 1)  # page cache, imports
            seconds = index_pass(tree, args.runs)
            print(f"{copies:>6} {files:>6} {seconds:>8.3f} {seconds / files * 1e6:>8.0f}")
        tree = scratch_path / "x1"
        files = sum(1 for _ in tree.rglob("*.py"))

        print(f"\n2. whole check, {files} files, -j1, no cache (median of {args.runs})")
        after = timed([*binlint, "check", "--no-cache", "-j1", "--exit-zero", "."], tree, args.runs)
        parse = timed([sys.executable, str(REPO / "bench" / "parse_only.py"), "--gc-paused", "."], tree, args.runs)
        print(f"  libcst parse only           {parse:7.2f} s")
        print(f"  binlint (this checkout)     {after:7.2f} s  ratio to parse-only {after / parse:.2f}")
        if args.before:
            before_src = scratch_path / "before"
            before_src.mkdir()
            archive = subprocess.run(["git", "archive", args.before, "binlint"], cwd=REPO, capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(before_src)], input=archive, check=True)
            env = {**os.environ, "PYTHONPATH": str(before_src)}
            before = timed([*binlint, "check", "--no-cache", "-j1", "--exit-zero", "."], tree, args.runs, env)
            print(f"  binlint at {args.before[:10]:<16} {before:7.2f} s  ratio to parse-only {before / parse:.2f}")
            print(f"  after / before              {after / before:7.2f}")

        print("\n3. summary cache")
        from binlint.analysis import project
        from binlint.config import Config

        config = Config(root=tree)
        shutil.rmtree(tree / ".binlint_cache", ignore_errors=True)
        for label in ("cold", "warm"):
            start = time.perf_counter()
            project.build_index(str(tree), config)
            print(f"  {label:<24} {time.perf_counter() - start:6.3f} s  summarised {project.LAST_STATS.summarised}"
                  f" of {project.LAST_STATS.files} files ({project.LAST_STATS.gated} gated)")
        touched = sorted(tree.rglob("client.py"))[0]
        with open(touched, "a") as handle:
            handle.write("\n# touched\n")
        start = time.perf_counter()
        project.build_index(str(tree), config)
        print(f"  {'warm, one file touched':<24} {time.perf_counter() - start:6.3f} s  summarised "
              f"{project.LAST_STATS.summarised} ({touched.relative_to(tree)})")
        warm_cli = timed([*binlint, "check", "--exit-zero", "."], tree, 1)
        with open(touched, "a") as handle:
            handle.write("# touched again\n")
        touched_cli = timed([*binlint, "check", "--exit-zero", "."], tree, 1)
        print(f"  CLI run with the summaries cached (results not yet) {warm_cli:.2f} s; "
              f"after touching one file {touched_cli:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
