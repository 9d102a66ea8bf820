"""No output binlint makes ever holds a key, a secret or a private key.

Sources full of credentials (fakes made at run time) go through every output: each
`--format` in `binlint.report.FORMATS`, `--statistics` and `--quiet`, a baseline file,
the result cache on disk, `--diff`, `--fix` (its messages), error messages (usage,
config, baseline, internal errors), `binlint history` (every format, its baseline) and
the language server's diagnostics, code actions and messages. Each output is searched for any 12-character piece of any
credential: only the redacted form (first 4 and last 2 characters) may appear.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterable

import pytest
import pytest_lsp
from hypothesis import HealthCheck, given, settings, strategies as st
from lsprotocol import types
from lsprotocol.converters import get_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from binlint.model import Applicability, Finding, Fix, Severity, scrub
from binlint.frontends.history.report import FORMATS as HISTORY_FORMATS
from binlint.report import FORMATS
from binlint.testing import fake_key, fake_pem
from tests.helpers import BINLINT

WINDOW = 12  # the longest piece of a credential any output may show is 4 characters

KEYS = [fake_key(f"redaction-{i}") for i in range(16)]
PEM = fake_pem("redaction")  # written into Python source: its line breaks are `\n` escapes
PEM_BODY = PEM.split("\\n")[1]
PEM_TEXT = PEM.replace("\\n", "\n")  # the same block with real line breaks, for text files
SECRETS = [*KEYS, PEM_BODY]

BOT = f'''import hmac, hashlib, logging, os, time
import requests
from binance.client import Client

api_key = "{KEYS[0]}"
api_secret = "{KEYS[1]}"
client = Client("{KEYS[2]}", "{KEYS[3]}")
PRIVATE_KEY = "{PEM}"
headers = {{"X-MBX-APIKEY": "{KEYS[4]}"}}
secret = os.getenv("BINANCE_API_SECRET", "{KEYS[5]}")
print(api_secret)
logging.info("using key %s", api_key)
signature = hmac.new(b"{KEYS[6]}", b"symbol=BTCUSDT", hashlib.sha256).hexdigest()
raise RuntimeError(f"bad secret {{api_secret}}")
ts = int(time.time())
requests.get("http://api.binance.com/api/v3/account?timestamp=%d&signature=%s" % (ts, signature))
'''
BROKEN = f'import binance\napi_key = "{KEYS[7]}" +\n'  # a syntax error on the key's own line


def notebook() -> str:
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["from binance.client import Client\n", f'client = Client("{KEYS[12]}", "{KEYS[13]}")\n']},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": f"%%bash\nexport BINANCE_API_SECRET={KEYS[14]}\n"},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


FILES = {
    "bot.py": BOT,
    "broken.py": BROKEN,
    ".env": f"BINANCE_API_KEY={KEYS[8]}\nBINANCE_API_SECRET={KEYS[9]}\nBINANCE_PRIVATE_KEY=\"{PEM_TEXT}\"\n",
    "config.json": json.dumps({"binance": {"apiKey": KEYS[10], "secret": KEYS[11]}}),
    "research.ipynb": notebook(),
    "deploy/settings.yaml": f"binance:\n  api_key: {KEYS[15]}\n  private_key: |\n    "
                            + PEM_TEXT.replace("\n", "\n    ") + "\n",
}


def leaks(text: str, secrets: Iterable[str] = SECRETS) -> list[str]:
    """The pieces of credentials found in `text` (WINDOW characters or longer)."""
    found = []
    for secret in secrets:
        for start in range(len(secret) - WINDOW + 1):
            if secret[start: start + WINDOW] in text:
                found.append(secret[start: start + WINDOW])
                break
    return found


def assert_no_leak(text: str, what: str) -> None:
    leaked = leaks(text)
    assert not leaked, f"{what} shows credentials: {leaked}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\n")
    return tmp_path


def binlint(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([BINLINT, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done


def test_the_sources_hold_every_credential_whole(project: Path) -> None:
    """The check below can fail: each credential is in the files binlint reads."""
    everything = "".join((project / name).read_text() for name in FILES)
    assert sorted(leaks(everything)) == sorted(s[:WINDOW] for s in SECRETS)


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format(project: Path, output_format: str) -> None:
    done = binlint("check", "--no-cache", "--format", output_format, ".", cwd=project)
    assert done.returncode == 1
    assert_no_leak(done.stdout + done.stderr, f"--format {output_format}")
    # It reports the credentials, redacted, so there is something to leak.
    if output_format != "github":  # GitHub annotations escape differently; the JSON check covers it
        assert f"{KEYS[0][:4]}…{KEYS[0][-2:]}" in done.stdout or output_format == "concise"


def test_every_credential_is_reported(project: Path) -> None:
    done = binlint("check", "--no-cache", "--format", "json", ".", cwd=project)
    codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
    assert codes.count("BL101") >= 5 and codes.count("BL102") >= 5 and "BL103" in codes and "BL104" in codes
    messages = " ".join(f["message"] for f in json.loads(done.stdout)["findings"])
    shown = [key for key in KEYS if f"{key[:4]}…{key[-2:]}" in messages]
    assert len(shown) >= 12  # the findings name them by their redacted form


@pytest.mark.parametrize("flags", [["--statistics"], ["--quiet"], ["--severity", "info", "--exit-zero"],
                                   ["--warn-unused-ignores"], ["--select", "BL1"]])
def test_other_text_outputs(project: Path, flags: list[str]) -> None:
    done = binlint("check", "--no-cache", *flags, ".", cwd=project)
    assert_no_leak(done.stdout + done.stderr, " ".join(flags))


def test_baseline_and_cache_files(project: Path) -> None:
    first = binlint("check", "--update-baseline", "baseline.json", ".", cwd=project)
    assert_no_leak(first.stdout + first.stderr, "--update-baseline output")
    baseline = (project / "baseline.json").read_text()
    assert json.loads(baseline)  # a real baseline was written
    assert_no_leak(baseline, "the baseline file")
    again = binlint("check", "--baseline", "baseline.json", "--format", "json", ".", cwd=project)
    assert json.loads(again.stdout)["findings"] == []
    assert_no_leak(again.stdout + again.stderr, "--baseline output")
    cache = project / ".binlint_cache"
    assert cache.is_dir()
    for path in cache.rglob("*"):
        if path.is_file():
            assert_no_leak(path.read_text(encoding="utf-8", errors="replace"), f"the cache file {path.name}")


def test_diff_and_fix(project: Path) -> None:
    diff = binlint("check", "--diff", "--unsafe-fixes", ".", cwd=project)
    assert diff.returncode == 1 and diff.stdout.startswith("---")  # there is a patch
    assert_no_leak(diff.stdout + diff.stderr, "--diff")
    fixed = binlint("check", "--unsafe-fixes", ".", cwd=project)
    assert "Fixed" in fixed.stdout
    assert_no_leak(fixed.stdout + fixed.stderr, "--unsafe-fixes")
    # The literal keys the fixes replace are gone from the file (the others stay: advice only).
    after = (project / "bot.py").read_text()
    assert not leaks(after, [KEYS[0], KEYS[1], KEYS[2], KEYS[3], KEYS[4], PEM_BODY])
    assert 'os.environ["BINANCE_API_KEY"]' in after


def test_fix_from_stdin(project: Path) -> None:
    done = binlint("check", "--fix", "--unsafe-fixes", "--stdin-filename", "bot.py", "-", cwd=project, stdin=BOT)
    assert_no_leak(done.stderr, "--fix messages")
    # stdout is the fixed source: the user's own code, minus the literals the fixes replaced.
    assert 'os.environ["BINANCE_API_KEY"]' in done.stdout
    assert not leaks(done.stdout, [KEYS[0], KEYS[1], KEYS[2], KEYS[3]])


@pytest.mark.parametrize("args, config", [
    (["check", "--select", KEYS[0], "."], None),
    (["check", "--ignore", f"BL1,{KEYS[0]}", "."], None),
    (["explain", KEYS[0]], None),
    (["check", "."], f'[tool.binlint]\nselect = ["{KEYS[0]}"]\n'),
    (["check", "."], f'[tool.binlint]\n{KEYS[0]} = 1\n'),
    (["check", "."], f'[tool.binlint]\nexclude = "{KEYS[0]}"\n'),
    (["check", "."], f'[tool.binlint]\nseverity = {{BL101 = "{KEYS[0]}"}}\n'),
    (["check", "."], f'[tool.binlint]\nenv-var-names = {{api-key = "{KEYS[0]}-x"}}\n'),
    (["check", "."], f'[tool.binlint\napi_key = "{KEYS[0]}"\n'),
    (["check", "--baseline", "baseline.json", "."], None),
])
def test_error_messages(project: Path, args: list[str], config: str | None) -> None:
    if config is not None:
        (project / "pyproject.toml").write_text(config)
    (project / "baseline.json").write_text(f'{{"version": 1, "{KEYS[0]}": ["{KEYS[1]}"]}}')
    done = binlint(*args, cwd=project)
    assert done.returncode == 2 and "error" in done.stderr
    assert_no_leak(done.stdout + done.stderr, f"the error of {args} with {config!r}")


def test_internal_error_messages(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that fails with the value it was reading in its exception (`int('<key>')`
    would) must not print the key: internal errors are scrubbed too."""
    from binlint import rules
    from binlint.frontends.app import CheckOptions, run_check
    from binlint.rules.base import Rule

    class Failing(Rule):
        code, name, severity, fix = "BL999", "failing", Severity.ERROR, "advice"
        binance_only = False

        def check(self, analysis: Any) -> Any:
            raise ValueError(f"invalid literal for int() with base 10: {KEYS[0]!r} and {PEM_TEXT!r}")

    every_rule = rules.all_rules()
    monkeypatch.setattr(rules, "all_rules", lambda: (*every_rule, Failing))
    monkeypatch.chdir(project)
    out, err = io.StringIO(), io.StringIO()
    status = run_check(CheckOptions(paths=("bot.py",), no_cache=True, output=out, errors=err, jobs=1))
    assert status == 2 and "internal error in BL999" in err.getvalue()
    assert_no_leak(out.getvalue() + err.getvalue(), "an internal error")


# --- binlint history -----------------------------------------------------------------------------


@pytest.fixture
def history_repo(project: Path) -> Path:
    """The credentials committed, then deleted: they live only in the repository's history."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env, timeout=60)

    git("init", "-q")
    git("config", "user.name", "Test")
    git("config", "user.email", "test@example.com")
    git("add", "-A")
    git("commit", "-q", "-m", "credentials")
    for name in FILES:
        (project / name).unlink()
    git("add", "-A")
    git("commit", "-q", "-m", "gone")
    return project


@pytest.mark.parametrize("output_format", HISTORY_FORMATS)
def test_history_every_format(history_repo: Path, output_format: str) -> None:
    done = binlint("history", "--format", output_format, cwd=history_repo)
    assert done.returncode == 1, done.stderr
    assert_no_leak(done.stdout + done.stderr, f"history --format {output_format}")
    if output_format == "json":  # it reports the credentials, redacted, so there is something to leak
        found = json.loads(done.stdout)["findings"]
        assert len(found) >= 12 and not any(f["at_head"] for f in found)
        messages = " ".join(f["message"] for f in found)
        assert sum(f"{key[:4]}…{key[-2:]}" in messages for key in KEYS) >= 12


def test_history_baseline_and_quiet(history_repo: Path) -> None:
    recorded = binlint("history", "--update-baseline", "history-baseline.json", cwd=history_repo)
    assert recorded.returncode == 0, recorded.stderr
    baseline = (history_repo / "history-baseline.json").read_text()
    assert len(json.loads(baseline)["entries"]) >= 12
    assert_no_leak(recorded.stdout + recorded.stderr + baseline, "history --update-baseline")
    quiet = binlint("history", "--quiet", "--baseline", "history-baseline.json", "--severity", "info",
                    cwd=history_repo)
    assert quiet.returncode == 0 and quiet.stdout == ""


# --- the language server ------------------------------------------------------------------------


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[BINLINT, "lsp"]))
async def client(lsp_client: LanguageClient) -> Any:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), initialization_options={"debounce": 0.05}))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", ["bot.py", "broken.py", ".env", "config.json", "deploy/settings.yaml"])
async def test_language_server(client: LanguageClient, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    uri = path.as_uri()
    language = "python" if name.endswith(".py") else "plaintext"
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id=language, version=1, text=FILES[name])))
    for _ in range(1500):  # the server answers asynchronously
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.02)
    found = client.diagnostics.get(uri)
    assert found, f"no diagnostics for {name}"
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(0, 0), end=types.Position(len(FILES[name].splitlines()) + 1, 0)),
        context=types.CodeActionContext(diagnostics=list(found))))
    everything = json.dumps({
        "diagnostics": get_converter().unstructure(list(found)),
        "actions": get_converter().unstructure(actions or []),
        "log": [m.message for m in client.log_messages], "shown": [m.message for m in client.messages],
    })
    assert_no_leak(everything, f"the language server on {name}")


# --- scrub, the one function every output goes through ------------------------------------------

CONTEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(before=CONTEXT, after=CONTEXT, seed=st.integers(0, 10_000), pem=st.booleans(),
       wrap=st.sampled_from(["{}", "'{}'", '"{}"', "b'{}'", "={}&", "({})", "`{}`", "{}\n", "%{}%", "\\n{}\\n"]))
def test_scrub_hides_any_credential_in_any_context(before: str, after: str, seed: int, pem: bool, wrap: str) -> None:
    secret = fake_pem(seed).replace("\\n", "\n") if pem else fake_key(seed)
    text = before + wrap.format(secret) + after
    body = secret.split("\n")[1] if pem else secret
    assert not leaks(scrub(text), [body])
    # A finding scrubs its message and fix text when it is made, whatever the rule wrote.
    finding = Finding("x.py", 1, 1, 1, 1, "BL101", "hardcoded-api-key", Severity.ERROR, text,
                      Fix(text, Applicability.ADVICE))
    assert not leaks(finding.message + finding.fix.text, [body])


def test_redacted_form_is_first_four_and_last_two() -> None:
    key = fake_key("form")
    assert scrub(f"key={key}") == f"key={key[:4]}…{key[-2:]}"


def test_json_leaves_out_an_edit_that_would_print_a_secret() -> None:
    import json as json_module

    from binlint.model import Applicability, Edit, Finding, Fix, Severity
    from binlint.report import Summary
    from binlint.report.json_format import render
    from binlint.testing import fake_key

    secret = fake_key("json-edit")
    safe = Edit(1, 1, 1, 5, "https")
    leaky = Edit(2, 1, 2, 5, f"https://api.binance.com/?k={secret}")
    findings = [
        Finding("bot.py", 1, 1, 1, 5, "BL501", "insecure-transport", Severity.ERROR, "m",
                Fix("f", Applicability.SAFE, (safe,))),
        Finding("bot.py", 2, 1, 2, 5, "BL501", "insecure-transport", Severity.ERROR, "m",
                Fix("f", Applicability.SAFE, (leaky,)), secrets=(secret,)),
    ]
    text = render(findings, Summary(files=1))
    assert secret not in text
    edits = [f["fix"]["edits"] for f in json_module.loads(text)["findings"]]
    assert edits == [[{"line": 1, "column": 1, "end_line": 1, "end_column": 5, "content": "https"}], []]


def test_full_format_shows_source_lines_with_the_keys_redacted_and_carets_under_them(tmp_path: Path) -> None:
    """`--format full` prints the offending source line: a key in it is shown as `AbCd…yZ`, and the
    carets sit under the redacted literal; a line shown for another rule hides its keys too."""
    key, secret = KEYS[0], KEYS[1]
    (tmp_path / "bot.py").write_text(
        "import requests\nfrom binance.client import Client\n"
        f'client = Client("{key}", "{secret}")\n'
        f'requests.get("https://api.binance.com/api/v3/time", headers={{"X-MBX-APIKEY": "{KEYS[2]}"}})\n')
    done = binlint("check", "--no-cache", "--format", "full", "bot.py", cwd=tmp_path)
    assert done.returncode == 1
    assert_no_leak(done.stdout + done.stderr, "--format full")
    lines = done.stdout.splitlines()
    shown = f'3 | client = Client("{key[:4]}…{key[-2:]}", "{secret[:4]}…{secret[-2:]}")'
    assert lines.count(shown) == 2  # under BL101 and under BL102
    first = lines.index(shown)
    assert lines[first + 1] == "  | " + " " * len('client = Client(') + "^" * len(f'"{key[:4]}…{key[-2:]}"')
    assert f'"X-MBX-APIKEY": "{KEYS[2][:4]}…{KEYS[2][-2:]}"' in done.stdout  # a BL502 line holding a key


def test_full_format_shows_no_line_a_private_key_is_on(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text(BOT)
    done = binlint("check", "--no-cache", "--format", "full", "--select", "BL103", "bot.py", cwd=tmp_path)
    assert done.returncode == 1
    assert_no_leak(done.stdout, "--format full")
    assert "8 |" not in done.stdout and "-----BEGIN" not in done.stdout  # the header and help only
    assert "= help: Read it from the environment" in done.stdout
