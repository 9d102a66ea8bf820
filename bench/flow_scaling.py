"""The reaching-definitions pass (`binlint/analysis/flow.py`) grows linearly with a scope.

    python bench/flow_scaling.py [--sizes 500 1000 2000 4000]

Builds one function of N blocks (reassignments, an `if` per block, a loop every tenth
block, 300 distinct names) and one module-level script of the same shape, parses each
once, then times the flow pass alone (median of 5) and the whole check. The time per
block should stay flat as N grows.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def source(blocks: int, in_function: bool) -> str:
    pad = "    " if in_function else ""
    lines = ["import requests", 'BASE = "https://api.binance.com"']
    if in_function:
        lines.append("def run(a, symbols):")
    for i in range(blocks):
        lines.append(f"{pad}v{i % 300} = BASE + '/api/v3/ticker/price'")
        lines.append(f"{pad}if a > {i}:")
        lines.append(f"{pad}    url = BASE + '/api/v3/depth'")
        if i % 10 == 0:
            lines.append(f"{pad}for s in symbols:")
            lines.append(f"{pad}    url = BASE + '/api/v3/order'")
        lines.append(f"{pad}requests.get(url, params={{'symbol': v{(i * 7) % 300}}}, timeout=5)")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 4000])
    args = parser.parse_args()
    import libcst as cst

    from binlint.analysis.flow import ScopeFlow
    from binlint.analysis.module import ModuleModel

    print(f"{'shape':<10}{'blocks':>8}{'flow ms':>10}{'us/block':>10}")
    for in_function in (True, False):
        for blocks in args.sizes:
            text = source(blocks, in_function)
            model = ModuleModel(cst.parse_module(text), "bench.py", text)
            scope = model.functions()[0] if in_function else model.module
            bindings = model._scope_bindings.get(id(scope), {})
            times = []
            gc.disable()  # as in the engine: the collector waits for the end of a file
            for _ in range(5):
                start = time.perf_counter()
                ScopeFlow(model, scope, bindings)
                times.append(time.perf_counter() - start)
            gc.enable()
            median = statistics.median(times)
            shape = "function" if in_function else "script"
            print(f"{shape:<10}{blocks:>8}{median * 1000:>10.1f}{median / blocks * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
