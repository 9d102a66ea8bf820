"""What a module does, computed once and shared by all rules.

`Analysis` bundles the per-module model with the derived models, each built on first
use: a run that selects only the secrets rules never builds the retry model.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from binlint.config import Config

if TYPE_CHECKING:  # libcst is imported only when a file is parsed
    from binlint.analysis.context import CallGraph
    from binlint.analysis.module import ModuleModel
    from binlint.analysis.helpers import HelperModel
    from binlint.analysis.orders import OrderModel
    from binlint.analysis.requests import RequestModel
    from binlint.analysis.retries import RetryModel
    from binlint.analysis.sdk import SdkModel
    from binlint.analysis.secrets import SecretModel
    from binlint.analysis.signing import SigningModel
    from binlint.analysis.timing import TimingModel


def _refers_to(value: object, analysis: "Analysis", model: "ModuleModel") -> bool:
    """Whether `value` is a view made for this module: it holds the analysis or the model."""
    held = getattr(value, "__dict__", None)
    return held is not None and any(v is analysis or v is model for v in held.values())


class Analysis:
    """The model of one module plus its lazily built views."""

    def __init__(self, model: "ModuleModel", config: Config) -> None:
        self.model = model
        self.config = config

    @property
    def is_binance(self) -> bool:
        return self.model.is_binance

    def release(self) -> None:
        """Forget every view and what the model found, once the module's check is done.

        The views refer to the analysis and it to them: without this, the module's tree would
        live on until the cyclic garbage collector scans all of it (a tenth of a large file's
        check); with it, reference counting frees the tree at once."""
        model = self.model
        views: list[object] = [model, *(v for v in self.__dict__.values() if _refers_to(v, self, model))]
        seen: set[int] = set()
        while views:
            view = views.pop()
            held = getattr(view, "__dict__", None)
            if id(view) in seen or held is None:
                continue
            seen.add(id(view))
            # The views a view made for this module (they refer back to it); not what it shares
            # with other modules (the project index, the settings).
            views.extend(value for value in held.values() if _refers_to(value, self, model))
            held.clear()
        self.__dict__.clear()

    @cached_property
    def sdk(self) -> "SdkModel":
        from binlint.analysis.sdk import SdkModel

        return SdkModel(self.model)

    @cached_property
    def secrets(self) -> "SecretModel":
        from binlint.analysis.secrets import SecretModel

        return SecretModel(self)

    @cached_property
    def requests(self) -> "RequestModel":
        from binlint.analysis.requests import RequestModel

        return RequestModel(self)

    @cached_property
    def signing(self) -> "SigningModel":
        from binlint.analysis.signing import SigningModel

        return SigningModel(self)

    @cached_property
    def timing(self) -> "TimingModel":
        from binlint.analysis.timing import TimingModel

        return TimingModel(self)

    @cached_property
    def call_graph(self) -> "CallGraph":
        from binlint.analysis.context import CallGraph

        return CallGraph(self)

    @cached_property
    def helpers(self) -> "HelperModel":
        from binlint.analysis.helpers import HelperModel

        return HelperModel(self)

    @cached_property
    def retries(self) -> "RetryModel":
        from binlint.analysis.retries import RetryModel

        return RetryModel(self)

    @cached_property
    def orders(self) -> "OrderModel":
        from binlint.analysis.orders import OrderModel

        return OrderModel(self)
