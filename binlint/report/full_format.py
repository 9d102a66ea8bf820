"""`--format full` (the default on a terminal): each finding with its source line, carets under
the span and the fix, long text wrapped to the terminal; then the summary line.

```
bot.py:30:27: BL302 (error) [*] `int(time.time())` is seconds; Binance expects integer milliseconds
   |
30 |     params["timestamp"] = int(time.time())
   |                           ^^^^^^^^^^^^^^^^
   |
   = help: Use `int(time.time() * 1000)`.
```

The source comes from the file as it is now (stdin's as given; a notebook's from the cell).
A shown line never holds a key: credentials in it are redacted (`AbCd…yZ`) and the carets
follow the redacted text.
"""

from __future__ import annotations

import io
import re
import shutil
import textwrap
from typing import Callable, Iterable

from binlint.model import KEYLIKE, Applicability, Finding, Severity, scrub
from binlint.report import Summary, file_bytes
from binlint.report.concise_format import location
from binlint.report.text_format import summary_line

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # line ends as Python counts them (not str.splitlines)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # never sent to the terminal as they are
TAB = 4
MAX_SHOWN = 3  # source lines shown for one finding; a longer span shows its first and last lines
MAX_LINE = 400  # characters of one source line shown around the span


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and text else text


def width() -> int:
    """The terminal's width (or $COLUMNS), within reason."""
    return max(40, min(shutil.get_terminal_size((100, 24)).columns, 200))


# --- the source of a finding ----------------------------------------------------------


def _decode_python(data: bytes) -> str:
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def source_lines(finding: Finding, summary: Summary, cache: dict[tuple[str, int | None], list[str] | None]
                 ) -> list[str] | None:
    """The lines the finding's positions count (a notebook cell's own), or None when unknown."""
    key = (finding.path, finding.cell)
    if key not in cache:
        cache[key] = _load(finding, summary)
    return cache[key]


def _load(finding: Finding, summary: Summary) -> list[str] | None:
    data = file_bytes(finding.path, summary)
    if data is None:
        return None
    if finding.cell is not None:
        from binlint.pipeline.parse.notebook import NotebookError, load_cells

        try:
            cells = {cell.index: cell.source for cell in load_cells(data)}
        except (NotebookError, RecursionError):
            return None
        text = cells.get(finding.cell)
        if text is None:
            return None
    elif finding.path.lower().endswith((".py", ".pyi", ".pyw")):
        text = _decode_python(data)
    else:
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return _LINE_BREAK.split(text)


# --- one shown line: redacted, tabs expanded, clipped ------------------------------------


def _redactions(line: str, secrets: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every credential in `line`, in order, not overlapping."""
    spans: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans)

    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        start = line.find(secret)
        while start >= 0:
            if free(start, start + len(secret)):
                spans.append((start, start + len(secret), scrub(secret, (secret,))))
            start = line.find(secret, start + len(secret))
    for match in KEYLIKE.finditer(line):
        replaced = scrub(match.group(1))
        if replaced != match.group(1) and free(match.start(1), match.end(1)):
            spans.append((match.start(1), match.end(1), replaced))
    return sorted(spans)


def shown_line(line: str, secrets: Iterable[str]) -> tuple[str, Callable[[int], int]] | None:
    """The line as printed, and a map from a 0-based column of the source line to one of the
    printed line; None when the line cannot be shown without a secret."""
    pieces: list[str] = []
    # (source start, printed start, source end, printed end) of each redaction, in order
    moved: list[tuple[int, int, int, int]] = []
    position = printed = 0
    for start, end, replacement in _redactions(line, secrets):
        pieces.append(line[position:start])
        printed += start - position
        moved.append((start, printed, end, printed + len(replacement)))
        pieces.append(replacement)
        printed += len(replacement)
        position = end
    pieces.append(line[position:])
    redacted = "".join(pieces)
    if scrub(redacted, secrets) != redacted or "PRIVATE KEY-----" in line:
        return None  # something key-like this scan did not place: show no source at all

    def to_redacted(column: int) -> int:
        shift = 0
        for start, printed_start, end, printed_end in moved:
            if column < start:
                break
            if column < end:
                return printed_start
            shift = printed_end - end
        return column + shift

    # Tabs to the next stop of 4, control characters as one visible character each.
    stops: list[int] = []
    out: list[str] = []
    column = 0
    for char in redacted:
        stops.append(column)
        if char == "\t":
            pad = TAB - column % TAB
            out.append(" " * pad)
            column += pad
        else:
            out.append("\ufffd" if _CONTROL.match(char) else char)
            column += 1
    stops.append(column)
    text = "".join(out).rstrip()

    def to_display(source_column: int) -> int:
        index = to_redacted(source_column)
        return stops[min(max(index, 0), len(stops) - 1)] + max(index - (len(stops) - 1), 0)

    return text, to_display


def _clip(text: str, start: int, end: int) -> tuple[str, int]:
    """A window of a very long line around columns start..end; (text, columns cut at the left)."""
    if len(text) <= MAX_LINE:
        return text, 0
    left = max(0, min(start - MAX_LINE // 4, len(text) - MAX_LINE))
    right = left + MAX_LINE
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else ""), left - (1 if left else 0)


# --- a finding ---------------------------------------------------------------------------


def _snippet(finding: Finding, lines: list[str], color: bool) -> list[str]:
    first, last = finding.line, max(finding.end_line, finding.line)
    if not 1 <= first <= len(lines):
        return []
    last = min(last, len(lines))
    numbers = list(range(first, last + 1))
    if len(numbers) > MAX_SHOWN:
        numbers = numbers[:MAX_SHOWN - 1] + [None, last]  # type: ignore[list-item]
    gutter = len(str(last))
    bar = _paint(" " * gutter + " |", "1;34", color)
    caret_color = "1;" + _COLORS[finding.severity]
    out = [bar]
    for number in numbers:
        if number is None:
            out.append(_paint(" " * gutter + " ·", "1;34", color))
            continue
        source = lines[number - 1]
        shown = shown_line(source, finding.secrets)
        if shown is None:
            return []
        text, to_display = shown
        start = finding.column - 1 if number == first else len(source) - len(source.lstrip())
        end = finding.end_column - 1 if number == finding.end_line else len(source)
        if number != first and start >= len(source):
            start = 0
        begin, stop = to_display(start), to_display(max(end, start))
        text, cut = _clip(text, begin, stop)
        begin, stop = begin - cut, stop - cut
        carets = " " * begin + "^" * max(stop - begin, 1 if number == first else 0)
        out.append(_paint(f"{number:>{gutter}} |", "1;34", color) + (" " + text if text else ""))
        if carets.strip():
            out.append(bar + " " + _paint(carets, caret_color, color))
    out.append(bar)
    return out


def _wrap(text: str, first_prefix: str, later_prefix: str, columns: int) -> list[str]:
    wrapped: list[str] = []
    for index, paragraph in enumerate(text.split("\n")):
        prefix = first_prefix if index == 0 else later_prefix
        wrapped.extend(textwrap.wrap(paragraph, columns, initial_indent=prefix, subsequent_indent=later_prefix,
                                     break_long_words=False, break_on_hyphens=False) or [prefix.rstrip()])
    return wrapped


def render_finding(finding: Finding, summary: Summary, cache: dict[tuple[str, int | None], list[str] | None],
                   columns: int) -> str:
    color = summary.color
    marker = ""
    if finding.fix.edits:
        marker = "[*] " if finding.fix.applicability is Applicability.SAFE else "[unsafe fix] "
    where = location(finding)
    header = _wrap(f"{where}: {finding.code} ({finding.severity.label}) {marker}{finding.message}", "", "    ",
                   columns)
    if color:
        head = header[0]
        rest = head[len(where) + 2 + len(finding.code):]
        header[0] = (_paint(where, "1", color) + ": " + _paint(finding.code, "1;" + _COLORS[finding.severity], color)
                     + rest)
    lines = source_lines(finding, summary, cache)
    snippet = _snippet(finding, lines, color) if lines is not None else []
    gutter = len(str(max(finding.end_line, finding.line))) if snippet else 2
    help_prefix = " " * gutter + " = help: "
    helped = _wrap(finding.fix.text, help_prefix, " " * len(help_prefix), columns)
    if color:
        helped[0] = helped[0].replace("help:", _paint("help:", "1;32", color), 1)
    return "\n".join(header + snippet + helped) + "\n"


def render_findings(findings: list[Finding], summary: Summary) -> str:
    cache: dict[tuple[str, int | None], list[str] | None] = {}
    columns = width()
    return "\n".join(render_finding(f, summary, cache, columns) for f in findings)


def render(findings: list[Finding], summary: Summary) -> str:
    body = render_findings(findings, summary)
    return body + ("\n" if body else "") + summary_line(findings, summary)
