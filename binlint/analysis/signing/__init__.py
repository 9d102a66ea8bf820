"""How requests are signed: payload -> signature -> sent bytes, within a function and its helpers.

`SigningModel(analysis)` (as `analysis.signing`) starts from every place a `signature`
joins a request (an *attachment*: `params["signature"] = sig`, `{"signature": sig}`,
`f"{query}&signature={sig}"`, `query += "&signature=" + sig`, `("signature", sig)`)
and follows it back:

- the **digest** that made the value (`Digest`, `digests.py`): `hmac.new(key, msg, digestmod)`
  with its output (`.hexdigest()`, `.digest()`, base64), a plain `hashlib.sha256(...)`, or an
  RSA/Ed25519 `.sign(...)`; through names, `quote(...)`, `.decode()`, and helpers of the
  same module (`def sign(query): return hmac.new(...).hexdigest()`, `self._sign(q)`) whose
  parameters are bound to the caller's arguments (`values.Env`);
- the **payload** the digest signs (`Payload`, `payloads.py`): `urlencode(params)`,
  `"&".join(...)`, an f-string or `+` chain of `k=v`, `json.dumps(params)`, `str(params)`, or
  bare values; with the container it was built from (`params`), whether it was sorted,
  whether its values are percent-encoded, and its parameter names (`KeySet`);
- the **request** that sends it (`RequestSite`, also through a helper, `flows.py`), and where
  the signature travels (`sent_as`: "url", "params", "data" or "json").

Each flow is a `Signing`. `SigningModel.signings` lists them; `SigningModel.digests` lists
every signature computation in the module (attached or not); `changes_after(signing)`
lists the changes made to the signed container after signing (`changes.py`); `sent_keys(...)`
says which parameters a request sends (`signed_endpoint_requests`: for every request to a
SIGNED path); `parameter_values(name)` finds every value given to a request parameter
(`timestamp`, `recvWindow`) in dicts, query strings and SDK calls (`parameters.py`).

The parts are stacked, each reading only those below it: `common` (types, tables) <-
`changes` <- `digests` <- `payloads` <- `flows` <- `parameters` <- `model.SigningModel`.
`timestamps.py` reads clock values; `wording.py` holds phrases the rules share.
"""

from __future__ import annotations

from binlint.analysis.signing.common import (
    UNKNOWN_KEYS, URLENCODE, Attachment, Digest, KeySet, ParamValue, Part, Payload, Signing,
)
from binlint.analysis.signing.model import SigningModel
from binlint.analysis.signing.timestamps import TimeValue, number_value, time_value
from binlint.analysis.signing.wording import endpoint_label, key_list, short

__all__ = [
    "Attachment", "Digest", "KeySet", "ParamValue", "Part", "Payload", "Signing", "SigningModel", "TimeValue",
    "UNKNOWN_KEYS", "URLENCODE", "endpoint_label", "key_list", "number_value", "short", "time_value",
]
