"""The language server, driven over stdio by a real LSP client (pytest-lsp)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from binlint.frontends.lsp import Checked, Positions, code_actions, ignore_edit
from binlint.model import Applicability, Edit, Fix, Finding, Severity
from binlint.rules import get_rule
from binlint.testing import fake_key
from tests.helpers import BINLINT, run_cli

needs_bl101 = pytest.mark.skipif(get_rule("BL101") is None, reason="BL101 (hard-coded API key) is not written yet")
HEADER = "from binance.client import Client\n\n"
SERVER = ClientServerConfig(server_command=[BINLINT, "lsp"])


# --- a client session per module, and one with a baseline ----------------------------------


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient) -> Any:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        initialization_options={"debounce": 0.05},
    ))
    yield
    await lsp_client.shutdown_session()


async def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll until `condition()` is truthy (the server answers asynchronously)."""
    for _ in range(int(timeout / 0.02)):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def diagnostics(client: LanguageClient, uri: str, predicate: Callable[[Sequence[types.Diagnostic]], bool]
                      ) -> Sequence[types.Diagnostic]:
    def ready() -> Any:
        found = client.diagnostics.get(uri)
        return found if found is not None and predicate(found) else None

    await wait_for(lambda: ready() is not None, f"diagnostics of {uri}")
    return client.diagnostics[uri]


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def offset(text: str, position: types.Position) -> int:
    """The string index of an LSP position (UTF-16 units, as VS Code counts)."""
    lines = text.splitlines(keepends=True)
    before = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return before + index
        units += 2 if ord(char) > 0xFFFF else 1
    return before + len(line)


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    spans = sorted(((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


async def actions_at(client: LanguageClient, uri: str, diagnostic: types.Diagnostic,
                     only: list[str] | None = None) -> Sequence[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic], only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


# --- end to end ------------------------------------------------------------------------------


@needs_bl101
@pytest.mark.asyncio(loop_scope="module")
async def test_hard_coded_key_diagnostic_and_its_fix(client: LanguageClient, tmp_path: Path) -> None:
    key = fake_key("lsp-fix")
    text = HEADER + f'client = Client("{key}", "x")\n'
    uri = open_document(client, tmp_path / "bot.py", text)
    found = await diagnostics(client, uri, lambda d: any(x.code == "BL101" for x in d))
    [diag] = [d for d in found if d.code == "BL101"]
    assert diag.source == "binlint" and diag.severity == types.DiagnosticSeverity.Error
    assert (diag.range.start.line, diag.range.start.character) == (2, 16)
    assert (diag.range.end.line, diag.range.end.character) == (2, 16 + 66)
    assert key not in diag.message and "revoke" in diag.message

    actions = await actions_at(client, uri, diag)
    [fix] = [a for a in actions if a.title.startswith("BL101")]
    assert fix.kind == types.CodeActionKind.QuickFix and not fix.is_preferred  # an unsafe fix
    assert fix.edit is not None and fix.edit.changes is not None
    fixed = apply(text, fix.edit.changes[uri])
    assert fixed == 'import os\nfrom binance.client import Client\n\nclient = Client(os.environ["BINANCE_API_KEY"], "x")\n'
    assert key not in json.dumps([a.title for a in actions])

    replace_text(client, uri, fixed, 2)
    await diagnostics(client, uri, lambda d: not any(x.code == "BL101" for x in d))


@needs_bl101
@pytest.mark.asyncio(loop_scope="module")
async def test_ignore_this_line_silences_the_finding(client: LanguageClient, tmp_path: Path) -> None:
    text = HEADER + f'API_KEY = "{fake_key("lsp-ignore")}"  # noqa: E501\n'
    uri = open_document(client, tmp_path / "ignored.py", text)
    [diag] = await diagnostics(client, uri, lambda d: len(d) == 1)
    [ignore] = [a for a in await actions_at(client, uri, diag) if a.title == "Ignore BL101 on this line"]
    assert ignore.edit is not None and ignore.edit.changes is not None
    silenced = apply(text, ignore.edit.changes[uri])
    assert silenced.splitlines()[2].endswith('"  # noqa: E501  # binlint: ignore[BL101]')
    replace_text(client, uri, silenced, 2)
    await diagnostics(client, uri, lambda d: len(d) == 0)


@needs_bl101
@pytest.mark.asyncio(loop_scope="module")
async def test_typing_a_key_and_saving_and_closing(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "typing.py", HEADER)
    await diagnostics(client, uri, lambda d: len(d) == 0)
    for version in range(2, 6):  # several quick edits: only the result of the last one matters
        replace_text(client, uri, HEADER + f'API_KEY = "{fake_key(version)}"\n', version)
    [diag] = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert diag.code == "BL101" and diag.range.start.line == 2
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await diagnostics(client, uri, lambda d: len(d) == 0)


LONG_DOCUMENT = HEADER + "".join(f'''
def price_{n}(client: Client, symbol: str) -> float:
    """The price of `symbol`, number {n}."""
    ticker = client.get_symbol_ticker(symbol=symbol)
    value = ticker["price"]
    return float(value)
''' for n in range(40))


def insert_at(client: LanguageClient, uri: str, line: int, text: str, version: int) -> None:
    """A keystroke-sized change, as editors send them: `text` inserted at the start of `line`."""
    start = types.Position(line=line, character=0)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=start, end=start),
                                                                text=text)]))


@needs_bl101
@pytest.mark.asyncio(loop_scope="module")
async def test_edits_inside_a_function_of_a_long_document(client: LanguageClient, tmp_path: Path) -> None:
    """Range changes in the middle of a module (the server re-parses only what they touch)."""
    uri = open_document(client, tmp_path / "long.py", LONG_DOCUMENT)
    await diagnostics(client, uri, lambda d: len(d) == 0)
    lines = LONG_DOCUMENT.splitlines()
    target = lines.index("def price_20(client: Client, symbol: str) -> float:") + 3  # after `ticker = ...`
    insert_at(client, uri, target, f'    api_key = "{fake_key("long")}"\n', 2)
    [diag] = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert diag.code == "BL101" and diag.range.start.line == target
    insert_at(client, uri, 10, "\n\n", 3)  # two lines above it, in another function
    [diag] = await diagnostics(client, uri, lambda d: len(d) == 1 and d[0].range.start.line == target + 2)
    insert_at(client, uri, target + 2, "    # binlint: ignore[BL101]\n", 4)
    await diagnostics(client, uri, lambda d: len(d) == 0)


@needs_bl101
@pytest.mark.asyncio(loop_scope="module")
async def test_positions_count_utf16_units(client: LanguageClient, tmp_path: Path) -> None:
    text = HEADER + f'note = "\U0001F680"; API_KEY = "{fake_key("utf16")}"\n'
    uri = open_document(client, tmp_path / "emoji.py", text)
    [diag] = await diagnostics(client, uri, lambda d: len(d) == 1)
    # `note = "🚀"; API_KEY = ` is 22 code points; the rocket takes two UTF-16 units.
    assert diag.range.start.character == 23


@needs_bl101
@pytest.mark.asyncio(loop_scope="module")
async def test_config_of_the_documents_folder_is_honoured(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.binlint]\nignore = ["BL101"]\n')
    (tmp_path / "pkg").mkdir()
    text = HEADER + f'API_KEY = "{fake_key("config")}"\nprint "py2"\n'
    uri = open_document(client, tmp_path / "pkg" / "bot.py", text)
    found = await diagnostics(client, uri, lambda d: len(d) > 0)
    assert [d.code for d in found] == ["BL001"]
    # A config edited while the document is open applies from the next save.
    (tmp_path / "pyproject.toml").write_text('[tool.binlint]\nignore = ["BL101", "BL001"]\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await diagnostics(client, uri, lambda d: len(d) == 0)


@pytest.mark.skipif(get_rule("BL501") is None, reason="BL501 (insecure transport) is not written yet")
@pytest.mark.asyncio(loop_scope="module")
async def test_fix_all_applies_every_safe_fix(client: LanguageClient, tmp_path: Path) -> None:
    text = ('import requests\n\nBASE = "http://api.binance.com"\n'
            'r = requests.get("http://api.binance.com/api/v3/time", timeout=5)\n')
    uri = open_document(client, tmp_path / "transport.py", text)
    found = await diagnostics(client, uri, lambda d: len(d) == 2)
    assert {d.code for d in found} == {"BL501"}
    actions = await actions_at(client, uri, found[0], only=["source.fixAll"])
    [fix_all] = actions
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    fixed = apply(text, fix_all.edit.changes[uri])
    assert "http://" not in fixed and fixed.count("https://api.binance.com") == 2
    replace_text(client, uri, fixed, 2)
    await diagnostics(client, uri, lambda d: len(d) == 0)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_syntax_error_is_marked_on_its_line(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "broken.py", "import binance\nprint 'x'\n")
    [diag] = await diagnostics(client, uri, lambda d: len(d) == 1)
    assert diag.code == "BL001" and diag.severity == types.DiagnosticSeverity.Warning
    assert diag.range.start.line == 1 and diag.range.end.character > 0  # a point becomes the rest of the line


def test_no_key_in_anything_the_server_said(client: LanguageClient) -> None:
    said = json.dumps([str(m) for m in client.log_messages + client.messages]
                      + [d.message for ds in client.diagnostics.values() for d in ds])
    for seed in ("lsp-fix", "lsp-ignore", "utf16", "config", 2, 3, 4, 5):
        assert fake_key(seed) not in said


# --- a server with a baseline (initializationOptions) ---------------------------------------


@needs_bl101
@pytest.mark.asyncio
async def test_baseline_from_initialization_options(tmp_path: Path) -> None:
    old, new = fake_key("recorded"), fake_key("brand-new")
    bot = tmp_path / "bot.py"
    bot.write_text(HEADER + f'API_KEY = "{old}"\n')
    assert run_cli("check", "--no-cache", ".", "--update-baseline", "base.json", cwd=tmp_path).returncode == 0
    lsp_client = await SERVER.start()
    assert isinstance(lsp_client, LanguageClient)
    try:
        await lsp_client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("neovim"), root_uri=tmp_path.as_uri(),
            initialization_options={"baseline": "base.json"}))
        text = "\n\n" + HEADER + f'API_KEY = "{old}"\nBINANCE_API_KEY = "{new}"\n'
        uri = open_document(lsp_client, bot, text)
        [diag] = await diagnostics(lsp_client, uri, lambda d: len(d) == 1)
        assert diag.range.start.line == 5  # the new key; the recorded one moved but stays hidden
        await lsp_client.shutdown_session()
    finally:
        await lsp_client.stop()


# --- the parts behind the actions --------------------------------------------------------------


def finding(line: int = 3, **changes: Any) -> Finding:
    values: dict[str, Any] = dict(path="bot.py", line=line, column=5, end_line=line, end_column=9, code="BL501",
                                  name="insecure-transport", severity=Severity.ERROR, message="m", fix=Fix("f"))
    values.update(changes)
    return Finding(**values)


def ignored(text: str, found: Finding, python: bool = True) -> str | None:
    edit = ignore_edit(text, found, python)
    if edit is None:
        return None
    positions = Positions(text, "utf-16")
    return apply(text, [positions.edit(edit)])


def test_ignore_extends_an_existing_ignore_list() -> None:
    text = "a = 1\nb = 2\nurl = 'x'  # binlint: ignore[BL302]\n"
    assert ignored(text, finding()) == "a = 1\nb = 2\nurl = 'x'  # binlint: ignore[BL302,BL501]\n"
    assert ignored("a\nb\nurl = 'x'  # binlint: ignore[BL501]\n", finding()) is None


def test_ignore_never_lands_inside_a_string_or_after_a_backslash() -> None:
    text = 'a = 1\nb = 2\nx = f("""\n  {url}\n""")\n'
    # The finding starts inside the string's lines but ends after it: the end line takes the comment.
    assert ignored(text, finding(line=3, end_line=5)) == 'a = 1\nb = 2\nx = f("""\n  {url}\n""")  # binlint: ignore[BL501]\n'
    text = "a = 1\nb = 2\nx = url + \\\n    other\n"
    assert ignored(text, finding(line=3, end_line=3)) == "a = 1\nb = 2\n# binlint: ignore[BL501]\nx = url + \\\n    other\n"


def test_ignore_in_text_files_uses_the_line_above() -> None:
    text = "[binance]\nkey = abc\n  secret = xyz\n"
    assert ignored(text, finding(path="app.ini"), python=False) == \
        "[binance]\nkey = abc\n  # binlint: ignore[BL501]\n  secret = xyz\n"
    assert ignored('{"a": 1}\n', finding(path="keys.json", line=1, end_line=1), python=False) is None


def test_fix_all_takes_each_safe_edit_once() -> None:
    text = "import os\nx = 1\nurl = 'http://api.binance.com'\nother = 'http://api.binance.com'\n"
    safe = Applicability.SAFE
    import_edit = Edit(1, 1, 1, 1, "import ssl\n")
    findings = (
        finding(line=3, fix=Fix("https", safe, (Edit(3, 8, 3, 12, "https"), import_edit))),
        finding(line=4, fix=Fix("https", safe, (Edit(4, 10, 4, 14, "https"), import_edit))),
        finding(line=4, code="BL502", fix=Fix("timeout", Applicability.UNSAFE, (Edit(4, 1, 4, 6, "x"),))),
    )
    checked = Checked(1, text, True, findings)
    positions = Positions(text, "utf-16")
    actions = code_actions("file:///bot.py", checked, positions, 1, 10, ["source.fixAll"])
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.binlint"
    assert fix_all.edit is not None and fix_all.edit.changes is not None
    assert apply(text, fix_all.edit.changes["file:///bot.py"]) == (
        "import ssl\nimport os\nx = 1\nurl = 'https://api.binance.com'\nother = 'https://api.binance.com'\n")
    quick = code_actions("file:///bot.py", checked, positions, 4, 4, None)
    titles = [a.title for a in quick]
    assert titles == ["BL501: https", "Ignore BL501 on this line", "BL502: timeout (unsafe fix)",
                      "Ignore BL502 on this line"]
    assert [a.is_preferred for a in quick] == [True, None, False, None]


def test_edits_that_would_show_a_key_are_not_offered() -> None:
    key = fake_key("edit")
    leaky = finding(secrets=(key,), fix=Fix("f", Applicability.SAFE, (Edit(3, 1, 3, 2, key),)))
    checked = Checked(1, "a\nb\nc = 1\n", True, (leaky,))
    actions = code_actions("file:///bot.py", checked, Positions(checked.text, None), 1, 5, None)
    assert [a.title for a in actions] == ["Ignore BL501 on this line"]
    assert key not in repr(actions)


# --- the project index ------------------------------------------------------------------------


@pytest.mark.asyncio(loop_scope="module")
async def test_project_index_follows_other_modules_and_their_saves(client: LanguageClient, tmp_path: Path):
    """A module that uses a client built in another module is judged with the project's index;
    when the other module is saved with a change, the open dependant is checked again."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'bot'\n")
    exchange = tmp_path / "exchange.py"
    exchange.write_text("import os\n\nfrom binance.client import Client\n\n\ndef get_client():\n"
                        "    return Client(os.environ['K'], os.environ['S'])\n")
    trader = tmp_path / "trader.py"
    text = ("from exchange import get_client\n\n\ndef buy(quantity):\n"
            "    return get_client().order_market_buy(symbol='BTCUSDT', quantity=quantity)\n")
    trader.write_text(text)
    uri = open_document(client, trader, text)
    found = await diagnostics(client, uri, lambda d: any(x.code == "BL401" for x in d))
    assert [d.range.start.line for d in found if d.code == "BL401"] == [4]
    # get_client() now returns a paper-trading stand-in: no Binance order in trader.py any more.
    exchange.write_text("class Paper:\n    def order_market_buy(self, **params):\n        return params\n\n\n"
                        "def get_client():\n    return Paper()\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=exchange.as_uri())))
    await diagnostics(client, uri, lambda d: not d)
