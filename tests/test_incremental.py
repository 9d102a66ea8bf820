"""The language server's incremental parse: a spliced tree is the tree a whole parse gives.

`DocumentParser.reparse` must either give a module that renders to the new text byte
for byte and equals, node for node, what `libcst.parse_module` gives, or give None (the
caller then parses the whole text). These tests hold it to that on generated Binance
code, on real files with random edits, and check that ordinary edits are indeed
spliced (a parser that always answered None would pass the first kind).
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, strategies as st

from binlint.config import Config
from binlint.pipeline.discover import FileKind, Target
from binlint.pipeline.engine import RunSettings, check_bytes
from binlint.pipeline.fix_documents import SourceFile
from binlint.pipeline.parse.incremental import DocumentParser, PlacedLine, Splicer, placed_lines, splice_edits
from binlint.testing import fill
from tests.test_properties import MODULES, examples

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SETTINGS = RunSettings(Config(root=Path.cwd()))

CLASS_BOT = '''\
"""A bot."""

import hashlib
import hmac
import time

import requests


class Bot:
    """Trades."""

    base = "https://api.binance.com"

    def __init__(self, key: str, secret: str) -> None:
        """Keep the credentials.

        Both come from the environment.
        """
        self.key = key
        self.secret = secret
        self.session = requests.Session()

    def sign(self, params: dict) -> dict:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        params["signature"] = hmac.new(self.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        return params

    def account(self) -> dict:
        params = {
            "timestamp": int(time.time() * 1000),
            "recvWindow": 5000,
        }
        # Signed after the last change.
        signed = self.sign(params)
        response = self.session.get(self.base + "/api/v3/account", params=signed,
                                    headers={"X-MBX-APIKEY": self.key}, timeout=10)
        response.raise_for_status()
        return response.json()

    def price(self, symbol: str) -> float:
        response = self.session.get(self.base + "/api/v3/ticker/price", params={"symbol": symbol}, timeout=10)
        return float(response.json()["price"])


def main() -> None:
    bot = Bot("k", "s")
    print(bot.account())


if __name__ == "__main__":
    main()
'''

# Texts an editor produces mid-typing, and some that move statements between blocks.
PIECES = ["x", " ", "(", ")", "[", "]", "{", "}", ":", ",", "'", '"', '"""', "#", "\\", "\n", "\n    ",
          "\n        ", "    ", "\t", "\r\n", "else:\n", "elif x:\n", "try:\n", "except E:\n    pass\n",
          "if x:\n    y = 1\n", "    # note\n", "@decorator\n", "def g():\n    return 1\n", 'f"{a}"',
          "\n\n", "lambda: 0", " # binlint: ignore[BL101]", "x = {\n    'a': 1,\n}\n",
          # libcst takes these, Python's parser refuses them
          'b"\u00e9"', '"\\xZZ"', '"\\N{no such name}"']


def _parsed(source: str) -> cst.Module | None:
    try:
        return cst.parse_module(source)
    except Exception:  # noqa: BLE001 - libcst raises several types for text it cannot parse
        return None


def _assert_reparse_is_exact(parser: DocumentParser, new: str) -> bool:
    """Re-parse `new`; when it is spliced, it must be what a whole parse gives. True when spliced."""
    whole = _parsed(new)
    spliced = parser.reparse(new)
    if spliced is None:
        if whole is not None and whole.code == new:
            parser.parse(new)
        return False
    assert whole is not None, "a text the whole parser refuses was spliced"
    assert spliced.code == new
    assert spliced.deep_equals(whole)
    return True


def _edit(source: str, where: float, length: int, insert: str) -> str:
    start = int(where * len(source))
    return source[:start] + insert + source[start + length:]


EDITS = st.lists(st.tuples(st.floats(0, 1), st.integers(0, 12), st.sampled_from(PIECES)), min_size=1, max_size=6)


@examples(200)
@given(source=MODULES, edits=EDITS)
def test_spliced_trees_equal_whole_parses_on_generated_code(source: str, edits: list[tuple[float, int, str]]) -> None:
    parser = DocumentParser()
    if _parsed(source) is None:
        return
    parser.parse(source)
    for where, length, insert in edits:
        source = _edit(source, where, length, insert)
        _assert_reparse_is_exact(parser, source)


@examples(150)
@given(base=st.sampled_from(["class", "examples/good_bot.py", "examples/bad_bot.py", "binlint/frontends/lsp.py"]),
       edits=EDITS)
def test_spliced_trees_equal_whole_parses_on_real_files(base: str, edits: list[tuple[float, int, str]]) -> None:
    source = CLASS_BOT if base == "class" else fill((REPO / base).read_text(encoding="utf-8"))
    parser = DocumentParser()
    parser.parse(source)
    for where, length, insert in edits:
        source = _edit(source, where, length, insert)
        _assert_reparse_is_exact(parser, source)


def _line_edit(source: str, after: str, insert: str) -> str:
    index = source.index(after) + len(after)
    return source[:index] + insert + source[index:]


@pytest.mark.parametrize("after, insert", [
    ('            "recvWindow": 5000,\n', '            "symbol": "BTCUSDT",\n'),  # in a dict, in a method
    ("        signed = self.sign(params)\n", "        print(signed)\n"),  # a statement in a method
    ("        self.secret = secret\n", "        # a comment\n\n"),  # comment and blank line
    ("    def price(self, symbol: str) -> float:\n", "        '''Its price.\n\n        Now.\n        '''\n"),
    ('    base = "https://api.binance.com"\n', "\n    def extra(self):\n        return 1\n"),  # a method
    ("def main() -> None:\n", "    '''Run.'''\n"),  # a module-level function
    ("import time\n", "import os\n"),  # near the top
    ('    main()\n', "# the end\n"),  # at the end
    ('    main()\n', "x = 1"),  # at the end, no newline
])
def test_ordinary_edits_are_spliced(after: str, insert: str) -> None:
    parser = DocumentParser()
    parser.parse(CLASS_BOT)
    assert _assert_reparse_is_exact(parser, _line_edit(CLASS_BOT, after, insert))


@pytest.mark.parametrize("text", [CLASS_BOT.replace("\n", "\r\n"), CLASS_BOT.replace("    ", "\t")])
def test_other_newlines_and_indentation_are_spliced(text: str) -> None:
    parser = DocumentParser()
    parser.parse(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = "\t\t" if "\t" in text else "        "
    edited = _line_edit(text, f"signed = self.sign(params){newline}", f"{indent}print(signed){newline}")
    assert _assert_reparse_is_exact(parser, edited)


def test_a_new_first_line_break_inside_a_string_is_not_spliced() -> None:
    """The module's newline is its first line break, even one inside the docstring."""
    parser = DocumentParser()
    parser.parse(CLASS_BOT)
    assert not _assert_reparse_is_exact(parser, CLASS_BOT.replace('"""A bot.', '"""A\r\nbot.', 1))


def test_edits_that_move_statements_between_blocks_stay_exact() -> None:
    after = "        signed = self.sign(params)\n"
    for insert in ("print(1)\n", "    print(1)\n", "            print(1)\n", "    else:\n        pass\n",
                   "        if signed:\n", "        return signed\n    x = 1\n"):
        parser = DocumentParser()
        parser.parse(CLASS_BOT)
        _assert_reparse_is_exact(parser, _line_edit(CLASS_BOT, after, insert))


def test_a_syntax_error_keeps_the_last_good_tree_to_splice_into() -> None:
    parser = DocumentParser()
    parser.parse(CLASS_BOT)
    broken = _line_edit(CLASS_BOT, "        signed = self.sign(params)\n", "        x = (\n")
    assert parser.reparse(broken) is None
    with pytest.raises(cst.ParserSyntaxError):
        parser.parse(broken)
    repaired = _line_edit(CLASS_BOT, "        signed = self.sign(params)\n", "        x = ()\n")
    assert _assert_reparse_is_exact(parser, repaired)


def test_the_statement_table_holds_only_the_statements_of_the_tree() -> None:
    """Replaced statements leave the table (a long editing session does not grow it)."""
    parser = DocumentParser()
    text = CLASS_BOT
    parser.parse(text)
    for number in range(30):
        text = _line_edit(text, "        signed = self.sign(params)\n", f"        x{number} = {number}\n")
        module = parser.reparse(text)
        assert module is not None
    table = parser._table  # white box: what the next splice measures statements with
    assert table is not None
    assert set(table) == set(DocumentParser()._statement_table(module))


def test_prepare_measures_the_statements_before_the_next_edit() -> None:
    parser = DocumentParser()
    parser.parse(CLASS_BOT)
    assert parser._table is None  # white box: measured on the first splice, or by prepare()
    parser.prepare()
    table = parser._table
    assert table is not None and len(table) > 20
    assert _assert_reparse_is_exact(parser, _line_edit(CLASS_BOT, "        signed = self.sign(params)\n", "        y = 2\n"))
    assert parser._table is table


def test_nothing_to_splice_into_before_a_first_parse() -> None:
    assert DocumentParser().reparse(CLASS_BOT) is None


class CountingParser(DocumentParser):
    def __init__(self) -> None:
        super().__init__()
        self.spliced = 0

    def reparse(self, source: str) -> cst.Module | None:
        module = super().reparse(source)
        self.spliced += module is not None
        return module


def test_checks_with_a_document_parser_find_what_whole_checks_find() -> None:
    """The server's checks (spliced trees) and the command line's (whole parses) agree, positions too."""
    source = fill((REPO / "examples" / "bad_bot.py").read_text(encoding="utf-8"))
    lines = source.splitlines(keepends=True)
    parser = CountingParser()
    versions = [source]
    for number in range(1, len(lines), max(len(lines) // 12, 1)):
        indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
        versions.append("".join(lines[:number] + [f"{indent}# edit {number}\n"] + lines[number:]))
    for version in versions:
        data = version.encode("utf-8")
        with_parser = check_bytes(data, "bot.py", FileKind.PYTHON, SETTINGS, parser)
        whole = check_bytes(data, "bot.py", FileKind.PYTHON, SETTINGS)
        assert whole.findings and with_parser.findings == whole.findings
    assert parser.spliced >= len(versions) // 2


# --- many edits at once: the fixer's splice ---------------------------------------------------


def _apply(source: str, edits: list[tuple[int, int, str]]) -> str:
    out, position = [], 0
    for start, end, content in edits:
        out += [source[position:start], content]
        position = end
    return "".join(out) + source[position:]


def _assert_splice_is_exact(source: str, edits: list[tuple[int, int, str]]) -> bool:
    """Splice `edits` (sorted, not overlapping) into the tree of `source`; when it is spliced, it must be
    what a whole parse of the new text gives. True when spliced."""
    module = _parsed(source)
    assert module is not None
    new = _apply(source, edits)
    spliced = splice_edits(module, source, new, [(s, e, len(c)) for s, e, c in edits])
    # The same splice from the lines a check placed (found without generating the module's code).
    splicer = Splicer(module, source, _lines_placed(module, source))
    placed = splicer.splice(new, [(s, e, len(c)) for s, e, c in edits])
    assert (placed is None) == (spliced is None)
    if spliced is None:
        return False
    assert placed is not None and placed.deep_equals(spliced)
    # Python's verdict on the lines re-parsed is its verdict on the new text (the old one it takes).
    from binlint.pipeline.fix_documents import _syntax_error

    if _syntax_error(source) is None:
        assert splicer.python_verdict == (_syntax_error(new) is None)
    whole = _parsed(new)
    assert whole is not None, "a text the whole parser refuses was spliced"
    assert spliced.code == new
    assert spliced.deep_equals(whole)
    return True


def _lines_placed(module: cst.Module, source: str) -> list[PlacedLine]:
    """The simple statement lines of `module`, placed as a check places them (each asked for a position)."""
    from binlint.analysis.module import ModuleModel

    model = ModuleModel(module, "m.py", source, None)
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        if type(node) is cst.SimpleStatementLine:
            model.position(node.body[0])
        else:
            pending.extend(node.children)
    return placed_lines(module, model.placed_lines(), model.tree.parent)


def test_lines_a_check_placed_are_found_as_the_whole_table_finds_them() -> None:
    from binlint.pipeline.parse.incremental import _LineFinder, _recording_state

    for source in (CLASS_BOT, *(path.read_text() for path in sorted(EXAMPLES.rglob("*.py")))):
        module = _parsed(source)
        assert module is not None
        state = _recording_state(module, ())
        module._codegen(state)
        finder = _LineFinder(module, state.table())
        lines = _lines_placed(module, source)
        assert lines
        for start, end, path, indent, _ in lines:
            assert finder.find(start, start) == (path, indent, start, end)
            assert finder.find(end - 1, end) == (path, indent, start, end)


def _spread(source: str, edits: list[tuple[float, int, str]]) -> list[tuple[int, int, str]]:
    """Random edits made non-overlapping: sorted by start, each cut short of the next."""
    placed = sorted((int(where * len(source)), length, insert) for where, length, insert in edits)
    out: list[tuple[int, int, str]] = []
    for index, (start, length, insert) in enumerate(placed):
        if out and start < out[-1][1]:
            continue
        limit = placed[index + 1][0] if index + 1 < len(placed) else len(source)
        out.append((start, min(start + length, limit, len(source)), insert))
    return out


@examples(200)
@given(source=MODULES, edits=EDITS)
def test_spliced_fixes_equal_whole_parses_on_generated_code(source: str, edits: list[tuple[float, int, str]]) -> None:
    if _parsed(source) is None:
        return
    _assert_splice_is_exact(source, _spread(source, edits))


@examples(150)
@given(base=st.sampled_from(["class", "examples/good_bot.py", "examples/bad_bot.py", "binlint/frontends/lsp.py"]),
       edits=EDITS)
def test_spliced_fixes_equal_whole_parses_on_real_files(base: str, edits: list[tuple[float, int, str]]) -> None:
    source = CLASS_BOT if base == "class" else fill((REPO / base).read_text(encoding="utf-8"))
    _assert_splice_is_exact(source, _spread(source, edits))


def _after(source: str, text: str, content: str, replace: int = 0) -> tuple[int, int, str]:
    index = source.index(text) + len(text)
    return index, index + replace, content


@pytest.mark.parametrize("text", [CLASS_BOT, CLASS_BOT.replace("\n", "\r\n"), CLASS_BOT.replace("    ", "\t")])
def test_fixes_in_simple_statements_are_spliced(text: str) -> None:
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = "\t" if "\t" in text else "    "
    edits = [
        _after(text, "import hmac" + newline, "import os" + newline),  # an import, at a line's start
        _after(text, '"recvWindow": 5000,', " # kept"),  # in a dict, in a method
        _after(text, "signed = self.sign(params", ", now=True"),  # in a call
        _after(text, 'params={"symbol": symbol}, timeout=', "5", replace=2),  # a replacement
        _after(text, "bot = Bot(", '"k2"', replace=3),  # in a module-level function
        _after(text, "self.secret = secret" + newline, f"{indent * 2}self.extra = 1{newline}"),  # a new line
    ]
    assert _assert_splice_is_exact(text, sorted(edits))


def test_a_line_moved_off_its_block_indentation_is_not_spliced() -> None:
    """Re-parsed lines are not rendered back to compare: the block they parse in must have their
    block's indentation, or the tree would not be the text (here a whole parse refuses it)."""
    source = "def a():\n    x = 1\n    y = 2\n\n\ndef b():\n\tz = 3\n"
    for edit in ((source.index("    y"), source.index("    y"), "  "),  # deeper: an unexpected indent
                 (source.index("\tz"), source.index("\tz") + 1, "        ")):  # spaces for the tab
        assert not _assert_splice_is_exact(source, [edit])


def test_many_fixes_in_a_generated_module_are_spliced() -> None:
    from bench.scaling import module_source

    source = module_source("signed", 20)
    needle = '"timestamp": int(time.time() * 1000)'
    edits, index = [], source.find(needle)
    while index >= 0:
        edits.append((index + len(needle), index + len(needle), ', "recvWindow": 5000'))
        index = source.find(needle, index + 1)
    assert len(edits) == 20 and _assert_splice_is_exact(source, edits)


def test_the_check_of_a_spliced_fix_skips_the_whole_text_nesting_guard(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """The fixer's check of its fixed text takes the spliced tree without guarding the whole text again
    (the re-parsed lines were guarded at their depth); a tree parsed whole is still guarded."""
    from bench.scaling import module_source
    from binlint.pipeline import engine, fix, fix_documents
    from binlint.pipeline.parse import reuse

    source = module_source("signed", 5)
    guarded: list[str] = []
    real = engine.too_deep
    monkeypatch.setattr(engine, "too_deep", lambda text, outline=None: guarded.append(text) or real(text, outline))
    settings = RunSettings(Config(root=tmp_path))
    reuse.holding(True)
    try:
        before = check_bytes(source.encode(), "m.py", FileKind.PYTHON, settings)
        out = fix.fix_bytes(source.encode(), "m.py", FileKind.PYTHON, settings, before=before)
        fixed = out.data.decode()
        assert out.fixed == 5 and fixed.count('"recvWindow": 5000') == 5 and not out.result.findings
        assert guarded == [source]  # the original only
        # Parsed whole (no tree to splice into), the fixed text is guarded by the check.
        guarded.clear()
        reuse.release_held()
        assert fix_documents._parse_problem(fixed, None) is None
        assert check_bytes(fixed.encode(), "m.py", FileKind.PYTHON, settings).parsed
        assert guarded == [fixed]
    finally:
        reuse.holding(False)


def _held_document(source: str, tmp_path: Path) -> SourceFile:
    """A fixer's document of `source`, after a check that held its tree (as `--fix` runs)."""
    from binlint.pipeline.parse import reuse

    reuse.holding(True)
    assert check_bytes(source.encode(), "m.py", FileKind.PYTHON, RunSettings(Config(root=tmp_path))).findings
    return SourceFile(source.encode(), python=True)


def test_python_judges_only_the_lines_a_splice_re_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A spliced fix is judged by Python's parser on the lines the splice re-parsed (each in the block
    it was parsed in), not on the whole text; a line Python refuses (libcst takes it) is refused at its line."""
    from bench.scaling import module_source
    from binlint.pipeline import fix_documents
    from binlint.pipeline.fix_documents import Placed
    from binlint.pipeline.parse import reuse

    source = module_source("signed", 6)
    judged: list[str] = []
    real = fix_documents._syntax_error
    monkeypatch.setattr(fix_documents, "_syntax_error", lambda text: judged.append(text) or real(text))
    try:
        document = _held_document(source, tmp_path)
        edits = [Placed(0, m.start(), m.end(), '"SELL"') for m in re.finditer('"BUY"', source)][1:4]
        fixed = fix_documents.apply_edits(source, edits)
        assert document.problem(fixed.encode(), edits) is None
        assert len(judged) == 3 and all(len(text) < 400 and '"SELL"' in text for text in judged)
        assert document.reopen(fixed.encode())._ast_parses()  # the original parsed: so does the fixed text

        wrong = [Placed(0, edits[1].start, edits[1].end, 'b"\u00e9"')]  # bytes of a non-ASCII character
        refused = document.problem(fix_documents.apply_edits(source, wrong).encode(), wrong)
        line = source.count("\n", 0, edits[1].start) + 1
        assert refused == f"it would leave the file unparsable (line {line}: bytes can only contain ASCII literal characters)"
    finally:
        reuse.holding(False)


def test_lines_python_takes_do_not_vouch_for_a_text_it_refused_before(tmp_path: Path) -> None:
    """A text Python refuses elsewhere (libcst takes it) is still fixed (the fix did not break it),
    and the next round does not take the fixed text for one Python's parser takes."""
    from bench.scaling import module_source
    from binlint.pipeline import fix_documents
    from binlint.pipeline.fix_documents import Placed
    from binlint.pipeline.parse import reuse

    source = module_source("signed", 6).replace('BASE_URL = "', 'BAD = "\\xZZ"\nBASE_URL = "', 1)
    assert fix_documents._syntax_error(source) is not None and _parsed(source) is not None
    try:
        document = _held_document(source, tmp_path)
        edits = [Placed(0, m.start(), m.end(), '"SELL"') for m in re.finditer('"BUY"', source)][2:3]
        fixed = fix_documents.apply_edits(source, edits)
        assert document.problem(fixed.encode(), edits) is None
        assert not document.reopen(fixed.encode())._ast_parses()
    finally:
        reuse.holding(False)


@pytest.mark.parametrize("after, insert", [
    ("        signed = self.sign(params)\n", "        if signed:\n"),  # opens a block
    ("        signed = self.sign(params)\n", "    else:\n        pass\n"),  # a clause of no statement
    ("        signed = self.sign(params)\n", "        x = (\n"),  # a bracket left open
    ("        signed = self.sign(params)\n", "print(1)\n"),  # out of the block
    ("        signed = self.sign(params)\n", "            print(1)\n"),  # an unexpected indent
    ("class Bot", "(object)"),  # the header of a compound statement
    ('"""A bot."""\n', "from __future__ import annotations\n"),  # the parser reads future imports
    ('    main()\n', "x = 1\n"),  # past the last statement
    ("", "\n"),  # above the first statement: the module's header
    ("        return params\n", "        print(1)\n"),  # after a block's last line: in that block or the next?
])
def test_edits_a_splice_cannot_vouch_for_are_left_to_the_whole_parse(after: str, insert: str) -> None:
    index = CLASS_BOT.index(after) + len(after)
    assert not _assert_splice_is_exact(CLASS_BOT, [(index, index, insert)])


def test_the_tree_held_for_the_fixer_outlives_files_that_build_none(tmp_path: Path) -> None:
    """`--fix` splices into the tree of the file checked last with edits: a config or text file
    checked after it (no tree of its own) keeps it held; the next Python file's parse drops it."""
    from bench.scaling import module_source
    from binlint.pipeline.parse import reuse

    source = module_source("signed", 3)
    settings = RunSettings(Config(root=tmp_path))
    reuse.holding(True)
    try:
        assert check_bytes(source.encode(), "m.py", FileKind.PYTHON, settings).findings
        check_bytes(b"[tool.binlint]\nselect = ['BL']\n", "pyproject.toml", FileKind.TEXT, settings)
        check_bytes(b"print('no exchange here')\n", "other.py", FileKind.PYTHON, settings)  # gated out: no parse
        held = reuse.held(source)
        assert held is not None and held[0].code == source
        check_bytes(source.encode(), "m.py", FileKind.PYTHON, settings)
        check_bytes(b"import requests\nrequests.get('https://api.binance.com/api/v3/time', timeout=5)\n",
                    "time.py", FileKind.PYTHON, settings)  # parsed: the tree held before goes
        assert reuse.held(source) is None
    finally:
        reuse.holding(False)


def test_the_tree_held_for_the_fixer_is_left_out_of_the_young_pass(tmp_path: Path) -> None:
    """The young-generation pass that ends a check frees the analysis's cycles; a tree held for
    `--fix` is set aside once parsed, so the pass does not scan it (a second of a 1.4 MB module's
    run): it ends in the oldest generation, and nothing stays frozen."""
    import gc

    from bench.scaling import module_source
    from binlint.pipeline.parse import reuse

    source = module_source("signed", 3)
    passes: list[int] = []

    def young_pass(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 0:
            passes.append(info["collected"])

    gc.callbacks.append(young_pass)
    reuse.holding(True)
    try:
        assert check_bytes(source.encode(), "m.py", FileKind.PYTHON, RunSettings(Config(root=tmp_path))).findings
        held = reuse.held(source)
        assert held is not None
        module = held[0]
        assert passes and passes[-1] > 0  # the analysis's cycles were freed
        assert gc.get_freeze_count() == 0
        young = {id(o) for generation in (0, 1) for o in gc.get_objects(generation)}
        assert id(module) not in young and id(module.body[-1]) not in young
        assert any(o is module for o in gc.get_objects(2))
    finally:
        reuse.holding(False)
        gc.callbacks.remove(young_pass)


def test_with_fix_the_largest_file_is_checked_last(tmp_path: Path) -> None:
    """In a run in one process the tree held for `--fix` is the last file's: the largest goes last;
    results still come in the order of the targets."""
    from binlint.pipeline.engine import map_targets
    from binlint.pipeline.parse import reuse

    targets = []
    for name, size in (("a.py", 300), ("b.py", 10), ("c.py", 100)):
        (tmp_path / name).write_text("#" * size)
        targets.append(Target(str(tmp_path / name), FileKind.PYTHON))
    checked: list[str] = []

    def check(target: Target, settings: RunSettings) -> str:
        checked.append(Path(target.path).name)
        return Path(target.path).name

    settings = RunSettings(Config(root=tmp_path))
    assert list(map_targets(check, targets, settings, 1)) == ["a.py", "b.py", "c.py"] == checked
    checked.clear()
    reuse.holding(True)
    try:
        assert list(map_targets(check, targets, settings, 1)) == ["a.py", "b.py", "c.py"]
    finally:
        reuse.holding(False)
    assert checked == ["b.py", "c.py", "a.py"]


# --- many lines re-parsed by one libcst parse -------------------------------------------------

# A module of blocks at several depths (a class, methods, loops, branches) whose simple statement
# lines the tests below rewrite; each line is one of its statements with a leading comment or not.
_NESTED = '''\
import time


class Client:
    """A client."""

    def __init__(self, key):
        self.key = key
        self.calls = 0

    def send(self, symbol, quantity):
        for attempt in range(3):
            params = {"symbol": symbol, "quantity": quantity,
                      "timestamp": int(time.time() * 1000)}
            # the body
            body = "&".join(f"{k}={v}" for k, v in params.items())
            if attempt:
                time.sleep(2 ** attempt)
                self.calls += 1
            else:
                self.calls = 0
        return body


def helper(values):
    total = 0
    for value in values:
        total += value
        while total > 10:
            total -= 10
    return total
'''

# What a fixed line may become: each keeps the line's indentation (`{i}`) and statement (`{s}`).
_REWRITES = [
    "{i}{s}  # fixed\n",
    "{i}{s}\n{i}checked = True\n",
    "{i}# a comment\n{i}{s}\n",
    "{i}{s}; done = 1\n",
    "{i}x = (1,\n{i}     2)\n{i}{s}\n",
    "{i}{s}\n\n",
    "{i}note = \"\"\"a\n  b\"\"\"\n{i}{s}\n",
    "{i}{s} \\\n{i}    + 0\n",
    "{i}y = {{\n{i}}}\n",
    "{i}{s}\n# at column 0\n",
    "{i}{s}\nz = 0\n",
    "{i}return\n",
    "{i}{s}\n  {i}z = 1\n",
    "{i}x = 1 +\n",
    "{i}s = '''\n",
]


def _simple_lines(source: str) -> list[tuple[int, int, str, str]]:
    """(start, end, indentation, code without leading comment lines or indentation) of each simple
    statement line of `source` but the first."""
    module = _parsed(source)
    assert module is not None
    found = []
    for start, end, _, _, _ in _lines_placed(module, source):
        lines = source[start:end].splitlines(keepends=True)
        while lines[0].strip().startswith("#") or not lines[0].strip():
            lines.pop(0)
        indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
        found.append((start, end, indent, "".join(lines)[len(indent):].rstrip("\n")))
    return found


@examples(150)
@given(chosen=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(_REWRITES)), min_size=1, max_size=14))
def test_lines_re_parsed_together_give_the_whole_parse(chosen: list[tuple[int, str]]) -> None:
    """Fixes rewriting many lines (several in a block, in blocks at other depths, some that Python or
    libcst refuse there) are spliced into what a whole parse gives, or not spliced."""
    lines = _simple_lines(_NESTED)
    edits: dict[int, tuple[int, int, str]] = {}
    for index, rewrite in chosen:
        start, end, indent, statement = lines[index % len(lines)]
        edits[start] = (start, end, rewrite.format(i=indent, s=statement))
    _assert_splice_is_exact(_NESTED, sorted(edits.values()))


def test_lines_of_many_fixes_are_re_parsed_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.scaling import module_source
    from binlint.pipeline.parse import incremental

    source = module_source("signed", 40)
    needle = '"timestamp": int(time.time() * 1000)'
    edits = [(m.end(), m.end(), ', "recvWindow": 5000') for m in re.finditer(re.escape(needle), source)]
    parses: list[str] = []
    real = incremental.parse_module
    monkeypatch.setattr(incremental, "parse_module", lambda text: parses.append(text) or real(text))
    assert len(edits) == 40 and _assert_splice_is_exact(source, edits)  # splices twice (see there)
    # 40 lines, BATCH to a parse, in the splice without the lines a check placed; the splice from them
    # builds these lines from their old nodes (`appended`, tested in test_appended.py).
    assert len(parses) == -(-40 // incremental.BATCH)


def test_a_line_python_refuses_is_re_parsed_alone_and_judged() -> None:
    """A rewritten line libcst takes but Python refuses is not parsed with the others: the others are
    still batched, the splice holds, and Python's verdict on the lines is a refusal."""
    lines = _simple_lines(_NESTED)
    edits = [(start, end, f"{indent}{statement}  # ok\n") for start, end, indent, statement in lines]
    refused = next(i for i, (_, _, _, s) in enumerate(lines) if s.startswith("self.calls = 0"))
    start, end, indent, _ = lines[refused]
    edits = [e for e in edits if e[0] != start] + [(start, end, f'{indent}self.calls = b"\u00e9"\n')]
    module = _parsed(_NESTED)
    assert module is not None
    new = _apply(_NESTED, sorted(edits))
    splicer = Splicer(module, _NESTED, _lines_placed(module, _NESTED))
    spliced = splicer.splice(new, [(s, e, len(c)) for s, e, c in sorted(edits)])
    whole = _parsed(new)
    assert spliced is not None and whole is not None and spliced.deep_equals(whole)
    assert splicer.python_verdict is False


def test_a_string_opened_in_one_line_and_closed_in_another_is_not_spliced() -> None:
    """Two rewritten lines that make sense only together (a string one opens and the next closes) are
    not parsed as one: each is judged alone, and the splice gives way to a whole parse."""
    lines = [(s, e, i, t) for s, e, i, t in _simple_lines(_NESTED) if i == " " * 16]
    (s1, e1, i1, _), (s2, e2, i2, _) = lines[0], lines[1]
    edits = [(s1, e1, f'{i1}x = """\n'), (s2, e2, f'{i2}"""\n')]
    assert not _assert_splice_is_exact(_NESTED, edits)
    # Parsed together, these would even come out as two texts of the right shape (the second's own
    # `if` headers taking the place of the ones the string swallowed), but not as the two lines.
    headers = "".join(" " * (4 * depth) + "if 1:\n" for depth in range(4))
    edits = [(s1, e1, f'{i1}x = """\n'), (s2, e2, f'{i2}"""\n{headers}{i2}pass\n')]
    assert not _assert_splice_is_exact(_NESTED, edits)
