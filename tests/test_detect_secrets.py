"""The detect-secrets plugin: in-process detector behaviour and the real `detect-secrets` CLI with the shim."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from binlint.integrations.detect_secrets import BinanceApiKeyDetector, BinanceSecretKeyDetector
from binlint.testing import fake_key, sha256_hex

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "hooks" / "detect_secrets_binance.py"
BIN = Path(sys.executable).parent
KEY, SECRET, STRAY = fake_key("ds-key"), fake_key("ds-secret"), fake_key("ds-stray")
HEX = sha256_hex("")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def found_in(detector: object, line: str, context: str | None = None) -> list[str]:
    from detect_secrets.util.code_snippet import get_code_snippet

    lines = (context or line).splitlines()
    index = lines.index(line) + 1 if context else 1
    snippet = get_code_snippet(lines, index)
    return [s.secret_value for s in detector.analyze_line("f", line, index, snippet)]  # type: ignore[attr-defined]


# --- in process -------------------------------------------------------------------------------


def test_secret_types_are_frozen():
    assert BinanceApiKeyDetector.secret_type == "Binance API Key"
    assert BinanceSecretKeyDetector.secret_type == "Binance Secret Key"


@pytest.mark.parametrize("line", [
    f"BINANCE_API_KEY={KEY}", f'export BINANCE_API_KEY="{KEY}"', f"binance_api_key: '{KEY}'",
    f'binanceApiKey = "{KEY}"', f"BINANCE_KEY={KEY}", f'headers = {{"X-MBX-APIKEY": "{KEY}"}}',
    f'curl -H "X-MBX-APIKEY: {KEY}" https://api.binance.com/api/v3/account',
])
def test_api_key_lines(line):
    assert found_in(BinanceApiKeyDetector(), line) == [KEY]
    assert found_in(BinanceSecretKeyDetector(), line) == []


@pytest.mark.parametrize("line", [
    f"BINANCE_API_SECRET={SECRET}", f"binance_secret: {SECRET}", f'BINANCE_SECRET_KEY = "{SECRET}"',
    f"binanceApiSecret: '{SECRET}'",
])
def test_secret_lines(line):
    assert found_in(BinanceSecretKeyDetector(), line) == [SECRET]


@pytest.mark.parametrize("line", [
    f"BINANCE_API_KEY={'0123456789abcdef' * 4}", f"BINANCE_API_SECRET={'ab12' * 16}", f"BINANCE_API_KEY={'x' * 64}",
    f"BINANCE_API_SECRET={'0123456789' * 6}0123", f"BINANCE_API_KEY={KEY[:63]}", f"BINANCE_API_KEY={KEY}Z",
    f"API_KEY={KEY}", f"apiKey: {KEY}",
])
def test_exclusions_and_non_binance_names(line):
    assert found_in(BinanceApiKeyDetector(), line) == []
    assert found_in(BinanceSecretKeyDetector(), line) == []


def test_generic_names_count_near_a_line_that_mentions_binance():
    context = f"exchange: binance\noptions:\n  apiKey: {KEY}\n  secret: {SECRET}\n"
    assert found_in(BinanceApiKeyDetector(), f"  apiKey: {KEY}", context) == [KEY]
    assert found_in(BinanceSecretKeyDetector(), f"  secret: {SECRET}", context) == [SECRET]
    far = "exchange: binance\n" + "x: 1\n" * 8 + f"apiKey: {KEY}\n"
    assert found_in(BinanceApiKeyDetector(), f"apiKey: {KEY}", far) == []


def test_shim_exports_only_the_two_detectors():
    from detect_secrets.core.plugins.util import get_plugins_from_file

    names = sorted(cls.__name__ for cls in get_plugins_from_file(str(SHIM)))
    assert names == ["BinanceApiKeyDetector", "BinanceSecretKeyDetector"]


# --- the real command line ------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".env").write_text(f"BINANCE_API_KEY={KEY}\nBINANCE_API_SECRET={SECRET}\n")
    (tmp_path / "bot.py").write_text(
        "import requests\n\n"
        f'HEADERS = {{"X-MBX-APIKEY": "{KEY}"}}\n'
        f'EXPECTED_DIGEST = "{HEX}"\n'
        'PLACEHOLDER = {"BINANCE_API_KEY": "' + "x" * 64 + '"}\n'
    )
    (tmp_path / "other.yaml").write_text(f"maps:\n  apiKey: {STRAY}\n")
    return tmp_path


def baseline_results(document: dict) -> dict[str, list[tuple[str, int]]]:
    return {
        name: sorted((r["type"], r["line_number"]) for r in results if r["type"].startswith("Binance"))
        for name, results in document["results"].items()
        if any(r["type"].startswith("Binance") for r in results)
    }


def test_detect_secrets_scan_with_the_plugin(project: Path):
    done = run(tool("detect-secrets"), "scan", "--all-files", "--plugin", str(SHIM), ".", cwd=project)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    plugins = {p["name"]: p.get("path") for p in document["plugins_used"]}
    assert plugins["BinanceApiKeyDetector"] == plugins["BinanceSecretKeyDetector"] == f"file://{SHIM}"
    assert baseline_results(document) == {
        ".env": [("Binance API Key", 1), ("Binance Secret Key", 2)],
        "bot.py": [("Binance API Key", 3)],
    }
    hashes = {r["hashed_secret"] for rs in document["results"].values() for r in rs if r["type"] == "Binance API Key"}
    assert hashes == {hashlib.sha1(KEY.encode()).hexdigest()}
    for value in (KEY, SECRET, STRAY):
        assert value not in done.stdout and value not in done.stderr


def test_existing_baseline_gains_the_binance_types_and_the_hook_blocks_new_keys(project: Path):
    detect = tool("detect-secrets")
    first = run(detect, "scan", "--all-files", ".", cwd=project)
    assert first.returncode == 0, first.stderr
    (project / ".secrets.baseline").write_text(first.stdout)
    assert "Binance" not in first.stdout

    updated = run(detect, "scan", "--all-files", "--baseline", ".secrets.baseline", "--plugin", str(SHIM), ".",
                  cwd=project)
    assert updated.returncode == 0, updated.stderr
    document = json.loads((project / ".secrets.baseline").read_text())
    assert {".env", "bot.py"} <= set(baseline_results(document))
    assert KEY not in (project / ".secrets.baseline").read_text()

    # As the README says: keep a copy of the shim in the repository, under a relative path.
    (project / "tools").mkdir()
    shutil.copy(SHIM, project / "tools" / "detect_secrets_binance.py")
    for plugin in document["plugins_used"]:
        if plugin["name"].startswith("Binance"):
            plugin["path"] = "file://tools/detect_secrets_binance.py"
    (project / ".secrets.baseline").write_text(json.dumps(document, indent=2))

    # The pre-commit hook reads the plugin from the baseline and stops a new key.
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    assert run(git, "init", "-q", ".", cwd=project).returncode == 0
    assert run(git, "add", "-A", cwd=project).returncode == 0
    (project / "deploy.sh").write_text(f"export BINANCE_API_SECRET={STRAY}\n")
    hook = run(tool("detect-secrets-hook"), "--baseline", ".secrets.baseline", "deploy.sh", cwd=project)
    assert hook.returncode == 1, hook.stdout + hook.stderr
    assert "Binance Secret Key" in hook.stdout and "deploy.sh:1" in hook.stdout
    assert STRAY not in hook.stdout + hook.stderr
