"""A real editor: Neovim's built-in LSP client shows binlint's diagnostics and applies its quick fix.

Runs `nvim --headless` with the README's Neovim set-up, then tests/editors/neovim_lsp.lua,
which opens a bot (the set-up starts `binlint lsp`), waits for diagnostics, asks for code
actions on the timestamp line, applies the BL302 fix and writes the buffer; the script
reports what it saw in a JSON file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from binlint.testing import fake_key
from tests.helpers import BINLINT, run_cli

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).resolve().parent / "editors" / "neovim_lsp.lua"
README = Path(__file__).resolve().parents[1] / "README.md"


def nvim_version() -> tuple[int, ...]:
    if NVIM is None:
        return ()
    first = subprocess.run([NVIM, "--version"], capture_output=True, text=True, timeout=60).stdout.split("\n")[0]
    found = re.search(r"v(\d+)\.(\d+)", first)
    return tuple(int(p) for p in found.groups()) if found else ()


pytestmark = [
    pytest.mark.skipif(NVIM is None, reason="nvim is not installed (`.ci/run` installs Debian's `neovim` package when it can)"),
    pytest.mark.skipif(NVIM is not None and nvim_version() < (0, 7),
                       reason="the README's tested Neovim set-up needs Neovim 0.7 or newer"),
]

BOT = '''"""A bot with a hard-coded key pair and a timestamp in seconds."""
import time

from binance.client import Client

client = Client("{key}", "{secret}")


def balances():
    return client.get_account(timestamp=int(time.time()))
'''


def readme_setup() -> str:
    """The Neovim set-up the README says CI runs."""
    found = re.search(r"<!-- neovim-setup: run by tests/test_neovim.py -->\n```lua\n(.*?)```",
                      README.read_text(encoding="utf-8"), re.DOTALL)
    assert found, "README lost its tested Neovim set-up"
    return found.group(1)


def run_neovim(tmp_path: Path, bot: Path, code: str) -> dict:
    result = tmp_path / "result.json"
    home = tmp_path / "home"
    setup = tmp_path / "setup.lua"
    setup.write_text(readme_setup())
    env = {
        **os.environ,
        # The set-up runs `binlint` from PATH: the one installed with these tests.
        "PATH": os.pathsep.join([str(Path(BINLINT).parent), os.environ.get("PATH", "")]),
        "BINLINT_NVIM_FILE": str(bot), "BINLINT_NVIM_CODE": code,
        "BINLINT_NVIM_RESULT": str(result), "BINLINT_NVIM_TIMEOUT": "60000",
        # Neovim's state, logs and caches stay in the test's folder.
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
    }
    done = subprocess.run([NVIM, "--headless", "--clean", "-n", "-i", "NONE",
                           "-c", f"luafile {setup}", "-c", f"luafile {SCRIPT}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL)
    assert result.exists(), f"nvim wrote no result (exit {done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}"
    return json.loads(result.read_text())


def test_neovim_shows_diagnostics_and_applies_the_quick_fix(tmp_path):
    key, secret = fake_key("nvim-key"), fake_key("nvim-secret")
    bot = tmp_path / "bot.py"
    original = BOT.format(key=key, secret=secret)
    bot.write_text(original)
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\n")
    cli = json.loads(run_cli("check", "--format", "json", "--no-cache", "bot.py", cwd=tmp_path).stdout)

    report = run_neovim(tmp_path, bot, "BL302")

    assert report.get("error") is None, report
    assert report["filetype"] == "python"
    assert report["steps"] == ["opened", "started", "diagnostics", "written", "rechecked", "stopped"], report
    seen = [(d["code"], d["line"]) for d in report["diagnostics"]]
    assert seen == [("BL101", 6), ("BL102", 6), ("BL302", 10)], report
    assert {d["source"] for d in report["diagnostics"]} == {"binlint"}
    # The editor shows what the CLI reports, at the same places.
    assert [(f["code"], f["line"], f["column"]) for f in cli["findings"]] == \
        [(d["code"], d["line"], d["col"]) for d in report["diagnostics"]]

    assert report["applied"] == "BL302: Use `int(time.time() * 1000)`.", report["actions"]
    assert "Ignore BL302 on this line" in report["actions"]
    assert bot.read_text() == original.replace("int(time.time())", "int(time.time() * 1000)")
    assert [(d["code"], d["line"]) for d in report["after"]] == [("BL101", 6), ("BL102", 6)]
    # The messages name the leaked key only by its ends.
    messages = " ".join(d["message"] for d in report["diagnostics"])
    assert f"`{key[:4]}…{key[-2:]}`" in messages and f"`{secret[:4]}…{secret[-2:]}`" in messages
    assert key not in json.dumps(report) and secret not in json.dumps(report)
