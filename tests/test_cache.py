"""The result cache (.binlint_cache/): same output with and without it, invalidation on
content, version and config, two binlint processes at once, corrupt and unwritable
caches, and no secret ever written to disk."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest

import binlint
from binlint import config as config_module
from binlint.model import Applicability, Edit, Finding, Fix, Severity
from binlint.pipeline import cache
from binlint.pipeline.cache import settings_key
from binlint.pipeline.discover import Target, discover
from binlint.pipeline.engine import FileResult, RunSettings, run
from binlint.testing import fake_key, fill
from tests.helpers import BINLINT, run_cli

BOT = '''\
import hashlib
import hmac
import time
from urllib.parse import urlencode

import requests

BASE = "http://api.binance.com"


def account_{n}(secret: str) -> dict:
    params = {{"timestamp": int(time.time())}}
    query = urlencode(params)
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.get(BASE + "/api/v3/account?" + query + "&signature=" + signature).json()
'''
BROKEN = "import binance\n\ndef f(:\n    pass\n"  # BL001 on line 3, served from the cache when warm
KEYS = 'from binance.client import Client\n\nclient = Client("@KEY@", "@SECRET@")\n'
PLAIN = "def add(a, b):\n    return a + b\n"
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# bot"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import requests\n", "requests.get('http://api.binance.com/api/v3/time')\n"]},
    ],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}
# A 64-character run of letters and digits that is not hex: the shape of a Binance key.
KEY_SHAPED = re.compile(rb"(?<![A-Za-z0-9])(?=[A-Za-z0-9]{0,63}[G-Zg-z])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project with Binance code (enough files for the process pool), plain code, a notebook and text files."""
    return make_tree(tmp_path / "project")


def make_tree(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "bots").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "pyproject.toml").write_text("[tool.binlint]\n")
    for n in range(20):
        (root / "bots" / f"bot_{n:02}.py").write_text(BOT.format(n=n))
        (root / "lib" / f"util_{n:02}.py").write_text(PLAIN + f"\n\nVALUE = {n}\n")
    (root / "bots" / "broken.py").write_text(BROKEN)
    (root / "bots" / "notebook.ipynb").write_text(json.dumps(NOTEBOOK))
    (root / "settings.json").write_text('{"debug": true}\n')
    return root


def while_code_is_still(test: Callable[..., None]) -> Callable[..., None]:
    """Run the test again (on a fresh tree) when binlint's own code changed while it ran.

    The cache is keyed on binlint's code; in a checkout being edited, a rule saved
    between two runs of a test rightly makes the second run a miss.
    """

    @functools.wraps(test)
    def attempt(*args: object, tree: Path, **kwargs: object) -> None:
        for n in range(3):
            before = cache.compute_code_fingerprint()
            try:
                return test(*args, tree=tree, **kwargs)
            except Exception:
                if n == 2 or cache.compute_code_fingerprint() == before:
                    raise
            make_tree(tree)

    return attempt


def check(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "--format", "json", *args, ".", cwd=tree)


def index_files(tree: Path) -> list[Path]:
    return sorted((tree / cache.CACHE_DIR / f"v{cache.FORMAT}").glob("*.json"))


def poke(tree: Path, name: str, message: str) -> None:
    """Put a made-up result for `name` into every index: seen in the output only if the cache serves it."""
    for path in index_files(tree):
        data = json.loads(path.read_text())
        for key, entry in data["entries"].items():
            if key.split("\0", 1)[1].endswith(name):
                entry[6] = [True, None, [[1, 1, 1, 2, "BL001", "unparsable-file", 1, message, "from the cache",
                                          "advice", [], None, "0"]]]
        path.write_text(json.dumps(data))


def served_from_cache(done: subprocess.CompletedProcess[str], message: str) -> bool:
    return any(f["message"] == message for f in json.loads(done.stdout)["findings"])


def assert_cache_valid(tree: Path) -> None:
    """Every entry of every index describes the file as it is now and decodes to a result."""
    indexes = index_files(tree)
    assert indexes
    for path in indexes:
        data = json.loads(path.read_text())
        assert isinstance(data["key"], str) and data["entries"]
        for key, entry in data["entries"].items():
            absolute, display = key.split("\0", 1)
            content = Path(absolute).read_bytes()
            assert entry[0] == len(content)
            # the content hash, salted with the digest of what the project index told the check
            assert entry[5].split(":")[0] == cache.content_hash(content)
            assert isinstance(cache.decode_result(entry[6], display), FileResult)


def without_timing(done: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(done.stdout)


# --- same results -------------------------------------------------------------------------


@while_code_is_still
def test_results_are_identical_with_and_without_the_cache(tree: Path):
    (tree / "bots" / "keys.py").write_text(fill(KEYS))
    uncached = check(tree, "--no-cache")
    assert not (tree / cache.CACHE_DIR).exists()  # --no-cache writes nothing
    cold = check(tree)
    warm = check(tree)
    assert uncached.returncode == cold.returncode == warm.returncode == 1
    assert uncached.stdout == cold.stdout == warm.stdout
    assert uncached.stderr == cold.stderr == warm.stderr
    codes = {f["code"] for f in json.loads(warm.stdout)["findings"]}
    assert {"BL001", "BL101"} <= codes
    text = [run_cli("check", *flags, ".", cwd=tree) for flags in ((), ("--no-cache",))]
    assert text[0].stdout == text[1].stdout


@while_code_is_still
def test_cache_folder_is_ignored_by_git_and_tagged(tree: Path):
    check(tree)
    folder = tree / cache.CACHE_DIR
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert_cache_valid(tree)


@while_code_is_still
def test_warm_run_serves_results_from_the_cache(tree: Path):
    check(tree)
    poke(tree, "broken.py", "FROM-CACHE")
    assert served_from_cache(check(tree), "FROM-CACHE")
    assert not served_from_cache(check(tree, "--no-cache"), "FROM-CACHE")  # --no-cache reads nothing


@while_code_is_still
def test_touched_file_with_same_content_is_still_a_hit(tree: Path):
    check(tree)
    poke(tree, "broken.py", "FROM-CACHE")
    path = tree / "bots" / "broken.py"
    os.utime(path, (1_000_000_000, 1_000_000_000))  # stat changes, content does not
    assert served_from_cache(check(tree), "FROM-CACHE")


# --- invalidation ---------------------------------------------------------------------------


@while_code_is_still
def test_changed_content_is_checked_again(tree: Path):
    check(tree)
    poke(tree, "broken.py", "FROM-CACHE")
    path = tree / "bots" / "broken.py"
    before = path.stat()
    path.write_text(BROKEN.replace("pass", "Pass"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and same mtime: only ctime and content differ
    done = check(tree)
    assert not served_from_cache(done, "FROM-CACHE")
    assert [f["line"] for f in json.loads(done.stdout)["findings"] if f["path"].endswith("broken.py")] == [3]


def test_new_version_misses(tree: Path, monkeypatch: pytest.MonkeyPatch):
    targets, settings = in_process(tree)
    list(cache.run_cached(targets, settings, jobs=1))
    poke(tree, "broken.py", "FROM-CACHE")

    def messages() -> list[str]:
        return [f.message for r in cache.run_cached(targets, settings, jobs=1) for f in r.findings]

    assert "FROM-CACHE" in messages()
    monkeypatch.setattr(binlint, "__version__", "999.0")
    assert "FROM-CACHE" not in messages()
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_CODE_FINGERPRINT", "edited-rules")  # same version, different code
    assert "FROM-CACHE" not in messages()


@while_code_is_still
def test_changed_config_misses(tree: Path):
    check(tree)
    poke(tree, "broken.py", "FROM-CACHE")
    assert served_from_cache(check(tree), "FROM-CACHE")
    assert not served_from_cache(check(tree, "--ignore", "BL5"), "FROM-CACHE")
    (tree / "pyproject.toml").write_text('[tool.binlint]\nseverity = { BL001 = "error" }\n')
    done = check(tree)
    assert not served_from_cache(done, "FROM-CACHE")
    assert {f["severity"] for f in json.loads(done.stdout)["findings"] if f["code"] == "BL001"} == {"error"}


# --- robustness -----------------------------------------------------------------------------


@while_code_is_still
def test_two_processes_at_once_on_a_cold_cache(tree: Path):
    env = {**os.environ, "NO_COLOR": "1"}
    command = [BINLINT, "check", "--format", "json", "."]
    first = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == second.returncode == 1, err1 + err2
    assert out1 == out2 and err1 == err2
    assert_cache_valid(tree)
    assert not list((tree / cache.CACHE_DIR).rglob(".tmp-*"))  # no temporary file left behind
    again = check(tree)
    assert again.stdout == out1
    assert json.loads(out1)["summary"]["files"] == 44


def in_process(tree: Path) -> tuple[list[Target], RunSettings]:
    """What `binlint check` in `tree` would check, and with which settings."""
    config = config_module.discover(tree)
    targets, _ = discover([str(tree)], config)
    return targets, RunSettings(config, tuple(config.select), tuple(config.ignore), config.warn_unused_ignores)


def test_corrupt_index_is_a_miss(tree: Path):
    targets, settings = in_process(tree)
    expected = list(run(targets, settings, 1))
    assert list(cache.run_cached(targets, settings, 1)) == expected
    index = cache.Index.for_settings(settings).path
    assert index is not None and index.exists()
    for damage in (b"", b"\x00\xff garbage", b'{"key": "x", "entries": {', b"[]", b'{"key": 1, "entries": []}',
                   json.dumps({"key": settings_key(settings), "entries": []}).encode()):
        index.write_bytes(damage)
        assert list(cache.run_cached(targets, settings, 1)) == expected
        assert_cache_valid(tree)  # rewritten whole
        assert list(cache.run_cached(targets, settings, 1)) == expected


def test_malformed_entries_are_misses(tree: Path):
    targets, settings = in_process(tree)
    expected = list(run(targets, settings, 1))
    list(cache.run_cached(targets, settings, 1))
    index = cache.Index.for_settings(settings).path
    assert index is not None
    data = json.loads(index.read_text())
    for n, entry in enumerate(data["entries"].values()):
        if n % 4 == 0:
            entry[6] = [True, None, [["not", "a", "finding"]]]
        elif n % 4 == 1:
            entry[:5] = ["a", None, 3, 4, 5]
        elif n % 4 == 2:
            entry[6] = {"unexpected": True}
        else:
            entry[5] = None
    index.write_text(json.dumps(data))
    assert list(cache.run_cached(targets, settings, 1)) == expected
    assert list(cache.run_cached(targets, settings, 1)) == expected
    assert_cache_valid(tree)


@while_code_is_still
def test_unwritable_cache_folder_never_fails_the_run(tree: Path):
    expected = check(tree, "--no-cache")
    (tree / cache.CACHE_DIR).write_text("a file where the cache folder should be")
    done = check(tree)
    assert (done.returncode, done.stdout, done.stderr) == (expected.returncode, expected.stdout, expected.stderr)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_cache_folder_never_fails_the_run(tree: Path):
    expected = check(tree, "--no-cache")
    check(tree)
    folder = tree / cache.CACHE_DIR / f"v{cache.FORMAT}"
    (tree / "bots" / "bot_00.py").write_text(BOT.format(n=99))
    os.chmod(folder, 0o555)
    try:
        done = check(tree)
    finally:
        os.chmod(folder, 0o755)
    assert done.returncode == expected.returncode


def test_deleted_files_leave_the_index(tree: Path):
    targets, settings = in_process(tree)
    list(cache.run_cached(targets, settings, 1))
    (tree / "bots" / "bot_05.py").unlink()
    (tree / "lib" / "util_00.py").write_text(PLAIN + "# changed\n")  # something to save
    targets, settings = in_process(tree)
    list(cache.run_cached(targets, settings, 1))
    keys = [key for path in index_files(tree) for key in json.loads(path.read_text())["entries"]]
    assert len(keys) == len(targets)
    assert not [key for key in keys if key.endswith("bot_05.py")]
    assert_cache_valid(tree)


# --- secrets --------------------------------------------------------------------------------


@while_code_is_still
def test_no_secret_or_key_shaped_value_reaches_the_disk(tree: Path):
    (tree / "bots" / "keys.py").write_text(fill(KEYS, seed="cache"))
    (tree / ".env").write_text(f"BINANCE_API_KEY={fake_key('env-key')}\nBINANCE_API_SECRET={fake_key('env-s')}\n")
    first = check(tree)
    second = check(tree)
    assert first.stdout == second.stdout
    assert {"BL101", "BL102"} <= {f["code"] for f in json.loads(first.stdout)["findings"]}
    secrets = [fill("@KEY@", seed="cache"), fill("@SECRET@", seed="cache"), fake_key("env-key"), fake_key("env-s")]
    written = [p for p in (tree / cache.CACHE_DIR).rglob("*") if p.is_file()]
    assert written
    for path in written:
        data = path.read_bytes()
        assert not any(secret.encode() in data for secret in secrets), path
        assert not KEY_SHAPED.search(data), path


def finding(**changes: object) -> Finding:
    base = Finding("bot.py", 3, 5, 3, 20, "BL302", "timestamp-not-milliseconds", Severity.ERROR,
                   "`timestamp` is `int(time.time())`", Fix("Use milliseconds.", Applicability.SAFE,
                                                              (Edit(3, 17, 3, 34, "int(time.time() * 1000)"),)),
                   cell=2, fingerprint="abc123")
    return base.with_changes(**changes)


def test_encoding_keeps_every_field():
    result = FileResult("bot.py", [finding(), finding(line=4, cell=None, severity=Severity.INFO)], parsed=True)
    decoded = cache.decode_result(json.loads(json.dumps(cache.encode_result(result))), "bot.py")
    assert decoded == result
    assert decoded.findings[0].fix.edits == result.findings[0].fix.edits
    assert cache.decode_result(cache.encode_result(FileResult("x.py")), "x.py") == FileResult("x.py")
    skipped = FileResult("x.py", skipped="`# binlint: skip-file`")
    assert cache.decode_result(cache.encode_result(skipped), "x.py") == skipped


def test_results_that_must_not_be_stored_are_refused():
    key = fake_key("edit")
    assert cache.encode_result(FileResult("bot.py", [finding(secrets=(key,))])) is None
    assert cache.encode_result(FileResult("bot.py", [finding()], errors=["internal error"])) is None
    moved = finding(fix=Fix("Move the key.", Applicability.UNSAFE, (Edit(1, 1, 1, 1, f'KEY = "{key}"\n'),)))
    assert cache.encode_result(FileResult("bot.py", [moved])) is None
