"""What a request helper's summary holds: plain values, stored in the project index and
read at each call site (`analysis/helpers.py` makes and applies them).

`SendSummary` is one request a helper sends, in terms of its parameters; `HelperSummary`
the helper (its parameters, enough to bind a call); `HelperRequest` one call of a helper
read as the request it makes. `marker(param)` stands for a parameter's value in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from binlint.analysis.signing import KeySet
from binlint.analysis.values import HOLE, StrValue

OPEN, CLOSE = "\ue000", "\ue001"  # a parameter's marker in a URL template: OPEN + name + CLOSE


def marker(name: str) -> str:
    """How a parameter appears in `SendSummary.url`."""
    return f"{OPEN}{name}{CLOSE}"


@dataclass(frozen=True, slots=True)
class SendSummary:
    """One request a helper sends, in terms of the helper's parameters.

    `url` is the URL as text with `marker(param)` where a parameter's value goes and
    `values.HOLE` where the text is unknown (`"https://api.binance.us" + marker("uri_path")`);
    None when the URL is not a string the source shows. `method` is the HTTP method when the
    helper fixes it, `method_param` the parameter that gives it otherwise. `payload_param`
    is the parameter whose dict (or query string) is sent, `payload_kwargs` true when that
    is the `**kwargs` catch-all (the call site's extra keywords are the payload). `adds` are
    the parameters the helper puts in the request itself; `adds_complete` is false when the
    helper may add others binlint cannot see.
    """

    library: str
    url: str | None
    method: str | None
    method_param: str | None
    payload_param: str | None
    payload_kwargs: bool
    adds: tuple[str, ...]
    adds_complete: bool
    api_key_param: str | None
    secret_param: str | None
    sends_api_key_header: bool
    timeout: bool
    retried: bool  # the helper runs this request inside a retry construct of its own
    backs_off: bool  # ... and every such construct backs off
    binance: bool  # the request goes to a Binance host, or sends the X-MBX-APIKEY header
    line: int  # where the request is sent (in the helper's module); 0 when not asked for
    # The innermost retry construct that may resend after an order went through (else the
    # innermost), for call sites in other modules: (its line, waits, grows, bounded,
    # reads_retry_after, failure outcome, failure words); () when not retried.
    retry: tuple[Any, ...] = ()
    # How the helper signs it: (kind "hmac"/"hash", algorithm, output "hex"/"digest"/"base64"/...,
    # line of the digest); None when it attaches no signature the model follows back.
    signature: tuple[str, str, str, int] | None = None
    # Parameters the helper sets after computing the signature, each with its line.
    changed_after_signing: tuple[tuple[str, int], ...] = ()

    @property
    def url_params(self) -> tuple[str, ...]:
        """The parameters that go into the URL, in order."""
        if self.url is None:
            return ()
        return tuple(part.split(CLOSE, 1)[0] for part in self.url.split(OPEN)[1:])

    @property
    def signs(self) -> bool:
        return "signature" in self.adds

    @property
    def takes_parameters(self) -> bool:
        """Whether the call site gives the URL, the method or the payload (else the endpoint is fixed)."""
        return bool(self.url_params or self.method_param or self.payload_param)


@dataclass(frozen=True, slots=True)
class HelperSummary:
    """A function whose request takes its endpoint, method, payload or credentials from its
    parameters. `name` is `func` or `Class.method` within its module; `positional`,
    `keyword_only` and `var_keyword` are its parameters (`self`/`cls` left out for methods),
    enough to bind a call's arguments. `via` names the helper it passes its parameters to,
    when it sends nothing itself."""

    name: str
    line: int  # 0 when not asked for (see `summarize`)
    is_method: bool
    positional: tuple[str, ...]
    keyword_only: tuple[str, ...]
    var_keyword: str | None
    sends: tuple[SendSummary, ...]
    via: str | None = None
    has_var_positional: bool = field(default=False)

    def bind(self, call: cst.Call) -> dict[str, cst.BaseExpression] | None:
        """Parameter name -> the expression `call` passes for it; None when `*args`/`**kw` hide it.

        Extra keywords caught by `**kwargs` are bound to a dict literal made for the purpose."""
        names = set(self.positional) | set(self.keyword_only)
        bound: dict[str, cst.BaseExpression] = {}
        extra: list[cst.DictElement] = []
        index = 0
        for arg in call.args:
            if arg.star:
                return None
            if arg.keyword is not None:
                if arg.keyword.value in names:
                    bound[arg.keyword.value] = arg.value
                else:
                    extra.append(cst.DictElement(cst.SimpleString(repr(arg.keyword.value)), arg.value))
            elif index < len(self.positional):
                bound[self.positional[index]] = arg.value
                index += 1
        if self.var_keyword is not None:
            bound[self.var_keyword] = cst.Dict(extra)
        return bound


@dataclass(frozen=True, slots=True)
class HelperRequest:
    """A call of a helper, read as the request it makes."""

    call: cst.Call
    helper: HelperSummary
    send: SendSummary
    method: str | None
    url: StrValue | None
    host: str | None
    path: str | None
    payload: cst.BaseExpression | None  # the payload argument (a made-up dict for `**kwargs`)
    keys: KeySet  # what the request sends: the call site's payload plus what the helper adds
    function: cst.FunctionDef | None  # where the helper is called
    is_binance: bool
    is_signed_path: bool
    is_order_path: bool
    origin: str = ""  # the helper's qualified name, for a helper of another module (`rest.RestClient.request`)

    @property
    def name(self) -> str:
        """How messages name the helper."""
        return self.origin or self.helper.name

    @property
    def path_known(self) -> bool:
        return self.path is not None and HOLE not in self.path
