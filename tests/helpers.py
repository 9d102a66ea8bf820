"""Shared test helpers: run the engine on a source text, run the installed CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from binlint.config import Config
from binlint.model import Finding
from binlint.pipeline.discover import kind_of
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes

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
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `binlint` in a subprocess."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [BINLINT, *args], cwd=cwd, input=input.decode() if input is not None else None,
        capture_output=True, text=True, env=full_env, timeout=300,
    )
