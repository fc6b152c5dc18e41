"""The client's exceptions: a leaf module (the standard library only).

Each carries one line for the user: what failed, for which server, request
and endpoint, and what to do. They are raised with their message already
written: ``errors`` writes the messages of HTTP and transport failures, the
module that refuses an input writes its own (the map of who writes which is
in the contributing page).
"""

from __future__ import annotations

#: The longest a message may be once on one line.
MAX_MESSAGE = 2000


class ActionsError(Exception):
    """Base class: a failure the user can act on."""

    def __init__(self, message: str, openstack_request_id: str | None = None) -> None:
        self.openstack_request_id = openstack_request_id
        if openstack_request_id:
            message = f"{message} (x-openstack-request-id: {openstack_request_id})"
        flat = " ".join(str(message).split())
        if len(flat) > MAX_MESSAGE:
            flat = flat[: MAX_MESSAGE - 3] + "..."
        super().__init__(flat)


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
    """Any other HTTP error status, or a failed login."""


class ServiceFailure(ApiError):
    """5xx or 429 that the retries did not get past: worth trying again later."""


class EndpointUnreachable(ActionsError):
    """Connection refused, DNS failure, TLS failure or timeout."""


class ConnectionLost(EndpointUnreachable):
    """A timeout, or a connection reset or cut mid-response: worth trying again."""


class WaitTimedOut(ActionsError):
    """--wait: the action did not end within the timeout."""


class Cancelled(ActionsError):
    """The client was cancelled (Ctrl-C) while a request or a wait was pending."""


class UnexpectedResponse(ActionsError):
    """A body that is not JSON or does not have the expected shape."""


#: The failures that say "try again", not "this will never work".
TRANSIENT = (ServiceFailure, ConnectionLost)
