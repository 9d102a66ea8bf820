"""The parse stage's helpers: notebooks joined into one module (`notebook`), sources too deeply
nested for the parser caught on their text (`nesting`), and the language server's
statement-level re-parse (`incremental`). The parse itself runs in `binlint.pipeline.engine`."""
