"""`binlint.cli:main`, the entry point scripts and hook configurations name; the command line
itself is `binlint.frontends.cli`."""

from binlint.frontends.cli import main

__all__ = ["main"]
