"""The text-level BL1 scan: .env, YAML, JSON, TOML, INI, shell, text and unparsable Python."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from binlint.config import Config
from binlint.pipeline.textscan import scan_text
from binlint.testing import fake_doc_sample, fake_key, fake_pem, sha256_hex
from tests.helpers import findings, run_cli

KEY, SECRET, OTHER = fake_key("ts-key"), fake_key("ts-secret"), fake_key("ts-other")
HEX = sha256_hex("test")


def scan(text: str, filename: str = "settings.env") -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in findings(text, filename, select=("BL1",))]


def test_env_file_named_values():
    text = f"# bot\nBINANCE_API_KEY={KEY}\nexport BINANCE_API_SECRET='{SECRET}'\n"
    assert scan(text, ".env") == [("BL101", 2, 17), ("BL102", 3, 28)]


def test_env_findings_are_advice_with_the_env_var_and_gitignore_hint():
    found = findings(f"BINANCE_API_KEY={KEY}\n", ".env", select=("BL1",))
    (finding,) = found
    assert finding.fix.applicability.value == "advice" and finding.fix.edits == ()
    assert ".gitignore" in finding.fix.text and "BINANCE_API_KEY" in finding.fix.text
    assert "version-control history" in finding.message and "revoke" in finding.message
    assert KEY not in finding.message and f"{KEY[:4]}…{KEY[-2:]}" in finding.message
    assert finding.severity.label == "error" and finding.end_column == finding.column + 64


def test_env_var_name_in_fix_text_follows_config():
    config = Config(root=Path.cwd(), env_var_names=(("api-key", "EXCHANGE_KEY"),))
    reports = scan_text(f"BINANCE_API_KEY={KEY}\n", config)
    assert "EXCHANGE_KEY" in reports[0][1].fix_text


def test_yaml_nested_under_binance():
    text = f"exchanges:\n  binance:\n    api_key: {KEY}\n    secret: \"{SECRET}\"\n"
    assert scan(text, "config.yaml") == [("BL101", 3, 14), ("BL102", 4, 14)]


def test_json_generic_names_need_a_file_that_mentions_binance():
    with_binance = json.dumps({"exchange": "binance", "apiKey": KEY, "secret": SECRET}, indent=1)
    assert [c for c, _, _ in scan(with_binance, "keys.json")] == ["BL101", "BL102"]
    without = json.dumps({"service": "maps", "apiKey": KEY, "secret": SECRET}, indent=1)
    assert scan(without, "keys.json") == []


def test_binance_in_the_name_is_enough():
    assert [c for c, _, _ in scan(f"[credentials]\nbinance_secret = {SECRET}\n", "app.ini")] == ["BL102"]


def test_other_text_kinds():
    cases = {
        "pyproject.toml": f'[tool.bot]\nbinance_api_key = "{KEY}"\n',
        "setup.cfg": f"[bot]\nBINANCE_API_KEY: {KEY}\n",
        "bot.conf": f"BinanceApiKey {KEY}\n",
        "notes.txt": f"binance key/secret for the demo account:\n{KEY}\n{SECRET}\n",
        "run.sh": f'curl -H "X-MBX-APIKEY: {KEY}" https://api.binance.com/api/v3/account\n',
    }
    for filename, text in cases.items():
        assert any(code == "BL101" for code, _, _ in scan(text, filename)), filename


def test_unnamed_pair_in_a_binance_file():
    text = f"binance account\n{KEY}\n{SECRET}\n"
    assert scan(text, "keys.txt") == [("BL101", 2, 1), ("BL102", 3, 1)]
    assert scan(f"binance account\n{KEY}\n", "keys.txt") == []  # one lone value is no pair
    assert scan(f"some account\n{KEY}\n{SECRET}\n", "keys.txt") == []  # no binance


def test_named_half_completes_a_pair_but_a_complete_pair_takes_no_extra_value():
    text = f"binance:\n  key: {KEY}\n  secret: {SECRET}\n"
    assert [c for c, _, _ in scan(text, "a.yaml")] == ["BL101", "BL102"]
    text = f"BINANCE_API_KEY={KEY}\nBINANCE_API_SECRET={SECRET}\nOTHER_TOKEN={OTHER}\n"
    assert [c for c, _, _ in scan(text, ".env")] == ["BL101", "BL102"]


def test_listen_keys_order_ids_and_signatures_are_no_pair():
    text = json.dumps({"binance": True, "listenKey": KEY, "clientOrderId": SECRET, "signature": HEX})
    assert scan(text, "response.json") == []


def test_one_finding_per_value():
    text = f"BINANCE_API_KEY={KEY}\n# again: BINANCE_API_KEY={KEY}\n"
    assert scan(text, ".env") == [("BL101", 1, 17)]


def test_placeholders_hex_and_templates_are_silent():
    text = (f"BINANCE_API_KEY=your_api_key_here\nBINANCE_SIGNATURE={HEX}\nBINANCE_KEY=${{BINANCE_KEY}}\n"
            f"BINANCE_SECRET={'x' * 64}\nBINANCE_API_KEY2={'Ab1' * 21}Z\n")
    assert scan(text, ".env") == []


def test_documentation_sample_is_info():
    found = findings(f"BINANCE_API_KEY={fake_doc_sample(2)}\n", ".env", select=("BL1",))
    assert [(f.code, f.severity.label) for f in found] == [("BL101", "info")]
    assert "documentation sample" in found[0].message


def test_pem_private_key_in_a_binance_file():
    pem = fake_pem("env")
    text = f'BINANCE_API_KEY={KEY}\nBINANCE_PRIVATE_KEY="{pem}"\n'
    found = findings(text, ".env", select=("BL1",))
    assert [(f.code, f.line) for f in found] == [("BL101", 1), ("BL103", 2)]
    assert pem.split("\\n")[1] not in found[1].message
    assert scan(f'TLS_KEY="{pem}"\n', ".env") == []  # no binance: someone else's key


def test_multiline_pem_body_is_not_taken_for_keys():
    body = "\n".join(fake_key(f"pem-line-{i}") for i in range(4))
    text = f"binance signing key:\n-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"
    assert scan(text, "key.txt") == [("BL103", 2, 1)]


def test_passphrase():
    assert scan("BINANCE_PRIVATE_KEY_PASS=Tr0ub4dor-and-3\n", ".env") == [("BL103", 1, 26)]
    assert scan("BINANCE_PRIVATE_KEY_PASS=changeme\nBINANCE_PRIVATE_KEY_PASSPHRASE=\n", ".env") == []


def test_python2_file_still_gets_its_keys_found():
    text = f'from binance.client import Client\nprint "start"\nclient = Client("{KEY}", "{SECRET}")\n'
    found = findings(text, "bot.py", select=("BL0", "BL1"))
    assert [(f.code, f.line, f.column) for f in found] == [("BL001", 2, 1), ("BL101", 3, 18), ("BL102", 3, 86)]


def test_undecodable_python_still_gets_the_text_scan():
    data = f"# -*- coding: ascii -*-\n# caf\xe9\nBINANCE_API_KEY = '{KEY}'\n".encode("latin-1")
    found = findings(data, "bot.py", select=("BL1", "BL0"))
    assert [f.code for f in found] == ["BL001", "BL101"]


def test_crlf_positions():
    assert scan(f"a=1\r\nBINANCE_API_SECRET={SECRET}\r\n", ".env") == [("BL102", 2, 20)]


def test_allowlist_comment_suppresses_in_text_files():
    assert scan(f"BINANCE_API_KEY={KEY}  # pragma: allowlist secret\n", ".env") == []


def test_cli_walks_hidden_env_files(tmp_path: Path):
    (tmp_path / ".env").write_text(f"BINANCE_API_KEY={KEY}\n")
    (tmp_path / ".env.production").write_text(f"BINANCE_API_SECRET={SECRET}\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "prod.env").write_text(f"BINANCE_API_SECRET={OTHER}\n")
    done = run_cli("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    got = sorted((f["path"], f["code"]) for f in json.loads(done.stdout)["findings"])
    assert got == [(".env", "BL101"), (".env.production", "BL102"), ("deploy/prod.env", "BL102")]
    for value in (KEY, SECRET, OTHER):
        assert value not in done.stdout


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("Ab9_=:\"' \n-binance/+KEYSECRETPRIVATEpass" + KEY[:20]), max_size=300))
def test_scan_never_fails_on_any_text(text: str):
    for code, report in scan_text(text, Config(root=Path.cwd())):
        assert code in ("BL101", "BL102", "BL103")
        assert report.span is not None and report.span[0] >= 1
