"""`binlint history [REV-RANGE]`: Binance credentials in the lines every commit added.

A key committed in one commit and deleted in the next is gone from the working tree but
not from the history anyone can clone. This scans the commits of a range (default: all of
HEAD's history; `main..HEAD` for a pull request; `--all` for every ref) with the BL101–BL103
detection of `binlint check`, reports each credential once (at the first commit that added
it, with how many later commits added it again and whether it is still at HEAD), and
supports the output formats and baselines of `check`. Modules: `git` (plumbing), `patches`
(reading the patch stream), `scan` (checking and grouping), `report` (formats).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TextIO

from binlint.model import Severity, scrub_message

if TYPE_CHECKING:
    from binlint.config import Config
    from binlint.frontends.history.git import Repository
    from binlint.frontends.history.scan import HistoryFinding, HistoryScan
    from binlint.pipeline.engine import RunSettings

Z40 = "0" * 40


@dataclass
class HistoryOptions:
    revisions: tuple[str, ...] = ()
    all_refs: bool = False
    pre_push: bool = False
    format: str = "text"
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: Severity = Severity.WARNING
    exit_zero: bool = False
    baseline: str | None = None
    update_baseline: str | None = None
    config_file: str | None = None
    jobs: int | None = None
    quiet: bool = False
    color: bool = False
    cwd: str = "."
    output: TextIO = field(default_factory=lambda: sys.stdout)
    errors: TextIO = field(default_factory=lambda: sys.stderr)


class HistoryError(Exception):
    """A usage or input problem with a message for people; exit status 2."""


def _revisions(options: HistoryOptions, head: str | None) -> list[str] | None:
    """The revisions to hand git; None when there is nothing to scan."""
    if options.pre_push:
        if options.revisions or options.all_refs:
            raise HistoryError("--pre-push takes the range from pre-commit; give no REV-RANGE or --all with it")
        source, target = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
        if source and target:
            if target == Z40:
                return None  # a branch deletion: nothing is pushed
            return [target] if source == Z40 else [f"{source}..{target}"]
        # A first push of a branch with its root commit: pre-commit names no range.
        branch = os.environ.get("PRE_COMMIT_LOCAL_BRANCH")
        return [branch] if branch else (["HEAD"] if head else None)
    if options.all_refs:
        if options.revisions:
            raise HistoryError("--all scans every ref: give no REV-RANGE with it")
        return ["--all"]
    if options.revisions:
        return list(options.revisions)
    return ["HEAD"] if head else None


def _settings(options: HistoryOptions, root: str) -> "tuple[Config, RunSettings]":
    from binlint import config as config_module
    from binlint.frontends.app import _validate_codes
    from binlint.frontends.history.scan import CODES
    from binlint.pipeline.engine import RunSettings

    config = (config_module.load_file(Path(options.config_file)) if options.config_file
              else config_module.discover(Path(root)))
    select = _validate_codes(options.select, "--select") if options.select is not None else CODES
    ignore = tuple(config.ignore) + _validate_codes(options.ignore, "--ignore")
    if not any(code.startswith(prefix) or prefix.startswith(code) for code in CODES for prefix in select):
        raise HistoryError(f"--select {','.join(select)} selects none of the rules history runs ({', '.join(CODES)})")
    select = tuple(code for code in CODES if any(code.startswith(prefix) for prefix in select)) or CODES
    return config, RunSettings(config, select, ignore, False)


def _wanted(config: "Config", root: str) -> Callable[[str], bool]:
    """Which repository paths are scanned: what a folder walk would check, minus config excludes."""
    import pathspec

    from binlint.pipeline.discover import kind_of

    patterns = [*config.exclude, *config.extend_exclude]
    spec = pathspec.GitIgnoreSpec.from_lines(patterns) if any(p.strip() for p in patterns) else None
    config_root = os.path.abspath(str(config.root))
    root = os.path.abspath(root)

    def wanted(path: str) -> bool:
        if kind_of(path) is None:
            return False
        if spec is None:
            return True
        relative = os.path.relpath(os.path.join(root, path), config_root)
        return relative.startswith("..") or not spec.match_file(relative.replace(os.sep, "/"))

    return wanted


def run_history(options: HistoryOptions) -> int:
    """Run `binlint history`; return the exit status."""
    from binlint.config import ConfigError
    from binlint.frontends.history import git as gitmod
    from binlint.frontends.history.report import (
        RENDERERS,
        failing,
        render_item,
        render_sarif,
    )
    from binlint.frontends.history.scan import HistoryScan, scan

    def fail(message: str) -> int:
        print(f"binlint: error: {scrub_message(message)}", file=options.errors)
        return 2

    try:
        repository = gitmod.open_repository(options.cwd)
        revisions = _revisions(options, repository.head)
        config, settings = _settings(options, repository.root)
        if revisions is None:
            result = HistoryScan()
            result.notes.append("nothing to scan: no commits" + (" yet" if repository.head is None else " pushed"))
        else:
            if revisions != ["--all"]:
                gitmod.check_revisions(repository, revisions)
            result = scan(repository, revisions, config, settings, _wanted(config, repository.root), options.jobs)
    except (gitmod.GitError, HistoryError, ConfigError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("binlint: interrupted", file=options.errors)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug must not print a traceback (it could quote a key)
        return fail(f"internal error ({type(exc).__name__}: {exc})")

    if repository.shallow and revisions is not None:
        _note_shallow(repository, revisions, result)

    items = result.findings
    hidden = 0
    if options.update_baseline or options.baseline:
        from binlint.pipeline import baseline as baseline_module

        try:
            items, hidden = _apply_baseline(options, items, repository.root)
        except baseline_module.BaselineError as exc:
            return fail(str(exc))

    if options.quiet and options.format == "text":
        text = "".join(render_item(item, options.color) for item in items)
    elif options.format == "sarif":
        text = render_sarif(items, result, hidden, root=repository.root)
    else:
        text = RENDERERS[options.format](items, result, hidden, options.color)
    options.output.write(text)
    _print_notes(result, options)
    if result.errors:
        return 2
    return 0 if options.exit_zero or not failing(items, options.severity) else 1


def _note_shallow(repository: "Repository", revisions: list[str], result: "HistoryScan") -> None:
    """Say how deep the scan went when it reached where a shallow clone was cut."""
    from binlint.frontends.history import git as gitmod

    boundary = set(gitmod.shallow_boundary(repository))
    reached = [sha for sha in gitmod.commit_list(repository, revisions) if sha in boundary]
    if not reached and boundary:
        return  # the range lies inside the clone's history: the scan is complete
    cut = f" at {', '.join(sha[:7] for sha in reached[:3])}" if reached else ""
    result.notes.append(
        f"this is a shallow clone: {result.commits:,} commit{'' if result.commits == 1 else 's'} scanned, "
        f"history stops{cut} (what the oldest of them holds is taken as added there); older commits are "
        "not in this clone: run `git fetch --unshallow` (or check out with fetch-depth: 0) to scan them")


def _apply_baseline(options: HistoryOptions, items: "list[HistoryFinding]", root: str
                    ) -> "tuple[list[HistoryFinding], int]":
    """(the findings the baseline does not hold, how many it hid). Entries name the credential by
    its hash; a credential matches wherever it now appears (path and rule are for people)."""
    from binlint.pipeline import baseline

    if options.update_baseline:
        absolute = [item.finding.with_changes(path=os.path.join(root, item.finding.path)) for item in items]
        baseline.write(Path(options.update_baseline), absolute)
        return [], len(items)
    assert options.baseline is not None
    accepted = {fingerprint for (_, _, fingerprint) in baseline.load(Path(options.baseline)).counts}
    kept = [item for item in items if item.finding.fingerprint not in accepted]
    return kept, len(items) - len(kept)


def _print_notes(result: "HistoryScan", options: HistoryOptions) -> None:
    if not options.quiet:
        for why, count in sorted(result.skipped.items()):
            versions = f"{count:,} file version{'' if count == 1 else 's'}"
            example = scrub_message(result.skipped_example[why])
            print(f"binlint: skipped {versions}: {why} (first: {example})", file=options.errors)
        for note in result.notes:
            print(f"binlint: note: {scrub_message(note)}", file=options.errors)
    for error in result.errors:
        print(f"binlint: error: {scrub_message(error)}", file=options.errors)
