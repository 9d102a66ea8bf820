"""The sample keys published in Binance's API documentation, known by their ends.

The samples are public and revoked, but a linter must not ship key-shaped literals,
so each is kept as (first 8, last 4 characters) of a 64-character value: a random
key matches one of these by chance with odds below one in 10^21.
"""

from __future__ import annotations

DOC_SAMPLE_AFFIXES: tuple[tuple[str, str], ...] = (
    ("vmPUZE6m", "Eh8A"),  # rest-api.md example apiKey
    ("NhqPtmdS", "Tj0j"),  # rest-api.md example secretKey
    ("Fhs4lGae", "TTTT"),  # faqs/api_key_types.md HMAC API key
    ("CAvIjXy3", "TRTQ"),  # rest-api.md RSA apiKey
    ("4yNzx3yW", "8WNO"),  # rest-api.md Ed25519 apiKey
)
# Which of them is a secret key (the others are API keys).
_SECRETS: frozenset[tuple[str, str]] = frozenset({("NhqPtmdS", "Tj0j")})


def doc_sample_kind(value: str) -> str | None:
    """"key" or "secret" when a 64-character value is one of the documentation samples, else None."""
    if len(value) != 64:
        return None
    for prefix, suffix in DOC_SAMPLE_AFFIXES:
        if value.startswith(prefix) and value.endswith(suffix):
            return "secret" if (prefix, suffix) in _SECRETS else "key"
    return None


def is_doc_sample(value: str) -> bool:
    """Whether a 64-character value is one of the documentation samples."""
    return doc_sample_kind(value) is not None
