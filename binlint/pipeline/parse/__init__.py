"""The parse stage's helpers: notebooks joined into one module (`notebook`), sources too deeply
nested for the parser caught on their text (`nesting`), the language server's statement-level
re-parse (`incremental`), and the trees phase one parsed, kept for the check (`reuse`). The
parse itself runs in `binlint.pipeline.engine`."""
