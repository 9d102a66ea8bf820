"""binlint: a linter for Binance trading code."""

__version__ = "0.1.0"
