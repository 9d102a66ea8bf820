"""What a rule is: a code, a name, its docs and examples, and a `check` that reads the model.

A rule module holds one `Rule` subclass. Its module docstring is its documentation
(`binlint explain` prints it) with the headings What it does / Why is this bad? /
Example / Use instead / Fix safety. Its `VALID` and `INVALID` examples are run as
tests, and so are the ```python blocks under Example (each must fire the rule as it
stands, with its own imports) and Use instead (each must not), so the docs and the
tests cannot drift apart.

Examples may hold the markers `@KEY@`, `@SECRET@`, `@KEY2@`, `@SECRET2@`, `@PEM@` and
`@DOCKEY@`: the test harness puts freshly generated fake credentials there, so no
key-shaped literal is ever committed, and `explain` shows them redacted.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable

import libcst as cst

from binlint.model import Applicability, Edit, Severity

if TYPE_CHECKING:
    from binlint.analysis import Analysis


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on."""

    code: str
    filename: str = "bot.py"

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")


@dataclass(frozen=True)
class Invalid:
    """Code the rule must fire on, at `line` (1-based; in notebooks, the cell's line).

    `fixed` is the source after applying the rule's fixes (safe and unsafe), when it
    has edits; None means the rule offers advice only.
    """

    code: str
    line: int
    filename: str = "bot.py"
    fixed: str | None = None
    severity: Severity | None = None  # when this case reports at another severity
    count: int = 1  # how many findings of this rule the case must give

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def fixed_source(self) -> str | None:
        return None if self.fixed is None else textwrap.dedent(self.fixed).lstrip("\n")


@dataclass(frozen=True)
class Report:
    """What a rule says about one place; the engine turns it into a Finding."""

    node: cst.CSTNode | None
    message: str
    fix_text: str
    applicability: Applicability = Applicability.ADVICE
    edits: tuple[Edit, ...] = ()
    severity: Severity | None = None  # overrides the rule's default for this report
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # 1-based (line, column, end_line, end_column) when there is no node (text scans).
    span: tuple[int, int, int, int] | None = None


class Rule:
    """Base class of every rule. Subclasses set the class attributes and `check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    fix: ClassVar[str]  # "safe", "unsafe", "advice", or "safe where exact"
    # Whether the rule only looks at modules that are Binance code.
    binance_only: ClassVar[bool] = True
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    def check(self, analysis: "Analysis") -> Iterable[Report]:
        """Yield a Report for each problem in the module `analysis` describes."""
        raise NotImplementedError

    @classmethod
    def fixes_applied(cls, unsafe: bool) -> bool:
        """Whether `--fix` (with `unsafe`: `--unsafe-fixes`) applies edits this rule's findings may carry."""
        return cls.fix in ("safe", "safe where exact") or (unsafe and cls.fix == "unsafe")

    @classmethod
    def doc(cls) -> str:
        import sys

        return textwrap.dedent(sys.modules[cls.__module__].__doc__ or "").strip()

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's docs."""
        return cls.doc().splitlines()[0].strip() if cls.doc() else cls.name


# --- edit helpers rules share ------------------------------------------------------


def replace_node(analysis: "Analysis", node: cst.CSTNode, content: str | cst.CSTNode) -> Edit:
    """An edit that replaces `node`'s text with `content` (code, or a node rendered)."""
    position = analysis.model.position(node)
    text = content if isinstance(content, str) else analysis.model.module.code_for_node(content)
    return Edit(position.start.line, position.start.column + 1, position.end.line, position.end.column + 1, text)


def insert_import(analysis: "Analysis", module: str) -> tuple[Edit, ...]:
    """An edit adding `import <module>` in the right place, or nothing when it is imported.

    It goes after the module docstring and `from __future__` imports, before the first
    other statement.
    """
    model = analysis.model
    body = model.module.body
    # Only a module-level import binds the name everywhere (not one inside a function).
    if any(_imports_module(statement, module) for statement in body):
        return ()
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future_import(body[index]):
        index += 1
    if index < len(body):
        # Right before the statement, past the blank lines above it but before the comments
        # that belong to it; counted on the rendered text (decorators, long statements).
        head = "".join(model.module.code_for_node(node) for node in (*model.module.header, *body[:index]))
        line = len(_NEWLINE.findall(head)) + 1
        for leading in getattr(body[index], "leading_lines", ()):
            if leading.comment is not None:
                break
            line += 1
        return (Edit(line, 1, line, 1, f"import {module}\n"),)
    # The module holds only a docstring/future imports (or nothing): append at the end.
    breaks = list(_NEWLINE.finditer(model.source))
    tail = model.source[breaks[-1].end():] if breaks else model.source
    line, column = len(breaks) + 1, len(tail) + 1
    prefix = "\n" if tail else ""
    return (Edit(line, column, line, column, f"{prefix}import {module}\n"),)


# Line breaks as libcst (and Edit positions) count them.
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _imports_module(statement: cst.BaseStatement, module: str) -> bool:
    """Whether `statement` is `import module` (or `import module.sub`, which binds it too)."""
    if type(statement) is not cst.SimpleStatementLine:
        return False
    for small in statement.body:
        if type(small) is cst.Import:
            for alias in small.names:
                name = cst.helpers.get_full_name_for_node(alias.name) or ""
                bound = alias.asname.name if alias.asname is not None else None
                if bound is None and (name == module or name.startswith(module + ".")):
                    return True
                if type(bound) is cst.Name and bound.value == module == name:
                    return True
    return False


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        type(statement) is cst.SimpleStatementLine
        and len(statement.body) == 1
        and type(statement.body[0]) is cst.Expr
        and type(statement.body[0].value) in (cst.SimpleString, cst.ConcatenatedString)
    )


def _is_future_import(statement: cst.BaseStatement) -> bool:
    return (
        type(statement) is cst.SimpleStatementLine
        and any(
            type(small) is cst.ImportFrom
            and type(small.module) is cst.Name
            and small.module.value == "__future__"
            for small in statement.body
        )
    )
