"""Python's own parser's verdict on a text: it refuses some texts libcst takes (`b"é"`, `"\\xZZ"`)."""

from __future__ import annotations

import ast
import warnings


def syntax_error(text: str) -> tuple[int, str] | None:
    """(line, message) of Python's own verdict on `text`, or None when it parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return exc.lineno or 1, exc.msg or "syntax error"
    except (ValueError, RecursionError, MemoryError) as exc:
        return 1, type(exc).__name__
    return None


def parses(text: str) -> bool:
    """Whether Python's own parser takes `text`."""
    return syntax_error(text) is None
