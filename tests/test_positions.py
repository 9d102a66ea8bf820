"""binlint's fast positions are exactly libcst's `PositionProvider` ranges, for every node."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

from binlint.analysis.positions import positions

TRICKY = [
    "",
    "\n",
    "x = 1",  # no final newline
    "x = 1\r\ny = 2\r\n",
    "x = 1\ry = 2",
    "if x:\n\tpass",
    "def f():\n    return 1  # comment",
    "# only a comment",
    "a; b;",
    "x = (\n    1,\n)\n\n\n",
    "@decorator\nclass C:\n    '''doc'''\n    x: int = f'{a!r:>{width}}'\n",
    "x = 'é' + \"\\u00e9\"\\\n  + y",
    "async def f():\n    async with a as (b, c):\n        await g(*args, **kw)\n",
    "match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n        pass\n",
    "lambda x=1, /, *a, k, **kw: (yield)\n",
    "try:\n    pass\nexcept* (A, B) as e:\n    raise\nfinally:\n    del x[1:2, ::3]\n",
    "x = [i for i in range(3) if i] + {k: v for k, v in d.items()}\n",
    "print(f'''{x\n}''')\n",
]


def assert_same_positions(source: str) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    found = positions(module)
    assert len(found) == len(expected)
    for node, code_range in expected.items():
        assert found[node] == code_range, (type(node).__name__, module.code_for_node(node))


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_sources(source: str):
    assert_same_positions(source)


def _real_files() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    names = ["json/decoder.py", "email/_header_value_parser.py", "string.py", "dataclasses.py"]
    ours = sorted((Path(__file__).resolve().parent.parent / "binlint").rglob("*.py"))[:10]
    return [stdlib / n for n in names if (stdlib / n).exists()] + ours


@pytest.mark.parametrize("path", _real_files(), ids=str)
def test_real_files(path: Path):
    assert_same_positions(path.read_text(encoding="utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_sources(source: str):
    try:
        cst.parse_module(source)
    except Exception:
        return  # libcst cannot read every source the grammar allows
    assert_same_positions(source)
