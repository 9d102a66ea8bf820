"""`--format sarif`: valid SARIF 2.1.0 that GitHub code scanning can take."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from binlint.model import Applicability, Edit, Finding, Fix, Severity
from binlint.report import Summary
from binlint.report.sarif_format import render
from binlint.rules import all_rules, get_rule
from binlint.testing import fake_key
from tests.helpers import run_cli

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"  # the published SARIF 2.1.0 schema
PY2 = 'import binance\nprint "placing order"\n'


def validate(document: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def sarif(cwd: Path, *args: str) -> dict[str, Any]:
    done = run_cli("check", "--format", "sarif", "--no-cache", *args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def finding(**changes: Any) -> Finding:
    values: dict[str, Any] = dict(
        path="bot.py", line=3, column=5, end_line=3, end_column=20, code="BL001", name="unparsable-file",
        severity=Severity.WARNING, message="a message", fix=Fix("do this instead"), fingerprint="0123456789abcdef0123",
    )
    values.update(changes)
    return Finding(**values)


def test_cli_output_validates_against_the_schema(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "old.py").write_text(PY2)
    (tmp_path / "clean.py").write_text("import binance\n")
    document = sarif(tmp_path, ".")
    validate(document)
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    [result] = document["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "bot/old.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 2
    assert result["ruleId"] == "BL001" and result["level"] == "warning"
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")


def test_no_findings_is_still_a_valid_run(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("print('hello')\n")
    document = sarif(tmp_path, ".")
    validate(document)
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_driver_describes_every_rule() -> None:
    document = json.loads(render([], Summary()))
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "binlint" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    for descriptor, rule in zip(rules, all_rules()):
        assert descriptor["name"] == rule.name
        for field in ("shortDescription", "fullDescription"):
            assert descriptor[field]["text"].strip(), (rule.code, field)
        assert "## What it does" in descriptor["help"]["markdown"]
        assert descriptor["help"]["text"].strip()
        assert descriptor["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                               "info": "note"}[rule.severity.label]
        tags = descriptor["properties"]["tags"]
        if not rule.code.startswith("BL0"):
            assert "security" in tags
            if rule.severity is Severity.ERROR:
                assert float(descriptor["properties"]["security-severity"]) >= 7.0
        assert "@KEY@" not in json.dumps(descriptor) and "@SECRET@" not in json.dumps(descriptor)


def test_result_points_at_its_rule_and_maps_levels() -> None:
    findings = [finding(), finding(code="BL002", name="unused-suppression", severity=Severity.INFO, line=9,
                                   end_line=9)]
    document = json.loads(render(findings, Summary()))
    validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    results = document["runs"][0]["results"]
    assert [rules[r["ruleIndex"]]["id"] for r in results] == ["BL001", "BL002"]
    assert [r["level"] for r in results] == ["warning", "note"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 20}
    assert "do this instead" in results[0]["message"]["text"]


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(PY2)
    before = sarif(tmp_path, ".")["runs"][0]["results"][0]
    bad.write_text("# a comment\n\n\n" + PY2)
    after = sarif(tmp_path, ".")["runs"][0]["results"][0]
    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    assert before["partialFingerprints"] == after["partialFingerprints"]
    assert set(after["partialFingerprints"]) >= {"primaryLocationLineHash", "binlint/v1"}


def test_identical_findings_get_distinct_fingerprints() -> None:
    twins = [finding(line=3, end_line=3), finding(line=8, end_line=8), finding(path="other.py")]
    results = json.loads(render(twins, Summary()))["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert hashes == ["0123456789abcdef0123:1", "0123456789abcdef0123:2", "0123456789abcdef0123:1"]


def test_edits_become_sarif_fixes() -> None:
    fix = Fix("Use https://.", Applicability.SAFE, (Edit(3, 12, 3, 19, "https://"), Edit(1, 1, 1, 1, "import os\n")))
    document = json.loads(render([finding(fix=fix)], Summary()))
    validate(document)
    [result] = document["runs"][0]["results"]
    [sarif_fix] = result["fixes"]
    [change] = sarif_fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "bot.py", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {"deletedRegion": {"startLine": 3, "startColumn": 12, "endLine": 3, "endColumn": 19},
         "insertedContent": {"text": "https://"}},
        {"deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
         "insertedContent": {"text": "import os\n"}},
    ]
    assert "safe" in sarif_fix["description"]["text"]
    advice = json.loads(render([finding()], Summary()))["runs"][0]["results"][0]
    assert "fixes" not in advice


def test_notebook_findings_name_their_cell() -> None:
    fix = Fix("x", Applicability.SAFE, (Edit(2, 1, 2, 4, "y"),))
    document = json.loads(render([finding(path="research.ipynb", cell=4, fix=fix)], Summary()))
    validate(document)
    [result] = document["runs"][0]["results"]
    assert "cell 4" in result["message"]["text"]
    assert result["properties"]["cell"] == 4
    assert "fixes" not in result  # cell-relative edits do not address the .ipynb file


def test_paths_outside_the_working_directory_are_absolute_uris(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "bot.py"
    document = json.loads(render([finding(path=str(outside))], Summary()))
    validate(document)
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.as_uri()}


def test_no_whole_key_in_sarif() -> None:
    key = fake_key("sarif")
    leaky = finding(message=f"the key {key} is hard-coded", secrets=(key,),
                    fix=Fix(f"Remove {key}.", Applicability.UNSAFE, (Edit(3, 5, 3, 71, f'"{key}"'),)))
    text = render([leaky], Summary(errors=[f"internal error near {key}"]))
    assert key not in text
    assert key[:4] + "…" + key[-2:] in text
    assert "fixes" not in json.loads(text)["runs"][0]["results"][0]


@pytest.mark.skipif(get_rule("BL101") is None, reason="BL101 (hard-coded API key) is not written yet")
def test_hard_coded_key_end_to_end(tmp_path: Path) -> None:
    key = fake_key("sarif-e2e")
    (tmp_path / "bot.py").write_text(f'from binance.client import Client\n\nclient = Client("{key}", "x")\n')
    done = run_cli("check", "--format", "sarif", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert key not in done.stdout and key not in done.stderr
    document = json.loads(done.stdout)
    validate(document)
    assert "BL101" in [r["ruleId"] for r in document["runs"][0]["results"]]
