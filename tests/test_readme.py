"""The README's claims that code can check."""

from __future__ import annotations

import re
from pathlib import Path

from binlint.frontends.explain import rules_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_the_rules():
    table = re.search(r"<!-- rules-table[^>]*-->\n(.*?)<!-- end rules-table -->", README, re.DOTALL)
    assert table, "README lost its rule table markers"
    assert table.group(1) == rules_markdown(), "README rule table is stale: paste `binlint rules --format markdown`"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    setup = re.search(r"```sh\n(.*?)```", README, re.DOTALL).group(1)
    assert "pip install -e '.[test]'" in setup and "python -m pytest" in setup
    assert "pip\" install --quiet -e '.[test]'" in ci and "-m pytest" in ci


def test_the_examples_behave_as_the_readme_says():
    from tests.helpers import run_cli

    done = run_cli("check", "examples/", "--format", "json", "--no-cache", cwd=ROOT)
    assert done.returncode == 1, done.stderr
    import json

    document = json.loads(done.stdout)
    paths = {f["path"] for f in document["findings"]}
    assert paths == {"examples/bad_bot.py"}
    families = {f["code"][:3] for f in document["findings"]}
    assert families >= {"BL1", "BL2", "BL3", "BL4", "BL5"}, families


def test_the_examples_comments_name_exactly_what_binlint_reports():
    """Each `# BLnnn` in examples/ names a finding: a trailing comment one on its own line, a
    comment alone on its line one in the lines below it (up to the next blank line); and every
    finding in the examples is named by such a comment."""
    import json

    from tests.helpers import run_cli

    done = run_cli("check", "examples/", "--format", "json", "--no-cache", "--severity", "info", cwd=ROOT)
    found = {(f["path"], f["line"], f["code"]) for f in json.loads(done.stdout)["findings"]}
    claimed: set[tuple[str, int, str]] = set()  # (path, line, code) a comment promises
    for path in sorted((ROOT / "examples").glob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            code_part, hash_, comment = line.partition("#")
            for code in re.findall(r"\bBL\d{3}\b", comment if hash_ else ""):
                if code_part.strip():
                    claimed.add((name, number, code))
                    continue
                block = []
                for below in range(number + 1, len(lines) + 1):
                    if not lines[below - 1].strip():
                        break
                    block.append(below)
                hits = [n for n in block if (name, n, code) in found]
                assert hits, f"{name}:{number} names {code}, which binlint does not report in the lines below"
                claimed.update((name, n, code) for n in hits)
    trailing_lies = {c for c in claimed if c not in found}
    assert not trailing_lies, f"comments name findings binlint does not report: {sorted(trailing_lies)}"
    unnamed = found - claimed
    assert not unnamed, f"findings no comment names: {sorted(unnamed)}"


def test_the_set_up_works_as_written_on_a_fresh_machine():
    """No package index serves binlint and it publishes no tags: the README installs from a clone
    or a git URL that is clearly a placeholder, explains pre-commit's `rev:`, and says how long
    the tests take; the SARIF schema the tests need is in the repository."""
    assert not re.search(r"pip install (binlint\b|\[?binlint\]?$)", README, re.MULTILINE)
    assert "additional_dependencies: [binlint]" not in README
    assert not re.search(r"^\s*rev: v\d", README.split("## Before you commit")[1].split("```")[1], re.MULTILINE)
    assert "a tag you create" in README and "git rev-parse HEAD" in README
    assert 'pip install "git+https://git.example.com/your-org/binlint.git@<commit sha or tag>"' in README
    assert "minutes on 2 cores" in README
    assert (ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").is_file()
