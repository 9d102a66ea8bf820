"""The command line: `binlint check`, `rules`, `explain`, `lsp`. Argument parsing only."""

from __future__ import annotations

import gc
import os
import sys

import click

from binlint import __version__
from binlint.model import Severity

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part for part in value.replace(" ", ",").split(",") if part)


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="binlint")
def main() -> None:
    """binlint: keeps Binance trading code from leaking keys and from sending requests
    that fail, get the IP banned, or place an order twice."""


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "--output-format", "output_format",
              type=click.Choice(["full", "text", "concise", "json", "sarif", "github"]), default=None,
              help="Output format: full (source line and carets; the default on a terminal), text (each finding"
                   " and its help; the default when piped), concise (one line a finding), json, sarif, github.")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply safe and unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the patch --fix would apply; write nothing.")
@click.option("--select", help="Codes or prefixes to check (BL1,BL30); replaces the config's select.")
@click.option("--ignore", help="Codes or prefixes to leave out.")
@click.option("--severity", type=click.Choice(["error", "warning", "info"]), default="warning",
              show_default=True, help="Lowest severity that makes the exit status 1.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Hide the findings recorded in this baseline.")
@click.option("--update-baseline", type=click.Path(dir_okay=False), help="Write the current findings to a baseline.")
@click.option("--since", metavar="REF", help="Report only findings on lines changed since a git ref.")
@click.option("--stdin-filename", metavar="NAME", help="The name of the source read from stdin (PATH `-`).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="A pyproject.toml or binlint.toml.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None,
              help="Processes to use (default: all cores; 0 = all).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print a count per code instead of each finding.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no skip lines.")
@click.option("--warn-unused-ignores", is_flag=True, help="Report suppression comments that suppress nothing (BL002).")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
def check(paths: tuple[str, ...], output_format: str, fix: bool, unsafe_fixes: bool, diff: bool,
          select: str | None, ignore: str | None, severity: str, baseline: str | None,
          update_baseline: str | None, since: str | None, stdin_filename: str | None,
          config_file: str | None, no_cache: bool, jobs: int | None, exit_zero: bool, statistics: bool,
          quiet: bool, warn_unused_ignores: bool, no_color: bool) -> None:
    """Check PATHS (default "."): folders are walked, .gitignore is respected; `-` reads stdin."""
    from binlint.frontends.app import CheckOptions, run_check

    if output_format is None:
        output_format = "full" if sys.stdout.isatty() else "text"
    options = CheckOptions(
        paths=paths or (".",), format=output_format, select=_codes(select), ignore=_codes(ignore) or (),
        severity=Severity.parse(severity), exit_zero=exit_zero, config_file=config_file,
        stdin_filename=stdin_filename, jobs=jobs, quiet=quiet, statistics=statistics, no_cache=no_cache,
        fix=fix, unsafe_fixes=unsafe_fixes, diff=diff, baseline=baseline, update_baseline=update_baseline,
        since=since, warn_unused_ignores=warn_unused_ignores,
        color=_use_color(no_color) and output_format in ("full", "text"),
    )
    _escape_unencodable_output()
    sys.exit(run_check(options))


def _escape_unencodable_output() -> None:
    """File names and messages can hold what the output encoding cannot (a file name that
    is not UTF-8, `…` under PYTHONIOENCODING=ascii): print `\\uXXXX` escapes, which JSON
    and SARIF read back as the same text, never a traceback."""
    import codecs

    def escape(error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeEncodeError)
        units = error.object[error.start:error.end].encode("utf-16-be", "surrogatepass")
        return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)), error.end

    codecs.register_error("binlint-escape", escape)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="binlint-escape")


@main.command(context_settings=CONTEXT)
@click.argument("revisions", nargs=-1, metavar="[REV-RANGE]")
@click.option("--all", "all_refs", is_flag=True, help="Scan the commits of every ref (branches, tags, remotes).")
@click.option("--pre-push", is_flag=True,
              help="Scan the commits being pushed (pre-commit's PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF).")
@click.option("--format", "--output-format", "output_format", type=click.Choice(["text", "json", "sarif", "github", "concise"]),
              default="text", show_default=True, help="Output format.")
@click.option("--select", help="Which of BL101,BL102,BL103 to look for (default: all three).")
@click.option("--ignore", help="Codes or prefixes to leave out.")
@click.option("--severity", type=click.Choice(["error", "warning", "info"]), default="warning",
              show_default=True, help="Lowest severity that makes the exit status 1.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Hide the credentials recorded in this baseline.")
@click.option("--update-baseline", type=click.Path(dir_okay=False),
              help="Record the credentials found (as hashes) in a baseline.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="A pyproject.toml or binlint.toml.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None,
              help="Processes to use (default: all cores; 0 = all).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no notes.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
def history(revisions: tuple[str, ...], all_refs: bool, pre_push: bool, output_format: str, select: str | None,
            ignore: str | None, severity: str, baseline: str | None, update_baseline: str | None,
            config_file: str | None, jobs: int | None, exit_zero: bool, quiet: bool, no_color: bool) -> None:
    """Find Binance keys in the lines every commit of REV-RANGE added (default: all of HEAD's
    history; `origin/main..HEAD` for a pull request), whether or not they are still there."""
    from binlint.frontends.history import HistoryOptions, run_history

    options = HistoryOptions(
        revisions=revisions, all_refs=all_refs, pre_push=pre_push, format=output_format, select=_codes(select),
        ignore=_codes(ignore) or (), severity=Severity.parse(severity), exit_zero=exit_zero, baseline=baseline,
        update_baseline=update_baseline, config_file=config_file, jobs=jobs, quiet=quiet,
        color=_use_color(no_color) and output_format == "text",
    )
    _escape_unencodable_output()
    sys.exit(run_history(options))


@main.command(context_settings=CONTEXT)
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, severity, fix."""
    from binlint.frontends.explain import rules_json, rules_markdown, rules_table

    render = {"json": rules_json, "markdown": rules_markdown}.get(output_format, rules_table)
    click.echo(render(), nl=False)


@main.command(context_settings=CONTEXT)
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation, with a wrong and a right example."""
    from binlint.frontends.explain import explain_rule

    text = explain_rule(code)
    if text is None:
        from binlint.model import scrub

        click.echo(f"binlint: error: no rule {scrub(repr(code))} (see `binlint rules`)", err=True)
        sys.exit(2)
    click.echo(text, nl=False)


@main.command(context_settings=CONTEXT)
def lsp() -> None:
    """Run the language server on stdio."""
    from binlint.frontends.lsp import serve

    serve()


def run(args: list[str] | None = None) -> None:
    """The `binlint` program: `main`, then an exit that leaves the objects still alive to the end
    of the process. The interpreter's own exit collects every generation of the heap (the
    imported modules, the project index, the last file's results), 0.1 s or more after a check;
    frozen, they are freed with the process instead. Only the program does this: `main` called
    from other code leaves the collector as it was."""
    try:
        main(args)
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
