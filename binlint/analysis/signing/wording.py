"""Wording the signing rules share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import libcst as cst


if TYPE_CHECKING:
    from binlint.analysis.module import ModuleModel


def short(model: "ModuleModel", node: cst.CSTNode, limit: int = 48) -> str:
    """The source of `node` on one line, cut to `limit` characters."""
    return model.short(node, limit, "…")


def endpoint_label(method: str | None, path: str | None) -> str:
    """`POST /api/v3/order`."""
    return f"{method or 'a request to'} {path or 'this URL'}".strip()


def key_list(keys: Iterable[str]) -> str:
    names = sorted(keys)
    return ", ".join(f"`{k}`" for k in names) if names else "no parameters"
