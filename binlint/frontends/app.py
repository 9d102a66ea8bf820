"""`binlint check` from options to exit status: config, discovery, run, fixes, baseline, report."""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from binlint import config as config_module
from binlint.config import Config, ConfigError
from binlint.codes import unknown as unknown_code
from binlint.pipeline.discover import FileKind, Target, discover, kind_of, unreadable
from binlint.pipeline.engine import PARALLEL_THRESHOLD, FileResult, RunSettings, check_stdin, run
from binlint.model import Finding, Severity, scrub_message
from binlint.report import Summary, renderer


class UsageError(Exception):
    """Options that cannot work together; exit status 2."""


@dataclass
class CheckOptions:
    paths: tuple[str, ...] = (".",)
    format: str = "text"  # the CLI picks "full" on a terminal
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: Severity = Severity.WARNING
    exit_zero: bool = False
    config_file: str | None = None
    stdin_filename: str | None = None
    jobs: int | None = None
    quiet: bool = False
    statistics: bool = False
    no_cache: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    baseline: str | None = None
    update_baseline: str | None = None
    since: str | None = None
    warn_unused_ignores: bool = False
    color: bool = False
    output: TextIO = field(default_factory=lambda: sys.stdout)
    errors: TextIO = field(default_factory=lambda: sys.stderr)


def load_config(options: CheckOptions) -> Config:
    if options.config_file:
        config = config_module.load_file(Path(options.config_file))
    else:
        real = [p for p in options.paths if p != "-"]
        start = Path(os.path.commonpath([os.path.abspath(p) for p in real])) if real else Path.cwd()
        if options.stdin_filename and not real:
            start = Path(os.path.abspath(options.stdin_filename)).parent
        config = config_module.discover(start)
    select = options.select if options.select is not None else config.select
    return config_module.with_overrides(
        config,
        select=select,
        ignore=tuple(config.ignore) + tuple(options.ignore),
        warn_unused_ignores=options.warn_unused_ignores or config.warn_unused_ignores,
    )


def _validate_codes(codes: tuple[str, ...], flag: str) -> tuple[str, ...]:
    cleaned = tuple(c.strip().upper() for c in codes if c.strip())
    for code in cleaned:
        if not config_module.CODE_PREFIX.match(code):
            raise UsageError(f"{flag}: {code!r} is not a binlint code or prefix (like BL1 or BL302)")
        why = unknown_code(code)
        if why is not None:
            raise UsageError(f"{flag}: {why}")
    return cleaned


def run_check(options: CheckOptions) -> int:
    """Run `binlint check`; return the exit status."""
    from binlint.pipeline.parse import reuse

    # With --fix the check holds the tree of the file it checked last: the fixer builds the tree of
    # the fixed text from it.
    reuse.holding(bool(options.fix or options.unsafe_fixes or options.diff))
    try:
        return _run_check(options)
    finally:
        reuse.holding(False)


def _run_check(options: CheckOptions) -> int:
    try:
        options.select = _validate_codes(options.select, "--select") if options.select is not None else None
        options.ignore = _validate_codes(options.ignore, "--ignore")
        missing = unreadable([p for p in options.paths if p != "-"])
        if missing:  # a mistyped path must not pass the gate: nothing is checked
            for problem in missing:
                print(f"binlint: error: {problem.path}: {problem.reason}", file=options.errors)
            return 2
        config = load_config(options)
    except (ConfigError, UsageError) as exc:
        print(f"binlint: error: {scrub_message(str(exc))}", file=options.errors)
        return 2
    fixing = ("unsafe" if options.unsafe_fixes else "safe") if options.fix or options.unsafe_fixes or options.diff else ""
    settings = RunSettings(config, tuple(config.select), tuple(config.ignore), config.warn_unused_ignores, fixing)
    summary = Summary(color=options.color)

    reading_stdin = list(options.paths) == ["-"]
    stdin_data: bytes | None = None
    if reading_stdin:
        stdin_data = sys.stdin.buffer.read()
        if options.stdin_filename:
            settings = with_project(settings, [options.stdin_filename], [], options.no_cache, options.jobs)
        results = [check_stdin(stdin_data, options.stdin_filename, settings)]
        summary.files = 1
        summary.sources[results[0].path] = stdin_data
    else:
        if "-" in options.paths:
            print("binlint: error: `-` (stdin) cannot be mixed with other paths", file=options.errors)
            return 2
        targets, skipped = discover(list(options.paths), config)
        summary.skipped.extend((s.path, s.reason) for s in skipped)
        summary.files = len(targets)
        settings = with_project(settings, list(options.paths), [t.path for t in targets], options.no_cache,
                                options.jobs, background=_index_in_background(targets, options.jobs))
        results = list(_run(targets, settings, options))
        settings = settings.settled()  # a run none of whose files asked for the index still ends its build

    for result in results:
        if result.parsed:
            summary.parsed += 1
        if result.skipped:
            summary.skipped.append((result.path, result.skipped))
            summary.skipped_targets += 1
        summary.errors.extend(result.errors)

    if options.fix or options.unsafe_fixes or options.diff:
        from binlint.pipeline import fix

        outcome = fix.apply_to_results(
            results, settings, unsafe=options.unsafe_fixes, diff_only=options.diff,
            stdin_data=stdin_data, stdin_name=options.stdin_filename if reading_stdin else None,
            jobs=options.jobs,
        )
        results = outcome.results
        summary.fixed = outcome.fixed
        summary.errors.extend(outcome.errors)
        for warning in outcome.warnings:  # fixes left out, and why; the exit status is as usual
            print(f"binlint: warning: {scrub_message(warning)}", file=options.errors)
        if options.diff:
            options.output.write(outcome.diff)
            if outcome.fixed and not options.quiet:
                print(f"Would fix {outcome.fixed} finding{'' if outcome.fixed == 1 else 's'}.", file=options.errors)
            _print_notes(summary, options)
            return 2 if summary.errors else (1 if outcome.diff else 0)
        if reading_stdin and outcome.stdin_source is not None:
            summary.sources[results[0].path] = outcome.stdin_source
            sys.stdout.buffer.write(outcome.stdin_source)
            sys.stdout.buffer.flush()
            options.output = sys.stderr

    findings = sorted((f for r in results for f in r.findings), key=lambda f: f.sort_key)

    if options.since:
        from binlint.pipeline import since

        try:
            findings = since.only_changed(findings, options.since)
        except since.SinceError as exc:
            print(f"binlint: error: {scrub_message(str(exc))}", file=options.errors)
            return 2

    if options.update_baseline:
        from binlint.pipeline import baseline

        try:
            baseline.write(Path(options.update_baseline), findings)
        except baseline.BaselineError as exc:
            print(f"binlint: error: {scrub_message(str(exc))}", file=options.errors)
            return 2
        # What the baseline now records is hidden, as the next run with --baseline hides it.
        recorded = len(findings)
        summary.baseline_recorded, findings = (recorded, options.update_baseline), []
        if options.format not in ("text", "full") and not options.quiet:  # text says it in its summary
            print(f"binlint: recorded {recorded} finding{'' if recorded == 1 else 's'} in the baseline "
                  f"{options.update_baseline}", file=options.errors)
    elif options.baseline:
        from binlint.pipeline import baseline

        try:
            findings, hidden, stale = baseline.filter_findings(Path(options.baseline), findings)
        except baseline.BaselineError as exc:
            print(f"binlint: error: {scrub_message(str(exc))}", file=options.errors)
            return 2
        summary.baseline_hidden = hidden
        summary.baseline_stale = stale

    _report(findings, summary, options)
    _print_notes(summary, options)
    if summary.errors:
        return 2
    if options.exit_zero:
        return 0
    return 1 if any(f.severity >= options.severity for f in findings) else 0


# Python files smaller than this in all take less to parse than a forked child takes to start
# and hand the index back: their run builds the index first, as a run on many files does.
BACKGROUND_INDEX_FROM = 20_000


def _index_in_background(targets: list[Target], jobs: int | None) -> bool:
    """Whether the project index is built in a child while the first file parses: for a run that
    checks its files in this process (few files, or -j1) and has enough Python to parse."""
    if not (jobs == 1 or len(targets) < PARALLEL_THRESHOLD):
        return False
    size = 0
    for target in targets:
        if target.kind is FileKind.PYTHON:
            try:
                size += os.path.getsize(target.path)
            except OSError:
                continue
    return size >= BACKGROUND_INDEX_FROM


def with_project(settings: RunSettings, paths: list[str], targets: list[str], no_cache: bool = False,
                 jobs: int | None = None, background: bool = False) -> RunSettings:
    """The settings with the project index (phase one): the whole project below the folder
    holding pyproject.toml/.git above `paths`, or only the files checked when there is none.
    A partial run (one file, pre-commit's staged files) still reads the rest of the project.

    With `background`, for runs that check their files in this process, the index is built in
    a child process while the first file parses (`RunSettings.index()` waits for it)."""
    python = [p for p in targets if p.endswith((".py", ".pyw"))]
    if not python and not any(p.endswith((".py", ".pyw")) for p in paths):
        return settings
    build = functools.partial(_build_index, settings, paths, targets, python, no_cache, jobs)
    if background:
        from binlint.analysis import project
        from binlint.pipeline.pending import Pending

        return replace(settings, project=Pending(build, lambda: dict(vars(project.LAST_STATS)),
                                                 lambda stats: vars(project.LAST_STATS).update(stats or {})))
    return replace(settings, project=build())


def _build_index(settings: RunSettings, paths: list[str], targets: list[str], python: list[str], no_cache: bool,
                 jobs: int | None) -> Any:
    from binlint.analysis import project

    root = project.find_root(paths)
    try:
        if root is None:
            base = os.path.commonpath([os.path.abspath(p) for p in python]) if python else os.getcwd()
            if not os.path.isdir(base):
                base = os.path.dirname(base)
            return project.build_index(base, settings.config, python, use_cache=False, walk=False)
        if all(os.path.isdir(p) and os.path.abspath(p) == root for p in paths):
            # The whole project is checked: the files just found are the project's, no second walk.
            modules = [p for p in targets if kind_of(p) is FileKind.PYTHON]
            return project.build_index(root, settings.config, modules, use_cache=not no_cache, jobs=jobs, walk=False)
        return project.build_index(root, settings.config, python, use_cache=not no_cache, jobs=jobs)
    except Exception:  # never fatal: without an index each module is understood alone, as before
        return None


def _run(targets: list[Target], settings: RunSettings, options: CheckOptions) -> list[FileResult]:
    if options.no_cache:
        return list(run(targets, settings, options.jobs))
    try:
        from binlint.pipeline import cache
    except ImportError:
        return list(run(targets, settings, options.jobs))
    return list(cache.run_cached(targets, settings, options.jobs))


def _report(findings: list[Finding], summary: Summary, options: CheckOptions) -> None:
    if options.statistics and options.format in ("full", "text", "concise"):
        options.output.write(statistics(findings, summary))
        return
    if options.quiet and options.format == "text":
        from binlint.report.text_format import render_finding

        options.output.write("".join(render_finding(f, summary.color) for f in findings))
        return
    if options.quiet and options.format == "full":
        from binlint.report.full_format import render_findings

        options.output.write(render_findings(findings, summary))
        return
    options.output.write(renderer(options.format)(findings, summary))


def statistics(findings: list[Finding], summary: Summary) -> str:
    """A count per code, most frequent first (like ruff --statistics), then the total.

    `[*]`: `--fix` fixes findings of this code; `[-]`: only `--unsafe-fixes` does.
    """
    from binlint.model import Applicability
    from binlint.rules import get_rule

    def fixable(finding: Finding, applicability: Applicability) -> bool:
        return bool(finding.fix.edits) and finding.fix.applicability is applicability

    counts = summary.by_code(findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    lines = []
    for code, count in rows:
        rule = get_rule(code)
        of_code = [f for f in findings if f.code == code]
        if any(fixable(f, Applicability.SAFE) for f in of_code):
            mark = "[*] "
        elif any(fixable(f, Applicability.UNSAFE) for f in of_code):
            mark = "[-] "
        else:
            mark = "    "
        name = rule.name if rule else ""
        lines.append(f"{count:>{width}}  {code}  {mark}{name}")
    if rows:
        safe = sum(1 for f in findings if fixable(f, Applicability.SAFE))
        unsafe = sum(1 for f in findings if fixable(f, Applicability.UNSAFE))
        total = f"{len(findings)} finding{'' if len(findings) == 1 else 's'} in all"
        fixes = []
        if safe:
            fixes.append(f"[*] {safe} fixable with `binlint check --fix`")
        if unsafe:
            fixes.append(f"[-] {unsafe} {'more ' if safe else ''}with `binlint check --unsafe-fixes`")
        lines.append(total + (": " + ", ".join(fixes) if fixes else "") + ".")
    if summary.skipped:
        lines.append(f"{len(summary.skipped)} path{'' if len(summary.skipped) == 1 else 's'} skipped, not checked "
                     "(the `binlint: skipped` lines say why).")
    if summary.baseline_stale:
        lines.append(f"{summary.baseline_stale} baseline entr{'y' if summary.baseline_stale == 1 else 'ies'} "
                     "no longer match any finding")
    return "\n".join(lines) + ("\n" if lines else "")


def _print_notes(summary: Summary, options: CheckOptions) -> None:
    if not options.quiet:
        for path, why in summary.skipped:
            print(f"binlint: skipped {path}: {why}", file=options.errors)
    for error in summary.errors:  # an exception's text can quote what the code held
        print(f"binlint: error: {scrub_message(error)}", file=options.errors)
