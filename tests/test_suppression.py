"""Inline suppression comments (RULES.md "Suppression")."""

from __future__ import annotations

from tests.helpers import codes, findings

HEAD = "import binance\n"
BROKEN_LINE = "print 'x'"  # BL001 on its own line


def test_bl001_fires_without_a_suppression():
    assert codes(HEAD + BROKEN_LINE + "\n") == ["BL001"]


def test_ignore_with_code_at_end_of_line():
    assert codes(HEAD + BROKEN_LINE + "  # binlint: ignore[BL001]\n") == []


def test_ignore_alone_on_the_line_above():
    assert codes(HEAD + "# binlint: ignore[BL001]\n" + BROKEN_LINE + "\n") == []


def test_ignore_for_another_code_does_not_suppress():
    assert codes(HEAD + BROKEN_LINE + "  # binlint: ignore[BL302]\n") == ["BL001"]


def test_bare_ignore_suppresses_everything_on_the_line():
    assert codes(HEAD + BROKEN_LINE + "  # binlint: ignore\n") == []


def test_several_codes_and_noqa():
    assert codes(HEAD + BROKEN_LINE + "  # binlint: ignore[BL302, BL001]\n") == []
    assert codes(HEAD + BROKEN_LINE + "  # noqa: E501, BL001\n") == []
    assert codes(HEAD + BROKEN_LINE + "  # noqa: E501\n") == ["BL001"]


def test_skip_file_in_the_first_ten_lines():
    assert codes("# binlint: skip-file\n" + HEAD + BROKEN_LINE + "\n") == []
    late = "\n" * 12 + "# binlint: skip-file\n"
    assert codes(HEAD + BROKEN_LINE + "\n" + late) == ["BL001"]


def test_unused_suppression_is_reported_when_asked():
    source = "from binance.client import Client\nx = 1  # binlint: ignore[BL302]\n"
    assert codes(source) == []
    found = findings(source, warn_unused_ignores=True)
    assert [(f.code, f.line) for f in found] == [("BL002", 2)]


def test_used_suppression_is_not_reported_as_unused():
    assert codes(HEAD + BROKEN_LINE + "  # binlint: ignore[BL001]\n", warn_unused_ignores=True) == []
