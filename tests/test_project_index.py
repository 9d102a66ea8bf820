"""The project index: summaries, import resolution across modules, the summary cache."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from binlint.analysis import project
from binlint.analysis.summaries import ModuleSummary, register_summariser, summarise
from binlint.config import Config
from binlint.pipeline.cache import CACHE_DIR
from binlint.testing import fake_key


def write(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'bot'\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


BOT = {
    "pkg/__init__.py": "from .exchange import get_client as client_getter\n",
    "pkg/exchange.py": "import os\nfrom binance.client import Client\n\n_client = None\n\n\ndef get_client():\n"
                       "    global _client\n    if _client is None:\n"
                       "        _client = Client(os.environ['K'], os.environ['S'])\n    return _client\n",
    "pkg/bot.py": "class Bot:\n    def __init__(self, client):\n        self.client = client\n",
    "main.py": "from pkg import client_getter\nfrom pkg.bot import Bot\n\nBot(client_getter())\n",
    "docs/notes.py": "print('nothing to do with trading')\n",
}


def build(root: Path, **kwargs: object) -> project.ProjectIndex:
    return project.build_index(str(root), Config(root=root), **kwargs)  # type: ignore[arg-type]


def test_resolution_across_modules(tmp_path: Path):
    index = build(write(tmp_path, BOT), use_cache=False)
    assert set(index.modules) == {"pkg", "pkg.exchange", "pkg.bot", "main"}  # docs/notes.py: neither gated nor linked
    assert index.lookup("pkg.client_getter") == ("func", "pkg.exchange.get_client")  # the package re-export
    assert index.returns("pkg.exchange.get_client") == ("sdk", "binance.client.Client")  # the singleton
    assert index.param("pkg.bot.Bot.__init__", "client") == ("sdk", "binance.client.Client")  # from main.py
    assert index.attribute("pkg.bot.Bot", "client") == ("sdk", "binance.client.Client")
    view = index.view(str(tmp_path / "pkg" / "bot.py"))
    assert view is not None and view.pulled  # no Binance byte, but imported alongside Binance code
    assert view.digest == index.view(str(tmp_path / "main.py")).digest  # one import-connected component


def test_summaries_are_plain_data_and_never_hold_a_key(tmp_path: Path):
    key = fake_key("summary")
    summary = summarise(f'API_KEY = "{key}"\nHOST = "https://api.binance.com"\nN = 3\n', "config")
    assert summary is not None
    assert summary.secret_constants == ("API_KEY",)
    assert summary.table("constants") == {"HOST": "https://api.binance.com", "N": 3}
    data = json.loads(json.dumps(summary.to_json()))
    assert key not in json.dumps(data)
    assert ModuleSummary.from_json(data) == summary
    assert summarise("def broken(:\n", "x") is None


def test_extra_summarisers_have_a_place(tmp_path: Path):
    def posts(tree: ast.Module, context: object) -> tuple[str, ...]:
        return tuple(n.name for n in tree.body if isinstance(n, ast.FunctionDef) and "post" in n.name)

    register_summariser("test-posts", posts)
    try:
        summary = summarise("def signed_post(path):\n    pass\n", "helpers")
        assert summary is not None and summary.extra_of("test-posts") == ("signed_post",)
        assert ModuleSummary.from_json(json.loads(json.dumps(summary.to_json()))).extra_of("test-posts") \
            == ("signed_post",)
    finally:
        from binlint.analysis import summaries

        summaries._EXTRA.pop("test-posts", None)


def test_a_warm_pass_summarises_only_the_changed_file(tmp_path: Path):
    root = write(tmp_path, BOT)
    build(root)
    assert project.LAST_STATS.summarised == 4
    build(root)
    assert project.LAST_STATS.summarised == 0
    path = root / "pkg" / "exchange.py"
    path.write_text(path.read_text() + "\n# changed\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    build(root)
    assert project.LAST_STATS.summarised == 1
    cached = b"".join(p.read_bytes() for p in (root / CACHE_DIR).rglob("*.json"))
    assert b"summaries" in cached


def test_a_tree_without_binance_code_summarises_nothing(tmp_path: Path):
    root = write(tmp_path, {"a.py": "import b\n", "b.py": "def f():\n    return 1\n"})
    index = build(root, use_cache=False)
    assert len(index) == 0 and project.LAST_STATS.summarised == 0


def test_summaries_made_on_the_process_pool_are_the_same(tmp_path: Path, monkeypatch):
    root = write(tmp_path, BOT)
    alone = build(root, use_cache=False, jobs=1)
    monkeypatch.setattr(project, "PARALLEL_SUMMARIES", 1)
    pooled = build(root, use_cache=False, jobs=2)
    assert pooled.modules == alone.modules and pooled.paths == alone.paths
