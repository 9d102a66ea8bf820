"""False positives on real code: the Binance SDKs from PyPI hold no hard-coded key binlint should report.

The SDKs quote Binance's documentation sample key and sample listen keys in docstrings,
and ccxt's tests hold SHA-256/HMAC hex vectors and a patterned test private key; none of
that is a key literal reaching a sink, so BL101/BL102 must stay silent. Findings are
allowed only in the SDKs' own test folders (committed test keys).
"""

from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests.helpers import SDK_CHECK_SELECT, run_cli

# Folders of the packages `sdk_site_packages` installs; ccxt is limited to its Binance
# exchanges, its base classes and its tests (the other 100 exchanges are not Binance code).
SDK_PATHS = (
    "binance",  # python-binance, binance-connector, binance-futures-connector
    "binance_common",
    "binance_sdk_spot",
    "unicorn_binance_rest_api",
    "ccxt/base",
    "ccxt/test",
)
CCXT_GLOBS = ("ccxt/binance*.py", "ccxt/async_support/binance*.py", "ccxt/pro/binance*.py")


def _is_test_file(path: str) -> bool:
    parts = Path(path).parts
    return any(part in ("test", "tests", "testing") for part in parts) or Path(path).name.startswith("test_")


def _in_scope(path: str) -> bool:
    """Whether `path` (relative to site-packages) is under `SDK_PATHS` or matches `CCXT_GLOBS`."""
    where = PurePosixPath(path)
    return (any(path.startswith(folder + "/") for folder in SDK_PATHS)
            or any(where.parent == PurePosixPath(glob).parent and fnmatch(where.name, PurePosixPath(glob).name)
                   for glob in CCXT_GLOBS))


@pytest.mark.slow
def test_sdk_sources_have_no_bl101_bl102_findings(sdk_site_packages: Path, sdk_check: dict[str, Any]):
    """Read from the one CLI run over the SDK folders (`sdk_check`, tests/conftest.py), which ran BL101/BL102 too."""
    assert {"BL101", "BL102"} <= set(SDK_CHECK_SELECT.split(","))
    files = [p.relative_to(sdk_site_packages).as_posix() for p in sdk_site_packages.rglob("*.py")]
    in_scope = [p for p in files if _in_scope(p)]
    assert "binance/client.py" in in_scope and "ccxt/binance.py" in in_scope and "ccxt/base/exchange.py" in in_scope
    assert len(in_scope) > 400 and sdk_check["summary"]["files"] >= len(in_scope)  # the folders were really walked
    secrets = [f for f in sdk_check["findings"] if f["code"] in ("BL101", "BL102") and _in_scope(f["path"])]
    outside_tests = [f for f in secrets if not _is_test_file(f["path"])]
    assert outside_tests == [], [(f["path"], f["line"], f["code"]) for f in outside_tests]


@pytest.mark.slow
def test_sdk_sources_quote_the_doc_sample_only_in_docstrings(sdk_site_packages: Path):
    """The sample key is in python-binance's docs; as a docstring it is no finding, as a literal it is info."""
    from binlint.analysis.doc_samples import is_doc_sample
    from binlint.analysis.credentials import KEY_TOKEN

    client = (sdk_site_packages / "binance" / "client.py").read_text(encoding="utf-8")
    samples = {m.group() for m in KEY_TOKEN.finditer(client) if is_doc_sample(m.group())}
    if not samples:
        pytest.skip("this python-binance release quotes no documentation sample key")
    sample = samples.pop()
    done = run_cli("check", "-", "--stdin-filename", "bot.py", "--select", "BL101", "--format", "json",
                   input=f'from binance.client import Client\nc = Client("{sample}", S)\n'.encode())
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["severity"] == "info" and sample not in done.stdout
