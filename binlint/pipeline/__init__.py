"""The stages a file goes through, in order: discover, gate, parse (`engine`, `parse/`),
text scan, suppress (with `baseline` and `since`), fix; `cache` keeps results between runs.

Nothing is imported here: each stage is imported where it is used, so libcst stays unloaded
for runs that never parse.
"""
