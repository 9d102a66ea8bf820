"""What a Binance credential looks like, in one place: key shape, placeholders, names, PEM.

Used by the BL1 rules (through `secrets.py`), the text scan and the detect-secrets
plugin, so the three agree on what is a key and what is a placeholder. Plain string
functions: nothing here needs a syntax tree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from binlint.analysis.doc_samples import DOC_SAMPLE_AFFIXES, is_doc_sample
from binlint.analysis.doc_samples import doc_sample_kind as _doc_sample_kind

Kind = Literal["key", "secret", "private_key", "passphrase"]

KEY_LENGTH = 64
_KEY_SHAPE = re.compile(r"[A-Za-z0-9]{64}")
_HEX = re.compile(r"[0-9A-Fa-f]+")
# A key-shaped run inside longer text: not part of a longer token or a base64 blob.
KEY_TOKEN = re.compile(r"(?<![A-Za-z0-9_+/-])[A-Za-z0-9]{64}(?![A-Za-z0-9_+/=-])")

PEM_HEADER = re.compile(r"-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----")
_PEM_FOOTER = re.compile(r"-----END [A-Z0-9 ]*?PRIVATE KEY-----")
_PEM_BLOCK = re.compile(
    r"-----BEGIN [A-Z0-9 ]*?PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*?PRIVATE KEY-----|\Z)", re.DOTALL
)
_BASE64_CHAR = re.compile(r"[A-Za-z0-9+/=]")
_PEM_MIN_BODY = 40  # base64 characters; a real PKCS#8 Ed25519 key has 64

# Words that mark a made-up value. Long ones are safe to look for inside a 64-character
# run (a random key holds a given 6-letter word with odds below 1 in 10^7).
_PLACEHOLDER_WORDS_LONG = (
    "placeholder", "example", "changeme", "replace", "redacted", "yourkey", "yourapi", "yoursecret",
    "apikey", "secretkey", "binance", "xxxxxx", "dummy0", "sample",
)
_PLACEHOLDER_WORDS_SHORT = ("your", "xxxx", "dummy", "fake", "todo", "here", "none", "null", "****", "...", "…")
_PLACEHOLDER_EXACT = frozenset({"password", "passphrase", "secret", "changeit", "test", "none", "null"})

# Name tokens that say the value is about a credential, not the credential itself.
_NOT_A_VALUE_SUFFIXES = frozenset(
    {
        "name", "names", "id", "ids", "file", "filename", "path", "dir", "env", "var", "variable", "len",
        "length", "type", "kind", "field", "header", "arn", "ref", "url", "version", "manager", "store",
        "hash", "digest", "prefix", "suffix", "format", "fmt", "label", "param", "arg", "re", "pattern",
        "regex", "size", "count", "set", "list", "required", "missing", "error", "exists", "valid", "ok",
        "present", "loaded", "configured", "masked", "redacted", "hint", "preview", "tail", "head", "last4",
        "first4", "mask", "hidden", "fingerprint", "location", "source", "provider",
    }
)
_NOT_A_VALUE_PREFIXES = frozenset(
    {"is", "has", "use", "uses", "should", "need", "needs", "no", "require", "requires", "check", "validate",
     "mask", "masked", "redact", "redacted", "hide", "hidden", "len", "num", "get", "load", "read", "fetch"}
)


# --- values ---------------------------------------------------------------------------


def is_key_shaped(value: str) -> bool:
    """64 characters of [A-Za-z0-9] that are not all hex (digests and signatures are hex)."""
    return len(value) == KEY_LENGTH and _KEY_SHAPE.fullmatch(value) is not None and not _HEX.fullmatch(value)


def is_hex_digest(value: str) -> bool:
    """A 64-character hex string: a SHA-256 digest or an HMAC signature, never a key."""
    return len(value) == KEY_LENGTH and _HEX.fullmatch(value) is not None


def _is_patterned(value: str, distinct: int = 16) -> bool:
    """Repeated or sequential characters: `aaaa…`, `abcabc…`, `0123456789abcdef…` (fewer than
    `distinct` different characters counts as repeated)."""
    if len(set(value)) < distinct:
        return True
    rises = sum(1 for a, b in zip(value, value[1:]) if ord(b) - ord(a) == 1)
    if rises * 2 >= len(value):
        return True
    for period in range(1, len(value) // 2 + 1):
        if all(value[i] == value[i + period] for i in range(len(value) - period)):
            return True
    return False


def is_placeholder(value: str) -> bool:
    """Whether a value is a stand-in (`your_api_key`, `<API_KEY>`, `${KEY}`, `xxxx…`), not a credential."""
    stripped = value.strip()
    if len(stripped) < 4 or stripped.lower() in _PLACEHOLDER_EXACT:
        return True
    if "${" in stripped or stripped.startswith("$") or "%(" in stripped:
        return True
    if re.search(r"\{[^{}]*\}|<[^<>]*>", stripped):
        return True
    lower = stripped.lower()
    if any(word in lower for word in _PLACEHOLDER_WORDS_LONG):
        return True
    if len(set(stripped)) <= 2:
        return True
    if is_key_shaped(stripped):
        return _is_patterned(stripped)
    return any(word in lower for word in _PLACEHOLDER_WORDS_SHORT)


def is_key_candidate(value: str) -> bool:
    """A value that is a Binance API key or secret by its shape: key-shaped and no placeholder."""
    return is_key_shaped(value) and not is_placeholder(value)


def is_hex_key_candidate(value: str) -> bool:
    """A 64-character hex value that could be a key (futures-testnet keys are lowercase hex):
    not patterned, no placeholder. Only where it goes makes it one (`analysis/secrets.py`):
    by shape alone a hex string is a digest."""
    # 64 random hex characters show 12 of the 16 digits or more (odds of fewer: below 1 in 10^6).
    return is_hex_digest(value) and not _is_patterned(value, 10) and not is_placeholder(value)


def is_passphrase_candidate(value: str) -> bool:
    """A literal passphrase worth reporting (not empty, not a placeholder)."""
    return not is_placeholder(value) and "\n" not in value


def is_pem_private_key(value: str) -> bool:
    """A PEM private key with a body (`-----BEGIN ... PRIVATE KEY-----` and base64 after it)."""
    match = PEM_HEADER.search(value)
    if match is None:
        return False
    body = value[match.end():]
    footer = _PEM_FOOTER.search(body)
    if footer is not None:
        body = body[: footer.start()]
    body = body.replace("\\n", "\n")
    return len(_BASE64_CHAR.findall(body)) >= _PEM_MIN_BODY


def pem_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every PEM private-key block in `text` that holds a key body."""
    return [(m.start(), m.end()) for m in _PEM_BLOCK.finditer(text) if is_pem_private_key(m.group(0))]


def doc_sample(value: str) -> bool:
    """Whether the value is a sample key from Binance's API documentation."""
    return is_doc_sample(value)


def doc_sample_kind(value: str) -> Kind | None:
    """"key" or "secret" for a sample key or secret from Binance's API documentation."""
    return _doc_sample_kind(value)  # type: ignore[return-value]


# --- a quick look at a whole source text -------------------------------------------------

# A run of 64+ letters and digits, one that is not hex, a passphrase word, a word of a credential name.
_ALNUM_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64,}")
_NOT_HEX = re.compile(r"[G-Zg-z]")
_PASS_WORD = re.compile(r"(?i:key_?pass|passphrase)")
CREDENTIAL_WORD = re.compile(r"(?i)key|secret|pass")


def may_hold_doc_sample(text: str) -> bool:
    """Whether `text` holds the start of one of Binance's documentation sample keys."""
    return any(prefix in text for prefix, _ in DOC_SAMPLE_AFFIXES)


def may_hold_credential(text: str) -> bool:
    """Whether `text` has 64 letters and digits in a row, not all hex (a key), or exactly 64
    hex ones next to a key or secret word or an HMAC (a testnet key), a PEM private key, or
    a passphrase word (`key_pass`, `passphrase`, any case)."""
    if "PRIVATE KEY" in text:
        return True
    if text.isascii():  # no other letter folds to one of these: lower-casing is the regex's case rule
        lower = text.lower()
        if "keypass" in lower or "key_pass" in lower or "passphrase" in lower:
            return True
    elif _PASS_WORD.search(text):
        return True
    runs = list(_ALNUM_RUN.finditer(text))
    if any(_NOT_HEX.search(run.group()) for run in runs):
        return True
    # A run of exactly 64 hex characters is a key where a key goes (futures-testnet keys).
    return any(run.end() - run.start() == 64 for run in runs) and (
        CREDENTIAL_WORD.search(text) is not None or "hmac" in text)


# --- names ------------------------------------------------------------------------------


def name_tokens(name: str) -> list[str]:
    """`BINANCE_API_KEY`, `binanceApiKey`, `X-MBX-APIKEY` -> lower-case word tokens."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


@lru_cache(maxsize=4096)
def classify_name(name: str) -> Kind | None:
    """Which credential a variable, key, attribute or env var of this name holds, if any.

    `api_key`, `BINANCE_API_KEY`, `apiKey` -> key; `api_secret`, `secret_key`, `SECRET`
    -> secret; `private_key` -> private_key; `private_key_pass(phrase)` -> passphrase.
    Names about a credential rather than holding it (`api_key_env`, `secret_path`,
    `has_api_key`) are None.
    """
    tokens = name_tokens(name)
    if not tokens:
        return None
    if tokens[0] in _NOT_A_VALUE_PREFIXES and len(tokens) > 1:
        return None
    compact = "".join(tokens)
    last = tokens[-1]
    # A passphrase only when the name ties it to a key: `private_key_pass`, `pem_passphrase`,
    # `BINANCE_KEY_PASSPHRASE`; a bare `passphrase` (a label, a form field) is not enough.
    if re.search(r"(?:privatekey|privkey|prvkey|pem|key|binance)pass", compact):
        return None if last in _NOT_A_VALUE_SUFFIXES else "passphrase"
    if "passphrase" in compact:
        return None
    if last in _NOT_A_VALUE_SUFFIXES:
        return None
    if re.search(r"(?:privatekey|privkey|prvkey)$", compact):
        return "private_key"
    if any(t.startswith("secret") or t.endswith("secret") for t in tokens):
        return "secret"
    if re.search(r"(?:apikey|accesskey|binancekey)$", compact):
        return "key"
    return None


# What the name of an HMAC key says it holds (BL206): looser than `classify_name`, which
# decides what to report as a leak; here a wrong guess only costs a missed finding.
_SIGNING_SECRET_NAME = re.compile(r"(?i)secret")
_SIGNING_PRIVATE_KEY_NAME = re.compile(r"(?i)(?:private_?key|pem|rsa_?key|ed25519)")
_SIGNING_API_KEY_NAME = re.compile(r"(?i)(?:^|_)(?:api_?key|apikey|access_?key|key_?id|public_?key)$")


def signing_key_role(name: str) -> Literal["secret", "private-key", "api-key"] | None:
    """What the last part of a dotted name used as an HMAC key says it is: the secret (right),
    a private key or an API key (both wrong), or nothing."""
    if _SIGNING_SECRET_NAME.search(name):
        return "secret"
    if _SIGNING_PRIVATE_KEY_NAME.search(name):
        return "private-key"
    if _SIGNING_API_KEY_NAME.search(name):
        return "api-key"
    return None


def mentions_binance(text: str) -> bool:
    return "binance" in text.lower()


KIND_LABELS: dict[str, str] = {
    "key": "API key",
    "secret": "secret key",
    "private_key": "private key",
    "passphrase": "private-key passphrase",
}

ENV_KINDS: dict[str, str] = {
    "key": "api-key",
    "secret": "api-secret",
    "private_key": "private-key",
    "passphrase": "private-key-pass",
}
