"""Shared fixtures."""

from __future__ import annotations

import fcntl
import os
import subprocess
import venv
from pathlib import Path

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`BINLINT_SKIP_SLOW=1` leaves out the tests that install SDKs from the package index."""
    if os.environ.get("BINLINT_SKIP_SLOW"):
        skip = pytest.mark.skip(reason="BINLINT_SKIP_SLOW is set")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)
