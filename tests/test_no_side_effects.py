"""binlint reads code, it never runs it, and it never talks to the network.

The scanned project is booby-trapped: modules that write a marker file (or exit) when
imported or run, named after what binlint itself imports (`json.py`, `hmac.py`,
`requests.py`, `libcst.py`, `sitecustomize.py` ...), and notebooks whose cells would do
the same. The installed `binlint` runs over it in a subprocess; no marker may appear.

For the network, a `sitecustomize.py` on PYTHONPATH replaces `socket.socket.connect`,
`getaddrinfo` and friends in every binlint process (workers included) with a function
that records the attempt and raises. A canary proves the blocker is live.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.helpers import BINLINT

BLOCKER = textwrap.dedent('''
    """Installed by binlint's tests: any network use is recorded and refused."""
    import os
    import socket

    _LOG = os.environ["BINLINT_NETWORK_LOG"]


    def _record(what):
        with open(_LOG, "a") as log:
            log.write(f"{os.getpid()} {what}\\n")


    _record("loaded")


    def _refuse(name):
        def refused(*args, **kwargs):
            _record(f"{name} {args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network use refused by binlint's tests: {name}")
        return refused


    _original_connect = socket.socket.connect


    def _connect(self, address):
        if self.family == getattr(socket, "AF_UNIX", None):
            return _original_connect(self, address)
        return _refuse("socket.connect")(self, address)


    socket.socket.connect = _connect
    socket.socket.connect_ex = _refuse("socket.connect_ex")
    socket.socket.sendto = _refuse("socket.sendto")
    socket.create_connection = _refuse("create_connection")
    socket.getaddrinfo = _refuse("getaddrinfo")
    socket.gethostbyname = _refuse("gethostbyname")
    socket.gethostbyname_ex = _refuse("gethostbyname_ex")
''')

# A module that, imported or run, leaves a marker and then stops the process.
TRAP = textwrap.dedent('''
    import os as _os
    open({marker!r}, "a").write(__name__ + " {name}\\n")
    _os._exit(97)
''')
SHADOWED = ("json", "hmac", "hashlib", "requests", "libcst", "click", "pathspec", "binance", "re", "tokenize",
            "sitecustomize", "usercustomize", "conftest", "setup", "__main__", "os", "typing")
BINANCE_CODE = (
    "import requests\n"
    "requests.get('http://api.binance.com/api/v3/time', timeout=5)\n"  # BL501: a finding proves it was read
)


@pytest.fixture
def trapped(tmp_path: Path) -> tuple[Path, Path]:
    """A project where executing any file leaves `marker`."""
    project, marker = tmp_path / "project", tmp_path / "EXECUTED"
    (project / "pkg").mkdir(parents=True)
    for name in SHADOWED:
        (project / f"{name}.py").write_text(TRAP.format(marker=str(marker), name=name) + BINANCE_CODE)
    (project / "pkg" / "__init__.py").write_text(TRAP.format(marker=str(marker), name="pkg") + BINANCE_CODE)
    (project / "pkg" / "__main__.py").write_text(TRAP.format(marker=str(marker), name="pkg.main") + BINANCE_CODE)
    (project / "trap.pth").write_text(f"import os; open({str(marker)!r}, 'a').write('pth')\n")
    cell = TRAP.format(marker=str(marker), name="notebook") + BINANCE_CODE
    (project / "research.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": cell},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": f"%%bash\ntouch {marker}\n"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": f"!touch {marker}\n%run pkg/__main__.py\n"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (project / "pyproject.toml").write_text(
        "[build-system]\nrequires = ['setuptools']\nbuild-backend = 'setup'\n[tool.binlint]\n")
    return project, marker


def no_network_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose Python processes refuse the network; and the log of attempts."""
    folder = tmp_path / "blocker"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(BLOCKER)
    log = tmp_path / "network.log"
    log.write_text("")
    python_path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": python_path, "BINLINT_NETWORK_LOG": str(log), "NO_COLOR": "1"}, log


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env or {**os.environ, "NO_COLOR": "1"}, input=stdin,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done


CHECKS = [
    ["check", "--no-cache", "."],
    ["check", "--no-cache", "--jobs", "2", "--format", "json", "."],
    ["check", "."],  # with the result cache
    ["check", "--no-cache", "--diff", "--unsafe-fixes", "."],
    ["check", "--no-cache", "--unsafe-fixes", "."],
    ["check", "--no-cache", "--format", "sarif", "--update-baseline", "baseline.json", "."],
]


@pytest.mark.parametrize("args", CHECKS, ids=[" ".join(a[1:]) for a in CHECKS])
def test_scanned_code_is_never_executed(trapped: tuple[Path, Path], args: list[str]) -> None:
    project, marker = trapped
    done = run([BINLINT, *args], cwd=project)
    assert not marker.exists(), f"scanned code ran: {marker.read_text()}"
    assert done.returncode in (0, 1), done.stderr
    if "--unsafe-fixes" not in args or "--diff" in args:  # (fixing may leave nothing to report)
        assert "BL501" in done.stdout + done.stderr or "https://api.binance.com" in done.stdout, done.stdout[:2000]


def test_the_trap_works(trapped: tuple[Path, Path]) -> None:
    """The check above can fail: running one trapped module does leave the marker."""
    project, marker = trapped
    done = subprocess.run([sys.executable, str(project / "json.py")], capture_output=True, timeout=60)
    assert done.returncode == 97 and marker.read_text().startswith("__main__ json")


def test_stdin_and_explain_never_execute(trapped: tuple[Path, Path]) -> None:
    project, marker = trapped
    source = TRAP.format(marker=str(marker), name="stdin") + BINANCE_CODE
    done = run([BINLINT, "check", "--no-cache", "--stdin-filename", "json.py", "-"], cwd=project, stdin=source)
    assert "BL501" in done.stdout
    for command in (["rules"], ["explain", "BL101"], ["--version"]):
        run([BINLINT, *command], cwd=project)
    assert not marker.exists()


@pytest.mark.parametrize("args", CHECKS + [["rules"], ["explain", "BL502"]],
                         ids=[" ".join(a) for a in CHECKS + [["rules"], ["explain", "BL502"]]])
def test_no_network(trapped: tuple[Path, Path], tmp_path: Path, args: list[str]) -> None:
    project, _ = trapped
    for index in range(20):  # enough files for the process pool
        (project / f"bot{index}.py").write_text("import binance\n" + BINANCE_CODE)
    env, log = no_network_env(tmp_path)
    run([BINLINT, *args], cwd=project, env=env)
    attempts = [line for line in log.read_text().splitlines() if not line.endswith(" loaded")]
    assert "loaded" in log.read_text(), "the network blocker did not load"
    assert not attempts, attempts


def test_the_network_blocker_works(tmp_path: Path) -> None:
    """The check above can fail: with the blocker loaded, a lookup is recorded and refused."""
    env, log = no_network_env(tmp_path)
    probe = "import urllib.request\ntry:\n    urllib.request.urlopen('https://api.binance.com', timeout=5)\n" \
            "except OSError as exc:\n    print('refused', exc)\n"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert "refused" in done.stdout
    assert "getaddrinfo" in log.read_text() or "create_connection" in log.read_text()


# --- the language server, with the network blocked ----------------------------------------------

_LSP_FOLDER = Path(tempfile.mkdtemp(prefix="binlint-lsp-no-network-"))
atexit.register(shutil.rmtree, _LSP_FOLDER, True)
_LSP_ENV, _LSP_LOG = no_network_env(_LSP_FOLDER)


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[BINLINT, "lsp"], server_env=_LSP_ENV))
async def client(lsp_client: LanguageClient) -> Any:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), initialization_options={"debounce": 0.05}))
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_language_server_neither_runs_code_nor_uses_the_network(client: LanguageClient, tmp_path: Path
                                                                       ) -> None:
    marker = tmp_path / "EXECUTED"
    path = tmp_path / "json.py"
    text = TRAP.format(marker=str(marker), name="lsp") + BINANCE_CODE
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=text)))
    for _ in range(1500):
        if client.diagnostics.get(uri):
            break
        await asyncio.sleep(0.02)
    assert [d.code for d in client.diagnostics.get(uri, [])] == ["BL501"]
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(0, 0), end=types.Position(5, 0)),
        context=types.CodeActionContext(diagnostics=list(client.diagnostics[uri]))))
    assert not marker.exists()
    log = _LSP_LOG.read_text()
    assert "loaded" in log, "the network blocker did not load in the server"
    assert [line for line in log.splitlines() if not line.endswith(" loaded")] == []
