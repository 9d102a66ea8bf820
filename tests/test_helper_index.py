"""Helpers across modules in the index: which modules are read for them, their plain-data
summaries, the cache, and the digest importers' cached results are keyed on."""

from __future__ import annotations

import json
from pathlib import Path

from binlint.analysis import helper_index, project
from binlint.config import Config

HELPER = """import hashlib
import hmac

import requests


def signed_request(path, data, key, secret):
    query = "&".join(f"{k}={v}" for k, v in data.items())
    data["signature"] = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return requests.post("https://api.binance.com" + path, params=data, headers={"X-MBX-APIKEY": key}, timeout=10)
"""

BOT = {
    "exchange.py": HELPER,
    "lonely.py": HELPER.replace("signed_request", "unused_request"),  # sends, but nobody imports it
    "utils.py": "import time\n\n\ndef retry(fn, *args):\n    for _ in range(20):\n        try:\n"
                "            return fn(*args)\n        except Exception:\n            time.sleep(1)\n",
    "bot.py": "import os\n\nfrom exchange import signed_request\nfrom utils import retry\n\n\n"
              "def buy(q):\n    return signed_request('/api/v3/order', {'quantity': q}, os.environ['K'], os.environ['S'])\n\n\n"
              "retry(buy, 1)\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'bot'\n")
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def build(root: Path, **kwargs: object) -> project.ProjectIndex:
    return project.build_index(str(root), Config(root=root), **kwargs)  # type: ignore[arg-type]


def test_only_imported_modules_that_send_are_read_for_helpers(tmp_path: Path):
    index = build(write(tmp_path, BOT), use_cache=False)
    assert project.LAST_STATS.helpers == 2  # exchange.py and utils.py; not lonely.py, not bot.py
    assert index.modules["lonely"].extra_of(helper_index.KIND) is None
    assert index.modules["bot"].extra_of(helper_index.KIND) is None
    view = index.view(str(tmp_path / "bot.py"))
    helpers = helper_index.imported_helpers(view)
    assert set(helpers) == {"exchange.signed_request"}
    send = helpers["exchange.signed_request"].sends[0]
    assert (send.method, send.payload_param, send.api_key_param, send.binance) == ("POST", "data", "key", True)
    assert "signature" in send.adds
    retries = helper_index.imported_retry_helpers(view)
    assert set(retries) == {"utils.retry"} and not retries["utils.retry"].grows
    assert helper_index.imported_helpers(index.view(str(tmp_path / "exchange.py"))) == {}  # its own: in-module


def test_helper_summaries_are_plain_data_both_ways(tmp_path: Path):
    index = build(write(tmp_path, BOT), use_cache=False)
    payload = index.modules["exchange"].extra_of(helper_index.KIND)
    again = json.loads(json.dumps(payload))
    helper = helper_index.from_payload(again[0])
    assert helper is not None and helper_index.to_payload(helper) == payload[0]
    assert helper_index.from_payload(["broken"]) is None


def test_warm_pass_keeps_helpers_and_a_changed_helper_changes_the_importers_digest(tmp_path: Path):
    root = write(tmp_path, BOT)
    first = build(root)
    assert project.LAST_STATS.helpers == 2
    digest = first.view(str(root / "bot.py")).digest
    warm = build(root)
    assert project.LAST_STATS.summarised == 0 and project.LAST_STATS.helpers == 0
    assert warm.modules["exchange"].extra_of(helper_index.KIND) == first.modules["exchange"].extra_of(helper_index.KIND)
    assert warm.view(str(root / "bot.py")).digest == digest
    (root / "exchange.py").write_text(HELPER.replace('"&".join', 'data["recvWindow"] = 5000\n    query = "&".join'))
    changed = build(root)
    assert project.LAST_STATS.summarised == 1 and project.LAST_STATS.helpers == 1
    assert changed.view(str(root / "bot.py")).digest != digest
    assert "recvWindow" in helper_index.imported_helpers(changed.view(str(root / "bot.py")))[
        "exchange.signed_request"].sends[0].adds


def test_the_check_of_a_helper_module_takes_the_tree_phase_one_parsed(tmp_path: Path):
    from dataclasses import replace

    from binlint.pipeline import engine
    from binlint.pipeline.discover import FileKind
    from binlint.pipeline.parse import reuse

    root = write(tmp_path, BOT)
    config = Config(root=root)
    index = project.build_index(str(root), config, use_cache=False)
    assert HELPER in reuse._KEPT  # exchange.py, read with libcst for its helpers
    settings = replace(engine.RunSettings(config), project=index)
    path = str(root / "exchange.py")
    kept = reuse._KEPT[HELPER]
    parsed, error = engine._parse(HELPER)
    assert parsed is kept and error is None and HELPER not in reuse._KEPT  # taken once
    assert engine._parse(HELPER)[0] is not kept  # then parsed again
    reuse.keep(HELPER, kept)
    taking = engine.check_bytes(HELPER.encode(), path, FileKind.PYTHON, settings)
    assert HELPER not in reuse._KEPT
    fresh = engine.check_bytes(HELPER.encode(), path, FileKind.PYTHON, settings)
    assert [(f.code, f.line) for f in taking.findings] == [(f.code, f.line) for f in fresh.findings]
    assert reuse.take("x = 1\n") is None  # only the exact text parsed


def test_at_most_limit_trees_are_kept():
    from binlint.pipeline.parse import reuse

    import libcst as cst

    reuse._KEPT.clear()
    for number in range(reuse.LIMIT + 3):
        reuse.keep(f"x = {number}\n", cst.parse_module(f"x = {number}\n"))
    assert len(reuse._KEPT) == reuse.LIMIT and "x = 0\n" not in reuse._KEPT
    reuse._KEPT.clear()


def test_a_helper_module_nested_too_deeply_is_left_to_its_check(tmp_path: Path):
    """Phase one parses a helper module only past the nesting guard (libcst's parser would overflow
    the C stack on it); the module's own check reports it."""
    from binlint.analysis.helper_index import summarise_helpers

    config = Config(root=tmp_path)
    assert summarise_helpers("exchange.py", HELPER.encode(), config) != ((), ())
    deep = HELPER + "x = " + "+".join(["1"] * 10_000) + "\n"
    assert summarise_helpers("exchange.py", deep.encode(), config) == ((), ())
