"""False positives on real code: the Binance SDKs from PyPI hold no hard-coded key binlint should report.

The SDKs quote Binance's documentation sample key and sample listen keys in docstrings,
and ccxt's tests hold SHA-256/HMAC hex vectors and a patterned test private key; none of
that is a key literal reaching a sink, so BL101/BL102 must stay silent. Findings are
allowed only in the SDKs' own test folders (committed test keys).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli

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


@pytest.mark.slow
def test_sdk_sources_have_no_bl101_bl102_findings(sdk_site_packages: Path):
    paths = [p for p in SDK_PATHS if (sdk_site_packages / p).exists()]
    for pattern in CCXT_GLOBS:
        paths.extend(str(p.relative_to(sdk_site_packages)) for p in sorted(sdk_site_packages.glob(pattern)))
    assert "binance" in paths and any(p.startswith("ccxt/") and p.endswith("binance.py") for p in paths)
    done = run_cli("check", *paths, "--select", "BL101,BL102", "--format", "json", "--no-cache",
                   cwd=sdk_site_packages)
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    assert document["summary"]["files"] > 400  # the folders were really walked
    outside_tests = [f for f in document["findings"] if not _is_test_file(f["path"])]
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
