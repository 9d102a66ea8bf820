"""The Binance SDKs on PyPI sign correctly: binlint must report no BL2/BL3 finding in their sources.

Slow: the `sdk_site_packages` fixture (tests/conftest.py) installs python-binance,
binance-connector, binance-futures-connector, binance-sdk-spot (with binance-common),
ccxt and unicorn-binance-rest-api into a scratch venv once and reuses it. The files
checked are those `bench/sdk_rules_timing.py` times (`sdk_files`): every module of those
SDKs, plus ccxt's `binance.py` and its base `base/exchange.py`. Other engineers' slow SDK
checks can reuse `sdk_sources` and `check_sdk`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from binlint.config import Config
from binlint.pipeline.discover import FileKind
from binlint.pipeline.engine import FileResult, RunSettings, check_bytes

_BENCH = Path(__file__).resolve().parent.parent / "bench" / "sdk_rules_timing.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("sdk_rules_timing", _BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sdk_sources(sdk_site_packages: Path) -> dict[str, bytes]:
    """Relative path -> content of every SDK source file checked."""
    files = _bench_module().sdk_files(sdk_site_packages)
    return {path.relative_to(sdk_site_packages).as_posix(): path.read_bytes() for path in files}


def check_sdk(sources: dict[str, bytes], select: tuple[str, ...]) -> dict[str, FileResult]:
    settings = RunSettings(Config(root=Path.cwd()), select)
    return {name: check_bytes(data, name, FileKind.PYTHON, settings) for name, data in sources.items()}


@pytest.mark.slow
def test_no_signing_or_timing_finding_in_the_sdks(sdk_sources):
    expected = ("binance/client.py", "binance/base_client.py", "binance/spot/__init__.py", "binance/api.py",
                "binance/um_futures/__init__.py", "binance_common/utils.py", "binance_sdk_spot/spot.py",
                "unicorn_binance_rest_api/manager.py", "ccxt/binance.py", "ccxt/base/exchange.py")
    missing = [name for name in expected if name not in sdk_sources]
    assert not missing, f"SDK files not installed where expected: {missing}"
    results = check_sdk(sdk_sources, ("BL2", "BL3"))
    errors = [error for result in results.values() for error in result.errors]
    assert not errors
    parsed = [name for name, result in results.items() if result.parsed]
    assert len(parsed) > 100  # the gate let the SDK modules through and they parsed
    found = [f"{f.path}:{f.line} {f.code} {f.message}" for result in results.values() for f in result.findings]
    assert found == [], "\n".join(found)


@pytest.mark.slow
def test_the_sdk_signing_code_is_understood(sdk_sources):
    """Silence must not come from blindness: the model follows binance-common's signing."""
    import libcst as cst

    from binlint.analysis import Analysis
    from binlint.analysis.module import ModuleModel

    source = sdk_sources["binance_common/utils.py"].decode()
    analysis = Analysis(ModuleModel(cst.parse_module(source), "utils.py", source), Config())
    traced = [flow for flow in analysis.signing.signings if flow.digest is not None]
    assert traced and all(flow.digest.kind == "hmac" and flow.digest.output == "hex" for flow in traced)
    assert analysis.signing.request_parameter_values("timestamp")
    base = sdk_sources["binance/base_client.py"].decode()
    python_binance = Analysis(ModuleModel(cst.parse_module(base), "base_client.py", base), Config())
    assert any(d.kind == "hmac" and d.output == "hex" for d in python_binance.signing.digests)
