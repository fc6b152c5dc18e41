"""Errors of the client layer.

Each error writes its own one-line message: what failed, for which server,
request and endpoint, and what to do. The commands print ``str(error)``.
"""

from __future__ import annotations

from typing import Optional

#: Longest piece of an API message quoted in an error line.
MAX_QUOTED_MESSAGE = 300


def one_line(text: object, limit: int = MAX_QUOTED_MESSAGE) -> str:
    """Collapse whitespace (newlines included) and cut overly long text."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return flat


class ActionsError(Exception):
    """Base class: a failure the user can act on."""

    def __init__(self, message: str, openstack_request_id: Optional[str] = None):
        self.openstack_request_id = openstack_request_id
        if openstack_request_id:
            message = f"{message} (x-openstack-request-id: {openstack_request_id})"
        super().__init__(one_line(message, limit=2000))


class InvalidInput(ActionsError):
    """Refused before any request was sent."""


class EndpointNotFound(ActionsError):
    """No compute endpoint could be chosen."""


class Unauthorized(ActionsError):
    """401: the token was refused or the login failed."""


class Forbidden(ActionsError):
    """403: the policy does not allow the call."""


class ServerNotFound(ActionsError):
    """404 for the server, or a name that matched no server."""


class AmbiguousServerName(ActionsError):
    """A name that matched more than one server."""


class ActionNotFound(ActionsError):
    """404 for the request id of an existing server."""


class UnsupportedMicroversion(ActionsError):
    """406: the compute API does not support the requested microversion."""


class BadRequest(ActionsError):
    """400 from the API."""


class ApiError(ActionsError):
    """Any other HTTP error status (5xx included)."""


class EndpointUnreachable(ActionsError):
    """Connection refused, DNS failure, TLS failure or timeout."""


class UnexpectedResponse(ActionsError):
    """A body that is not JSON or does not have the expected shape."""
