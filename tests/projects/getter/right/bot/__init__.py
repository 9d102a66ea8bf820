from .exchange import get_client

__all__ = ["get_client"]
