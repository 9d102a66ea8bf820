"""`binlint history`: credentials in the lines commits added, in real temporary git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from binlint.testing import fake_key, fake_pem, sha256_hex
from tests.helpers import run_cli

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "2024-05-01T12:00:00Z",
           "GIT_COMMITTER_DATE": "2024-05-01T12:00:00Z"}
KEY, SECRET, OTHER = fake_key("history-key"), fake_key("history-secret"), fake_key("history-other")


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **GIT_ENV})
    if check:
        assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Repo:
    """A scratch repository with one helper per step of a story."""

    def __init__(self, path: Path, init: bool = True) -> None:
        self.path = path
        if not init:
            return
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "user.name", "Test")
        git(path, "config", "user.email", "test@example.com")

    def commit(self, message: str = "work", **files: str | bytes | None) -> str:
        for name, content in files.items():
            target = self.path / name.replace("__", "/")
            if content is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode())
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.path, "rev-parse", "HEAD")

    def history(self, *args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
        """`binlint history ARGS` in the repository: the installed command with `real`, else
        in this process (the same code, without a new interpreter importing libcst each time)."""
        if real:
            done = run_cli("history", *args, cwd=self.path)
        else:
            from click.testing import CliRunner

            from binlint.frontends.cli import main

            previous = os.getcwd()
            os.chdir(self.path)
            try:
                result = CliRunner().invoke(main, ["history", *args], catch_exceptions=False)
            finally:
                os.chdir(previous)
            done = subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def findings(self, *args: str) -> list[dict[str, Any]]:
        done = self.history("--format", "json", *args)
        assert done.returncode in (0, 1), done.stderr
        return json.loads(done.stdout)["findings"]  # type: ignore[no-any-return]


def bot(key: str = KEY, secret: str = SECRET) -> str:
    return f'from binance.client import Client\n\nclient = Client("{key}", "{secret}")\n'


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def test_key_committed_then_deleted_is_found_only_in_history(repo: Repo) -> None:
    first = repo.commit("add bot", **{"bot.py": bot()})
    repo.commit("use the environment", **{"bot.py": "import os\nfrom binance.client import Client\n"
                                                   "client = Client(os.environ['K'], os.environ['S'])\n"})
    assert run_cli("check", "--no-cache", ".", cwd=repo.path).returncode == 0  # the working tree is clean
    done = repo.history(real=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "bot.py:3:17: BL101" in done.stdout and "bot.py:3:" in done.stdout
    assert f"commit {first[:7]} (2024-05-01), only in history" in done.stdout
    assert "Revoke it on Binance" in done.stdout
    assert KEY not in done.stdout + done.stderr and SECRET not in done.stdout + done.stderr
    found = repo.findings()
    assert [(f["code"], f["line"], f["commit"], f["at_head"]) for f in found] == [
        ("BL101", 3, first, False), ("BL102", 3, first, False)]


def test_key_still_present_is_at_head(repo: Repo) -> None:
    repo.commit(**{"bot.py": bot()})
    repo.commit(**{"README.txt": "docs\n"})
    found = repo.findings()
    assert {f["code"]: f["at_head"] for f in found} == {"BL101": True, "BL102": True}
    assert "at HEAD" in repo.history().stdout


def test_a_moved_key_is_one_finding_at_its_first_commit(repo: Repo) -> None:
    first = repo.commit("add", **{"bot.py": bot()})
    repo.commit("move", **{"bot.py": None, "trading__client.py": bot()})
    repo.commit("drop", **{"trading__client.py": "print('no keys')\n"})
    repo.commit("re-add", **{"bot.py": "import os\n\n" + bot()})
    found = repo.findings()
    assert len(found) == 2
    key = next(f for f in found if f["code"] == "BL101")
    assert (key["path"], key["commit"], key["later_commits"], key["at_head"]) == ("bot.py", first, 2, True)
    assert "2 later commits added it again" in repo.history().stdout


def test_a_range_that_excludes_the_commit_finds_nothing(repo: Repo) -> None:
    repo.commit("add", **{"bot.py": bot()})
    repo.commit("remove", **{"bot.py": "print('clean')\n"})
    base = repo.commit("more", **{"notes.txt": "hello\n"})
    git(repo.path, "checkout", "-q", "-b", "feature")
    repo.commit("feature work", **{"feature.py": "print('feature')\n"})
    assert repo.findings("main..HEAD") == []
    done = repo.history("main..feature")
    assert done.returncode == 0 and "1 commit scanned: no credential found." in done.stdout
    assert repo.findings(f"{base}~2..HEAD") == []  # the range starts after the key's commit
    assert len(repo.findings()) == 2


def test_a_hex_digest_and_a_placeholder_are_not_keys(repo: Repo) -> None:
    repo.commit(**{
        "bot.py": f'from binance.client import Client\nDIGEST = "{sha256_hex("x")}"\n'
                  f'client = Client("your_api_key_here", "{"x" * 64}")\n',
        ".env": f"BINANCE_API_KEY=<your key>\nCHECKSUM={sha256_hex('y')}\n",
    })
    repo.commit(**{"bot.py": None})
    assert repo.findings() == []


def test_a_key_reaching_the_client_through_a_constant_is_found_at_the_literal(repo: Repo) -> None:
    first = repo.commit("old bot", **{"old.py": (
        "from binance.client import Client\n\n"
        f'K = "{KEY}"\n'
        f'S = "{SECRET}"\n\n'
        "def connect():\n    return Client(K, S)\n")})
    repo.commit("rewrite", **{"old.py": None, "bot.py": "print('rewritten')\n"})
    found = repo.findings()
    assert [(f["code"], f["path"], f["line"], f["column"], f["commit"]) for f in found] == [
        ("BL101", "old.py", 3, 5, first), ("BL102", "old.py", 4, 5, first)]
    # The same names with no Binance code around them are not keys, as in `binlint check`.
    assert "through `K`" in found[0]["message"]


def test_only_added_lines_count(repo: Repo) -> None:
    first = repo.commit(**{"bot.py": bot()})
    for number in range(3):  # later edits elsewhere in the file are no new leak of the key
        repo.commit(**{"bot.py": bot() + f"print({number})\n"})
    found = repo.findings()
    assert {f["commit"] for f in found} == {first} and all(f["later_commits"] == 0 for f in found)


def test_env_yaml_json_and_notebooks(repo: Repo) -> None:
    def cell(*lines: str) -> dict[str, Any]:
        return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": list(lines)}

    notebook = json.dumps({"cells": [
        cell("from binance.client import Client\n", f'client = Client("{OTHER}", "x")\n'),
        cell("from binance.spot import Spot\n", f'spot = Spot(api_key="x", private_key="{fake_pem("history")}")\n'),
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    repo.commit(**{".env": f"BINANCE_API_KEY={KEY}\n", "deploy__settings.yaml": f"binance:\n  api_secret: {SECRET}\n",
                   "research.ipynb": notebook})
    repo.commit(**{".env": None, "deploy__settings.yaml": None, "research.ipynb": None})
    found = sorted((f["path"], f["code"], f["cell"], f["line"]) for f in repo.findings())
    assert found == [(".env", "BL101", None, 1), ("deploy/settings.yaml", "BL102", None, 2),
                     ("research.ipynb", "BL101", 0, 2), ("research.ipynb", "BL103", 1, 2)]


def test_all_refs_and_the_default_range(repo: Repo) -> None:
    repo.commit(**{"readme.txt": "hi\n"})
    git(repo.path, "checkout", "-q", "-b", "experiment")
    repo.commit(**{"bot.py": bot()})
    git(repo.path, "checkout", "-q", "main")
    assert repo.findings() == []  # HEAD's history does not hold the branch
    assert len(repo.findings("--all")) == 2
    assert len(repo.findings("experiment")) == 2
    done = repo.history("--all", "main")
    assert done.returncode == 2 and "--all" in done.stderr


def test_a_key_added_in_a_merge_is_found(repo: Repo) -> None:
    repo.commit(**{"config.py": "A = 1\n"})
    git(repo.path, "checkout", "-q", "-b", "side")
    repo.commit(**{"config.py": "A = 2\n"})
    git(repo.path, "checkout", "-q", "main")
    repo.commit(**{"config.py": "A = 3\n"})
    git(repo.path, "merge", "-q", "side", check=False)  # a conflict, resolved with a key in it
    (repo.path / "config.py").write_text(f'from binance.client import Client\nclient = Client("{KEY}", "x")\n')
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "--no-edit")
    found = repo.findings()
    assert [f["code"] for f in found] == ["BL101"]
    assert found[0]["commit"] == git(repo.path, "rev-parse", "HEAD")


def test_output_formats_carry_the_commit(repo: Repo) -> None:
    first = repo.commit(**{"bot.py": bot()})
    repo.commit(**{"bot.py": None})
    concise = repo.history("--format", "concise", real=True)
    assert concise.stdout.startswith(f"bot.py:3:17: BL101 [{first[:7]} 2024-05-01, only in history] ")
    github = repo.history("--format", "github")
    assert github.stdout.startswith("::error file=bot.py,line=3,")
    assert f"In commit {first[:7]} (2024-05-01), only in history" in github.stdout
    sarif = json.loads(repo.history("--format", "sarif", real=True).stdout)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["BL101", "BL102"]
    location = results[0]["locations"][0]
    assert location["properties"]["commit"] == first and location["properties"]["atHead"] is False
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "bot.py", "uriBaseId": "%SRCROOT%"}
    assert location["physicalLocation"]["region"]["startLine"] == 3
    from tests.test_sarif import validate

    validate(sarif)
    for output in (concise.stdout, github.stdout, json.dumps(sarif)):
        assert KEY not in output and SECRET not in output


def test_severity_and_exit_zero(repo: Repo) -> None:
    repo.commit(**{"bot.py": bot()})
    assert repo.history("--exit-zero").returncode == 0
    assert repo.history("--select", "BL102", "--format", "json").returncode == 1
    assert [f["code"] for f in repo.findings("--select", "BL102")] == ["BL102"]
    done = repo.history("--select", "BL302")
    assert done.returncode == 2 and "BL101" in done.stderr


def test_baseline_records_hashes_and_hides_accepted_keys(repo: Repo) -> None:
    repo.commit(**{"bot.py": bot()})
    repo.commit(**{"bot.py": None})
    recorded = repo.history("--update-baseline", "history-baseline.json")
    assert recorded.returncode == 0, recorded.stderr
    text = (repo.path / "history-baseline.json").read_text()
    assert KEY not in text and SECRET not in text and KEY[:12] not in text
    entries = json.loads(text)["entries"]
    fingerprints = {f["fingerprint"] for f in repo.findings()}
    assert {e["fingerprint"] for e in entries} == fingerprints and {e["path"] for e in entries} == {"bot.py"}
    done = repo.history("--baseline", "history-baseline.json")
    assert done.returncode == 0 and "2 credentials hidden by the baseline" in done.stdout
    # The same (revoked) key moved elsewhere stays accepted; a new key is reported.
    repo.commit(**{"cfg__keys.py": bot(), "new.py": bot(OTHER, "y")})
    found = repo.findings("--baseline", "history-baseline.json")
    assert [f["path"] for f in found] == ["new.py"]


def test_blobs_seen_before_are_checked_once(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from binlint.config import Config
    from binlint.pipeline.engine import RunSettings
    from binlint.frontends.history import git as gitmod, scan

    repo.commit(**{"a.py": bot()})
    repo.commit(**{"a.py": None})
    repo.commit(**{"a.py": bot(), "b.py": bot()})  # the same content again, and under another name
    calls: list[str] = []
    original = scan.check_blob

    def counting(target: scan.BlobTarget, settings: RunSettings) -> Any:  # one call per file version checked
        calls.append(target.path)
        return original(target, settings)

    monkeypatch.setattr(scan, "check_blob", counting)
    repository = gitmod.open_repository(str(repo.path))
    config = Config(root=repo.path)
    result = scan.scan(repository, ["HEAD"], config, RunSettings(config, scan.CODES), lambda path: True, jobs=1)
    assert len(calls) == 1
    assert [(f.finding.code, f.later_commits) for f in result.findings] == [("BL101", 1), ("BL102", 1)]


# --- bad input ----------------------------------------------------------------------------------


def test_not_a_git_repository(tmp_path: Path) -> None:
    done = run_cli("history", cwd=tmp_path)
    assert done.returncode == 2 and "is not in a git repository" in done.stderr and "Traceback" not in done.stderr


def test_unknown_revision_and_option_like_revisions(repo: Repo) -> None:
    repo.commit(**{"a.py": "x = 1\n"})
    done = repo.history("no-such-branch..HEAD")
    assert done.returncode == 2 and "unknown revision 'no-such-branch'" in done.stderr
    done = repo.history("--", "--output=/tmp/x")
    assert done.returncode == 2 and "is not a revision" in done.stderr


def test_a_repository_with_no_commits(repo: Repo) -> None:
    done = repo.history()
    assert done.returncode == 0 and "no commits yet" in done.stderr


def test_shallow_clone_says_how_deep_it_went(repo: Repo, tmp_path: Path) -> None:
    repo.commit(**{"bot.py": bot()})
    repo.commit(**{"bot.py": None})
    for number in range(3):
        repo.commit(**{"n.txt": f"{number}\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", repo.path.as_uri(), str(clone))
    shallow = Repo(clone, init=False)
    done = shallow.history()
    assert done.returncode == 0, done.stderr
    assert "shallow clone: 2 commits scanned" in done.stderr and "git fetch --unshallow" in done.stderr
    cut = git(clone, "rev-parse", "--short=7", "HEAD~1")
    assert f"history stops at {cut}" in done.stderr
    inside = shallow.history("HEAD~1..HEAD")  # a range inside the clone's history is scanned whole
    assert inside.returncode == 0 and "shallow" not in inside.stderr


def test_binary_and_huge_blobs_are_counted_skips(repo: Repo) -> None:
    (repo.path / "pyproject.toml").write_text("[tool.binlint]\nmax-file-size = 2000\n")
    repo.commit(**{"data.json": b"\x00\x01" + KEY.encode() + b"\x00",
                   "big.json": '{"binance": {"apiKey": "%s"}}\n' % KEY + "x" * 5000 + "\n",
                   "image.png": bytes(range(256))})
    done = repo.history()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped 1 file version: binary content (first: data.json" in done.stderr
    assert "skipped 1 file version: larger than max-file-size (2,000 bytes) (first: big.json" in done.stderr
    assert "image.png" not in done.stderr


ODD_NAMES = ['we ird "name".py', "tab\there.py", "new\nline.py", "caf\u00e9/b\u00f6t.py", "-dash.py"]


def test_paths_with_odd_characters(repo: Repo) -> None:
    for number, name in enumerate(ODD_NAMES):
        (repo.path / name).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / name).write_text(bot(fake_key(f"odd-{number}"), fake_key(f"odd-secret-{number}")))
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "odd")
    found = repo.findings()
    assert sorted(f["path"] for f in found if f["code"] == "BL101") == sorted(ODD_NAMES)
    done = repo.history("--format", "json", real=True)
    assert done.returncode == 1
    assert sorted(f["path"] for f in json.loads(done.stdout)["findings"]) == sorted(ODD_NAMES * 2)


def test_history_read_in_slices_gives_the_same_findings(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """On several cores the commits are cut into slices, one `git log` each: the first commit
    and the later-commit counts must not depend on where the cuts fall."""
    from binlint.config import Config
    from binlint.pipeline.engine import RunSettings
    from binlint.frontends.history import git as gitmod, scan

    first = repo.commit(**{"a.py": bot()})
    for number in range(8):
        repo.commit(**{"n.txt": f"{number}\n", **({"b.py": bot()} if number == 5 else {})})
    repository = gitmod.open_repository(str(repo.path))
    config = Config(root=repo.path)

    def run(jobs: int) -> list[tuple[str, str, int]]:
        result = scan.scan(repository, ["HEAD"], config, RunSettings(config, scan.CODES), lambda path: True, jobs)
        assert result.commits == 9
        return [(f.finding.code, f.commit, f.later_commits) for f in result.findings]

    whole = run(1)
    monkeypatch.setattr(scan, "SPLIT_THRESHOLD", 4)
    assert run(3) == whole == [("BL101", first, 1), ("BL102", first, 1)]


def test_an_internal_error_fails_the_run_without_showing_the_key(repo: Repo, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    from binlint.rules import get_rule

    rule = get_rule("BL101")
    assert rule is not None

    def failing(self: Any, analysis: Any) -> Any:
        raise ValueError(f"cannot read {KEY!r}")

    monkeypatch.setattr(rule, "check", failing)
    repo.commit(**{"bot.py": bot()})
    done = repo.history("--jobs", "1")
    assert done.returncode == 2
    assert f"bot.py ({git(repo.path, 'rev-parse', '--short=7', 'HEAD')}): internal error in BL101" in done.stderr
    assert KEY not in done.stdout + done.stderr


def test_pre_push_takes_the_range_from_pre_commit(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    base = repo.commit(**{"a.txt": "start\n"})
    keyed = repo.commit(**{"bot.py": bot()})
    top = repo.commit(**{"bot.py": None})
    for name in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "PRE_COMMIT_LOCAL_BRANCH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", top)
    assert [f["commit"] for f in repo.findings("--pre-push")] == [keyed, keyed]
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", keyed)  # the key was pushed before: not in this push
    assert repo.findings("--pre-push") == []
    # A first push with the root commit: pre-commit names the branch, not a range.
    monkeypatch.delenv("PRE_COMMIT_FROM_REF")
    monkeypatch.delenv("PRE_COMMIT_TO_REF")
    monkeypatch.setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
    assert len(repo.findings("--pre-push")) == 2
    done = repo.history("--pre-push", "main")
    assert done.returncode == 2 and "--pre-push" in done.stderr
