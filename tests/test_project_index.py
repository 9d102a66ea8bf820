"""The project index: summaries, import resolution across modules, the summary cache."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from binlint.analysis import project
from binlint.analysis.summaries import ModuleSummary, SummaryMap, register_summariser, summarise
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


def test_star_imports_are_followed_within_all(tmp_path: Path):
    index = build(write(tmp_path, {
        "settings.py": "import os\n__all__ = ['KEY']\nKEY = os.environ['K']\nHIDDEN = 1\n",
        "exchange.py": "from binance.client import Client\nfrom settings import *\n\nclient = Client(KEY, 's')\n"
                       "def _private():\n    pass\n",
        "helpers/__init__.py": "from .rest import *\n",
        "helpers/rest.py": "def signed(path):\n    pass\n",
        "main.py": "from exchange import *\nfrom helpers import *\n\nclient.get_account()\nsigned('/api/v3/order')\n",
    }), use_cache=False)
    assert index.modules["main"].stars == ("exchange", "helpers")
    assert index.modules["settings"].exports == ("KEY",)
    assert index.lookup("main.client", "main") == ("sdk", "binance.client.Client")  # star of a module
    assert index.lookup("main.signed", "main") == ("func", "helpers.rest.signed")  # star of a star
    assert index.lookup("main._private", "main") is None  # no `__all__`: public names only
    assert index.star_source("exchange", "KEY") == "settings"
    assert index.star_source("exchange", "HIDDEN") is None  # not in `__all__`
    assert index.key_sinks("settings") == {"KEY": ("key", "exchange")}  # the constant a star import passes
    assert index.view(str(tmp_path / "main.py")).digest == index.view(str(tmp_path / "settings.py")).digest


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


def test_a_warm_pass_takes_the_digests_of_the_last_until_a_summary_changes(tmp_path: Path):
    root = write(tmp_path, BOT)

    def digests(index: project.ProjectIndex) -> dict[str, str]:
        return {module: index.digest(module) for module in index.modules}

    first = digests(build(root))
    assert not project.LAST_STATS.digests_reused
    assert digests(build(root)) == first and project.LAST_STATS.digests_reused
    # bot.py changes what it imports: its summary changes, and the digests are made again.
    path = root / "pkg" / "bot.py"
    path.write_text("from pkg.exchange import get_client\n" + path.read_text())
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    changed = digests(build(root))
    assert not project.LAST_STATS.digests_reused
    assert changed == digests(build(root, use_cache=False))
    assert changed["pkg.bot"] == changed["pkg.exchange"] != first["pkg.bot"]


def test_a_warm_pass_reads_no_summary_until_one_is_used(tmp_path: Path):
    root = write(tmp_path, BOT)
    cold = build(root)
    warm = build(root)
    assert project.LAST_STATS.summarised == 0 and project.LAST_STATS.pulled == len(cold.pulled) == 3
    assert warm.paths == cold.paths and warm.pulled == cold.pulled
    assert _unread(warm) == set(warm.modules)
    assert {m: warm.digest(m) for m in warm.modules} == {m: cold.digest(m) for m in cold.modules}
    assert _unread(warm) == set(warm.modules)  # the digests come from the last run too
    # Asked for, a summary is read, and it is the one the cold pass made.
    assert warm.param("pkg.bot.Bot.__init__", "client") == ("sdk", "binance.client.Client")
    assert warm.modules["pkg.exchange"] == cold.modules["pkg.exchange"]


def test_a_warm_pass_pulls_in_again_when_a_file_changes_what_it_imports(tmp_path: Path):
    root = write(tmp_path, BOT)
    build(root)
    build(root)
    notes = root / "docs" / "notes.py"  # now imports the client module: pulled in like bot.py
    notes.write_text("from pkg.exchange import get_client\nprint(get_client())\n")
    os.utime(notes, ns=(notes.stat().st_atime_ns, notes.stat().st_mtime_ns + 5_000_000_000))
    warm = build(root)
    fresh = build(root, use_cache=False)
    assert warm.pulled == fresh.pulled and os.path.abspath(notes) in warm.pulled
    assert set(warm.modules) == set(fresh.modules)


def test_a_stored_pull_in_from_other_summaries_is_not_taken(tmp_path: Path):
    # Two runs at once can leave the summaries of one and the pull-in of the other on disk.
    root = write(tmp_path, BOT)
    build(root)
    store = next((root / CACHE_DIR).rglob("summaries-v*/*.json"))
    before = _pull_in(store)
    notes = root / "docs" / "notes.py"
    notes.write_text("from pkg.exchange import get_client\nprint(get_client())\n")
    os.utime(notes, ns=(notes.stat().st_atime_ns, notes.stat().st_mtime_ns + 5_000_000_000))
    build(root)
    _pull_in(store, before)
    assert os.path.abspath(notes) in build(root).pulled


def _pull_in(store: Path, value: object = None) -> object:
    """The pull-in entry of a summary store file; with `value`, replace it."""
    data = json.loads(store.read_text())
    key = next(k for k in data["entries"] if k.endswith("\0pulled"))
    if value is not None:
        data["entries"][key] = value
        store.write_text(json.dumps(data))
    return data["entries"][key]


def test_a_damaged_stored_summary_is_known_by_name_only():
    summaries = SummaryMap()
    summaries.put_stored("a.py", "{not json", "f" * 24, "pkg.a")
    assert summaries.fingerprint("a.py") == "f" * 24 and summaries.module_of("a.py") == "pkg.a"
    summary = summaries["a.py"]
    assert summary == ModuleSummary("pkg.a") and summary.fingerprint() == "f" * 24


def _unread(index: project.ProjectIndex) -> set[str]:
    """The modules whose summaries are still the cache's text."""
    modules = index.modules
    assert isinstance(modules, SummaryMap)
    return {m for m, value in modules._items.items() if not isinstance(value, ModuleSummary)}


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


def test_a_binance_folder_of_the_project_is_the_projects_own(tmp_path: Path):
    own = tmp_path / "bot"
    own.mkdir()
    index = build(write(own, {
        "binance/__init__.py": "",
        "binance/client.py": "import requests\n\n\nclass Client:\n    def __init__(self, key):\n        self.key = key\n",
        "main.py": "import os\nfrom binance.client import Client\n\nclient = Client(os.environ['K'])\n",
    }), use_cache=False)
    assert "~.binance.client" in index.modules
    assert index.lookup("main.client", "main") == ("inst", "~.binance.client.Client")  # not python-binance's
    assert project.display("~.binance.client.Client") == "binance.client.Client"
    installed = tmp_path / "venv" / "lib" / "site-packages"
    assert project.module_name(str(installed / "binance" / "client.py"), str(installed)) == ("binance.client", False)
    (tmp_path / "other").mkdir()
    index = build(write(tmp_path / "other", {"main.py": "import os\nfrom binance.client import Client\n\n"
                                                        "client = Client(os.environ['K'])\n"}), use_cache=False)
    assert index.lookup("main.client", "main") == ("sdk", "binance.client.Client")  # no `binance/` here: the SDK


def test_a_constant_has_the_value_the_module_leaves_it_with():
    def constants(source: str) -> dict[str, object]:
        summary = summarise(source, "endpoints")
        assert summary is not None
        return dict(summary.constants)

    # A straight-line reassignment replaces the value; the importer sees the last one.
    assert constants('PATH = "/api/v3/openOrders"\nPATH = "/api/v3/order"\n') == {"PATH": "/api/v3/order"}
    # Reassigned where it may not run: no single value.
    assert constants('PATH = "/api/v3/order"\nif LIVE:\n    PATH = "/api/v3/order/test"\n') == {}
    # Made something else than a constant afterwards: not a constant any more.
    assert constants('PATH = "/api/v3/order"\nPATH = build()\n') == {}
    assert constants('PATH = build()\nif LIVE:\n    PATH = "/api/v3/order"\n') == {}
    assert constants('PATH = build()\nPATH = "/api/v3/order"\n') == {"PATH": "/api/v3/order"}
    # The same value twice, one in a branch: still that value.
    assert constants('PATH = "/api/v3/order"\nif LIVE:\n    PATH = "/api/v3/order"\n') == {"PATH": "/api/v3/order"}


def test_constants_resolve_through_re_exports_and_star_imports():
    index = project.ProjectIndex([
        ("endpoints", summarise('ORDER = "/api/v3/order"\n', "endpoints")),
        ("api", summarise("from endpoints import ORDER\n", "api")),
        ("everything", summarise("from endpoints import *\n", "everything")),
    ])
    assert index.constant("endpoints.ORDER") == "/api/v3/order"
    assert index.constant("api.ORDER") == "/api/v3/order"
    assert index.constant("everything.ORDER") == "/api/v3/order"
    assert index.constant("endpoints.MISSING") is None


def test_binance_modules_reading_a_module_are_known():
    index = project.ProjectIndex([
        ("config", summarise('api_key = "x"\nother = 1\n', "config", binance_bytes=False)),
        ("bot", summarise("from config import api_key\nimport binance\n", "bot")),
        ("tool", summarise("import config\n", "tool", binance_bytes=False)),
    ])
    assert index.binance_imports("config") == {"api_key"}
    assert index.binance_imports("tool") == set()
