"""Hostile input: whatever a file holds or is, binlint answers with a finding, a BL001 or a
"skipped: why" line — never a crash, a hang, a traceback or invalid JSON.

Every hostile Python input carries Binance content, so it passes the byte gate and
reaches the parser. Inputs that could crash the process (deep nesting overflows
libcst's native stack) are only ever checked in a subprocess, so a regression fails
these tests instead of killing the test run. Every subprocess has a timeout: a hang
is a failure, not a stuck CI job.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from binlint.config import DEFAULT_MAX_FILE_SIZE
from binlint.testing import fake_key
from tests.helpers import BINLINT

TIMEOUT = 240  # seconds for one binlint run over the whole hostile tree (it takes a few)
DEEP_FOLDERS = 1200  # more than Python's recursion limit

BINANCE = b"import binance\n"
# A line BL501 fires on (line 3 of a file that starts with HTTP_HEAD).
HTTP_HEAD = b"import binance\nimport requests\n"
HTTP_CALL = b"requests.get('http://api.binance.com/api/v3/ping', timeout=5)\n"


@dataclass(frozen=True)
class Expect:
    """What binlint must answer for one input."""

    kind: str  # "bl001", "skipped", "finds", "clean", "absent" (passed over quietly in a walk)
    text: str = ""  # in the BL001 message or the skip reason; for "finds", the code
    line: int | None = None


def bl001(text: str, line: int | None = None) -> Expect:
    return Expect("bl001", text, line)


def skipped(text: str) -> Expect:
    return Expect("skipped", text)


def finds(code: str, line: int | None = None) -> Expect:
    return Expect("finds", code, line)


CLEAN = Expect("clean")
ABSENT = Expect("absent")


def _deep(body: str) -> bytes:
    return BINANCE + body.encode() + b"\n"


def _elif_chain(n: int) -> str:
    return "if x == 0:\n    pass\n" + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, n))


def _notebook(*cells: object, **extra: object) -> bytes:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **extra}).encode()


def _code_cell(source: object) -> dict[str, object]:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}


KEY = fake_key("hostile")

# name -> (content, what binlint must say). Regular files only; the odd kinds of file
# (FIFOs, sockets, links, folders) are made by `hostile_tree`.
FILES: dict[str, tuple[bytes, Expect]] = {
    # --- bytes that are not text, or not the text they claim -------------------------
    "binary.py": (bytes(range(256)) * 64 + BINANCE, skipped("NUL bytes")),
    "nul_in_source.py": (b"import binance\x00\n" + HTTP_CALL, skipped("NUL bytes")),
    "undecodable.py": (b"import binance\nx = '\xff\xfe\xc3('\n", bl001("cannot decode", 1)),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\nimport binance\n", bl001("klingon", 1)),
    "cookie_mismatch.py": (b"# coding: ascii\nimport binance\nx = '\xc3\xa9'\n", bl001("cannot decode as ascii", 1)),
    "bom_and_latin1_cookie.py": (b"\xef\xbb\xbf# coding: latin-1\nimport binance\n", bl001("cannot decode", 1)),
    "latin1_cookie.py": (b"# coding: latin-1\nimport binance, requests\nx = '\xe9'\n" + HTTP_CALL, finds("BL501", 4)),
    # NUL bytes: not Python as Python reads it (UTF-16 source included), so skipped with a note.
    "utf16.py": ("import binance\n".encode("utf-16"), skipped("NUL bytes")),
    "binary_without_binance.py": (bytes(range(256)) * 4, skipped("NUL bytes")),
    "bom_crlf.py": (b"\xef\xbb\xbf" + (HTTP_HEAD + HTTP_CALL).replace(b"\n", b"\r\n"), finds("BL501", 3)),
    "cr_only.py": ((HTTP_HEAD + HTTP_CALL).replace(b"\n", b"\r"), finds("BL501", 3)),
    "mixed_newlines.py": (b"import binance\r\nimport requests\r" + HTTP_CALL, finds("BL501", 3)),
    "form_feeds.py": (b"\x0cimport binance\n\x0cimport requests\n\x0c" + HTTP_CALL, finds("BL501", 3)),
    "tab_error.py": (b"import binance\nif x:\n        a = 1\n\tb = 2\n", bl001("not valid Python 3", 4)),
    "python2.py": (b"import binance\nprint 'placing order'\n", bl001("not valid Python 3", 2)),
    # The grammar takes it; libcst's validation and Python's compiler refuse it.
    "bytes_next_to_text.py": (b"import binance\nx = 1\nlabel = b'order' 'id'\n", bl001("cannot mix bytes", 3)),
    "only_bom.py": (b"\xef\xbb\xbf", CLEAN),
    "empty.py": (b"", CLEAN),
    "lone_surrogate_escape.py": (b"import binance\nx = '\\ud800'\n", CLEAN),
    "null_escape.py": (b"import binance\nx = '\\x00\\0'\n", CLEAN),
    "unterminated.py": (b"import binance\nx = '''never closed\n", bl001("not valid Python 3")),
    "too_many_indents.py": (BINANCE + "".join(" " * i + "if x:\n" for i in range(120)).encode() + b" " * 120 + b"pass\n",
                            bl001("not valid Python 3")),
    # --- nesting that would overflow libcst's native stack (a segfault) or take minutes ---
    "deep_parens.py": (_deep("x = " + "(" * 5000 + "1" + ")" * 5000), bl001("nested too deeply", 2)),
    "deep_lists.py": (_deep("x = " + "[" * 5000 + "]" * 5000), bl001("nested too deeply", 2)),
    "deep_dicts.py": (_deep("x = " + "{'a': " * 5000 + "1" + "}" * 5000), bl001("nested too deeply", 2)),
    "deep_call_args.py": (_deep("x = " + "f(" * 5000 + ")" * 5000), bl001("nested too deeply", 2)),
    "deep_fstring.py": (_deep("x = f'{" + "(" * 3000 + "1" + ")" * 3000 + "}'"), bl001("nested too deeply", 2)),
    "deep_prefixed_fstring.py": (_deep("x = value_1 or Rf'{" + "(" * 3000 + "1" + ")" * 3000 + "}'"),
                                 bl001("nested too deeply", 2)),
    "long_binop.py": (_deep("x = " + "+".join(["1"] * 10000)), bl001("nested too deeply", 2)),
    "long_power.py": (_deep("x = " + "**".join(["2"] * 10000)), bl001("nested too deeply", 2)),
    "long_subscripts.py": (_deep("x = a" + "[0]" * 10000), bl001("nested too deeply", 2)),
    "long_calls.py": (_deep("x = f" + "()" * 10000), bl001("nested too deeply", 2)),
    "long_attributes.py": (_deep("x = a" + ".b" * 10000), bl001("nested too deeply", 2)),
    "long_unary.py": (_deep("x = " + "-" * 10000 + "1"), bl001("nested too deeply", 2)),
    "long_not.py": (_deep("x = " + "not " * 10000 + "1"), bl001("nested too deeply", 2)),
    "long_lambda.py": (_deep("x = " + "lambda: " * 5000 + "1"), bl001("nested too deeply", 2)),
    "long_ternary.py": (_deep("x = " + "1 if 1 else " * 5000 + "1"), bl001("nested too deeply", 2)),
    "long_bool.py": (_deep("x = " + " or ".join(["a"] * 10000)), bl001("nested too deeply", 2)),
    "long_string_concat.py": (_deep("x = " + " ".join(["'a'"] * 30000)), bl001("nested too deeply", 2)),
    "long_comprehension.py": (_deep("x = [a " + "for a in b " * 10000 + "]"), bl001("nested too deeply", 2)),
    "long_elif.py": (_deep(_elif_chain(10000)), bl001("nested too deeply")),
    "deep_blocks_and_expression.py": (
        _deep("".join(" " * i + "if x:\n" for i in range(95)) + " " * 95 + "x = " + "+".join(["a"] * 400)),
        bl001("nested too deeply", 97)),
    # Just inside the limits: parsed and analysed in full, no internal error.
    "deep_but_fine.py": (HTTP_HEAD + HTTP_CALL + b"x = " + b"+".join([b"a"] * 250) + b"\n"
                         + b"y = " + b"(" * 90 + b"1" + b")" * 90 + b"\n", finds("BL501", 3)),
    "long_elif_but_fine.py": (HTTP_HEAD + HTTP_CALL + _elif_chain(250).encode(), finds("BL501", 3)),
    # --- size -----------------------------------------------------------------------------
    "long_line.py": (HTTP_HEAD + HTTP_CALL + b"x = '" + b"xyzw " * 400_000 + b"'\n", finds("BL501", 3)),
    "megabytes_of_comments.py": (HTTP_HEAD + b"# lorem ipsum dolor sit amet consectetur\n" * 75_000 + HTTP_CALL,
                                 finds("BL501", 75_003)),
    "over_max_file_size.py": (BINANCE + b"# padding\n" * (DEFAULT_MAX_FILE_SIZE // 10 + 100), skipped("max-file-size")),
    "big.env": (f"BINANCE_API_KEY={KEY}\n".encode() + (b"OTHER=" + b"y" * 100 + b"\n") * 30_000, finds("BL101", 1)),
    "thirty_megabytes.env": (f"BINANCE_API_KEY={KEY}\n".encode() + b"X=" + b"y" * (30 * 1024 * 1024) + b"\n",
                             skipped("larger than max-file-size")),
    "one_long_line.json": (b'{"binance": {"apiKey": "' + KEY.encode() + b'"}, "pad": "' + b"z" * 3_000_000 + b'"}',
                           finds("BL101", 1)),
    "binary.json": (b"\x00\xff binance \xfe" * 1000, CLEAN),
    # --- notebooks ------------------------------------------------------------------------
    "nb_not_json.ipynb": (b"{not json binance", bl001("not valid notebook JSON", 1)),
    "nb_not_utf8.ipynb": (b'{"cells": [], "binance": "\xe9\xff"}', bl001("not valid notebook JSON", 1)),
    "nb_deep_json.ipynb": (b"[" * 100_000 + b"binance", bl001("not valid notebook JSON", 1)),
    "nb_top_level_list.ipynb": (b'["binance"]', bl001("no `cells` list", 1)),
    "nb_no_cells.ipynb": (b'{"binance": 1}', bl001("no `cells` list", 1)),
    "nb_cells_not_a_list.ipynb": (b'{"cells": {"binance": 1}}', bl001("no `cells` list", 1)),
    "nb_source_number.ipynb": (_notebook(_code_cell(42), _code_cell("import binance\n")), bl001("neither text", 1)),
    "nb_source_list_with_null.ipynb": (_notebook(_code_cell(["import binance\n", None])), bl001("neither text", 1)),
    "nb_odd_cells.ipynb": (_notebook(
        None, "text", 5, [], {"cell_type": 5}, {"cell_type": "markdown", "source": "binance"},
        {"cell_type": "code"}, _code_cell([]), _code_cell((HTTP_HEAD + HTTP_CALL).decode().splitlines(True))),
        finds("BL501", 3)),
    "nb_lone_surrogate.ipynb": (_notebook(_code_cell("x = '\ud800'\n"), _code_cell((HTTP_HEAD + HTTP_CALL).decode())),
                                finds("BL501", 3)),
    "nb_bom.ipynb": (b"\xef\xbb\xbf" + _notebook(_code_cell((HTTP_HEAD + HTTP_CALL).decode())), finds("BL501", 3)),
    "nb_deep_code.ipynb": (_notebook(_code_cell("import binance\nx = " + "(" * 5000 + ")" * 5000 + "\n")),
                           bl001("nested too deeply")),
    "nb_only_magics.ipynb": (_notebook(_code_cell("%%bash\necho binance\n"), _code_cell("!pip install binance\n%time x")),
                             CLEAN),
    # --- a folder named like a file holds a file, checked as usual ----------------------
    "dir.py/inner.py": (HTTP_HEAD + HTTP_CALL, finds("BL501", 3)),
}


def _make_socket(path: Path) -> bool:
    """A Unix socket at `path`, when the path is short enough to bind."""
    if len(os.fsencode(path)) >= 100:
        return False
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(os.fspath(path))
    except OSError:
        return False
    finally:
        server.close()
    return True


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Expect]]]:
    """A folder of every hostile input, and what binlint must say about each file in it."""
    root = tmp_path_factory.mktemp("hostile")
    expected: dict[str, Expect] = {}
    for name, (content, expect) in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        expected[name] = expect
    # Not regular files: they must never block or crash the walk.
    os.mkfifo(root / "fifo.py")
    expected["fifo.py"] = skipped("not a regular file")
    os.mkfifo(root / "fifo.ipynb")
    expected["fifo.ipynb"] = skipped("not a regular file")
    (root / "sub").mkdir()
    os.mkfifo(root / "sub" / ".gitignore")  # read by the walk: must not block either
    if _make_socket(root / "sock.py"):
        expected["sock.py"] = skipped("not a regular file")
    os.symlink("loop_b.py", root / "loop_a.py")
    os.symlink("loop_a.py", root / "loop_b.py")
    os.symlink("missing.py", root / "dangling.py")
    os.symlink("..", root / "sub" / "up")  # a folder loop: walked once
    expected.update({"loop_a.py": skipped("symlink loop"), "loop_b.py": skipped("symlink loop"),
                     "dangling.py": skipped("dangling symlink")})
    # A file name that is not UTF-8.
    odd = os.fsencode(root) + b"/\xff\xfe-not-utf8.py"
    with open(odd, "wb") as handle:
        handle.write(HTTP_HEAD + HTTP_CALL)
    expected[os.fsdecode(b"\xff\xfe-not-utf8.py")] = finds("BL501", 3)
    # Folders nested deeper than Python recurses (the path stays under PATH_MAX).
    for depth in range(1, DEEP_FOLDERS + 1):
        os.mkdir(root / ("d/" * depth))
    (root / ("d/" * DEEP_FOLDERS + "deepest.py")).write_bytes(HTTP_HEAD + HTTP_CALL)
    expected["d/" * DEEP_FOLDERS + "deepest.py"] = finds("BL501", 3)
    try:
        yield root, expected
    finally:  # shutil.rmtree (and so pytest's clean-up) recurses once per folder level
        (root / ("d/" * DEEP_FOLDERS + "deepest.py")).unlink()
        for depth in range(DEEP_FOLDERS, 0, -1):
            os.rmdir(root / ("d/" * depth))


def run_binlint(*args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None,
                timeout: float = TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    """The installed `binlint`, in bytes; a hang past `timeout` fails the test."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    try:
        return subprocess.run([BINLINT, *args], cwd=cwd, input=stdin, capture_output=True, env=full_env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"binlint {' '.join(args)} did not finish in {timeout} s")


def assert_no_traceback(done: subprocess.CompletedProcess[bytes]) -> None:
    for stream in (done.stdout, done.stderr):
        assert b"Traceback" not in stream, stream.decode("utf-8", "replace")[-3000:]
    assert done.returncode in (0, 1, 2), done.returncode
    assert done.returncode >= 0, f"binlint died of signal {-done.returncode}"


def _skip_lines(stderr: bytes) -> dict[str, str]:
    """{path: why} from the `binlint: skipped PATH: why` lines."""
    found = {}
    for line in stderr.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("binlint: skipped "):
            path, _, why = line[len("binlint: skipped "):].partition(": ")
            found[path] = why
    return found


@dataclass
class Run:
    findings: dict[str, list[dict]]  # path -> findings
    skipped: dict[str, str]
    summary: dict
    done: subprocess.CompletedProcess[bytes]


def _run_json(root: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    done = run_binlint("check", "--format", "json", "--no-cache", *args, cwd=root, env=env)
    assert_no_traceback(done)
    document = json.loads(done.stdout.decode("utf-8"))  # valid UTF-8 JSON, whatever the file names
    by_path: dict[str, list[dict]] = {}
    for finding in document["findings"]:
        by_path.setdefault(finding["path"], []).append(finding)
    return Run(by_path, _skip_lines(done.stderr), document["summary"], done)


@pytest.fixture(scope="module")
def serial_run(hostile_tree: tuple[Path, dict[str, Expect]]) -> Run:
    root, _ = hostile_tree
    return _run_json(root, ".", "--jobs", "1")


@pytest.fixture(scope="module")
def parallel_run(hostile_tree: tuple[Path, dict[str, Expect]]) -> Run:
    root, _ = hostile_tree
    return _run_json(root, ".", "--jobs", "2")


def _check_answer(run: Run, name: str, expect: Expect) -> None:
    findings = run.findings.get(name, [])
    why = run.skipped.get(name)
    if expect.kind == "absent":
        assert not findings and why is None, (findings, why)
    elif expect.kind == "clean":
        assert not findings, findings
        assert why is None, why
    elif expect.kind == "skipped":
        assert why is not None and expect.text in why, (why, findings)
        assert not findings
    elif expect.kind == "bl001":
        bl001s = [f for f in findings if f["code"] == "BL001"]
        assert len(bl001s) == 1, findings or why
        assert expect.text in bl001s[0]["message"], bl001s[0]["message"]
        if expect.line is not None:
            assert bl001s[0]["line"] == expect.line, bl001s[0]
    else:
        assert expect.kind == "finds"
        assert why is None, why
        assert not [f for f in findings if f["code"] == "BL001"], findings
        hits = [f for f in findings if f["code"] == expect.text]
        assert hits, findings
        if expect.line is not None:
            assert hits[0]["line"] == expect.line, hits[0]


EXPECTED_NAMES = sorted(FILES) + ["fifo.py", "fifo.ipynb", "loop_a.py", "loop_b.py", "dangling.py",
                                  "\udcff\udcfe-not-utf8.py", "deep-folders"]


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_every_hostile_input_gets_an_answer(serial_run: Run, hostile_tree: tuple[Path, dict[str, Expect]],
                                            name: str) -> None:
    _, expected = hostile_tree
    if name == "deep-folders":
        name = "d/" * DEEP_FOLDERS + "deepest.py"
    _check_answer(serial_run, name, expected[name])


def test_the_run_over_the_hostile_tree_is_whole(serial_run: Run, hostile_tree: tuple[Path, dict[str, Expect]]) -> None:
    root, expected = hostile_tree
    assert serial_run.done.returncode == 1  # findings at warning or above
    reported = set(serial_run.findings) | set(serial_run.skipped)
    assert reported <= set(expected) | {"sub/.gitignore"}, reported - set(expected)
    assert "sub/up/fifo.py" not in reported  # the folder loop is walked once
    # Every file binlint was given is accounted for: checked (maybe clean) or skipped.
    checked = [n for n, e in expected.items() if e.kind in ("bl001", "finds", "clean")]
    assert serial_run.summary["files"] >= len(checked)


def test_parallel_run_gives_the_same_answers(serial_run: Run, parallel_run: Run) -> None:
    """Several worker processes: no worker can die on a file and take the run down."""
    def simplify(run: Run) -> dict[str, list[tuple[str, int]]]:
        return {path: sorted((f["code"], f["line"]) for f in found) for path, found in run.findings.items()}

    assert parallel_run.done.returncode == serial_run.done.returncode
    assert simplify(parallel_run) == simplify(serial_run)
    assert parallel_run.skipped == serial_run.skipped


def test_full_format_over_the_hostile_tree(hostile_tree: tuple[Path, dict[str, Expect]]) -> None:
    """`--format full` reads every reported file again to show its lines: still no crash or hang."""
    root, _ = hostile_tree
    done = run_binlint("check", "--no-cache", "--format", "full", ".", cwd=root)
    assert_no_traceback(done)
    assert done.returncode == 1
    assert b"3 | requests.get('http://api.binance.com/api/v3/ping', timeout=5)" in done.stdout


@pytest.mark.parametrize("output_format", ["full", "text", "concise", "github", "json", "sarif"])
def test_undecodable_file_names_and_a_strict_encoding(tmp_path: Path, output_format: str) -> None:
    """A file name that is not UTF-8 with a strict UTF-8 stdout, and `…` with an ASCII one."""
    with open(os.fsencode(tmp_path) + b"/\xff\xfe-name.py", "wb") as handle:
        handle.write(HTTP_HEAD + HTTP_CALL)
    (tmp_path / "caf\u00e9.py").write_bytes(HTTP_HEAD + HTTP_CALL)
    for encoding in ("utf-8", "ascii"):
        done = run_binlint("check", "--no-cache", "--format", output_format, ".", cwd=tmp_path,
                           env={"PYTHONIOENCODING": encoding})
        assert_no_traceback(done)
        assert done.returncode == 1
        out = done.stdout.decode(encoding)  # what was printed is valid in the stream's encoding
        if output_format in ("json", "sarif"):
            json.loads(out)
        if output_format in ("full", "text", "concise", "json"):
            assert "-name.py" in out and "caf" in out


@pytest.mark.parametrize("explicit, why", [
    ("fifo.py", "not a regular file"),
    ("loop_a.py", "symlink loop"),
    ("dangling.py", "dangling symlink"),
    ("plain.py/child.py", "cannot read"),  # a path through a file: its open fails, even for root
    ("x" * 300 + ".py", "cannot read"),  # a name too long to open
    ("no/such/file.py", "no such file or folder"),
    ("no/such/folder/", "no such file or folder"),
])
def test_paths_named_on_the_command_line(tmp_path: Path, explicit: str, why: str) -> None:
    """A named path binlint cannot read is a usage error (exit 2): a typo must not pass the gate."""
    os.mkfifo(tmp_path / "fifo.py")
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")
    os.symlink("missing.py", tmp_path / "dangling.py")
    (tmp_path / "plain.py").write_bytes(HTTP_HEAD + HTTP_CALL)
    for args in ((explicit, "plain.py"), (explicit,), (explicit, "--format", "json")):
        done = run_binlint("check", "--no-cache", *args, cwd=tmp_path)
        assert_no_traceback(done)
        assert done.returncode == 2, done
        assert done.stdout == b""  # nothing checked, nothing passed
        assert done.stderr.decode().startswith(f"binlint: error: {explicit}: {why}"), done.stderr


def test_a_named_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading (the path cases above"
                    " cover a failing open)")
    path = tmp_path / "secret.py"
    path.write_bytes(HTTP_HEAD + HTTP_CALL)
    path.chmod(0)
    try:
        done = run_binlint("check", "--no-cache", "secret.py", cwd=tmp_path)
    finally:
        path.chmod(0o644)
    assert done.returncode == 2 and b"binlint: error: secret.py: cannot read" in done.stderr


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading (the path cases above"
                    " cover a failing open)")
    path = tmp_path / "secret.py"
    path.write_bytes(HTTP_HEAD + HTTP_CALL)
    path.chmod(0)
    try:
        done = run_binlint("check", "--no-cache", ".", cwd=tmp_path)
    finally:
        path.chmod(0o644)
    assert_no_traceback(done)
    assert _skip_lines(done.stderr)["secret.py"].startswith("cannot read")


def test_max_file_size_setting_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\nmax-file-size = 1000\n")
    (tmp_path / "small.py").write_bytes(HTTP_HEAD + HTTP_CALL)
    (tmp_path / "large.py").write_bytes(HTTP_HEAD + HTTP_CALL + b"# pad\n" * 200)
    done = run_binlint("check", "--no-cache", ".", cwd=tmp_path)
    assert_no_traceback(done)
    assert b"small.py:3:" in done.stdout and b"large.py:" not in done.stdout
    size = (tmp_path / "large.py").stat().st_size
    assert _skip_lines(done.stderr)["large.py"] == f"larger than max-file-size ({size:,} > 1,000 bytes)"


def test_default_max_file_size_is_ten_mebibytes() -> None:
    """Notebooks with plots often weigh several MB; the largest Binance SDK source (ccxt's
    binance.py) is under 1 MB. The README documents this default."""
    assert DEFAULT_MAX_FILE_SIZE == 10 * 1024 * 1024
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "max-file-size" in readme


@pytest.mark.parametrize("stdin, filename, code", [
    (bytes(range(256)) * 8 + BINANCE, "x.py", None),
    (_deep("x = " + "(" * 5000 + ")" * 5000), "x.py", "BL001"),
    (_deep("x = " + "+".join(["1"] * 20000)), "x.py", "BL001"),
    (b"{not json binance", "x.ipynb", "BL001"),
    (b"\xff\xfe binance", "x.py", "BL001"),
    (HTTP_HEAD + HTTP_CALL, "x.py", "BL501"),
])
def test_hostile_stdin(tmp_path: Path, stdin: bytes, filename: str, code: str | None) -> None:
    done = run_binlint("check", "--no-cache", "--format", "json", "--stdin-filename", filename, "-",
                       cwd=tmp_path, stdin=stdin)
    assert_no_traceback(done)
    codes = [f["code"] for f in json.loads(done.stdout)["findings"]]
    assert codes == ([code] if code else [])


def test_hostile_config_and_cache_files(tmp_path: Path) -> None:
    """A pyproject.toml that is not TOML is a usage error (2), said in one line; a cache
    full of garbage is only a miss."""
    (tmp_path / "bot.py").write_bytes(HTTP_HEAD + HTTP_CALL)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.binlint\n\xff\x00")
    done = run_binlint("check", ".", cwd=tmp_path)
    assert_no_traceback(done)
    assert done.returncode == 2 and done.stderr.startswith(b"binlint: error:")
    (tmp_path / "pyproject.toml").write_text("[tool.binlint]\n")
    first = run_binlint("check", ".", cwd=tmp_path)
    cache = tmp_path / ".binlint_cache"
    assert first.returncode == 1 and cache.is_dir()
    for entry in cache.iterdir():
        if entry.is_file():
            entry.write_bytes(b"\x00\xff{garbage" * 100)
    again = run_binlint("check", ".", cwd=tmp_path)
    assert_no_traceback(again)
    assert again.returncode == 1 and again.stdout == first.stdout


_CHANGING = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from binlint.config import Config
    from binlint.pipeline.discover import discover
    from binlint.pipeline.engine import RunSettings, run

    os.chdir(sys.argv[1])
    config = Config(root=Path.cwd(), max_file_size=4096)
    targets, _ = discover(["."], config)
    # Between discovery and reading: one file vanishes, one grows past the limit, one
    # becomes a FIFO (no writer: a blocking open would hang here for ever), one a folder.
    os.remove("vanishes.py")
    Path("grows.py").write_bytes(b"import binance\\n" + b"# pad\\n" * 2000)
    os.remove("becomes_fifo.py"); os.mkfifo("becomes_fifo.py")
    os.remove("becomes_dir.py"); os.mkdir("becomes_dir.py")
    for result in run(targets, RunSettings(config), jobs=1):
        print(result.path, "|", result.skipped, "|", [f.code for f in result.findings], "|", result.errors)
""")


def test_files_that_change_or_vanish_during_the_run(tmp_path: Path) -> None:
    for name in ("vanishes.py", "grows.py", "becomes_fifo.py", "becomes_dir.py", "stays.py"):
        (tmp_path / name).write_bytes(HTTP_HEAD + HTTP_CALL)
    done = subprocess.run([sys.executable, "-c", _CHANGING, str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = {line.split(" | ")[0]: line.split(" | ")[1:] for line in done.stdout.splitlines()}
    assert lines["vanishes.py"][0] == "vanished before it could be read"
    assert lines["grows.py"][0].startswith("larger than max-file-size")
    assert lines["becomes_fifo.py"][0] == "not a regular file"
    assert lines["becomes_dir.py"][0] == "is a directory"
    assert lines["stays.py"] == ["None", "['BL501']", "[]"]


_JUST_INSIDE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from binlint.config import Config
    from binlint.pipeline.discover import FileKind
    from binlint.pipeline.engine import RunSettings, check_bytes
    from binlint.pipeline.parse.nesting import too_deep

    HEAD = "import binance\\nimport requests\\nrequests.get('http://api.binance.com/api/v3/ping', timeout=5)\\n"
    SHAPES = {
        "brackets": lambda n: "x = " + "f([{'a': " * n + "1" + "}])" * n,
        "annotation": lambda n: "x: " + "List[" * n + "int" + "]" * n + " = 1",
        "subscripts": lambda n: "x = a" + "[0]" * n,
        "method-chain": lambda n: "x = a" + ".b()" * n,
        "binop": lambda n: "x = " + "+".join(["a"] * n),
        "string-concat": lambda n: "x = " + " ".join(["'a'"] * n),
        "not": lambda n: "x = " + "not " * n + "1",
        "lambda": lambda n: "x = " + "lambda: " * n + "1",
        "ternary": lambda n: "x = " + "1 if 1 else " * n + "1",
        "fstring": lambda n: "x = f'{" + "+".join(["a"] * n) + "}'",
        "comprehension": lambda n: "x = " + "[a for a in " * n + "b" + "]" * n,
        "elif": lambda n: "if x == 0:\\n    pass\\n" + "".join(f"elif x == {i}:\\n    pass\\n" for i in range(1, n)),
        "blocks+binop": lambda n: "".join(" " * i + "def f():\\n" for i in range(98)) + " " * 98 + "x = "
                                  + "+".join(["a"] * n),
    }

    def deep_call(depth, call):  # a caller already deep in its own stack (pytest, an editor's server)
        return call() if depth == 0 else deep_call(depth - 1, call)

    settings = RunSettings(Config(root=Path.cwd()))
    for name, shape in SHAPES.items():
        low, high = 1, 3000
        while low < high:  # the deepest input the nesting guard lets through
            middle = (low + high + 1) // 2
            low, high = (middle, high) if too_deep(HEAD + shape(middle) + "\\n") is None else (low, middle - 1)
        source = (HEAD + shape(low) + "\\n").encode()
        result = deep_call(250, lambda: check_bytes(source, "bot.py", FileKind.PYTHON, settings))
        print(name, low, result.skipped, result.errors, sorted({f.code for f in result.findings}), flush=True)
""")


def test_inputs_just_inside_the_nesting_limit_are_analysed_in_full() -> None:
    """The deepest input of each shape the guard lets through parses and gets every rule,
    with no internal error, even from a caller 250 frames deep."""
    done = subprocess.run([sys.executable, "-c", _JUST_INSIDE], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 13
    for line in lines:
        name, depth, rest = line.split(" ", 2)
        assert int(depth) >= 30, line  # the guard does not reject ordinary depths
        assert rest == "None [] ['BL501']", line


def test_diff_over_the_hostile_tree(hostile_tree: tuple[Path, dict[str, Expect]]) -> None:
    """The fix machinery reads what it fixes again: odd files must not break it either."""
    root, _ = hostile_tree
    done = run_binlint("check", "--no-cache", "--diff", "--unsafe-fixes", ".", cwd=root)
    assert_no_traceback(done)
    assert done.returncode == 1
    patch = done.stdout.decode("utf-8", "replace")
    for name in ("bom_crlf.py", "cr_only.py", "long_line.py", "nb_odd_cells.ipynb", "dir.py/inner.py"):
        assert f"+++ {name}" in patch or f"+++ b/{name}" in patch or name in patch, name
    assert "https://api.binance.com" in patch


FIXABLE = {name: FILES[name][0] for name in (
    "bom_crlf.py", "cr_only.py", "mixed_newlines.py", "latin1_cookie.py", "nb_bom.ipynb",
    "nb_lone_surrogate.ipynb", "nb_odd_cells.ipynb")}


def test_fixes_on_odd_encodings_and_newlines(tmp_path: Path) -> None:
    for name, content in FIXABLE.items():
        (tmp_path / name).write_bytes(content)
    done = run_binlint("check", "--no-cache", "--unsafe-fixes", ".", cwd=tmp_path)
    assert_no_traceback(done)
    again = run_binlint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert [f for f in json.loads(again.stdout)["findings"] if f["code"] == "BL501"] == []
    for name, before in FIXABLE.items():
        after = (tmp_path / name).read_bytes()
        assert after != before and b"https://api.binance.com" in after, name
        assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf"), name  # BOM kept
        assert after.count(b"\r\n") == before.count(b"\r\n"), name  # newline style kept
        assert after.replace(b"http://", b"https://") == before.replace(b"http://", b"https://"), name


# --- the language server: a hostile document must not take it down --------------------------------


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[BINLINT, "lsp"]))
async def lsp(lsp_client: LanguageClient) -> Any:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), initialization_options={"debounce": 0.05}))
    yield
    await lsp_client.shutdown_session()


LSP_DOCUMENTS = {
    "deep_parens.py": (FILES["deep_parens.py"][0].decode(), "BL001"),
    "long_elif.py": (FILES["long_elif.py"][0].decode(), "BL001"),
    "long_binop.py": (FILES["long_binop.py"][0].decode(), "BL001"),
    "nul.py": ("import binance\x00\n" + HTTP_CALL.decode(), None),
    "long_line.py": (FILES["long_line.py"][0].decode(), "BL501"),
    "python2.py": (FILES["python2.py"][0].decode(), "BL001"),
    "fine.py": ((HTTP_HEAD + HTTP_CALL).decode(), "BL501"),  # last: the server still answers
}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", list(LSP_DOCUMENTS))
async def test_language_server_survives_hostile_documents(lsp: LanguageClient, tmp_path: Path, name: str) -> None:
    text, code = LSP_DOCUMENTS[name]
    uri = (tmp_path / name).as_uri()
    lsp.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=text)))
    for _ in range(3000):  # up to a minute: the server answers asynchronously
        if uri in lsp.diagnostics:
            break
        await asyncio.sleep(0.02)
    assert uri in lsp.diagnostics, f"no diagnostics for {name}: the server did not answer"
    codes = [d.code for d in lsp.diagnostics[uri]]
    assert codes == ([code] if code else []), codes
    assert not [m for m in lsp.log_messages if "failed" in m.message], lsp.log_messages
