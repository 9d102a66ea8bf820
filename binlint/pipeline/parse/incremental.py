"""Re-parsing a document after an edit: only the statements the edit touched.

An editor sends the whole text again after every keystroke, and libcst parses a
2,000-line module in about 200 ms. `DocumentParser` keeps the last tree and the
length of every statement in it. Given the next text it finds the changed span
(common prefix and suffix), descends to the innermost block whose statements hold
it, re-parses those statements plus one unchanged neighbour on each side (so that
an edit which joins or splits statements is seen), under `if 1:` lines that give
them their block's indentation, and splices the new statements into the old tree.
Unchanged statements are kept as they are (the tree index and positions reuse
what they found in them), so the work is proportional to the edit, not to the file.

A splice is only accepted when the new statements, rendered back with the
indentation of their block, give exactly the new text of the span; otherwise the
next block out is tried, and in the end the whole text is parsed. So the tree
always renders to the document's text, byte for byte, as a full parse does.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Callable, Iterable, Sequence, cast

import libcst as cst

from binlint.pipeline.parse.chunked import parse_in_pieces
from binlint.pipeline.parse import python_parser
from binlint.pipeline.parse.appended import Append, LineCode, appended
from binlint.pipeline.parse.nesting import Outline, too_deep
from binlint.pipeline.parse.unvalidated import parse_module, parsing

if TYPE_CHECKING:
    from libcst._nodes.internal import CodegenState

    class _Recording(CodegenState):
        """The code generation state `_recording_class` builds."""

        def __init__(self, module: cst.Module, indent: tuple[str, ...]) -> None: ...

        def table(self) -> dict[int, tuple[cst.CSTNode, int, int | None]]: ...


@dataclass(frozen=True)
class _Level:
    """A block on the way down to the edit: its statements, where the first starts, its indentation."""

    statements: Sequence[cst.BaseStatement]
    start: int  # offset in the text of its first statement
    indent: tuple[str, ...]  # indentation of its statements, per enclosing block
    owner: cst.CSTNode  # the Module, or the compound statement whose body this is


class DocumentParser:
    """Parses successive versions of one document; a re-parse costs about the edited statements."""

    def __init__(self) -> None:
        self._source: str | None = None
        self._module: cst.Module | None = None
        # id(statement) -> (statement, length of its text, offset of its body's first statement)
        self._table: dict[int, tuple[cst.CSTNode, int, int | None]] | None = None

    def reparse(self, source: str) -> cst.Module | None:
        """The module of `source` built from the last one by re-parsing what changed; None when
        that cannot be done (no earlier text, or the change needs a whole parse)."""
        if self._module is None or self._source is None:
            return None
        if source == self._source:
            return self._module
        module = self._splice(self._source, source)
        if module is not None:
            self._source, self._module = source, module
        return module

    def parse(self, source: str, outline: Outline | None = None) -> cst.Module:
        """The module of `source`, parsed whole (in pieces, given the nesting scan's `outline` of a
        large one) and remembered (raises `libcst.ParserSyntaxError` as `parse_module` does; the
        last tree that parsed then stays, to splice the next text into)."""
        module = parse_in_pieces(source, outline)
        self._source, self._module, self._table = source, module, None
        return module

    def prepare(self) -> None:
        """Measure the statements of the last tree now (after a whole parse the first splice
        would, about a third of a parse), so that the next edit is spliced at once."""
        if self._module is not None:
            self._statement_table(self._module)

    # --- the statement table ----------------------------------------------------------------

    def _statement_table(self, module: cst.Module) -> dict[int, tuple[cst.CSTNode, int, int | None]]:
        """The table, measured on the whole module the first time after a whole parse."""
        if self._table is None:
            self._table = {}
            state = _recording_state(module, ())
            module._codegen(state)
            self._table.update(state.table())
        return self._table

    def _length(self, statement: cst.CSTNode) -> int:
        assert self._table is not None
        return self._table[id(statement)][1]

    # --- splicing ------------------------------------------------------------------------------

    def _splice(self, old: str, new: str) -> cst.Module | None:
        """`new` as the last module with the statements around the change re-parsed, trying the
        innermost block first; None when no block will do."""
        module = self._module
        assert module is not None
        if module.encoding != "utf-8" or not module.body:
            return None
        start, old_end = _changed_span(old, new)
        table = self._statement_table(module)
        header = len(_render_lines(module, module.header))
        levels = [_Level(module.body, header, (), module)]
        # Go down while the change lies inside the body of one compound statement,
        # away from the body's first and last statements.
        while True:
            level = levels[-1]
            found = _covering(level, table, start, old_end)
            if found is None:
                break
            first, last = found
            if first != last:
                break
            statement = level.statements[first]
            body = getattr(statement, "body", None)
            if not isinstance(body, cst.IndentedBlock) or len(body.body) < 3:
                break
            head = table[id(statement)][2]
            if head is None:
                break
            offset = _starts(level, table)[first] + head
            inner = _Level(body.body, offset, (*level.indent, body.indent or module.default_indent), statement)
            found = _covering(inner, table, start, old_end)
            if found is None or found[0] < 1 or found[1] > len(body.body) - 2:
                break
            levels.append(inner)
        for depth in range(len(levels) - 1, -1, -1):
            spliced = self._splice_at(levels[: depth + 1], old, new, start, old_end)
            if spliced is not None:
                return spliced
        return None

    def _splice_at(self, levels: list[_Level], old: str, new: str, start: int, old_end: int
                   ) -> cst.Module | None:
        """The module with the statements of the innermost level that the change [start, old_end)
        of `old` touches, and a neighbour on each side, re-parsed from `new`; None when that fails."""
        module = self._module
        assert module is not None and self._table is not None
        level = levels[-1]
        at_top = len(levels) == 1
        found = _covering(level, self._table, start, old_end)
        if found is None:
            return None
        starts = _starts(level, self._table)
        first, last = max(found[0] - 1, 0), min(found[1] + 1, len(level.statements) - 1)
        from_start = at_top and first == 0
        to_end = at_top and last == len(level.statements) - 1
        if from_start and to_end:
            return None  # the whole module: parse it
        region_start = 0 if from_start else starts[first]
        region_end = len(old) if to_end else starts[last] + self._length(level.statements[last])
        if region_start > start or region_end < old_end:
            return None
        text = new[region_start: region_end + len(new) - len(old)]
        part = _parse_in_block(text, level.indent, module, from_start)
        if part is None:
            return None
        statements, part_header, part_footer, part_trailing = part
        if not statements or (part_footer and not to_end) or (not part_trailing and not to_end):
            return None
        header = module.header
        if from_start:
            header = part_header
        elif part_header:
            first_statement = statements[0]
            assert isinstance(first_statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
            statements[0] = first_statement.with_changes(leading_lines=[*part_header, *first_statement.leading_lines])
        footer = part_footer if to_end else module.footer
        trailing = part_trailing if to_end else module.has_trailing_newline
        # Rendered back at the block's indentation, the new statements must be the new text.
        state = _recording_state(module, level.indent)
        if from_start:
            for line in header:
                line._codegen(state)
        for statement in statements:
            statement._codegen(state)
        if to_end:
            for line in footer:
                line._codegen(state)
        rendered = "".join(state.tokens)
        if not trailing and state.tokens:
            rendered = rendered[: -len(state.tokens[-1])]
        if rendered != text:
            return None
        defaults = {"header": header, "footer": footer, "has_trailing_newline": trailing}
        spliced, rebuilt = self._rebuild(levels, first, last, statements, defaults, len(new) - len(old))
        if not _indentation_holds(spliced):
            return None
        self._forget(levels[-1].statements[first: last + 1], [level.owner for level in levels[1:]])
        self._table.update(state.table())
        self._table.update(rebuilt)
        return spliced

    def _forget(self, replaced: Sequence[cst.CSTNode], owners: Sequence[cst.CSTNode]) -> None:
        """Drop from the table the statements no longer in the tree: the replaced ones with all
        they hold, and the blocks' owners that were rebuilt around the new ones."""
        assert self._table is not None
        for owner in owners:
            self._table.pop(id(owner), None)
        stack = list(replaced)
        while stack:
            node = stack.pop()
            self._table.pop(id(node), None)
            if not isinstance(node, (cst.SimpleStatementLine, cst.BaseExpression)):
                stack.extend(node.children)

    def _rebuild(self, levels: list[_Level], first: int, last: int, statements: list[cst.BaseStatement],
                 changes: dict[str, object], delta: int
                 ) -> tuple[cst.Module, dict[int, tuple[cst.CSTNode, int, int | None]]]:
        """The module with the statements `first..last` of the innermost level replaced, and the
        table entries of the compound statements rebuilt around them."""
        assert self._table is not None
        entries: dict[int, tuple[cst.CSTNode, int, int | None]] = {}
        body: list[cst.CSTNode] = [*levels[-1].statements[:first], *statements, *levels[-1].statements[last + 1:]]
        for depth in range(len(levels) - 1, 0, -1):
            owner = levels[depth].owner
            _, length, head = self._table[id(owner)]
            rebuilt = owner.with_changes(body=getattr(owner, "body").with_changes(body=body))
            entries[id(rebuilt)] = (rebuilt, length + delta, head)
            body = [rebuilt if s is owner else s for s in levels[depth - 1].statements]
        module = self._module
        assert module is not None
        return module.with_changes(body=body, **changes), entries


# --- helpers ---------------------------------------------------------------------------------


def _changed_span(old: str, new: str) -> tuple[int, int]:
    """(start, end in `old`) of the text that differs, by halving (slices compare in C)."""
    limit = min(len(old), len(new))
    low, high = 0, limit
    while low < high:  # longest common prefix
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    prefix = low
    low, high = 0, limit - prefix
    while low < high:  # longest common suffix not overlapping the prefix
        middle = (low + high + 1) // 2
        if old[len(old) - middle:] == new[len(new) - middle:]:
            low = middle
        else:
            high = middle - 1
    return prefix, len(old) - low


def _starts(level: _Level, table: dict[int, tuple[cst.CSTNode, int, int | None]]) -> list[int]:
    """Where each statement of the level starts in the text."""
    return list(accumulate((table[id(s)][1] for s in level.statements[:-1]), initial=level.start))


def _covering(level: _Level, table: dict[int, tuple[cst.CSTNode, int, int | None]], start: int,
              end: int) -> tuple[int, int] | None:
    """(first, last) indices of the level's statements that the change [start, end) touches;
    None when it reaches outside them."""
    statements = level.statements
    if not statements or any(id(s) not in table for s in statements):
        return None
    starts = _starts(level, table)
    stop = starts[-1] + table[id(statements[-1])][1]
    if start < level.start or end > stop:
        return None
    first = next((i for i in range(len(statements)) if starts[i] + table[id(statements[i])][1] > start),
                 len(statements) - 1)
    last = first
    while last + 1 < len(statements) and starts[last + 1] < end:
        last += 1
    return first, last


def in_block(text: str, indent: tuple[str, ...], module: cst.Module, from_start: bool = False) -> str:
    """`text` after the lines that make it the body of a block at `indent` in `module` (see
    `_parse_in_block`): what is parsed for it."""
    if from_start:
        return text
    return _opening(module) + _headers(indent, module.default_newline) + text


def _opening(module: cst.Module) -> str:
    """A first block that gives the parser the module's newline and indentation."""
    newline = module.default_newline
    return "if 1:" + newline + module.default_indent + "pass" + newline


def _headers(indent: tuple[str, ...], newline: str) -> str:
    """`if 1:` lines that open a block at `indent` (one per enclosing block, the first at column 0)."""
    return "".join("".join(indent[:depth]) + "if 1:" + newline for depth in range(len(indent)))


def _parse_in_block(text: str, indent: tuple[str, ...], module: cst.Module, from_start: bool) -> tuple[
        list[cst.BaseStatement], Sequence[cst.EmptyLine], Sequence[cst.EmptyLine], bool] | None:
    """(statements, header lines, footer lines, ends in a newline) of `text`, parsed as the body of a
    block at `indent` in `module`; None when it does not parse.

    Unless it starts the module, the text goes after a first block that gives the parser the
    module's newline and indentation (so nodes that use them say so as in the whole module),
    then under `if 1:` headers that give it its own indentation (so strings, blank lines and
    continuation lines read as in the whole module).
    """
    wrapped = in_block(text, indent, module, from_start)
    if too_deep(wrapped) is not None:
        return None  # the whole parse reports it
    try:
        part = parse_module(wrapped)
    except Exception:  # a syntax error here may be none in a wider block
        return None
    if from_start:
        # The first line break of the text is the module's newline, even inside a string; a
        # different indentation fails the render check.
        if part.default_newline != module.default_newline:
            return None
        return list(part.body), part.header, part.footer, part.has_trailing_newline
    if part.header or len(part.body) < 2:
        return None
    if not indent:
        return list(part.body[1:]), (), part.footer, part.has_trailing_newline
    if len(part.body) != 2:
        return None
    block = innermost_block(part.body[1], indent, part.default_indent)
    if block is None:
        return None
    return list(block.body), (), [*block.footer, *part.footer], part.has_trailing_newline


def innermost_block(node: cst.CSTNode, indent: tuple[str, ...], default_indent: str) -> cst.IndentedBlock | None:
    """The block at `indent` inside the `if 1:` headers (`_headers`) that `node` starts with; None when the
    statement is not those headers alone, each holding the next, the last at that indentation."""
    for depth in range(len(indent)):
        block = getattr(node, "body", None)
        if not isinstance(node, cst.If) or node.orelse is not None or not isinstance(block, cst.IndentedBlock):
            return None
        if depth == len(indent) - 1:
            if (block.indent if block.indent is not None else default_indent) != indent[-1]:
                return None  # the text's lines are not at the block's indentation
            return block
        if block.footer or len(block.body) != 1:
            return None
        node = block.body[0]
    return None


def _indentation_holds(module: cst.Module) -> bool:
    """Whether the module's default indentation is still that of its first indented block (the
    parser takes it from there; an edit of that block can change it for the whole module)."""
    block = _first_indented_block(module.body)
    return block is None or block.indent is None


def _first_indented_block(nodes: Sequence[cst.CSTNode]) -> cst.IndentedBlock | None:
    for node in nodes:
        if isinstance(node, cst.IndentedBlock):
            return node
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseExpression, cst.EmptyLine)):
            continue
        found = _first_indented_block(node.children)
        if found is not None:
            return found
    return None


def _render_lines(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> str:
    return "".join(module.code_for_node(line) for line in lines)


def _recording_state(module: cst.Module, indent: tuple[str, ...]) -> "_Recording":
    global _RECORDING
    if _RECORDING is None:
        _RECORDING = _recording_class()
    return _RECORDING(module, indent)


_RECORDING: type[_Recording] | None = None


def _recording_class() -> type[_Recording]:
    from libcst._nodes.internal import CodegenState

    statement_types = frozenset(_concrete_subclasses(cst.BaseStatement))

    class Recording(CodegenState):
        """Code generation that notes where each statement, and its body, starts and ends."""

        def __init__(self, module: cst.Module, indent: tuple[str, ...]) -> None:
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline,
                             indent_tokens=list(indent))
            self.spans: dict[int, tuple[cst.CSTNode, int, int]] = {}
            self.open: list[int] = []

        def pop_trailing_newline(self) -> None:
            """Keep it: statements own their newlines (the caller drops a missing last one)."""

        def before_codegen(self, node: cst.CSTNode) -> None:
            if type(node) in statement_types:
                self.open.append(len(self.tokens))

        def after_codegen(self, node: cst.CSTNode) -> None:
            if type(node) in statement_types:
                self.spans[id(node)] = (node, self.open.pop(), len(self.tokens))

        def table(self) -> dict[int, tuple[cst.CSTNode, int, int | None]]:
            offsets = list(accumulate(map(len, self.tokens), initial=0))
            found: dict[int, tuple[cst.CSTNode, int, int | None]] = {}
            for key, (node, first, end) in self.spans.items():
                head = None
                body = getattr(node, "body", None)
                if isinstance(body, cst.IndentedBlock) and body.body and id(body.body[0]) in self.spans:
                    head = offsets[self.spans[id(body.body[0])][1]] - offsets[first]
                found[key] = (node, offsets[end] - offsets[first], head)
            return found

    return cast("type[_Recording]", Recording)


def _concrete_subclasses(base: type) -> set[type]:
    found: set[type] = set()
    subclasses: list[type] = base.__subclasses__()
    for sub in subclasses:
        found |= _concrete_subclasses(sub)
        if not getattr(sub, "__abstractmethods__", None):
            found.add(sub)
    return found


# --- many edits at once (the fixer) ----------------------------------------------------------


# A simple statement line the check placed: (start, end, ids of the owners on the way and its index in the
# last one's body, the indentation of its block), as `_LineFinder.find` gives it, and its code.
PlacedLine = tuple[int, int, tuple[int, ...], tuple[str, ...], LineCode]


def placed_lines(module: cst.Module, lines: Iterable[tuple[cst.SimpleStatementLine, int, int, LineCode]],
                 parent: Callable[[cst.CSTNode], cst.CSTNode | None]) -> list[PlacedLine]:
    """The lines the check placed (statement, start, end), as the splicer finds statements, sorted: those
    reached through the `body` blocks of compound statements, as `_LineFinder` reaches them."""
    indexes: dict[int, dict[int, int]] = {}  # id(body list's owner) -> id(statement) -> index

    def index_in(owner: cst.CSTNode, body: Sequence[cst.CSTNode], node: cst.CSTNode) -> int | None:
        known = indexes.get(id(owner))
        if known is None:
            known = indexes[id(owner)] = {id(s): i for i, s in enumerate(body)}
        return known.get(id(node))

    found: list[PlacedLine] = []
    for statement, start, end, code in lines:
        owners: list[int] = []
        indents: list[str] = []
        node: cst.CSTNode = statement
        index: int | None = None
        while True:
            container = parent(node)
            if container is module:
                at = index_in(module, module.body, node)
                owner: cst.CSTNode = module
            elif type(container) is cst.IndentedBlock:
                block = container
                owner_node = parent(block)
                if owner_node is None or getattr(owner_node, "body", None) is not block:
                    break  # an `else:`, `except:` ... block: the finder does not go there either
                owner = owner_node
                at = index_in(block, block.body, node)
                indents.append(block.indent or module.default_indent)
            else:
                break
            if at is None:
                break
            if index is None:
                index = at
            owners.append(id(owner))
            if owner is module:
                if len(owners) == 1 and index == 0:
                    break  # the module's first statement: its leading lines may be the module's header
                found.append((start, end, (*reversed(owners), index), tuple(reversed(indents)), code))
                break
            node = owner
    found.sort(key=lambda line: line[0])
    return found


def splice_edits(module: cst.Module, old: str, new: str, edits: Sequence[tuple[int, int, int]]) -> cst.Module | None:
    """The module of `new`, built from `module` (parsed from `old`) by re-parsing only the simple
    statement lines the edits fall in; None when that cannot be done (see `Splicer.splice`)."""
    return Splicer(module, old).splice(new, edits)


class Splicer:
    """Builds the trees of texts made from one parsed text by edits (the fixer's), from its tree."""

    def __init__(self, module: cst.Module, old: str, placed: Sequence[PlacedLine] = (),
                 python_parses: Callable[[str], bool] | None = None) -> None:
        self.module = module
        self.old = old
        self._finder: _LineFinder | None = None  # measured when an edit falls outside the lines placed
        self._placed = list(placed)  # the lines the check placed (`placed_lines`): found without generating code
        self._placed_starts = [line[0] for line in self._placed]
        self._python_parses = python_parses or python_parser.parses
        # Python's own verdict on what the last splice re-parsed, each as it was parsed (`in_block`): its
        # verdict on the new text, the rest being the old text's statements. None: nothing was spliced.
        self.python_verdict: bool | None = None

    def _find(self, start: int, end: int) -> tuple[tuple[int, ...], tuple[str, ...], int, int, LineCode | None] | None:
        """`_LineFinder.find` for the edit [start, end), from the lines placed when one holds it (then
        with the line's code)."""
        index = bisect.bisect_right(self._placed_starts, start) - 1
        if index >= 0:
            first, last, path, indent, code = self._placed[index]
            if end <= last and not start == end == last:
                return path, indent, first, last, code
        if self._finder is None:
            state = _recording_state(self.module, ())
            self.module._codegen(state)
            self._finder = _LineFinder(self.module, state.table())
        found = self._finder.find(start, end)
        return None if found is None else (*found, None)

    def splice(self, new: str, edits: Sequence[tuple[int, int, int]]) -> cst.Module | None:
        """The module of `new`, built from the tree by re-parsing only the simple statement lines the
        edits fall in; None when that cannot be done (the caller parses `new` whole).

        `edits` are (start, end, length of the new content): offsets in the old text, sorted, not
        overlapping, and `new` is the old text with them applied. Each edit must fall inside one simple
        statement line (the lines of a statement's `;`-separated small statements, with its leading
        comment lines; not the module's first statement, whose leading lines may be the module's header),
        reached through the bodies of the compound statements around it; the new text of each such line
        must parse, at the indentation of its block, as simple statement lines that render back to
        exactly that text (a line whose one edit appends to a dict or a call is built from its old
        nodes instead, as that parse would give it: `appended`). The tokenizer is then at the start of
        a line with no bracket open, at the block's indentation, after the new lines as after the old
        one, so the rest of the text parses as it did: the tree is the one a whole parse gives.
        """
        module = self.module
        self.python_verdict = None
        if module.encoding != "utf-8" or not module.body or not edits or _first_newline(new) != module.default_newline:
            return None
        # The simple statement line each edit falls in, keyed by (id of the block's owner, index in it).
        targets: dict[tuple[int, int], tuple[tuple[int, ...], tuple[str, ...], int, int, LineCode | None,
                                             list[tuple[int, int, int]]]] = {}
        for edit in edits:
            found = self._find(edit[0], edit[1])
            if found is None:
                return None
            path, indent, start, end, code = found
            targets.setdefault((path[-2], path[-1]), (path, indent, start, end, code, []))[5].append(edit)
        lines: list[tuple[str, tuple[str, ...]]] = []  # the new text of each line, with its block's indentation
        appends: dict[int, Append] = {}  # by line: the one edit of a line whose code the check generated
        owners: set[int] = set()
        delta = 0
        for path, indent, start, end, code, inside in targets.values():  # in the order of the text
            grown = sum(length - (e_end - e_start) for e_start, e_end, length in inside)
            if code is not None and len(inside) == 1 and inside[0][0] == inside[0][1]:
                at, _, length = inside[0]
                appends[len(lines)] = Append(code, at - start, new[at + delta: at + delta + length])
            lines.append((new[start + delta: end + delta + grown], indent))
            delta += grown
            owners.update(path[:-1])
        if len(new) != len(self.old) + delta:
            return None  # not the old text with these edits
        verdicts = [self._python_parses(in_block(text, indent, module)) for text, indent in lines]
        parsed = self._parsed(lines, verdicts, {number: append for number, append in appends.items()
                                                if verdicts[number]})
        if parsed is None:
            return None
        spliced = cast(cst.Module, _rebuilt(module, owners, dict(zip(targets, parsed))))
        if not _indentation_holds(spliced):
            return None
        self.python_verdict = all(verdicts)
        return spliced

    def _parsed(self, lines: list[tuple[str, tuple[str, ...]]], verdicts: list[bool], appends: dict[int, Append]
                ) -> list[list[cst.BaseStatement]] | None:
        """The statements of each line's new text: built from the old nodes where its edit appends to a
        dict or a call (`appended`, for lines Python's parser takes), else re-parsed (`_reparse_all`)."""
        found: dict[int, list[cst.BaseStatement]] = {}
        for number, statement in zip(appends, appended(list(appends.values()))):
            if statement is not None:
                found[number] = [statement]
        rest = [number for number in range(len(lines)) if number not in found]
        with parsing(sum(len(lines[number][0]) for number in rest)):  # once for all the parses
            reparsed = _reparse_all([lines[number] for number in rest], [verdicts[number] for number in rest],
                                    self.module)
        if reparsed is None:
            return None
        found.update(zip(rest, reparsed))
        return [found[number] for number in range(len(lines))]


# Lines re-parsed by one libcst parse (`_reparse_batch`): a parse has a fixed cost about that of a
# two-line statement, and past a few kilobytes a longer text costs more per line.
BATCH = 12


def _reparse_all(lines: Sequence[tuple[str, tuple[str, ...]]], verdicts: Sequence[bool], module: cst.Module
                 ) -> list[list[cst.BaseStatement]] | None:
    """The statements of each line's new text (`_reparse_lines`), or None when one does not parse so.

    Lines that Python's parser takes (`verdicts`) in a block are parsed `BATCH` at a time, each under
    headers of its own; the others, and a batch that does not come out line by line, one at a time."""
    found: list[list[cst.BaseStatement]] = []
    batch: list[tuple[str, tuple[str, ...]]] = []

    def flush() -> bool:
        statements = _reparse_batch(batch, module) if len(batch) > 1 else None
        if statements is None:
            for text, indent in batch:
                one = _reparse_lines(text, indent, module)
                if one is None:
                    return False
                found.append(one)
        else:
            found.extend(statements)
        batch.clear()
        return True

    for (text, indent), verdict in zip(lines, verdicts):
        if verdict and indent and text.endswith(("\n", "\r")) and "__future__" not in text:
            batch.append((text, indent))
            if len(batch) == BATCH and not flush():
                return None
            continue
        one = _reparse_lines(text, indent, module) if flush() else None
        if one is None:
            return None
        found.append(one)
    return found if flush() else None


def _reparse_batch(batch: Sequence[tuple[str, tuple[str, ...]]], module: cst.Module
                   ) -> list[list[cst.BaseStatement]] | None:
    """The statements of each text of `batch` (simple statement lines of a block at the indentation given
    with it, each taken by Python's parser there), parsed at once: the opening block, then each text under
    headers of its own. None when that does not give, for each text, its own headers holding simple
    statement lines and nothing else (the texts are then parsed one by one).

    Python's parser takes each text in its block, so each ends at the end of a statement with no bracket
    or string open, and the headers after it start a statement at column 0, as the end of the text does
    where it is parsed alone: each text's statements are those `_reparse_lines` finds."""
    newline = module.default_newline
    text = _opening(module) + "".join(_headers(indent, newline) + lines for lines, indent in batch)
    if too_deep(text) is not None:
        return None
    try:
        part = parse_module(text)
    except Exception:
        return None
    if part.header or part.footer or not part.has_trailing_newline or len(part.body) != len(batch) + 1:
        return None
    found: list[list[cst.BaseStatement]] = []
    for node, (_, indent) in zip(part.body[1:], batch):
        block = innermost_block(node, indent, part.default_indent)
        if block is None or block.footer or getattr(node, "leading_lines", None) or not block.body or \
                not all(type(s) is cst.SimpleStatementLine for s in block.body):
            return None
        found.append(list(block.body))
    return found


def _first_newline(text: str) -> str:
    """The module's default newline as libcst takes it: the first line break of the text."""
    from libcst._nodes.whitespace import NEWLINE_RE

    found = NEWLINE_RE.search(text)
    return found.group() if found else "\n"


class _LineFinder:
    """Finds the simple statement line an edit falls in, going down the bodies of compound statements."""

    def __init__(self, module: cst.Module, table: dict[int, tuple[cst.CSTNode, int, int | None]]) -> None:
        self.module = module
        self.table = table
        self.levels: dict[int, tuple[_Level, list[int]] | None] = {}
        self._level(_Level(module.body, len(_render_lines(module, module.header)), (), module))

    def _level(self, level: _Level) -> tuple[_Level, list[int]] | None:
        key = id(level.owner)
        if key not in self.levels:
            ok = bool(level.statements) and all(id(s) in self.table for s in level.statements)
            self.levels[key] = (level, _starts(level, self.table)) if ok else None
        return self.levels[key]

    def find(self, start: int, end: int) -> tuple[tuple[int, ...], tuple[str, ...], int, int] | None:
        """(ids of the owners on the way and the line's index in the last one's body, the indentation
        of its block, where its text starts and ends) for the edit [start, end); an insertion at the start
        of a line goes with that line. None when the edit falls elsewhere."""
        path: list[int] = []
        known = self.levels[id(self.module)]
        while known is not None:
            level, starts = known
            index = bisect.bisect_right(starts, start) - 1
            if index < 0:
                return None
            statement = level.statements[index]
            _, length, head = self.table[id(statement)]
            first = starts[index]
            if end > first + length or start == end == first + length:
                return None
            path.append(id(level.owner))
            if isinstance(statement, cst.SimpleStatementLine):
                if index == 0 and level.owner is self.module:
                    return None  # blank and comment lines above it may go to the module's header instead
                return (*path, index), level.indent, first, first + length
            body = getattr(statement, "body", None)
            if not isinstance(body, cst.IndentedBlock) or head is None or start < first + head:
                return None
            indent = (*level.indent, body.indent or self.module.default_indent)
            known = self._level(_Level(body.body, first + head, indent, statement))
        return None


def _reparse_lines(text: str, indent: tuple[str, ...], module: cst.Module) -> list[cst.BaseStatement] | None:
    """`text` parsed as simple statement lines of a block at `indent` (they render back to exactly `text`
    there), or None."""
    if "__future__" in text:
        return None  # a future import is read by the parser for the whole module
    part = _parse_in_block(text, indent, module, False)
    if part is None:
        return None
    statements, part_header, part_footer, trailing = part
    if not statements or part_header or part_footer or not trailing:
        return None
    if not all(isinstance(s, cst.SimpleStatementLine) for s in statements):
        return None
    # No need to render them back to compare: libcst renders what it parsed to exactly its text,
    # the wrapper's lines render to themselves, and the block holding the statements has the
    # indentation of their block in the module (`_parse_in_block`), with the module's newline
    # and indentation (the wrapper's first lines give them). So the statements, rendered in the
    # module, give exactly `text`.
    return statements


def _rebuilt(node: cst.CSTNode, owners: set[int], replacements: dict[tuple[int, int], list[cst.BaseStatement]]
             ) -> cst.CSTNode:
    """`node` (the module or a compound statement) with the statements of its body replaced, and the
    compound statements on the way to them rebuilt."""
    if isinstance(node, cst.Module):
        statements: Sequence[cst.CSTNode] = node.body
    else:
        statements = getattr(node, "body").body
    body: list[cst.CSTNode] = []
    for index, statement in enumerate(statements):
        new = replacements.get((id(node), index))
        if new is not None:
            body.extend(new)
        elif id(statement) in owners:
            body.append(_rebuilt(statement, owners, replacements))
        else:
            body.append(statement)
    if isinstance(node, cst.Module):
        return node.with_changes(body=body)
    return node.with_changes(body=getattr(node, "body").with_changes(body=body))
