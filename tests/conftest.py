"""Shared fixtures, and how the suite is shared out between pytest-xdist workers.

`python -m pytest` runs on every core (`-n auto --dist loadfile`, pyproject.toml): each test
file runs on one worker, so a file's module- and session-scoped fixtures (the pre-commit hook's
venv, the action's install, the language server) are built once. What several files share is
made once under a file lock: the SDK venv in ~/.cache/binlint-tests (`sdk_site_packages`) and
the CLI run over it (`sdk_check`, in the folder the run's workers share). Each worker has its
own temporary folders (`tmp_path`); `-n 0` runs the suite in one process.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest

SDK_PACKAGES = (
    "python-binance",
    "binance-connector",
    "binance-futures-connector",
    "binance-sdk-spot",
    "ccxt",
    "unicorn-binance-rest-api",
)


def _sdk_venv_dir() -> Path:
    base = Path(os.environ.get("BINLINT_TEST_CACHE", Path.home() / ".cache" / "binlint-tests"))
    return base / "sdk-venv"


@pytest.fixture(scope="session")
def sdk_site_packages() -> Path:
    """site-packages of a scratch venv holding the Binance SDKs from PyPI (made once, reused)."""
    root = _sdk_venv_dir()
    marker = root / ".complete"
    python = root / "bin" / "python"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / "sdk-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time, across processes
        if not marker.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(root)
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *SDK_PACKAGES],
                capture_output=True, text=True, timeout=900,
            )
            if done.returncode != 0:
                pytest.skip(f"cannot install the Binance SDKs from the package index: {done.stderr.strip()[-300:]}")
            marker.write_text("\n".join(SDK_PACKAGES))
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    return Path(site)


@pytest.fixture(scope="session")
def run_shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder this test run's xdist workers share (the parent of their own temporary folders)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def sdk_check(sdk_site_packages: Path, run_shared_dir: Path) -> dict[str, Any]:
    """The installed CLI run once over `SDK_FOLDERS` with `SDK_CHECK_SELECT` (tests/helpers.py): its JSON report.

    The slow SDK tests read the findings of their own rules and paths from this one run, so
    the ~1,200 SDK files are parsed once a test run: the first worker to ask runs it (on every
    core, the CLI's default) under a lock, the others wait for and read its report.
    """
    from tests.helpers import SDK_CHECK_SELECT, SDK_FOLDERS, run_cli

    saved = run_shared_dir / "sdk-check.json"
    with open(run_shared_dir / "sdk-check.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            folders = [name for name in SDK_FOLDERS if (sdk_site_packages / name).is_dir()]
            assert {"binance", "ccxt", "unicorn_binance_rest_api"} <= set(folders), folders
            done = run_cli("check", *folders, "--select", SDK_CHECK_SELECT, "--format", "json", "--no-cache",
                           "--exit-zero", cwd=sdk_site_packages, timeout=900)
            assert done.returncode == 0, done.stderr[-2000:]
            json.loads(done.stdout)  # a whole report, or no file for the other workers
            saved.write_text(done.stdout)
    report: dict[str, Any] = json.loads(saved.read_text())
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`BINLINT_SKIP_SLOW=1` leaves out the tests that install SDKs from the package index."""
    if os.environ.get("BINLINT_SKIP_SLOW"):
        skip = pytest.mark.skip(reason="BINLINT_SKIP_SLOW is set")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)
