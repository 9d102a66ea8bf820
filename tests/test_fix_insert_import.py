"""`rules.base.insert_import`: where `import os` goes, and that it is never added twice."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from binlint.analysis import Analysis
from binlint.analysis.module import ModuleModel
from binlint.config import Config
from binlint.rules.base import insert_import


def _with_import(source: str, module: str = "os") -> str:
    """`source` after applying the edits `insert_import` proposes."""
    from binlint.pipeline import fix

    tree = cst.parse_module(source)
    edits = insert_import(Analysis(ModuleModel(tree, "bot.py", source), Config(root=Path.cwd())), module)
    lines = fix.Lines(source)
    placed = [fix.Placed(0, lines.offset(e.line, e.column), lines.offset(e.end_line, e.end_column),
                         e.content.replace("\n", lines.newline)) for e in edits]
    result = fix.apply_edits(source, placed)
    cst.parse_module(result)
    return result


@pytest.mark.parametrize("source, expected", [
    ("x = 1\n", "import os\nx = 1\n"),
    ('"""Doc."""\nx = 1\n', '"""Doc."""\nimport os\nx = 1\n'),
    ('"""Doc."""\n\nimport sys\n', '"""Doc."""\n\nimport os\nimport sys\n'),
    ('"""Doc."""\nfrom __future__ import annotations\n\nimport sys\n',
     '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nimport sys\n'),
    ('"""Doc\n\nmore."""\n\n# third-party\nimport requests\n',
     '"""Doc\n\nmore."""\n\nimport os\n# third-party\nimport requests\n'),
    ("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport sys\n",
     "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\nimport sys\n"),
    ('"""Doc."""\n\n@decorator(\n    1,\n)\ndef f():\n    pass\n',
     '"""Doc."""\n\nimport os\n@decorator(\n    1,\n)\ndef f():\n    pass\n'),
    ('"""Doc."""\nfrom __future__ import annotations', '"""Doc."""\nfrom __future__ import annotations\nimport os\n'),
    ('"""Doc."""\n', '"""Doc."""\nimport os\n'),
    ("", "import os\n"),
    ('"""Doc."""\r\n\r\nimport sys\r\n', '"""Doc."""\r\n\r\nimport os\r\nimport sys\r\n'),
    # Bound only inside a function, or under another name: module-level code needs its own import.
    ("def f():\n    import os\nx = 1\n", "import os\ndef f():\n    import os\nx = 1\n"),
    ("import os as system\n", "import os\nimport os as system\n"),
    ("from os import environ\n", "import os\nfrom os import environ\n"),
])
def test_import_goes_after_docstring_and_future_imports(source, expected):
    assert _with_import(source) == expected


@pytest.mark.parametrize("source", [
    "import os\nx = 1\n",
    "import sys, os\n",
    "import os.path\n",
    '"""Doc."""\nimport os\n',
    "import os as os\n",
])
def test_no_import_when_the_module_already_binds_it(source):
    assert _with_import(source) == source


def test_dotted_module():
    assert _with_import("import urllib\n", "urllib.parse") == "import urllib.parse\nimport urllib\n"
    assert _with_import("import urllib.parse.x\n", "urllib.parse") == "import urllib.parse.x\n"
