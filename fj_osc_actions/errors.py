"""Failures turned into the client's exceptions, with their messages.

``from_response`` turns an HTTP error status of the compute API into an
exception of :mod:`fj_osc_actions.exceptions`; ``transport_errors`` does
the same for keystoneauth's typed connection and login exceptions, reading
the reason from their standard-library causes (``ssl.SSLError``,
``OSError.strerror``, ``http.client.IncompleteRead``, timeouts) and naming
the URL the caller gives. Every message here goes through the translator.
The exception classes are re-exported, so ``errors.ServerNotFound`` is
``exceptions.ServerNotFound``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import re
import socket
import ssl
from typing import Any, Iterator

import requests
from keystoneauth1 import exceptions as ksa_exceptions

from fj_osc_actions import microversion as mv
from fj_osc_actions.exceptions import (  # noqa: F401 (re-exported)
    TRANSIENT, ActionNotFound, ActionsError, AmbiguousServerName, ApiError, BadRequest,
    Cancelled, ConnectionLost, EndpointNotFound, EndpointUnreachable, Forbidden, InvalidInput,
    ServerNotFound, ServiceFailure, Unauthorized, UnexpectedResponse, UnsupportedMicroversion,
    WaitTimedOut)
from fj_osc_actions.i18n import N_, _
from fj_osc_actions.redaction import redact_url

#: Longest piece of an API message quoted in an error line.
MAX_QUOTED_MESSAGE = 300


def one_line(text: object, limit: int = MAX_QUOTED_MESSAGE) -> str:
    """Collapse whitespace (newlines included) and cut overly long text."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return flat


# -- what a request was about ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """What a request is about and where it went: the facts messages name."""

    server: str
    region: str | None
    endpoint_url: str
    microversion: str
    request_id: str | None = None

    def what(self) -> str:
        if self.request_id is None:
            return _("server {server!r}").format(server=self.server)
        return _("action {request_id!r} of server {server!r}").format(
            request_id=self.request_id, server=self.server
        )

    def where(self) -> str:
        return where_text(self.region, self.endpoint_url)


def where_text(region: str | None, endpoint_url: str) -> str:
    """"region jp-east-3 (https://...)": where a request went, credentials masked."""
    return f"{region_text(region)} ({redact_url(endpoint_url)})"


def region_text(region: str | None) -> str:
    return _("region {region}").format(region=region) if region else _("no region")


def unexpected(target: Target, why: str, request_id: str | None = None) -> UnexpectedResponse:
    return UnexpectedResponse(
        _(
            "Unexpected response for {what} from {where}: {why}. The endpoint "
            "may not be a compute API: check --os-region-name and any compute "
            "endpoint override."
        ).format(what=target.what(), where=target.where(), why=why),
        request_id,
    )


# -- HTTP error statuses ---------------------------------------------------

TOKEN_EXPIRY_HINT = N_(
    "FJcloud-O tokens expire after 3 hours: log in again (a new `openstack` run "
    "does; refresh OS_TOKEN if you set one)"
)

_STATUS_MESSAGES: dict[int, tuple[type[ActionsError], str]] = {
    400: (BadRequest, N_(
        "The compute API rejected the request for {what} in {where} (HTTP 400): "
        "{detail}."
    )),
    401: (Unauthorized, N_(
        "The compute API refused the token for {what} in {where} (HTTP 401): "
        "{expiry_hint}, and check that the token's project owns the server."
    )),
    403: (Forbidden, N_(
        "Not allowed to read {what} in {where} (HTTP 403): {detail}. Ask your "
        "project administrator for a role that allows it."
    )),
    406: (UnsupportedMicroversion, N_(
        "The compute API in {where} does not support microversion "
        "{microversion} (HTTP 406): {detail}. Choose a supported one with "
        "--os-compute-api-version."
    )),
}
_ACTION_NOT_FOUND = (ActionNotFound, N_(
    "Action {request_id!r} not found for server {server!r} in {where} (HTTP 404): "
    "list the server's request IDs with `openstack server action list {server}`."
))
_SERVER_NOT_FOUND = (ServerNotFound, N_(
    "Server {server!r} not found in {where} (HTTP 404): {detail}. Check the ID "
    "with `openstack server list`; actions of a deleted server need "
    "--os-compute-api-version {deleted_servers} or later (using {microversion})."
))
_SERVER_FAILURE = (ServiceFailure, N_(
    "The compute API failed for {what} in {where} (HTTP {status} {reason}): "
    "{detail}. Try again later; if it persists, give the request id below to "
    "FJcloud-O support."
))
_OTHER_STATUS = (ApiError, N_(
    "The compute API answered HTTP {status} for {what} in {where}: {detail}."
))
#: Nova's wordings of an unknown request ID (they changed between releases):
#: "Action X not found", "Action for request_id X on instance Y not found",
#: "Action X could not be found".
_ACTION_NOT_FOUND_WORDING = re.compile(r"^Action\b.*\b(?:not|could not be) found", re.DOTALL)


def api_message(response: Any) -> str | None:
    """The message of a Nova or Keystone error body, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        for fault in body.values():
            if isinstance(fault, dict) and fault.get("message"):
                return one_line(fault["message"])
    return None


def response_request_id(response: Any) -> str | None:
    headers = response.headers
    return headers.get("x-openstack-request-id") or headers.get("x-compute-request-id")


def from_response(response: Any, target: Target) -> ActionsError:
    """The error for an HTTP error status of the compute API."""
    status = response.status_code
    # Ends without a full stop: the messages add their own.
    detail = (api_message(response) or response.reason or _("no message")).rstrip(".")
    if status == 404:
        is_action = target.request_id and _ACTION_NOT_FOUND_WORDING.match(detail)
        error_class, template = _ACTION_NOT_FOUND if is_action else _SERVER_NOT_FOUND
    elif status in _STATUS_MESSAGES:
        error_class, template = _STATUS_MESSAGES[status]
    else:
        error_class, template = _SERVER_FAILURE if status >= 500 else _OTHER_STATUS
        if status == 429:
            error_class = ServiceFailure
    message = _(template).format(
        what=target.what(),
        where=target.where(),
        server=target.server,
        request_id=target.request_id,
        microversion=target.microversion,
        deleted_servers=mv.DELETED_SERVERS,
        expiry_hint=_(TOKEN_EXPIRY_HINT),
        status=status,
        reason=response.reason or "",
        detail=detail,
    )
    return error_class(message, response_request_id(response))


# -- connection and login failures -----------------------------------------

IDENTITY_SERVICE = N_("identity service")
COMPUTE_ENDPOINT = N_("compute endpoint")
CUT_CONNECTION = N_("the connection closed in the middle of the response")
INCOMPLETE_READ = N_("{read} bytes read, {expected} more expected")
NO_ANSWER = N_("no answer within the timeout")

#: Standard-library exceptions of a connection that was there and went away.
_LOST = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
         http.client.IncompleteRead, http.client.RemoteDisconnected, TimeoutError, socket.timeout)
_LOST_IN_REQUESTS = (requests.exceptions.ChunkedEncodingError, requests.exceptions.Timeout)
_TIMEOUTS = (TimeoutError, socket.timeout, requests.exceptions.Timeout)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every exception it wraps: causes, contexts, and the
    exceptions that requests and urllib3 keep in ``args`` and ``reason``."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        wrapped += list(current.args)
        pending += [e for e in wrapped if isinstance(e, BaseException)]


def _tls_reason(error: ssl.SSLError) -> str | None:
    """"certificate verify failed: self-signed certificate", from ssl's attributes."""
    reason = str(error.reason or "").replace("_", " ").lower() or None
    detail = getattr(error, "verify_message", None)
    return f"{reason}: {detail}" if reason and detail else reason or detail


def _incomplete_read(error: http.client.IncompleteRead) -> str:
    partial = error.partial
    read = partial if isinstance(partial, int) else len(partial)
    if error.expected is None:
        return _(CUT_CONNECTION)
    return _(CUT_CONNECTION) + " (" + _(INCOMPLETE_READ).format(
        read=read, expected=error.expected) + ")"


def transport_reason(error: BaseException) -> str | None:
    """"Connection refused", not the whole chain of wrapped exceptions: the
    most telling standard-library exception in the chain (None: none is)."""
    chain = list(_chain(error))
    for kind, reason in ((ssl.SSLError, _tls_reason), (http.client.IncompleteRead, _incomplete_read),
                         (_TIMEOUTS, lambda _error: _(NO_ANSWER))):
        found = next((link for link in chain if isinstance(link, kind)), None)
        if found is not None:
            return reason(found)
    for link in chain:
        if isinstance(link, OSError) and link.strerror:
            return str(link.strerror).strip().rstrip(".")
    if any(isinstance(link, requests.exceptions.ChunkedEncodingError) for link in chain):
        return _(CUT_CONNECTION)
    return None


#: keystoneauth's transport exceptions, most specific first, and our message.
_TRANSPORT_MESSAGES = (
    (ksa_exceptions.SSLError, N_(
        "TLS failed talking to {peer}: {reason}. Give the CA bundle with "
        "--os-cacert (or OS_CACERT)."
    )),
    (ksa_exceptions.ConnectTimeout, N_(
        "Timed out talking to {peer}: {reason}. Try again, or raise the timeout "
        "(api_timeout in clouds.yaml, or OS_API_TIMEOUT)."
    )),
    (ksa_exceptions.ConnectFailure, N_(
        "Cannot connect to {peer}: {reason}. Check the network, proxy settings "
        "and region name."
    )),
    (ksa_exceptions.UnknownConnectionError, N_(
        "The connection to {peer} failed: {reason}. Try again.")),
)
_LOGIN_REFUSED = N_(
    "Login refused by the identity service ({region}) (HTTP 401): check the "
    "user name, password, user domain (your contract number) and project; a "
    "token given with OS_TOKEN expires after 3 hours on FJcloud-O."
)
_LOGIN_FAILED = N_("Login failed at the identity service ({region}): {reason}.")
UNKNOWN_REASON = N_("no reason given")


def _lost_on_the_way(error: BaseException) -> bool:
    """A timeout or a connection reset or cut: not refused, not DNS, not TLS."""
    if isinstance(error, ksa_exceptions.SSLError):
        return False
    if isinstance(error, ksa_exceptions.ConnectTimeout):
        return True
    return any(isinstance(link, _LOST + _LOST_IN_REQUESTS) for link in _chain(error))


def from_transport(error: BaseException, peer_name: str, region: str | None,
                   url: str | None = None) -> ActionsError | None:
    """Our exception for keystoneauth's ``error`` (None: not one of its
    transport or login failures); ``url`` is where the request went."""
    if url:
        peer = _("the {service} at {url} ({region})").format(
            service=_(peer_name), url=redact_url(url), region=region_text(region))
    else:
        peer = _("the {service} ({region})").format(service=_(peer_name), region=region_text(region))
    reason = transport_reason(error) or one_line(error) or _(UNKNOWN_REASON)
    for error_class, template in _TRANSPORT_MESSAGES:
        if isinstance(error, error_class):
            ours = ConnectionLost if _lost_on_the_way(error) else EndpointUnreachable
            return ours(_(template).format(peer=peer, reason=reason))
    # With raise_exc=False, HTTP exceptions only come from the login.
    if isinstance(error, ksa_exceptions.Unauthorized):
        return Unauthorized(_(_LOGIN_REFUSED).format(region=region_text(region)))
    if isinstance(error, ksa_exceptions.ClientException):
        return ApiError(_(_LOGIN_FAILED).format(region=region_text(region), reason=reason))
    return None


@contextlib.contextmanager
def transport_errors(peer_name: str, region: str | None, url: str | None = None) -> Iterator[None]:
    """Turn keystoneauth's connection and login exceptions into ours.

    ``peer_name`` is IDENTITY_SERVICE or COMPUTE_ENDPOINT; ``url`` is where
    the request went, when the caller knows it.
    """
    try:
        yield
    except ActionsError:
        raise
    except Exception as error:
        translated = from_transport(error, peer_name, region, url)
        if translated is None:
            raise
        raise translated from error
