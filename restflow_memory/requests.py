"""The request type memory resources receive: the core's plain request."""

from restflow_core.requests import SAFE_METHODS, is_authenticated
from restflow_core.requests import PlainRequest as MemoryRequest

__all__ = ["SAFE_METHODS", "MemoryRequest", "is_authenticated"]
