"""How deeply a source nests, estimated on its text before any parser sees it.

libcst's native parser recurses once per level of nesting and has no limit of its own:
about 1,200 nested brackets, or a few thousand chained operators (`a + a + ...`,
`a.b.c...`, `f()()...`, `lambda: lambda: ...`) or `elif` branches, overflow the C stack
and kill the process with a segmentation fault no `except` can catch. Well before that
its time grows with the square of the depth, and the analysis, which walks the tree
with Python recursion (about two frames a level), runs out of Python's recursion
limit near 450 levels. Python itself refuses more than 200 nested brackets and cannot
compile chains of a few thousand operators, so real code stays far below these limits.

`too_deep` finds such input in one regex pass, so the engine reports BL001 instead of
parsing it. The depth is an over-estimate in levels of the syntax tree: a bracket
counts 3 (`x[...]` is a Subscript, a SubscriptElement and an Index), an indented
block 2, and 1 each operator, `.`, keyword operator (`and`, `not`, `lambda`, `if` ...)
or string next to a string since the last comma of the same bracket, and each `elif`
of a chain. The text of strings and comments counts for nothing, the expressions
inside f-strings do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_DEPTH = 300  # levels of the syntax tree; about 600 Python frames of analysis
TOO_DEEP = "nested too deeply to parse safely"

_STRING_BODY = (
    r"'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z)"
    r'|"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:"""|\Z)'
    r"|'[^'\\\r\n]*(?:\\[\s\S][^'\\\r\n]*)*'"
    r'|"[^"\\\r\n]*(?:\\[\s\S][^"\\\r\n]*)*"'
)
# The single characters and line breaks come first, and runs of blanks and of word characters are
# matched whole (`skip`), so the scan does not try every alternative at each character of a name.
# No token starts inside such a run: a prefixed string and a keyword start a word, and are tried
# before `skip` is.
_TOKEN = re.compile(
    r"(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])"
    r"|(?P<comma>[,;])"
    # A line break, and the indentation and first word of the next line holding code.
    r"|(?P<newline>(?:\r\n|\r|\n)(?:(?P<indent>[ \t\f]*)(?=[^\s#])(?P<first>elif\b|else\b)?)?)"
    r"|(?P<skip>[ \t\f]+)"
    rf"|(?P<string>(?:(?<!\w)(?P<prefix>[A-Za-z]{{1,2}}))?(?:{_STRING_BODY}))"
    r"|(?P<comment>\#[^\r\n]*)"
    r"|(?P<continuation>\\(?:\r\n|\r|\n))"
    r"|(?P<link>\*\*|//|<<|>>|:=|[-+*/%@&|^~<>]|\.(?![0-9])"
    r"|\b(?:and|or|not|in|is|if|else|for|lambda|await|yield)\b)"
    r"|(?P<skip_word>\w+)"
)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Outline:
    """What the scan saw of a module's lines, for parsing it in pieces (`parse.chunked`)."""

    top_level: list[int] = field(default_factory=list)  # where each logical line at column 0 starts
    first_indented: int | None = None  # where the first indented logical line starts
    # Where each logical line of a block of a top-level statement starts (not of blocks inside it).
    second_level: list[int] = field(default_factory=list)


def too_deep(source: str, outline: Outline | None = None) -> tuple[int, int, str] | None:
    """(line, column, why) where `source` nests past what binlint parses safely, or None.
    With `outline`, the scan also notes in it where the logical lines at column 0 start (the
    first line of the text aside), those of the blocks of top-level statements, and where the first
    indented one does."""
    found = _deepest(source, 0, outline=outline)
    if found is None:
        return None
    before = LINE_BREAK.split(source[:found])
    line = len(before)
    return line, len(before[-1]) + 1, f"{TOO_DEEP}: more than {MAX_DEPTH} levels deep on line {line}"


def _deepest(source: str, base: int, blocks: bool = True, outline: Outline | None = None) -> int | None:
    """The offset where the depth, counted from `base`, first passes MAX_DEPTH, or None.

    `blocks`: whether line breaks open and close indented blocks (not inside an f-string).
    `outline`: filled as the scan goes (see `too_deep`).
    """
    top_level = outline.top_level if outline is not None else None
    second_level = outline.second_level if outline is not None else None
    brackets: list[int] = []  # for each open bracket: the chain of its level when it opened
    chain = 0  # levels added in the current bracket since its last comma
    outer = base  # levels of the enclosing blocks and brackets
    indents: list[int] = [0]  # widths of the open indented blocks, as the tokenizer keeps them
    elifs: list[int] = [0]  # `elif`s so far in the chain of each block level
    after_string = False  # adjacent strings nest: "a" "b" "c" is ("a" "b") "c"
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        if kind == "skip" or kind == "skip_word":
            continue
        if kind == "string":
            if after_string:
                chain += 1
            after_string = True
        elif kind != "comment" and kind != "continuation" and not (kind == "newline" and brackets):
            after_string = False
        if kind == "link":
            chain += 1
        elif kind == "open":
            brackets.append(chain)
            outer += chain + 3
            chain = 0
        elif kind == "close":
            if brackets:
                chain = brackets.pop()
                outer -= chain + 3
                chain += 1  # what the brackets close is one more link: `f(x)[0]` is a Subscript of a Call
            if not brackets and not blocks:
                chain = 0  # the replacement fields of an f-string follow each other, they do not nest
        elif kind == "comma":
            chain = 0
        elif kind == "newline":
            if brackets or not blocks or match.group("indent") is None:
                continue  # a line break inside brackets, or a blank or comment line
            chain = 0
            width = len(match.group("indent"))
            if top_level is not None:
                if not width:
                    top_level.append(match.start("indent"))
                elif outline is not None and outline.first_indented is None:
                    outline.first_indented = match.start("indent")
            if width > indents[-1]:
                indents.append(width)
                elifs.append(0)
                outer += 2
            while width < indents[-1] and len(indents) > 1:
                indents.pop()
                outer -= 2 + elifs.pop()
            if second_level is not None and len(indents) == 2 and width == indents[1]:
                second_level.append(match.start("indent"))
            first = match.group("first")
            if first == "elif":
                elifs[-1] += 1
                outer += 1
            elif first != "else":
                outer -= elifs[-1]
                elifs[-1] = 0
        elif kind == "string":
            prefix = (match.group("prefix") or "").lower()
            if "f" in prefix or "t" in prefix:  # the expressions of an f-string are parsed too
                start = match.start() + len(prefix)
                quotes = 3 if source.startswith(("'''", '"""'), start) else 1
                inner = _deepest(source[start + quotes: match.end() - quotes], outer + chain, False)
                if inner is not None:
                    return start + quotes + inner
        else:
            continue
        if outer + chain > MAX_DEPTH:
            return match.end() if kind == "newline" else match.start()
    return None
