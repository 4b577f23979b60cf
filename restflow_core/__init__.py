"""restflow's framework-agnostic core: Protocols, errors, steps and the action pipelines."""

from restflow_core.errors import (
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    ParseError,
    PermissionDenied,
    RestflowError,
    ValidationFailed,
)
from restflow_core.pagination import Page
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
    Permission,
    Respond,
    Source,
)
from restflow_core.replies import Reply, error_reply, reply
from restflow_core.steps import (
    Blocking,
    Joinable,
    Offload,
    Step,
    Steps,
    given,
    inline,
    keeping,
    or_input,
    run_steps,
    then,
)
from restflow_core.units import UnitOfWork, atomically, current_unit, held_units

__all__ = [
    "Blocking",
    "Joinable",
    "MethodNotAllowed",
    "NotAuthenticated",
    "NotFound",
    "Offload",
    "Page",
    "ParseError",
    "Permission",
    "PermissionDenied",
    "Reply",
    "Respond",
    "RestflowError",
    "Source",
    "Step",
    "Steps",
    "UnitOfWork",
    "ValidationFailed",
    "afirst_object_refusal",
    "afirst_refusal",
    "aresolve",
    "atomically",
    "current_unit",
    "error_reply",
    "forget_prefetched",
    "given",
    "held_units",
    "inline",
    "keeping",
    "location_headers",
    "or_input",
    "reply",
    "run_create",
    "run_destroy",
    "run_list",
    "run_partial_update",
    "run_retrieve",
    "run_steps",
    "run_update",
    "then",
]
