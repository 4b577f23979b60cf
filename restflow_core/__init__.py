"""restflow's framework-agnostic core: Protocols, errors and the async action pipelines."""

from restflow_core.errors import (
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    ParseError,
    PermissionDenied,
    RestflowError,
    ValidationFailed,
)
from restflow_core.permissions import afirst_object_refusal, afirst_refusal, aresolve
from restflow_core.pipelines import (
    forget_prefetched,
    location_headers,
    run_create,
    run_destroy,
    run_list,
    run_partial_update,
    run_retrieve,
    run_update,
)
from restflow_core.protocols import (
    AsyncFilterBackend,
    AsyncSerializer,
    FilterBackend,
    Paginator,
    Permission,
    Request,
    Respond,
    Serializer,
    Source,
    Store,
)
from restflow_core.replies import Reply, error_reply, reply
from restflow_core.units import UnitOfWork, atomically

__all__ = [
    "AsyncFilterBackend",
    "AsyncSerializer",
    "FilterBackend",
    "MethodNotAllowed",
    "NotAuthenticated",
    "NotFound",
    "Paginator",
    "ParseError",
    "Permission",
    "PermissionDenied",
    "Reply",
    "Request",
    "Respond",
    "RestflowError",
    "Serializer",
    "Source",
    "Store",
    "UnitOfWork",
    "ValidationFailed",
    "afirst_object_refusal",
    "afirst_refusal",
    "aresolve",
    "atomically",
    "error_reply",
    "forget_prefetched",
    "location_headers",
    "reply",
    "run_create",
    "run_destroy",
    "run_list",
    "run_partial_update",
    "run_retrieve",
    "run_update",
]
