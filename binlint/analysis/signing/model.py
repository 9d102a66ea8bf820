"""`SigningModel`: the signing model of one module, its parts stacked in the order they build on each other."""

from __future__ import annotations

import libcst as cst

from binlint.analysis.signing import changes
from binlint.analysis.signing.common import Signing
from binlint.analysis.signing.parameters import ParameterReader
from binlint.analysis.values import Mutation


class SigningModel(ParameterReader):
    """Signature computations and the flows from payload to sent request, for one module.

    Its parts, each in its own module: `changes` (in-place changes to containers), `digests`
    (what primitive and key sign), `payloads` (what bytes are signed), `flows` (where a
    signature joins a request, and which request), `parameters` (what requests send)."""

    def changes_after(self, signing: Signing) -> list[Mutation]:
        """Changes made to the signed container (or signed query string) after the signature was
        computed; adding `signature` itself is not one."""
        return changes.changes_after(self, signing)

    def rebinding_after(self, signing: Signing) -> cst.Assign | None:
        """`params = {k: v for k, v in params.items() if v is not None}` after the signature."""
        return changes.rebinding_after(self, signing)
