"""Shared test helpers: run the engine on a source text, run the installed CLI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from binlint.config import Config
from binlint.model import Finding
from binlint.pipeline.discover import kind_of
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes

# The SDK folders `sdk_check` (tests/conftest.py) runs the CLI over, and the rules it selects: the
# secret rules (tests/test_secrets_sdk.py) and BL4/BL5 (tests/test_bl4_rules.py) read that one run.
SDK_FOLDERS = ("binance", "binance_common", "binance_sdk_spot", "ccxt", "unicorn_binance_rest_api")
SDK_CHECK_SELECT = "BL101,BL102,BL4,BL5"

BINLINT = shutil.which("binlint", path=os.path.dirname(sys.executable)) or shutil.which("binlint") or "binlint"


def check_source(source: str | bytes, filename: str = "bot.py", config: Config | None = None,
                 select: tuple[str, ...] = ("BL",), ignore: tuple[str, ...] = (),
                 warn_unused_ignores: bool = False) -> FileResult:
    """Check `source` as if it were the file `filename`."""
    settings = RunSettings(config or Config(root=Path.cwd()), select, ignore, warn_unused_ignores)
    data = source.encode("utf-8") if isinstance(source, str) else source
    kind = kind_of(filename, explicit=True)
    assert kind is not None
    return check_bytes(data, filename, kind, settings)


def findings(source: str | bytes, filename: str = "bot.py", **kwargs: object) -> list[Finding]:
    result = check_source(source, filename, **kwargs)  # type: ignore[arg-type]
    assert not result.errors, result.errors
    return result.findings


def codes(source: str | bytes, filename: str = "bot.py", **kwargs: object) -> list[str]:
    return [f.code for f in findings(source, filename, **kwargs)]


def run_cli(*args: str, cwd: str | Path | None = None, input: bytes | None = None,
            env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed `binlint` in a subprocess.

    It runs in a session of its own: on a timeout the whole group is killed, the CLI's worker
    processes with it, so none is left running on a shared machine.
    """
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    with subprocess.Popen([BINLINT, *args], cwd=cwd, env=full_env, text=True, start_new_session=True,
                          stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            stdout, stderr = process.communicate(input.decode() if input is not None else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
