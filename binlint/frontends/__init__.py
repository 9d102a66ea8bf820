"""The ways binlint is run: the command line (`cli`, `app`, `explain`), the language server
(`lsp`) and `binlint history`. Each turns its input into pipeline runs and its output."""
