"""How fast the language server re-checks a 2,000-line Binance module after a keystroke.

    python bench/lsp_latency.py                 # 2,000 lines, 15 runs each
    python bench/lsp_latency.py --lines 5000 --runs 5 --profile

After libcst is imported and warmed up (the server pays that once, at its first
check), it times, on the generated bot of `bench/botgen.py` with one character
changed per run:

- parse: `libcst.parse_module` alone (a whole parse);
- re-parse: the server's incremental parse of the edited text (`DocumentParser`);
- check: what the server runs per change, `binlint.frontends.lsp.check_text` with the document's
  `DocumentParser` (config discovery, byte gate, incremental parse, analysis, every rule,
  suppressions);
- round trip: a real LSP client (pytest-lsp) over stdio, from `didChange` to the
  `publishDiagnostics` answering it, with the debounce set to 0.

Target: check under 100 ms (median). `--profile` prints where the check spends its time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.botgen import bot_source  # noqa: E402

TARGET_MS = 100.0


def variants(source: str, runs: int) -> list[str]:
    """The source with one more character typed per run: a comment growing at the end of an
    indented line in the middle of the module (inside a function or method)."""
    lines = source.splitlines(keepends=True)
    middle = len(lines) // 2
    while not (lines[middle].startswith("        ") and lines[middle].rstrip().endswith(")")):
        middle += 1
    line = lines[middle].rstrip("\n")
    return ["".join(lines[:middle] + [f"{line}  # edit {'x' * i}\n"] + lines[middle + 1:]) for i in range(runs)]


def timed(function: Callable[[str], object], texts: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call (CPU time is less disturbed by a busy machine)."""
    wall, cpu = [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        function(text)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def summary(name: str, samples: list[float], cpu: list[float] | None = None) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    cpu_text = f"   cpu median {statistics.median(cpu):7.1f} ms" if cpu else ""
    return (f"{name:<11} median {statistics.median(samples):7.1f} ms   min {ordered[0]:7.1f} ms   "
            f"p90 {p90:7.1f} ms{cpu_text}   ({len(samples)} runs)")


async def round_trip(texts: list[str], folder: Path) -> list[float]:
    from lsprotocol import types
    from pytest_lsp import client_capabilities, make_test_lsp_client

    binlint = Path(sys.executable).with_name("binlint")
    command = [str(binlint), "lsp"] if binlint.exists() else [sys.executable, "-m", "binlint", "lsp"]
    client = make_test_lsp_client()
    await client.start_io(*command)
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), initialization_options={"debounce": 0}))
    uri = (folder / "bot.py").as_uri()

    async def published() -> float:
        await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 60)
        return time.perf_counter()

    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=texts[0])))
    await published()  # the first check imports libcst
    samples = []
    for version, text in enumerate(texts[1:], start=2):
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        samples.append((await published() - start) * 1000)
    await client.shutdown_session()
    await client.stop()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--style", choices=("functions", "class"), default="functions",
                        help="module-level functions, or methods of one class")
    parser.add_argument("--profile", action="store_true", help="print the check's top functions by time")
    parser.add_argument("--no-round-trip", action="store_true", help="skip the stdio client measurement")
    options = parser.parse_args()

    from importlib.metadata import version

    import libcst

    from binlint.frontends.lsp import check_text
    from binlint.pipeline.discover import FileKind
    from binlint.pipeline.parse.incremental import DocumentParser

    source = bot_source(options.lines, options.style)
    texts = variants(source, options.runs)
    with tempfile.TemporaryDirectory(prefix="binlint-lsp-bench-") as scratch:
        folder = Path(scratch)
        path = str(folder / "bot.py")
        parser = DocumentParser()
        result, problem = check_text(source, path, FileKind.PYTHON, None, parser)  # warm up: imports, rules
        check_text(texts[0], path, FileKind.PYTHON, None, parser)  # the parser's statement table
        assert problem is None and not result.errors and result.parsed, (problem, result.errors)
        print(f"{source.count(chr(10))} lines, {len(source):,} bytes, {len(result.findings)} findings; "
              f"Python {sys.version.split()[0]}, libcst {version('libcst')}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        parse = timed(libcst.parse_module, texts)
        reparser = DocumentParser()
        reparser.parse(texts[0])
        first = timed(reparser.reparse, texts[1:2])  # builds the table of statement lengths
        reparse = timed(reparser.reparse, texts[2:])
        check = timed(lambda text: check_text(text, path, FileKind.PYTHON, None, parser), texts[2:])
        print(summary("parse", *parse))
        print(summary("re-parse", *reparse))
        print(f"{'':<11} (the first re-parse after a whole parse: {first[0][0]:.1f} ms, it measures every statement;"
              " the server does that right after publishing the whole parse's diagnostics)")
        print(summary("check", *check))
        if not options.no_round_trip:
            print(summary("round trip", asyncio.run(round_trip(texts, folder))))
        median = statistics.median(check[0])
        verdict = "holds" if median < TARGET_MS else "does NOT hold"
        print(f"target: check under {TARGET_MS:.0f} ms (median) {verdict}; "
              f"re-parsing is {statistics.median(reparse[1]) / statistics.median(check[1]):.0%} of its CPU time")
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for text in texts[:5]:
                check_text(text, path, FileKind.PYTHON, None, parser)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
