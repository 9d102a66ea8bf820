"""`binlint.cli:main`, the entry point scripts and hook configurations name (the `binlint`
program, `binlint.frontends.cli.run`); the command line itself is `binlint.frontends.cli`."""

from binlint.frontends.cli import run as main

__all__ = ["main"]
