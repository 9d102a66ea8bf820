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
