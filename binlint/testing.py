"""Fake credentials for examples and tests, made at run time so none is ever committed.

Rule examples write `@KEY@`, `@SECRET@`, `@KEY2@`, `@SECRET2@`, `@PEM@`, `@DOCKEY@`,
`@DOCSECRET@` and the hex (futures-testnet shaped) `@HEXKEY@`, `@HEXSECRET@` where a
credential goes, and `@HEX@`, `@HEXUPPER@`, `@ZEROS@` where a 64-character value
that is *not* a credential goes (a SHA-256 digest, a run of zeros). `fill` puts generated fakes there (for tests); `display`
puts short redacted stand-ins there (for `binlint explain`).
"""

from __future__ import annotations

import base64
import hashlib
import random
import string

from binlint.analysis.doc_samples import DOC_SAMPLE_AFFIXES

_BASE62 = string.ascii_letters + string.digits
MARKERS = ("@KEY@", "@SECRET@", "@KEY2@", "@SECRET2@", "@PEM@", "@DOCKEY@", "@DOCSECRET@", "@HEXKEY@", "@HEXSECRET@",
           "@HEX@", "@HEXUPPER@", "@ZEROS@")


def sha256_hex(text: str = "binlint") -> str:
    """A SHA-256 hex digest: 64 hex characters, key-length but never a key."""
    return hashlib.sha256(text.encode()).hexdigest()


def fake_key(seed: int | str = 0, length: int = 64) -> str:
    """A random base62 string shaped like a Binance API key or secret (never pure hex)."""
    rng = random.Random(f"binlint-fake-{seed}")
    while True:
        value = "".join(rng.choice(_BASE62) for _ in range(length))
        if any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value) \
                and any(c in "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ" for c in value):
            return value


def fake_pem(seed: int | str = 0) -> str:
    """A PKCS#8-shaped PEM block with a random body (not a usable key)."""
    rng = random.Random(f"binlint-pem-{seed}")
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(48))).decode()
    return f"-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----"


def fake_hex_key(seed: int | str = 0) -> str:
    """64 random lowercase hex characters: the shape of a futures-testnet API key or secret."""
    rng = random.Random(f"binlint-hex-{seed}")
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


def fake_doc_sample(seed: int | str = 0, kind: str = "key") -> str:
    """A key (or, with kind="secret", a secret) with the first and last characters of a sample
    from Binance's docs."""
    prefix, suffix = DOC_SAMPLE_AFFIXES[1 if kind == "secret" else 0]
    middle = fake_key(f"doc-{seed}", 64 - len(prefix) - len(suffix))
    return prefix + middle + suffix


def fill(source: str, seed: int | str = 0) -> str:
    """`source` with every marker replaced by a generated fake credential."""
    return (
        source.replace("@KEY2@", fake_key(f"{seed}-key2"))
        .replace("@SECRET2@", fake_key(f"{seed}-secret2"))
        .replace("@KEY@", fake_key(f"{seed}-key"))
        .replace("@SECRET@", fake_key(f"{seed}-secret"))
        .replace("@PEM@", fake_pem(seed))
        .replace("@DOCKEY@", fake_doc_sample(seed))
        .replace("@DOCSECRET@", fake_doc_sample(seed, "secret"))
        .replace("@HEXKEY@", fake_hex_key(f"{seed}-key"))
        .replace("@HEXSECRET@", fake_hex_key(f"{seed}-secret"))
        .replace("@HEXUPPER@", sha256_hex("upper").upper())
        .replace("@HEX@", sha256_hex())
        .replace("@ZEROS@", "0" * 64)
    )


def display(source: str) -> str:
    """`source` with every marker replaced by a short redacted stand-in."""
    return (
        source.replace("@KEY2@", "EfGh…iJ")
        .replace("@SECRET2@", "KlMn…oP")
        .replace("@KEY@", "AbCd…yZ")
        .replace("@SECRET@", "QrSt…uV")
        .replace("@PEM@", "-----BEGIN PRIVATE KEY-----\\n…\\n-----END PRIVATE KEY-----")
        .replace("@DOCKEY@", "vmPU…8A")
        .replace("@DOCSECRET@", "NhqP…0j")
        .replace("@HEXKEY@", "3f9a…c1")
        .replace("@HEXSECRET@", "b07e…4d")
        .replace("@HEXUPPER@", "9F86D081…0F00A08")
        .replace("@HEX@", "e3b0c442…7852b855")
        .replace("@ZEROS@", "00000000…00000000")
    )
