"""detect-secrets plugin shim: Binance API key and secret detectors from binlint.

detect-secrets loads custom plugins by file path only:

    detect-secrets scan --plugin hooks/detect_secrets_binance.py

Needs binlint installed where detect-secrets runs (pre-commit:
`additional_dependencies: [binlint]`). Only the two detectors are exported, so
detect-secrets registers nothing else from this file.
"""

from binlint.integrations.detect_secrets import BinanceApiKeyDetector, BinanceSecretKeyDetector

__all__ = ["BinanceApiKeyDetector", "BinanceSecretKeyDetector"]
