"""The fix machinery: rounds, overlaps, refusals, encodings, notebooks, atomic writes, --diff."""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
import sys
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

from binlint.pipeline import fix
from binlint.frontends.app import CheckOptions, run_check
from binlint.pipeline.discover import FileKind
from binlint.pipeline.engine import FileResult
from binlint.model import Applicability, Edit, Finding, Fix, Severity
from binlint.testing import fake_key
from tests.test_fix_support import check_file, fixture_rule, settings  # noqa: F401 (fixture)

URL = '"http://api.binance.com/api/v3/time"'
FIXED_URL = '"https://api.binance.com/api/v3/time"'


def fix_source(source: str | bytes, name: str = "bot.py", unsafe: bool = True, **kwargs: object) -> fix.SourceFix:
    data = source.encode("utf-8") if isinstance(source, str) else source
    kind = FileKind.NOTEBOOK if name.endswith(".ipynb") else FileKind.PYTHON
    return fix.fix_bytes(data, name, kind, settings(), unsafe=unsafe, **kwargs)  # type: ignore[arg-type]


def finding(*edits: Edit, line: int = 1, applicability: Applicability = Applicability.SAFE,
            code: str = "BL991", cell: int | None = None) -> Finding:
    return Finding("bot.py", line, 1, line, 1, code, "made-up", Severity.ERROR, f"made up {code} at {line}",
                   Fix("Do it.", applicability, edits), cell=cell, fingerprint=f"{code}-{line}")


def only_once(findings: list[Finding]):  # noqa: ANN201
    """A check that gives `findings` for the original content and nothing after a fix."""
    calls: list[bytes] = []

    def check(data: bytes) -> FileResult:
        calls.append(data)
        return FileResult("bot.py", list(findings) if len(calls) == 1 else [], parsed=True)

    return check


# --- rounds, overlaps, duplicates ----------------------------------------------------


def test_safe_fix_applied_and_rechecked(fixture_rule):
    source = f"# binance\nURL = {URL}\n"
    out = fix_source(source, unsafe=False)
    assert out.data.decode() == f"# binance\nURL = {FIXED_URL}\n"
    assert out.fixed == 1 and out.changed and not out.warnings
    assert [f.code for f in out.result.findings] == []


def test_the_check_after_a_fix_reuses_the_parse_that_checked_the_fixed_text(fixture_rule, monkeypatch):
    parsed: list[str] = []
    real = cst.parse_module

    def counting(source: str, *args: object, **kwargs: object) -> cst.Module:
        parsed.append(source)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cst, "parse_module", counting)
    source = f"# binance\nURL = {URL}\n"
    out = fix_source(source, unsafe=False)
    assert out.data.decode() == f"# binance\nURL = {FIXED_URL}\n" and out.result.parsed
    # The original text, then the fixed text once: parsed to check it, and that module checked.
    assert parsed == [source, out.data.decode()]


def test_unsafe_fix_needs_unsafe_flag(fixture_rule):
    source = '# binance\nKEY = "KEYHERE"\n'
    assert not fix_source(source, unsafe=False).changed
    out = fix_source(source, unsafe=True)
    assert out.data.decode() == '# binance\nimport os\nKEY = os.environ["BINANCE_API_KEY"]\n'


def test_identical_insertions_applied_once(fixture_rule):
    source = '"""Bot for binance."""\nfrom __future__ import annotations\n\nA = "KEYHERE1"\nB = "KEYHERE2"\n'
    out = fix_source(source)
    assert out.data.decode() == (
        '"""Bot for binance."""\nfrom __future__ import annotations\n\nimport os\n'
        'A = os.environ["BINANCE_API_KEY"]\nB = os.environ["BINANCE_API_KEY"]\n'
    )
    assert out.fixed == 2


def test_different_insertions_at_one_place_take_two_rounds(fixture_rule):
    source = '# binance\nA = "KEYHERE"\nB = "NEEDS_TIME"\n'
    out = fix_source(source)
    text = out.data.decode()
    assert text.count("import os\n") == 1 and text.count("import time\n") == 1
    assert 'A = os.environ["BINANCE_API_KEY"]' in text and "B = time.ctime()" in text
    assert out.fixed == 2 and not out.result.findings


def test_overlapping_fix_waits_for_the_next_round(fixture_rule):
    source = f"# binance\nx = wrap({URL}, 1)\n"
    out = fix_source(source)
    assert out.data.decode() == f"# binance\nx = wrapped({FIXED_URL}, 1)\n"
    assert out.fixed == 2


def test_fixes_that_never_settle_leave_the_file_alone(fixture_rule):
    source = f"# binance\nU = {URL}\nx = grow\n"
    out = fix_source(source)
    assert not out.changed and out.data == source.encode()
    assert out.fixed == 0
    assert any("did not settle" in w and "BL990" in w for w in out.warnings)


def test_fixes_that_undo_each_other_leave_the_file_alone(fixture_rule):
    source = "# binance\nx = ping\n"
    out = fix_source(source)
    assert not out.changed and any("undo each other" in w for w in out.warnings)


def test_the_collector_waits_through_the_rounds_and_their_checks():
    """The check after a round runs with the cyclic collector paused (resumed in between, the
    objects the round made would start a full collection, a scan of every tree held); when the
    fixer returns the collector runs again, after one young-generation pass, also when a round fails."""
    import gc

    data = b"# binance\nx = 1\n"
    seen: list[bool] = []
    once = only_once([finding(Edit(2, 5, 2, 6, "2"), line=2)])

    def check(content: bytes) -> FileResult:
        seen.append(gc.isenabled())
        return once(content)

    assert gc.isenabled()
    passes: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(note)
    try:
        out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=check)
    finally:
        gc.callbacks.remove(note)
    assert out.data == b"# binance\nx = 2\n"
    assert seen == [True, False]  # the check of the original ran as usual, the one after the round paused
    assert gc.isenabled() and passes[-1:] == [0]
    first = only_once([finding(Edit(2, 5, 2, 6, "2"), line=2)])

    def failing(content: bytes) -> FileResult:
        if content != data:
            raise RuntimeError("the check after the round failed")
        return first(content)

    with pytest.raises(RuntimeError):
        fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=failing)
    assert gc.isenabled()


def test_edits_outside_the_text_are_refused():
    data = b"# binance\nx = 1\n"
    bad = finding(Edit(9, 1, 9, 3, "y"), line=2)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([bad]))
    assert not out.changed
    assert out.warnings == ["bot.py:2:1: BL991 fix not applied: an edit is on line 9, past the end of the text"]
    past_line = finding(Edit(2, 7, 2, 8, "y"), line=2)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([past_line]))
    assert not out.changed and "past the end of that line" in out.warnings[0]


def test_a_finding_whose_own_edits_overlap_is_refused():
    data = b"# binance\nx = 1\n"
    bad = finding(Edit(2, 1, 2, 4, "y ="), Edit(2, 3, 2, 6, "= 2"), line=2)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([bad]))
    assert not out.changed and "overlap each other" in out.warnings[0]


def test_advice_findings_are_never_applied():
    data = b"# binance\nx = 1\n"
    advice = finding(Edit(2, 5, 2, 6, "2"), line=2, applicability=Applicability.ADVICE)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), unsafe=True, check=only_once([advice]))
    assert not out.changed and out.fixed == 0


# --- never write code that does not parse ----------------------------------------------


def test_a_conflicting_pair_of_edits_is_refused_and_the_file_untouched(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    original = b"# binance\nvalues = pairbreak(1, 2)\n"
    path.write_bytes(original)
    before = path.stat()
    outcome = fix.apply_to_results([check_file(path)], settings())
    assert path.read_bytes() == original
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert outcome.fixed == 0 and outcome.errors == []
    assert outcome.warnings == [
        f"{path}:2:10: BL990 fix not applied: it would leave the file unparsable (line 2: "
        "closing parenthesis ']' does not match opening parenthesis '(')"
    ]
    assert [(f.code, f.line) for f in outcome.results[0].findings] == [("BL990", 2)]  # the finding stays


def test_fix_that_breaks_the_file_is_refused_and_others_still_apply(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    path.write_text(f"# binance\nU = {URL}\nbreakme()\n")
    outcome = fix.apply_to_results([check_file(path)], settings())
    assert path.read_text() == f"# binance\nU = {FIXED_URL}\nbreakme()\n"
    assert outcome.fixed == 1
    assert len(outcome.warnings) == 1 and "BL990 fix not applied: it would leave the file unparsable" in outcome.warnings[0]
    assert [(f.code, f.line) for f in outcome.results[0].findings] == [("BL990", 3)]


def test_fixes_fine_alone_but_broken_together_keep_the_first():
    data = b"# binance\nif t:\n    pass\ny = 2\n"
    drop_if = finding(Edit(2, 1, 4, 1, ""), line=2, code="BL991")  # leaves `y = 2`
    indent_y = finding(Edit(4, 1, 4, 1, "    "), line=4, code="BL992")  # `y = 2` into the if
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([drop_if, indent_y]))
    assert out.data == b"# binance\ny = 2\n"
    assert out.fixed == 1
    assert len(out.warnings) == 1 and "BL992 fix not applied: it would leave the file unparsable" in out.warnings[0]


def test_a_file_that_does_not_parse_is_not_rewritten():
    data = b"# binance\nprint 'x'\n"
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(),
                        check=lambda _: FileResult("bot.py", [finding(Edit(2, 1, 2, 6, "print("), line=2)]))
    assert not out.changed and "cannot parse" in out.warnings[0]


def rounds(*findings: list[Finding]):  # noqa: ANN201
    """A check that gives `findings[n]` for the n-th content it is asked about (nothing after those)."""
    calls: list[bytes] = []

    def check(data: bytes) -> FileResult:
        calls.append(data)
        return FileResult("bot.py", list(findings[len(calls) - 1]) if len(calls) <= len(findings) else [],
                          parsed=True)

    return check


def test_a_fix_python_rejects_is_refused_though_libcst_takes_it():
    data = b'# binance\nx = "a"\ny = 1\n'
    bad_escape = finding(Edit(2, 6, 2, 7, "\\x4"), line=2, code="BL991")  # libcst parses "\x4", Python does not
    fine = finding(Edit(3, 5, 3, 6, "2"), line=3, code="BL992")
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([bad_escape, fine]))
    assert out.data == b'# binance\nx = "a"\ny = 2\n'
    assert out.fixed == 1
    assert len(out.warnings) == 1 and "BL991 fix not applied: it would leave the file unparsable (line 2" in out.warnings[0]


def test_a_fix_python_rejects_is_refused_in_a_later_round_too():
    data = b'# binance\nx = "a"\ny = 1\n'
    first = finding(Edit(3, 5, 3, 6, "2"), line=3, code="BL992")
    bad_escape = finding(Edit(2, 6, 2, 7, "\\x4"), line=2, code="BL991")
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=rounds([first], [bad_escape]))
    assert out.data == b'# binance\nx = "a"\ny = 2\n'
    assert out.fixed == 1
    assert len(out.warnings) == 1 and "BL991 fix not applied: it would leave the file unparsable (line 2" in out.warnings[0]


def test_python_s_verdict_does_not_count_in_a_file_python_already_rejects():
    data = '# binance\nx = b"é"\ny = 1\n'.encode()  # libcst parses a non-ASCII bytes literal, Python does not
    first = finding(Edit(3, 5, 3, 6, "2"), line=3, code="BL992")
    second = finding(Edit(3, 5, 3, 6, "3"), line=3, code="BL993")
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=rounds([first], [second]))
    assert out.data == '# binance\nx = b"é"\ny = 3\n'.encode()
    assert out.fixed == 2 and not out.warnings


def test_a_fix_that_changes_the_coding_cookie_is_refused():
    data = "# -*- coding: latin-1 -*-\n# binance\nx = 'é'\n".encode("latin-1")
    cookie = finding(Edit(1, 15, 1, 22, "utf-8"), line=1)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([cookie]))
    assert not out.changed and "encoding" in out.warnings[0]


def test_text_that_the_encoding_cannot_hold_is_refused():
    data = "# -*- coding: latin-1 -*-\n# binance\nx = 'e'\n".encode("latin-1")
    snowman = finding(Edit(3, 6, 3, 7, "\u2603"), line=3)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([snowman]))
    assert not out.changed
    assert out.warnings == ["bot.py:3:1: BL991 fix not applied: the fixed text cannot be written in the file's "
                            "encoding (iso-8859-1)"]


# --- byte for byte outside the edited spans ---------------------------------------------


def test_crlf_file_keeps_crlf(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    original = f'"""Bot."""\r\n\r\nimport sys\r\n\r\nU = {URL}  # binance\r\nK = "KEYHERE"\r\n'.encode()
    path.write_bytes(original)
    fix.apply_to_results([check_file(path)], settings(), unsafe=True)
    expected = original.replace(b"import sys", b"import os\r\nimport sys").replace(b"http://", b"https://")
    expected = expected.replace(b'"KEYHERE"', b'os.environ["BINANCE_API_KEY"]')
    assert path.read_bytes() == expected


def test_bom_is_kept(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    original = codecs.BOM_UTF8 + f"# binance – ü\nU = {URL}\n".encode()
    path.write_bytes(original)
    fix.apply_to_results([check_file(path)], settings())
    assert path.read_bytes() == original.replace(b"http://", b"https://")


def test_latin1_coding_cookie_is_kept(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    source = f"# -*- coding: latin-1 -*-\n# binance bot, café\nNAME = 'señor'\nU = {URL}\nK = 'KEYHERE'\n"
    original = source.encode("latin-1")
    path.write_bytes(original)
    fix.apply_to_results([check_file(path)], settings(), unsafe=True)
    expected = source.replace("http://", "https://").replace("'KEYHERE'", 'os.environ["BINANCE_API_KEY"]')
    expected = expected.replace("# binance bot, café\n", "# binance bot, café\nimport os\n")
    assert path.read_bytes() == expected.encode("latin-1")


def test_tabs_count_as_one_column(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    original = f"# binance\nif True:\n\tif True:\n\t\tU = \t{URL}\t# tab\n".encode()
    path.write_bytes(original)
    fix.apply_to_results([check_file(path)], settings())
    assert path.read_bytes() == original.replace(b"http://", b"https://")


def test_no_trailing_newline_and_mixed_newlines(fixture_rule):
    source = f"# binance\r\nA = 1\nU = {URL}"
    out = fix_source(source)
    assert out.data.decode() == source.replace("http://", "https://")


def test_multiline_content_gets_the_file_newline():
    data = b"# binance\r\nx = 1\r\n"
    edit = finding(Edit(2, 1, 2, 6, "if True:\n    x = 1"), line=2)
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings(), check=only_once([edit]))
    assert out.data == b"# binance\r\nif True:\r\n    x = 1\r\n"


def test_file_mode_is_kept_and_write_is_atomic(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    path.write_text(f"# binance\nU = {URL}\n")
    path.chmod(0o751)
    inode = path.stat().st_ino
    fix.apply_to_results([check_file(path)], settings())
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.py"]  # no temporary file left


def test_a_symlinked_file_is_fixed_through_the_link(fixture_rule, tmp_path):
    target = tmp_path / "real.py"
    target.write_text(f"# binance\nU = {URL}\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    fix.apply_to_results([check_file(link)], settings())
    assert link.is_symlink()
    assert target.read_text() == f"# binance\nU = {FIXED_URL}\n"


# --- positions agree with libcst -------------------------------------------------------------

TRICKY = [
    "x = 'a'\ny = \"b\"\n",
    "x = 'a'\r\ny = \"b\"\r\n",
    "if x:\n\ty = 'tab'\n\tz = \t'two'\n",
    "s = '😀'; t = 'é'; u = '𝓍'\nv = 'after astral'\n",
    "x = 1 + \\\n    2\nw = 'after continuation'\n",
    "\x0c\nx = 'after a form feed line'\n",
    'doc = """one\ntwo"""\nafter = "x"\n',
    "a = f'{1}' 'b'\nno_newline = 'end'",
    "x = 'a'\ry = 'lone cr'\r",
]


@pytest.mark.parametrize("source", TRICKY)
def test_lines_offsets_match_libcst_positions(source):
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines = fix.Lines(source)
    checked = 0
    for node, where in positions.items():
        if isinstance(node, (cst.SimpleString, cst.Name, cst.FormattedString)):
            start = lines.offset(where.start.line, where.start.column + 1)
            end = lines.offset(where.end.line, where.end.column + 1)
            assert source[start:end] == module.code_for_node(node)
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("source", ["\x0cx = 'a'\n", "  \x0c\x0cx = 'a'\n"])
def test_columns_after_a_leading_form_feed_are_refused(source):
    lines = fix.Lines(source)
    assert lines.offset(1, 1) == 0  # an insertion before the line is still clear
    with pytest.raises(fix.Unfixable, match="form feed"):
        lines.offset(1, 5)


@hsettings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="ab \té😀", max_size=6), min_size=1, max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    spans=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 4), st.text(alphabet="xy\n", max_size=3)),
                   max_size=4),
)
def test_apply_changes_only_the_edited_spans(lines, newline, spans):
    text = newline.join(lines)
    edits, position = [], 0
    for start, width, content in sorted(spans):
        start = max(start, position)
        if start > len(text):
            break
        end = min(start + width, len(text))
        edits.append(fix.Placed(0, start, end, content))
        position = end + 1  # a gap after each edit keeps them from conflicting
    assert not any(fix._conflict(a, b) for a in edits for b in edits if a is not b)
    result = fix.apply_edits(text, edits)
    # Rebuild from the pieces: every untouched character is where the edits leave it.
    expected, cursor = "", 0
    for edit in edits:
        expected += text[cursor: edit.start] + edit.content
        cursor = edit.end
    assert result == expected + text[cursor:]
    # And positions found through Lines land on the same characters.
    index = fix.Lines(text)
    for number in range(1, len(index.starts) + 1):
        assert index.line_text(number) == _split_lines(text)[number - 1]


_STATEMENT = st.one_of(
    st.builds(lambda n: f'u{n} = "http://api.binance.com/{n}"', st.integers(0, 99)),
    st.builds(lambda t: f"# {t}", st.text(alphabet="aé😀\t ", max_size=5)),
    st.just(""),
    st.builds(lambda n: f"if True:\n\tv{n} = \t'http://x/{n}'  # é", st.integers(0, 9)),
    st.builds(lambda n: f"w{n} = ('http://a', 'http://b')", st.integers(0, 9)),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements=st.lists(_STATEMENT, min_size=1, max_size=8), newline=st.sampled_from(["\n", "\r\n"]),
       bom=st.booleans(), final=st.booleans())
def test_fixing_changes_nothing_but_the_edited_spans(fixture_rule, statements, newline, bom, final):
    body = newline.join(statement.replace("\n", newline) for statement in statements)
    source = "# binance" + newline + body + (newline if final else "")
    data = (codecs.BOM_UTF8 if bom else b"") + source.encode()
    out = fix.fix_bytes(data, "bot.py", FileKind.PYTHON, settings())
    assert out.data == data.replace(b"http://", b"https://")
    assert not out.warnings and not out.result.findings


def _split_lines(text: str) -> list[str]:
    import re

    return re.split(r"\r\n|\r|\n", text)


# --- notebooks ----------------------------------------------------------------------------------


def _notebook_text(cells: list[dict], newline: str = "\n") -> str:
    document = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}, "note": "binance é"},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, ensure_ascii=False).replace("\n", newline) + newline


def _code(source: object) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def test_notebook_fix_rewrites_only_the_edited_sources(fixture_rule, tmp_path):
    path = tmp_path / "bot.ipynb"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Bot, café\n", "http://not.code\n"]},
        _code(["%matplotlib inline\n", "import sys\n"]),
        _code(["U = " + URL + "\n", "K = \"KEYHERE\"\n", "y = 1"]),
        _code("V = " + URL),
        _code(["%%bash\n", "echo http://api.binance.com\n"]),
    ]
    original = _notebook_text(cells)
    path.write_text(original, encoding="utf-8")
    outcome = fix.apply_to_results([check_file(path)], settings(), unsafe=True)
    assert outcome.fixed == 3 and not outcome.warnings
    text = path.read_text(encoding="utf-8")
    # `import os` goes at the top of the cell that uses it: every edit stays in its own cell.
    expected = original.replace('"U = \\"http://', '"import os\\n",\n    "U = \\"http://', 1)
    expected = expected.replace('"U = \\"http://', '"U = \\"https://').replace('"V = \\"http://', '"V = \\"https://')
    expected = expected.replace('"K = \\"KEYHERE\\"\\n"', '"K = os.environ[\\"BINANCE_API_KEY\\"]\\n"')
    assert text == expected
    document = json.loads(text)
    assert document["cells"][1]["source"] == ["%matplotlib inline\n", "import sys\n"]
    assert document["cells"][2]["source"][0] == "import os\n"
    assert document["cells"][3]["source"] == "V = " + FIXED_URL
    assert document["cells"][0] == cells[0] and document["cells"][4] == cells[4]
    assert [f.code for f in outcome.results[0].findings] == []


def test_notebook_keeps_its_own_json_layout(fixture_rule, tmp_path):
    path = tmp_path / "bot.ipynb"
    # Hand-made layout: CRLF, odd spacing, escaped non-ASCII and slashes outside the edit, a BOM.
    raw = ('{ "nbformat": 4,\r\n  "cells" : [ {"cell_type":"code", "metadata":{}, "outputs":[],\r\n'
           '   "source": ["x = \'caf\\u00e9\'\\n",  "U = ' + URL.replace('"', '\\"') + '"] ,'
           ' "execution_count": null}\r\n ],\r\n "metadata": {"a": "http:\\/\\/binance"}, "nbformat_minor": 2}\r\n')
    original = codecs.BOM_UTF8 + raw.encode()
    path.write_bytes(original)
    fix.apply_to_results([check_file(path)], settings())
    assert path.read_bytes() == original.replace(b'"U = \\"http://', b'"U = \\"https://')


def test_notebook_magic_lines_are_never_edited(fixture_rule):
    data = _notebook_text([_code(["%%time\n", "U = " + URL + "\n", "K = 'KEYHERE'\n"])]).encode()
    out = fix_source(data, "bot.ipynb")
    document = json.loads(out.data)
    # https is fine; `import os` would go before the cell magic, so that fix is refused.
    assert document["cells"][0]["source"] == ["%%time\n", "U = " + FIXED_URL + "\n", "K = 'KEYHERE'\n"]
    assert any("before a cell magic" in w for w in out.warnings)


def test_notebook_diff_is_per_cell(fixture_rule):
    data = _notebook_text([_code("import sys"), _code(["U = " + URL + "\n"])]).encode()
    out = fix_source(data, "bot.ipynb")
    assert out.diff() == (
        "--- bot.ipynb:cell 1\n+++ bot.ipynb:cell 1\n@@ -1 +1 @@\n"
        f"-U = {URL}\n+U = {FIXED_URL}\n"
    )


# --- files that cannot be fixed: reported, the run goes on ------------------------------------------


def _three_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    files = []
    for name in ("a.py", "b.py", "c.py"):
        path = tmp_path / name
        path.write_text(f"# binance\nU = {URL}\n")
        files.append(path)
    return files[0], files[1], files[2]


def test_read_only_and_vanished_files_are_reported_and_others_fixed(fixture_rule, tmp_path):
    good, read_only, vanished = _three_files(tmp_path)
    results = [check_file(p) for p in (good, read_only, vanished)]
    read_only.chmod(0o444)
    vanished.unlink()
    outcome = fix.apply_to_results(results, settings())
    assert good.read_text() == f"# binance\nU = {FIXED_URL}\n"
    assert read_only.read_text() == f"# binance\nU = {URL}\n"
    assert stat.S_IMODE(read_only.stat().st_mode) == 0o444
    assert not vanished.exists()
    assert outcome.fixed == 1 and outcome.errors == []
    assert outcome.warnings == [f"{read_only}: not fixed: the file is read-only",
                                f"{vanished}: not fixed: it vanished before it could be fixed"]
    assert [[f.code for f in r.findings] for r in outcome.results] == [[], ["BL990"], ["BL990"]]


def test_exit_status_after_a_refused_write_is_as_usual(fixture_rule, tmp_path):
    good, read_only, _ = _three_files(tmp_path)
    read_only.chmod(0o444)
    out, err = io.StringIO(), io.StringIO()
    status = run_check(CheckOptions(paths=(str(good), str(read_only)), fix=True, no_cache=True, select=("BL990",), format="json",
                                    output=out, errors=err))
    assert status == 1  # the read-only file still has its finding
    report = json.loads(out.getvalue())
    assert [(f["path"], f["code"]) for f in report["findings"]] == [(str(read_only), "BL990")]
    assert f"binlint: warning: {read_only}: not fixed: the file is read-only" in err.getvalue()
    assert good.read_text() == f"# binance\nU = {FIXED_URL}\n"


def test_text_summary_after_fix(fixture_rule, tmp_path):
    good, other, _ = _three_files(tmp_path)
    other.write_text(f"# binance\nU = {URL}\nK = 'KEYHERE'\n")
    out, err = io.StringIO(), io.StringIO()
    status = run_check(CheckOptions(paths=(str(good), str(other)), fix=True, no_cache=True, select=("BL990",), output=out, errors=err))
    assert status == 1
    text = out.getvalue()
    assert "Fixed 2 findings (1 remaining)." in text
    assert "[unsafe fix] 1 fixable with `binlint check --unsafe-fixes` (no safe fixes)." in text
    assert "0 fixable" not in text
    assert text.count("BL990") == 1 and ":3:5: BL990" in text


def test_write_refuses_a_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "bot.py"
    path.write_text("x = 1\n")
    seen = os.stat(path)
    path.write_text("x = 22\n")
    with pytest.raises(fix.Unfixable, match="changed while binlint was fixing it"):
        fix.write_atomic(str(path), b"y = 1\n", seen)
    assert path.read_text() == "x = 22\n"


def test_write_into_a_read_only_folder_is_reported(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "bot.py"
    path.write_text("x = 1\n")
    folder.chmod(0o555)
    try:
        with pytest.raises(fix.Unfixable, match="cannot write in its folder"):
            fix.write_atomic(str(path), b"y = 1\n")
    finally:
        folder.chmod(0o755)
    assert path.read_text() == "x = 1\n"


# --- --diff and stdin ---------------------------------------------------------------------------------


def test_diff_writes_nothing_and_never_shows_a_key(fixture_rule, tmp_path):
    key, other = fake_key("diff-1"), fake_key("diff-2")
    path = tmp_path / "bot.py"
    original = f"# binance\n# unrelated {other}\nKEY = '{key}'\nU = {URL}\n"
    path.write_text(original)
    outcome = fix.apply_to_results([check_file(path)], settings(), unsafe=True, diff_only=True)
    assert path.read_text() == original
    assert key not in outcome.diff and other not in outcome.diff
    assert f"-KEY = '{key[:4]}…{key[-2:]}'\n" in outcome.diff
    assert f" # unrelated {other[:4]}…{other[-2:]}\n" in outcome.diff
    assert "+KEY = os.environ[\"BINANCE_API_KEY\"]\n" in outcome.diff
    assert outcome.diff.startswith(f"--- {path}\n+++ {path}\n@@ -1,4 +1,5 @@\n")
    assert outcome.fixed == 2


def test_diff_exit_status_and_note(fixture_rule, tmp_path):
    path = tmp_path / "bot.py"
    path.write_text(f"# binance\nU = {URL}\n")
    out, err = io.StringIO(), io.StringIO()
    assert run_check(CheckOptions(paths=(str(path),), diff=True, no_cache=True, select=("BL990",), output=out, errors=err)) == 1
    assert out.getvalue() == (f"--- {path}\n+++ {path}\n@@ -1,2 +1,2 @@\n # binance\n-U = {URL}\n+U = {FIXED_URL}\n")
    assert err.getvalue() == "Would fix 1 finding.\n"
    assert path.read_text() == f"# binance\nU = {URL}\n"
    fix.apply_to_results([check_file(path)], settings())
    out = io.StringIO()
    assert run_check(CheckOptions(paths=(str(path),), diff=True, no_cache=True, select=("BL990",), output=out, errors=err)) == 0
    assert out.getvalue() == ""


def test_diff_marks_a_missing_final_newline(fixture_rule):
    out = fix_source(f"# binance\nU = {URL}")
    assert out.diff().endswith(f"-U = {URL}\n\\ No newline at end of file\n+U = {FIXED_URL}\n"
                               "\\ No newline at end of file\n")


def test_stdin_gets_the_fixed_source(fixture_rule):
    data = f"# binance\r\nU = {URL}\r\n".encode()
    result = fix.fix_bytes(data, "x.py", FileKind.PYTHON, settings()).before
    outcome = fix.apply_to_results([result], settings(), stdin_data=data, stdin_name="x.py")
    assert outcome.stdin_source == data.replace(b"http://", b"https://")
    assert outcome.fixed == 1 and outcome.results[0].findings == []
    diff = fix.apply_to_results([result], settings(), diff_only=True, stdin_data=data, stdin_name="x.py")
    assert diff.stdin_source is None and diff.diff.startswith("--- x.py\n+++ x.py\n")


def test_stdin_without_fixes_is_echoed_unchanged():
    data = b"print('nothing to fix')\n"
    outcome = fix.apply_to_results([FileResult("-")], settings(), stdin_data=data)
    assert outcome.stdin_source == data and outcome.fixed == 0


def test_files_without_applicable_fixes_are_not_read(tmp_path):
    ghost = FileResult(str(tmp_path / "gone.py"), [finding(Edit(1, 1, 1, 1, "x"), applicability=Applicability.UNSAFE)])
    outcome = fix.apply_to_results([ghost], settings(), unsafe=False)
    assert outcome.results == [ghost] and not outcome.warnings


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_internal_errors_do_not_stop_the_run(fixture_rule, tmp_path, monkeypatch):
    good, bad, _ = _three_files(tmp_path)
    real = fix.fix_bytes

    def flaky(data, path, *args, **kwargs):  # noqa: ANN001, ANN202
        if path == str(bad):
            raise RuntimeError("boom")
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(fix, "fix_bytes", flaky)
    outcome = fix.apply_to_results([check_file(good), check_file(bad)], settings())
    assert outcome.errors == [f"{bad}: internal error while fixing (RuntimeError)"]
    assert good.read_text() == f"# binance\nU = {FIXED_URL}\n"
    assert [f.code for f in outcome.results[1].findings] == ["BL990"]


def test_a_fifo_put_where_the_file_was_does_not_hang_the_fix(tmp_path):
    import threading

    from binlint.pipeline.discover import Target

    path = tmp_path / "bot.py"
    os.mkfifo(path)
    outcome: list[fix.FileFix] = []
    worker = threading.Thread(
        target=lambda: outcome.append(fix.fix_target(Target(str(path), FileKind.PYTHON), settings(), unsafe=True)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "--fix blocked on a FIFO"
    assert outcome[0].fixed == 0 and "no longer a regular file" in " ".join(outcome[0].warnings)


# --- a --fix run's checks stop after the rules that fix ------------------------------------------

ORDER_BOT = b'''import os

import requests
from binance.client import Client

BASE_URL = "http://api.binance.com"
client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])


def server_time():
    return requests.get(BASE_URL + "/api/v3/time"%s).json()


def buy():
    return client.create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=1)
'''


def _fixing(tmp_path: Path, fixing: str):  # noqa: ANN202
    from binlint.config import Config
    from binlint.pipeline.engine import RunSettings

    return RunSettings(Config(root=tmp_path), fixing=fixing)


def _codes(result: FileResult) -> list[str]:
    return [f.code for f in result.findings]


def test_a_fix_runs_check_stops_after_the_rules_with_fixes_it_applies(tmp_path):
    from dataclasses import replace

    from binlint.pipeline.engine import check_bytes

    source = ORDER_BOT % b", timeout=10"
    whole = check_bytes(source, "bot.py", FileKind.PYTHON, _fixing(tmp_path, ""))
    assert _codes(whole) == ["BL501", "BL401"] and not whole.partial
    first = check_bytes(source, "bot.py", FileKind.PYTHON, _fixing(tmp_path, "safe"))
    assert _codes(first) == ["BL501"] and first.partial  # BL401 waits for the check of the fixed text
    # A fix the run does not apply (suppressed, or unsafe without --unsafe-fixes) stops nothing.
    quiet = source.replace(b'"http://api.binance.com"', b'"http://api.binance.com"  # noqa: BL501')
    assert _codes(check_bytes(quiet, "bot.py", FileKind.PYTHON, _fixing(tmp_path, "safe"))) == ["BL401"]
    warn_unused = replace(_fixing(tmp_path, "safe"), warn_unused_ignores=True)
    assert _codes(check_bytes(quiet, "bot.py", FileKind.PYTHON, warn_unused)) == ["BL401"]  # the noqa is used
    unused = quiet.replace(b"def buy():", b"def buy():  # noqa: BL999")
    assert _codes(check_bytes(unused, "bot.py", FileKind.PYTHON, warn_unused)) == ["BL002", "BL401"]
    no_timeout = (ORDER_BOT % b"").replace(b"http://", b"https://")
    safe = check_bytes(no_timeout, "bot.py", FileKind.PYTHON, _fixing(tmp_path, "safe"))
    assert _codes(safe) == ["BL502", "BL401"] and not safe.partial
    unsafe = check_bytes(no_timeout, "bot.py", FileKind.PYTHON, _fixing(tmp_path, "unsafe"))
    assert _codes(unsafe) == ["BL502"] and unsafe.partial


def test_a_fix_not_applied_leaves_the_findings_of_a_whole_check(monkeypatch, tmp_path):
    from binlint.pipeline import fix_documents
    from binlint.pipeline.engine import check_bytes

    monkeypatch.setattr(fix_documents.SourceFile, "problem", lambda self, data, edits=(): "refused for the test")
    source = ORDER_BOT % b", timeout=10"
    settings = _fixing(tmp_path, "safe")
    before = check_bytes(source, "bot.py", FileKind.PYTHON, settings)
    assert before.partial
    out = fix.fix_bytes(source, "bot.py", FileKind.PYTHON, settings, before=before)
    assert not out.changed and out.warnings == ["bot.py:6:12: BL501 fix not applied: refused for the test"]
    assert _codes(out.result) == ["BL501", "BL401"] and not out.result.partial


def test_a_file_gone_before_its_fix_keeps_what_its_check_found(tmp_path):
    from binlint.pipeline.engine import check_target
    from binlint.pipeline.discover import Target

    path = tmp_path / "bot.py"
    path.write_bytes(ORDER_BOT % b", timeout=10")
    settings = _fixing(tmp_path, "safe")
    first = check_target(Target(str(path), FileKind.PYTHON), settings)
    assert first.partial and _codes(first) == ["BL501"]
    path.unlink()
    outcome = fix.apply_to_results([first], settings)
    assert outcome.warnings == [f"{path}: not fixed: it vanished before it could be fixed"]
    assert _codes(outcome.results[0]) == ["BL501"] and not outcome.results[0].partial


def test_a_fixed_text_parsed_whole_passes_the_nesting_guard_first() -> None:
    """Where no splice gives the fixed text's tree, the text is parsed past the nesting guard (libcst
    would overflow the C stack on it), and a text nested too deeply is not written."""
    from binlint.pipeline.fix_documents import _parse_problem

    assert _parse_problem("x = 1\n", None) is None
    deep = "x = " + "+".join(["1"] * 10_000) + "\n"
    assert _parse_problem(deep, None) == "it would leave the file nested too deeply to parse safely"
