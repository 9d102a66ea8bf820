"""How binlint's cost grows with the size of one module, against libcst parsing it alone.

    python bench/scaling.py                     # n = 1k .. 32k functions, both shapes, 3 runs each
    python bench/scaling.py --quick             # n = 1k .. 8k, one run each: a look in a few minutes
    python bench/scaling.py --max-n 16000 --runs 5 --shape plain --no-fix
    python bench/scaling.py --profile 4000      # cProfile one check of a 4k-function module
    python bench/scaling.py --calls --max-n 8000  # count function calls instead of timing

Two generated shapes of one module with n functions:

- plain: each function `return requests.get(URL, params=p, timeout=5)` to a Binance URL;
- signed: each function signs a request by hand (HMAC-SHA256 over the urlencoded
  params, `timestamp`, `X-MBX-APIKEY`) and sends it in a retry loop with backoff.

For every n it runs, interleaved so that the load of a shared machine falls on all
alike: `binlint check --no-cache` on the file, `binlint check --no-cache --fix
--unsafe-fixes` on a fresh copy of it, and a process that only parses the file with
libcst (`bench/parse_only.py`). Each is timed from process start to exit (medians of
`--runs`), with its peak RSS (`wait4` of the child). It prints the series, the ratio to
the parse at every n, and the growth exponent k of each series fitted to t ≈ c·nᵏ over the
n of 4k and more (below that the start of the interpreter dominates). Modules are checked
with `max-file-size`, `max-parse-size` and `file-time-limit` raised, so that the analysis is
measured at every n (`--default-limits` keeps the defaults: larger modules are then skipped or
get the text scan only, and are left out of the ratios and the fit). A module binlint says it skipped
(`binlint: skipped` on its standard error) never counts as measured. The exit status is 1
when one of the targets does not hold: binlint analysed every module (with raised limits),
k ≤ 1.1, binlint ≤ 1.5 × parse at every n, and binlint's peak RSS ≤ 1.3 × the parse's.

Time per operation is not constant on every machine: where memory is slow, each lookup in a
table of millions of entries costs more than in one of thousands, and time grows faster
than the work. `--calls` counts the function calls (Python and built-in, by cProfile, each
run in a process of its own) of each check and fix instead: a count that grows faster than
n is a super-linear path, whatever the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import cProfile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import Sample, run_once  # noqa: E402

SIZES = (1000, 2000, 4000, 8000, 16000, 32000)
FIT_FROM = 4000  # the fit leaves out the sizes where process start-up dominates
MAX_EXPONENT = 1.1
MAX_RATIO = 1.5
MAX_RSS_RATIO = 1.3
# Settings under which binlint analyses a module of any size (neither skipped, nor scanned only, nor
# stopped by the per-file time limit: a 32k-function module under cProfile takes more than its 120 s).
_RAISED_LIMITS = "[tool.binlint]\nmax-file-size = 1000000000\nmax-parse-size = 1000000000\nfile-time-limit = 100000\n"

_PLAIN_HEADER = '''\
"""Generated: n public Binance requests."""

import requests

URL = "https://api.binance.com/api/v3/ticker/price"

'''

_PLAIN_BLOCK = '''\

def ticker_{n}(p):
    return requests.get(URL, params=p, timeout=5)
'''

_SIGNED_HEADER = '''\
"""Generated: n hand-signed Binance requests, each in a retry loop."""

import hashlib
import hmac
import os
import time
from urllib.parse import urlencode

import requests

BASE_URL = "https://api.binance.com"
API_KEY = os.environ["BINANCE_API_KEY"]
API_SECRET = os.environ["BINANCE_API_SECRET"]

'''

_SIGNED_BLOCK = '''\

def order_{n}(symbol, quantity):
    for attempt in range(5):
        params = {{"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": quantity,
                  "newClientOrderId": f"bot-{n}", "timestamp": int(time.time() * 1000)}}
        query = urlencode(params)
        signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
        response = requests.post(BASE_URL + "/api/v3/order?" + query + "&signature=" + signature,
                                 headers={{"X-MBX-APIKEY": API_KEY}}, timeout=10)
        if response.status_code != 429:
            return response.json()
        time.sleep(2 ** attempt)
'''

SHAPES: dict[str, tuple[str, str]] = {"plain": (_PLAIN_HEADER, _PLAIN_BLOCK), "signed": (_SIGNED_HEADER, _SIGNED_BLOCK)}


def module_source(shape: str, n: int) -> str:
    """A module of the given shape with `n` functions."""
    header, block = SHAPES[shape]
    return header + "".join(block.format(n=i) for i in range(n))


@dataclass
class Series:
    """One command's samples per n."""

    name: str
    samples: dict[int, list[Sample]] = field(default_factory=dict)
    # n -> why binlint did not analyse that module (its `binlint: skipped` line): such a run
    # measures a skip, not the analysis.
    skipped: dict[int, str] = field(default_factory=dict)

    def add(self, n: int, sample: Sample) -> None:
        self.samples.setdefault(n, []).append(sample)

    def median(self, n: int) -> float:
        return statistics.median(s.seconds for s in self.samples[n])

    def cpu(self, n: int) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples[n])

    def rss_mb(self, n: int) -> float:
        return max(s.max_rss_kb for s in self.samples[n]) / 1024

    def measured(self) -> list[int]:
        """The n at which the module was analysed (not skipped), in order."""
        return [n for n in sorted(self.samples) if n not in self.skipped]

    def exponent(self, value: Callable[[int], float]) -> float:
        points = [(n, value(n)) for n in self.measured() if n >= FIT_FROM]
        if len(points) < 2:  # too few large n to fit: all of them
            points = [(n, value(n)) for n in self.measured()]
        return fitted_exponent(points)


def fitted_exponent(points: list[tuple[int, float]]) -> float:
    """k of t ≈ c·nᵏ by least squares on log t against log n (nan with fewer than two points)."""
    if len(points) < 2:
        return float("nan")
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(t, 1e-9)) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / spread if spread else float("nan")


def _binlint() -> str:
    found = Path(sys.executable).with_name("binlint")
    return str(found) if found.exists() else (shutil.which("binlint") or "binlint")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' runs keep compiled modules; so do ours
    env["NO_COLOR"] = "1"
    env.setdefault("BINANCE_API_KEY", "unused")
    return env


def measure_shape(shape: str, sizes: list[int], runs: int, fix: bool, workdir: Path,
                  default_limits: bool = False) -> list[Series]:
    binlint, env = _binlint(), _env()
    # Each module is a project of its own (pyproject.toml beside it), so the project index reads
    # only the module measured, not the other sizes' files or the --fix copy.
    settings = "[project]\nname = 'scaling'\n"
    if not default_limits:  # measure the analysis itself, not the skip or text scan a file over the limits gets
        settings += _RAISED_LIMITS
    check = Series("binlint check")
    fixing = Series("binlint --fix --unsafe-fixes")
    parse = Series("libcst parse only")
    series = [check, fixing, parse] if fix else [check, parse]
    parse_only = Path(__file__).with_name("parse_only.py")
    for n in sizes:
        folder = workdir / f"{shape}-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        source = module_source(shape, n)
        original = folder / "module.py"
        original.write_text(source)
        (folder / "pyproject.toml").write_text(settings)
        scratch = workdir / f"{shape}-{n}-fix"
        scratch.mkdir(exist_ok=True)
        (scratch / "pyproject.toml").write_text(settings)
        copy = scratch / "module.py"
        print(f"[scaling] {shape} n={n}: {len(source) / 1e6:.1f} MB, {runs} run(s)", file=sys.stderr, flush=True)
        # Not --quiet: binlint says on standard error when it skips the module (`binlint: skipped`).
        commands: list[tuple[Series, list[str], Callable[[], None] | None]] = [
            (check, [binlint, "check", "--no-cache", "--exit-zero", str(original)], None),
            (parse, [sys.executable, str(parse_only), str(folder)], None),
        ]
        if fix:
            commands.insert(1, (fixing, [binlint, "check", "--no-cache", "--exit-zero", "--fix", "--unsafe-fixes",
                                         str(copy)],
                                lambda copy=copy, source=source: copy.write_text(source)))
        errors = workdir / "stderr.txt"
        for _ in range(runs):
            for target, command, before in commands:
                if before is not None:
                    before()
                sample = run_once(command, cwd=str(workdir), env=env, stderr_path=str(errors))
                said = errors.read_text(errors="replace")
                if sample.returncode not in (0, 1):
                    raise SystemExit(f"scaling: {' '.join(command)} exited {sample.returncode}:\n{said[-2000:]}")
                target.add(n, sample)
                skip = _skip_reason(said)
                if skip is not None:
                    target.skipped.setdefault(n, skip)
        shutil.rmtree(folder)
        shutil.rmtree(scratch)
    return series


def _skip_reason(stderr: str) -> str | None:
    """Why binlint skipped the module, from its `binlint: skipped PATH: REASON` line; None when it did not."""
    line = next((line for line in stderr.splitlines() if line.startswith("binlint: skipped ")), None)
    return None if line is None else line.split(": ", 2)[-1]


def report(shape: str, series: list[Series], default_limits: bool = False) -> list[tuple[str, bool]]:
    """Print one shape's table and growth, and return its targets (line, holds). A module binlint
    skipped is left out of the ratios and the fit; with raised limits such a skip fails a target."""
    parse = series[-1]
    sizes = sorted(parse.samples)
    print(f"\n### shape `{shape}`\n")
    head = "| n | " + " | ".join(f"{s.name} s (CPU s)" for s in series) + " | " + \
        " | ".join(f"{s.name} / parse, wall (CPU)" for s in series[:-1]) + " | " + \
        " | ".join(f"{s.name} peak RSS MB" for s in series) + " |"
    print(head)
    print("|" + "---:|" * (1 + len(series) * 2 + len(series) - 1))
    for n in sizes:
        cells = [f"{n:,}"]
        cells += [f"{s.median(n):.2f} ({s.cpu(n):.2f})" for s in series]
        cells += ["skipped" if n in s.skipped else f"{s.median(n) / parse.median(n):.2f} ({s.cpu(n) / parse.cpu(n):.2f})"
                  for s in series[:-1]]
        cells += [f"{s.rss_mb(n):.0f}" for s in series]
        print("| " + " | ".join(cells) + " |")
    for s in series[:-1]:
        for n, why in sorted(s.skipped.items()):
            print(f"\n{s.name} skipped the module at n = {n:,}: {why}")
    large = sum(1 for n in parse.samples if n >= FIT_FROM) >= 2
    fitted = f"n ≥ {FIT_FROM:,}" if large else "every n (fewer than two are that large)"
    print(f"\nGrowth exponent k (t ≈ c·nᵏ, fitted over {fitted}): " + "; ".join(
        f"{s.name} {s.exponent(s.median):.2f} wall, {s.exponent(s.cpu):.2f} CPU" for s in series))
    checks = []
    for s in series[:-1]:
        if not default_limits:
            skipped = ", ".join(f"{n:,}" for n in sorted(s.skipped)) or "none"
            checks.append((f"{shape}: {s.name} analysed the module at every n (skipped at: {skipped})",
                           not s.skipped))
        measured = s.measured()
        if not measured:
            continue
        if len(measured) > 1:  # (with raised limits, a skip has failed the target above)
            k = min(s.exponent(s.median), s.exponent(s.cpu))
            checks.append((f"{shape}: {s.name} growth exponent ≤ {MAX_EXPONENT}: {k:.2f}", k <= MAX_EXPONENT))
        # The better of wall and CPU time: on a machine others share, wall time measures them too.
        worst = max(min(s.median(n) / parse.median(n), s.cpu(n) / parse.cpu(n)) for n in measured)
        checks.append((f"{shape}: {s.name} ≤ {MAX_RATIO} × parse at every n analysed: worst {worst:.2f}×",
                       worst <= MAX_RATIO))
        rss = max(s.rss_mb(n) / parse.rss_mb(n) for n in measured)
        checks.append((f"{shape}: {s.name} peak RSS ≤ {MAX_RSS_RATIO} × parse: worst {rss:.2f}×",
                       rss <= MAX_RSS_RATIO))
    return checks


def _profiled(shape: str, n: int, fix: bool) -> cProfile.Profile:
    """One check (or fix) of an n-function module of `shape`, in this process, under cProfile."""
    import cProfile

    from binlint.frontends import cli

    with tempfile.TemporaryDirectory() as folder, open(os.devnull, "w") as nowhere:
        path = Path(folder) / "module.py"
        path.write_text(module_source(shape, n))
        (Path(folder) / "pyproject.toml").write_text(_RAISED_LIMITS)
        args = ["check", "--no-cache", "--exit-zero", str(path)]  # not --quiet: a skip is said on stderr
        if fix:
            args[1:1] = ["--fix", "--unsafe-fixes"]
        said = io.StringIO()
        profiler = cProfile.Profile()
        with contextlib.redirect_stdout(nowhere), contextlib.redirect_stderr(said):
            profiler.enable()
            try:
                cli.main(args, standalone_mode=False)
            except SystemExit:
                pass
            finally:
                profiler.disable()
    skip = _skip_reason(said.getvalue())
    if skip is not None:
        raise SystemExit(f"scaling: binlint skipped the module: {skip} (a profile of that run would measure the skip)")
    return profiler


def profile(shape: str, n: int, fix: bool) -> None:
    """cProfile one check (or fix) of an n-function module of `shape`, in this process."""
    import pstats

    stats = pstats.Stats(_profiled(shape, n, fix), stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def count_calls(shape: str, n: int, fix: bool) -> int:
    """The function calls (Python and built-in) of one check (or fix), counted by cProfile in a process
    of its own: unlike time, the count does not depend on the machine or on how large the heap is."""
    command = [sys.executable, __file__, "--count", str(n), "--shape", shape, *([] if fix else ["--no-fix"])]
    done = subprocess.run(command, capture_output=True, text=True, env=_env())
    if done.returncode != 0:
        raise SystemExit(f"scaling: {' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return int(done.stdout.split()[-1])


def report_calls(shape: str, sizes: list[int], counts: dict[str, dict[int, int]]) -> list[tuple[str, bool]]:
    """Print the call counts of one shape and their growth; the targets (line, holds)."""
    print(f"\n### shape `{shape}`: function calls\n")
    print("| n | " + " | ".join(counts) + " |")
    print("|" + "---:|" * (1 + len(counts)))
    for n in sizes:
        print(f"| {n:,} | " + " | ".join(f"{found[n]:,}" for found in counts.values()) + " |")
    checks = []
    for name, found in counts.items():
        points = [(n, float(found[n])) for n in sizes if n >= FIT_FROM]
        k = fitted_exponent(points if len(points) > 1 else [(n, float(found[n])) for n in sizes])
        checks.append((f"{shape}: {name} calls growth exponent ≤ {MAX_EXPONENT}: {k:.3f}", k <= MAX_EXPONENT))
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=SIZES[-1], help="largest n (default %(default)s)")
    parser.add_argument("--min-n", type=int, default=SIZES[0], help="smallest n (default %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command per n (median)")
    parser.add_argument("--quick", action="store_true", help="n up to 8k, one run each")
    parser.add_argument("--shape", choices=(*SHAPES, "both"), default="both")
    parser.add_argument("--no-fix", action="store_true", help="leave out the --fix --unsafe-fixes series")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one run at this n instead")
    parser.add_argument("--calls", action="store_true",
                        help="count function calls (cProfile) at each n instead of timing: the algorithm's growth, "
                             "whatever the machine")
    parser.add_argument("--count", type=int, metavar="N", help=argparse.SUPPRESS)  # one count (a child of --calls)
    parser.add_argument("--default-limits", action="store_true",
                        help="keep the default max-parse-size (larger modules then get the text scan only)")
    args = parser.parse_args(argv)
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    if args.profile:
        for shape in shapes:
            profile(shape, args.profile, not args.no_fix)
        return 0
    if args.count:
        import pstats

        print(pstats.Stats(_profiled(shapes[0], args.count, not args.no_fix)).total_calls)  # type: ignore[attr-defined]
        return 0
    if args.quick:
        args.max_n, args.runs = min(args.max_n, 8000), 1
    sizes = [n for n in SIZES if args.min_n <= n <= args.max_n] or [args.max_n]
    if args.calls:
        checks = []
        for shape in shapes:
            names = {"binlint check": False, **({} if args.no_fix else {"binlint --fix --unsafe-fixes": True})}
            counts: dict[str, dict[int, int]] = {name: {} for name in names}
            for n in sizes:
                print(f"[scaling] {shape} n={n}: counting calls", file=sys.stderr, flush=True)
                for name, fix in names.items():
                    counts[name][n] = count_calls(shape, n, fix)
            checks += report_calls(shape, sizes, counts)
        print("\nTargets:\n")
        print("\n".join(f"- [{'x' if holds else ' '}] {line}" for line, holds in checks))
        return 0 if all(holds for _, holds in checks) else 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    checks: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="binlint-scaling-") as scratch:
        results = {shape: measure_shape(shape, sizes, max(1, args.runs), not args.no_fix, Path(scratch),
                                        args.default_limits) for shape in shapes}
    print(f"\n## binlint scaling — {os.cpu_count()} cores, load average {load:.1f} before, "
          f"{os.getloadavg()[0] if hasattr(os, 'getloadavg') else 0.0:.1f} after")
    for shape, series in results.items():
        checks += report(shape, series, args.default_limits)
    print("\nTargets:\n")
    print("\n".join(f"- [{'x' if holds else ' '}] {line}" for line, holds in checks))
    return 0 if all(holds for _, holds in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
