"""What a piece of syntax says by itself: string and bytes literals, `x["key"]` keys,
dotted names. No lookups: `analysis/values.py` builds on these to follow names."""

from __future__ import annotations

import libcst as cst


def literal_text(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    # Node classes tested by exact type here and below (see module._NAME_TYPES).
    if type(node) is cst.SimpleString:
        raw = node.value
        # No prefix, no escape, no carriage return: the text between the quotes is the
        # value (evaluated_value compiles the literal, a cost that adds up).
        if raw[0] in "'\"" and "\\" not in raw and "\r" not in raw:
            quotes = 3 if len(raw) >= 6 and raw[:3] in ('"""', "'''") else 1
            return raw[quotes:-quotes]
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes in odd sources
            return None
        return value if isinstance(value, str) else None
    if type(node) is cst.ConcatenatedString:
        left = literal_text(node.left)
        right = literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def literal_value(node: cst.BaseExpression) -> tuple[str, bool] | None:
    """(text, is_bytes) of a string or bytes literal (bytes read as latin-1); None for f-strings and odd escapes."""
    if type(node) is cst.SimpleString:
        raw = node.value
        if raw[0] in "'\"" and "\\" not in raw and "\r" not in raw:
            text = literal_text(node)  # no prefix, no escape: the text between the quotes, not compiled
            if text is not None:
                return text, False
        try:
            value = node.evaluated_value
        except Exception:
            return None
        if isinstance(value, bytes):
            return value.decode("latin-1"), True
        return (value, False) if isinstance(value, str) else None
    if type(node) is cst.ConcatenatedString:
        left = literal_value(node.left)
        right = literal_value(node.right)
        if left is None or right is None:
            return None
        return left[0] + right[0], left[1]
    return None


def subscript_key(node: cst.Subscript) -> str | None:
    """The literal key of `x["key"]`, if it is one."""
    if len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index:
        return literal_text(node.slice[0].slice.value)
    return None


def dotted_text(node: cst.BaseExpression) -> str | None:
    """`self.session.headers` as text, for names and attribute chains only."""
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        base = dotted_text(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None
