"""The README's claims that code can check."""

from __future__ import annotations

import re
from pathlib import Path

from binlint.explain import rules_markdown

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
