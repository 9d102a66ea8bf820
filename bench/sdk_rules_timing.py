"""Time the whole rule suite over the Binance SDK sources against libcst parsing the same files alone.

    python bench/sdk_rules_timing.py [SITE_PACKAGES] [--rounds N] [--select BL2,BL3]

SITE_PACKAGES defaults to the scratch venv the slow tests build
(`~/.cache/binlint-tests/sdk-venv`, see `tests/conftest.py: sdk_site_packages`). The files
are those `tests/test_sdk_sources.py` checks: python-binance, binance-connector,
binance-futures-connector, binance-sdk-spot with binance-common, unicorn-binance-rest-api,
and ccxt's `binance.py` and `base/exchange.py`.

Both passes run in this process, one after the other, on one core, for `--rounds` rounds;
the best round of each is reported (CPU time, which the other processes on a shared machine
disturb less than wall time), with the ratio rules/parse. The rules pass is the engine's
`check_bytes` (gate, parse, model, every selected rule, suppressions), so the difference
between the two is what understanding the code and running the rules costs.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from pathlib import Path

SDK_PACKAGES = ("binance", "binance_common", "binance_sdk_spot", "unicorn_binance_rest_api")
CCXT_FILES = ("ccxt/binance.py", "ccxt/base/exchange.py")


def sdk_files(site: Path) -> list[Path]:
    """The SDK source files binlint must report no BL2/BL3 finding in."""
    files: list[Path] = []
    for package in SDK_PACKAGES:
        files.extend(sorted((site / package).rglob("*.py")))
    files.extend(site / name for name in CCXT_FILES if (site / name).exists())
    return files


def default_site() -> Path | None:
    base = Path(os.environ.get("BINLINT_TEST_CACHE", Path.home() / ".cache" / "binlint-tests")) / "sdk-venv"
    found = sorted(glob.glob(str(base / "lib" / "python3*" / "site-packages")))
    return Path(found[0]) if found else None


def _parse_all(sources: list[tuple[Path, bytes]]) -> float:
    import libcst as cst

    start = time.process_time()
    for _, data in sources:
        cst.parse_module(data.decode("utf-8"))
    return time.process_time() - start


def _check_all(sources: list[tuple[Path, bytes]], select: tuple[str, ...]) -> tuple[float, int]:
    from binlint.config import Config
    from binlint.pipeline.discover import FileKind
    from binlint.pipeline.engine import RunSettings, check_bytes

    settings = RunSettings(Config(root=Path.cwd()), select)
    findings = 0
    start = time.process_time()
    for path, data in sources:
        result = check_bytes(data, str(path), FileKind.PYTHON, settings)
        findings += len(result.findings)
    return time.process_time() - start, findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, help="site-packages holding the SDKs")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--select", default="BL", help="rule codes or prefixes, comma separated")
    options = parser.parse_args(argv)
    site = options.site or default_site()
    if site is None or not site.is_dir():
        print("no SDK site-packages found: run `pytest -m slow tests/test_sdk_sources.py` first, or pass a path",
              file=sys.stderr)
        return 2
    files = sdk_files(site)
    sources = [(path, path.read_bytes()) for path in files]
    size = sum(len(data) for _, data in sources)
    select = tuple(code.strip() for code in options.select.split(",") if code.strip())
    _check_all(sources[:3], select)  # import rules and libcst before timing
    parse_times, check_times, findings = [], [], 0
    for _ in range(options.rounds):
        parse_times.append(_parse_all(sources))
        seconds, findings = _check_all(sources, select)
        check_times.append(seconds)
    parse, check = min(parse_times), min(check_times)
    print(f"files: {len(files)} ({size / 1e6:.1f} MB) from {site}")
    print(f"libcst parse alone:    {parse:7.2f} s CPU")
    print(f"binlint check {','.join(select)}: {check:7.2f} s CPU ({findings} findings)")
    print(f"ratio check/parse:     {check / parse:7.2f}  (analysis + rules = {check - parse:+.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
