"""The compute client for server actions: requests, paging, errors.

Usable without the CLI: build it from any keystoneauth session::

    from keystoneauth1 import session
    from fj_osc_actions.client import ActionsClient

    client = ActionsClient(session.Session(auth=...), region_name="jp-east-3")
    action = client.get_action(server_id, request_id)

This module never imports cliff, argparse or OpenStackClient.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import re
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union
from urllib import parse

from keystoneauth1 import exceptions as ksa_exceptions

from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions import regions

LOG = logging.getLogger(__name__)

COMPUTE = "compute"
DEFAULT_TIMEOUT = 60.0
#: Retries of an idempotent GET after a connection failure or a 502/503/504.
DEFAULT_RETRIES = 2
RETRIABLE_STATUSES = (502, 503, 504)
MAX_ID_LENGTH = 255

_UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ACTION_NOT_FOUND = re.compile(r"^Action .* not found", re.DOTALL)


class _QuietRetries(logging.LoggerAdapter):
    """keystoneauth warns of each retry; keep that for --debug only.

    A failure must end in one line; the retries are in the --debug log.
    """

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.debug(msg, *args, **kwargs)


HTTP_LOG = _QuietRetries(logging.getLogger("keystoneauth.session"), {})
_ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_SSL_REASON = re.compile(r"\[SSL: [A-Z_]+\] ([^(]+?)\s*\(")
_TRANSPORT_URL = re.compile(r"(?:to|for) (https?://\S+?):? ")
_INCOMPLETE_READ = re.compile(r"IncompleteRead\(([^)]*)\)")
_TOKEN_EXPIRY_HINT = (
    "FJcloud-O tokens expire after 3 hours: log in again (a new `openstack` run "
    "does; refresh OS_TOKEN if you set one)"
)


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def check_id(value: Optional[str], what: str) -> str:
    """Refuse ids that cannot be a path segment, before any request."""
    if value is None or not value.strip():
        raise errors.InvalidInput(f"The {what} is empty: give a non-empty value.")
    if _CONTROL_CHARACTERS.search(value):
        raise errors.InvalidInput(
            f"The {what} {ascii(value)} contains control characters: "
            f"check for a stray newline or escape sequence."
        )
    if len(value) > MAX_ID_LENGTH:
        raise errors.InvalidInput(
            f"The {what} is {len(value)} characters long; the compute API "
            f"accepts at most {MAX_ID_LENGTH}."
        )
    if value in (".", ".."):
        raise errors.InvalidInput(f"The {what} {value!r} is not a valid id.")
    return value


def check_timestamp(value: str, option: str) -> str:
    """Accept ISO 8601 date-times as Nova does (e.g. 2026-11-27T09:00:00Z)."""
    text = value.strip()
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or "T" not in text and " " not in text:
        raise errors.InvalidInput(
            f"{option} {value!r} is not an ISO 8601 date and time: give for "
            f"example 2026-11-27T09:00:00Z or 2026-11-27T18:00:00+09:00."
        )
    return text


def check_limit(value: int) -> int:
    if value < 1:
        raise errors.InvalidInput(f"--limit must be a positive integer, not {value}.")
    return value


def quote_segment(value: str) -> str:
    """Percent-encode a value as exactly one URL path segment."""
    return parse.quote(value, safe="")


@dataclasses.dataclass(frozen=True)
class _Target:
    """What a request is about, for error messages."""

    server: str
    request_id: Optional[str] = None

    def describe(self) -> str:
        if self.request_id is None:
            return f"server {self.server}"
        return f"action {self.request_id} of server {self.server}"


def _api_message(response: Any) -> Optional[str]:
    """The message of a Nova or Keystone error body, if it has one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        for fault in body.values():
            if isinstance(fault, dict) and fault.get("message"):
                return errors.one_line(fault["message"])
    return None


def _request_id(response: Any) -> Optional[str]:
    headers = response.headers
    return headers.get("x-openstack-request-id") or headers.get("x-compute-request-id")


def _next_marker(links: Any) -> Optional[str]:
    """The marker of the rel=next link: only the marker is taken from it.

    The link's scheme and host are Nova's idea of its own address, which may
    differ from the endpoint in use (http behind a TLS proxy, for example).
    """
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "next":
            query = parse.parse_qs(parse.urlsplit(str(link.get("href", ""))).query)
            markers = query.get("marker")
            if markers:
                return markers[-1]
    return None


class ActionsClient:
    """Server actions of one compute endpoint, at one microversion."""

    def __init__(
        self,
        session: Any,
        *,
        region_name: Optional[str] = None,
        interface: Optional[str] = "public",
        endpoint_override: Optional[str] = None,
        microversion: Union[str, mv.Microversion, None] = None,
        timeout: Optional[float] = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self._session = session
        self.region_name = region_name or None
        self.interface = interface or "public"
        self._endpoint_override = endpoint_override or None
        self._microversion = microversion
        self.timeout = timeout
        self.retries = retries
        self._endpoint: Optional[regions.ComputeEndpoint] = None

    # -- configuration -------------------------------------------------

    @property
    def microversion(self) -> mv.Microversion:
        """The microversion in use; parsed lazily so bad input is a clear error."""
        if not isinstance(self._microversion, mv.Microversion):
            self._microversion = mv.parse(self._microversion)
        return self._microversion

    @property
    def endpoint(self) -> regions.ComputeEndpoint:
        """The compute endpoint, chosen on first use (it may need a login)."""
        if self._endpoint is None:
            self._endpoint = self._resolve_endpoint()
            LOG.debug("Compute endpoint: %s", self._endpoint.describe())
        return self._endpoint

    def _resolve_endpoint(self) -> regions.ComputeEndpoint:
        with self._translate_login_errors():
            if getattr(self._session, "auth", None) is not None:
                # Log in here, so that a login failure is reported as one.
                self._session.get_auth_headers()
            endpoint = regions.resolve_compute_endpoint(
                self.region_name,
                self._endpoint_override,
                project_id=self._project_id,
                catalog_lookup=self._catalog_endpoint,
            )
        if endpoint is None:
            raise errors.EndpointNotFound(
                f"No compute endpoint for {self._region()} "
                f"in the service catalog ({self.interface} interface): set "
                f"--os-region-name to jp-east-3 or jp-west-3, or give "
                f"OS_COMPUTE_ENDPOINT_OVERRIDE."
            )
        return endpoint

    def _project_id(self) -> str:
        project_id = self._session.get_project_id()
        if not project_id:
            raise errors.EndpointNotFound(
                "The token is not scoped to a project, and compute URLs carry "
                "the project id: set --os-project-name or --os-project-id."
            )
        return quote_segment(project_id)

    def _catalog_endpoint(self) -> Optional[str]:
        try:
            return self._session.get_endpoint(
                service_type=COMPUTE,
                interface=self.interface,
                region_name=self.region_name,
                skip_discovery=True,
            )
        except ksa_exceptions.EndpointNotFound:
            return None

    # -- public API ------------------------------------------------------

    def find_server_id(self, name_or_id: str) -> str:
        """A UUID is used as given (no request); a name needs one exact match."""
        check_id(name_or_id, "server")
        if is_uuid(name_or_id):
            return name_or_id
        self._check_ready()
        body = self._get(
            ["servers"],
            _Target(name_or_id),
            params={"name": f"^{re.escape(name_or_id)}$"},
        )
        servers = body.get("servers")
        if not isinstance(servers, list):
            raise self._unexpected(_Target(name_or_id), "no 'servers' list")
        ids = [
            str(s.get("id"))
            for s in servers
            if isinstance(s, dict) and s.get("name") == name_or_id
        ]
        if not ids:
            raise errors.ServerNotFound(
                f"No server named {name_or_id!r} in {self._where()}: check the "
                f"name with `openstack server list`; a deleted server can only "
                f"be given by its ID."
            )
        if len(ids) > 1:
            raise errors.AmbiguousServerName(
                f"{len(ids)} servers are named {name_or_id!r} in {self._where()} "
                f"({', '.join(ids)}): give the server ID instead."
            )
        return ids[0]

    def get_server_action(self, server: str, request_id: str) -> models.InstanceAction:
        """get_action for a server name or ID: every check before any request."""
        check_id(server, "server")
        check_id(request_id, "request ID")
        self._check_ready()
        return self.get_action(self.find_server_id(server), request_id)

    def list_server_actions(
        self,
        server: str,
        *,
        limit: Optional[int] = None,
        marker: Optional[str] = None,
        changes_since: Optional[str] = None,
        changes_before: Optional[str] = None,
    ) -> Iterator[models.InstanceAction]:
        """list_actions for a server name or ID: every check before any request."""
        check_id(server, "server")
        self._list_params(limit, marker, changes_since, changes_before)
        return self.list_actions(
            self.find_server_id(server),
            limit=limit,
            marker=marker,
            changes_since=changes_since,
            changes_before=changes_before,
        )

    def get_action(self, server_id: str, request_id: str) -> models.InstanceAction:
        """One action of a server, with its events where the API returns them."""
        check_id(server_id, "server")
        check_id(request_id, "request ID")
        self._check_ready()
        target = _Target(server_id, request_id)
        body = self._get(
            ["servers", server_id, "os-instance-actions", request_id], target
        )
        return self._parse(body, "instanceAction", target)

    def list_actions(
        self,
        server_id: str,
        *,
        limit: Optional[int] = None,
        marker: Optional[str] = None,
        changes_since: Optional[str] = None,
        changes_before: Optional[str] = None,
    ) -> Iterator[models.InstanceAction]:
        """The actions of a server, newest first.

        With ``limit``, one page of at most that many actions; without it,
        every page, following the rel=next links. The first page is fetched
        before this returns (so its errors surface here); the rest are
        fetched as the iterator is consumed, one page in memory at a time.
        """
        check_id(server_id, "server")
        params = self._list_params(limit, marker, changes_since, changes_before)
        target = _Target(server_id)
        first_page = self._list_page(server_id, params, target)
        return self._iterate_pages(server_id, params, target, first_page, limit)

    # -- internals -------------------------------------------------------

    def _check_ready(self) -> None:
        """Validate the configuration before the first request leaves."""
        _ = self.microversion

    def _list_params(
        self,
        limit: Optional[int],
        marker: Optional[str],
        changes_since: Optional[str],
        changes_before: Optional[str],
    ) -> Dict[str, str]:
        """Validate list_actions' options (no request); return the query."""
        self._check_ready()
        params: Dict[str, str] = {}
        if limit is not None:
            mv.require(self.microversion, mv.PAGING, "--limit")
            params["limit"] = str(check_limit(limit))
        if marker is not None:
            mv.require(self.microversion, mv.PAGING, "--marker")
            params["marker"] = check_id(marker, "marker")
        if changes_since is not None:
            mv.require(self.microversion, mv.PAGING, "--changes-since")
            params["changes-since"] = check_timestamp(changes_since, "--changes-since")
        if changes_before is not None:
            mv.require(self.microversion, mv.CHANGES_BEFORE, "--changes-before")
            params["changes-before"] = check_timestamp(
                changes_before, "--changes-before"
            )
        return params

    def _list_page(
        self, server_id: str, params: Mapping[str, str], target: _Target
    ) -> Dict[str, Any]:
        return self._get(["servers", server_id, "os-instance-actions"], target, params)

    def _iterate_pages(
        self,
        server_id: str,
        params: Dict[str, str],
        target: _Target,
        page: Dict[str, Any],
        limit: Optional[int],
    ) -> Iterator[models.InstanceAction]:
        seen_markers = set()
        while True:
            actions = self._parse_list(page, target)
            yield from actions
            marker = _next_marker(page.get("links"))
            if limit is not None or not actions or marker is None:
                return
            if marker in seen_markers:
                raise self._unexpected(target, f"the next page repeats marker {marker}")
            seen_markers.add(marker)
            params = dict(params, marker=marker)
            page = self._list_page(server_id, params, target)

    def _parse(
        self, body: Dict[str, Any], key: str, target: _Target
    ) -> models.InstanceAction:
        if key not in body:
            raise self._unexpected(target, f"no '{key}' in the response")
        try:
            return models.InstanceAction.from_api(body[key])
        except models.ShapeError as error:
            raise self._unexpected(target, str(error)) from None

    def _parse_list(
        self, body: Dict[str, Any], target: _Target
    ) -> List[models.InstanceAction]:
        actions = body.get("instanceActions")
        if not isinstance(actions, list):
            raise self._unexpected(target, "no 'instanceActions' list in the response")
        try:
            return [models.InstanceAction.from_api(a) for a in actions]
        except models.ShapeError as error:
            raise self._unexpected(target, str(error)) from None

    def _url(self, segments: Sequence[str]) -> str:
        return "/".join([self.endpoint.url] + [quote_segment(s) for s in segments])

    def _get(
        self,
        segments: Sequence[str],
        target: _Target,
        params: Optional[Mapping[str, str]] = None,
    ) -> Dict[str, Any]:
        url = self._url(segments)
        with self._translate_transport_errors():
            response = self._session.get(
                url,
                params=dict(params or {}),
                headers={"Accept": "application/json"},
                raise_exc=False,
                microversion=str(self.microversion),
                microversion_service_type=COMPUTE,
                timeout=self.timeout,
                connect_retries=self.retries,
                status_code_retries=self.retries,
                retriable_status_codes=list(RETRIABLE_STATUSES),
                logger=HTTP_LOG,
            )
        if response.status_code >= 400:
            raise self._http_error(response, target)
        try:
            body = response.json()
        except ValueError:
            raise self._unexpected(
                target, "the response is not JSON", _request_id(response)
            ) from None
        if not isinstance(body, dict):
            raise self._unexpected(
                target, "the response is not a JSON object", _request_id(response)
            )
        return body

    def _region(self) -> str:
        return f"region {self.region_name}" if self.region_name else "no region"

    def _where(self) -> str:
        return f"{self._region()} ({self.endpoint.url})"

    def _unexpected(
        self, target: _Target, why: str, request_id: Optional[str] = None
    ) -> errors.UnexpectedResponse:
        return errors.UnexpectedResponse(
            f"Unexpected response for {target.describe()} from {self._where()}: "
            f"{why}. The endpoint may not be a compute API: check "
            f"--os-region-name and any compute endpoint override.",
            request_id,
        )

    def _http_error(self, response: Any, target: _Target) -> errors.ActionsError:
        status = response.status_code
        message = _api_message(response)
        # Ends without a full stop: the messages add their own.
        detail = (message or response.reason or "no message").rstrip(".")
        request_id = _request_id(response)
        what = target.describe()
        where = self._where()
        if status == 401:
            return errors.Unauthorized(
                f"The compute API refused the token for {what} in {where} "
                f"(HTTP 401): {_TOKEN_EXPIRY_HINT}, and check that the token's "
                f"project owns the server.",
                request_id,
            )
        if status == 403:
            return errors.Forbidden(
                f"Not allowed to read {what} in {where} (HTTP 403): {detail}. "
                f"Ask your project administrator for a role that allows it.",
                request_id,
            )
        if status == 404 and target.request_id and _ACTION_NOT_FOUND.match(detail):
            return errors.ActionNotFound(
                f"Action {target.request_id} not found for server {target.server} "
                f"in {where} (HTTP 404): list the server's request IDs with "
                f"`openstack server action list {target.server}`.",
                request_id,
            )
        if status == 404:
            return errors.ServerNotFound(
                f"Server {target.server} not found in {where} (HTTP 404): "
                f"{detail}. Check the ID with `openstack server list`; actions "
                f"of a deleted server need --os-compute-api-version "
                f"{mv.DELETED_SERVERS} or later (using {self.microversion}).",
                request_id,
            )
        if status == 406:
            return errors.UnsupportedMicroversion(
                f"The compute API in {where} does not support microversion "
                f"{self.microversion} (HTTP 406): {detail}. Choose a supported "
                f"one with --os-compute-api-version.",
                request_id,
            )
        if status == 400:
            return errors.BadRequest(
                f"The compute API rejected the request for {what} in {where} "
                f"(HTTP 400): {detail}.",
                request_id,
            )
        return errors.ApiError(
            f"The compute API failed for {what} in {where} (HTTP {status} "
            f"{response.reason or ''}): {detail}. Try again later; if it "
            f"persists, give the request id below to FJcloud-O support."
            if status >= 500
            else f"The compute API answered HTTP {status} for {what} in "
            f"{where}: {detail}.",
            request_id,
        )

    def _translate_transport_errors(self) -> "_TransportErrors":
        return _TransportErrors(self, "compute endpoint")

    def _translate_login_errors(self) -> "_TransportErrors":
        return _TransportErrors(self, "identity service")


#: keystoneauth's transport exceptions, most specific first, and our message.
_TRANSPORT_MESSAGES = (
    (ksa_exceptions.SSLError,
     "TLS failed talking to {peer}: {reason}. Give the CA bundle with --os-cacert "
     "(or OS_CACERT)."),
    (ksa_exceptions.ConnectTimeout,
     "Timed out talking to {peer}: {reason}. Try again, or raise the timeout "
     "(api_timeout in clouds.yaml, or OS_API_TIMEOUT)."),
    (ksa_exceptions.ConnectFailure,
     "Cannot connect to {peer}: {reason}. Check the network, proxy settings and "
     "region name."),
    (ksa_exceptions.UnknownConnectionError,
     "The connection to {peer} failed: {reason}. Try again."),
)


def _transport_reason(text: str) -> str:
    """The useful end of a urllib3 error chain: "Connection refused", not the chain."""
    found = _SSL_REASON.findall(text) or _ERRNO_REASON.findall(text)
    if found:
        return found[-1].strip().rstrip(".")
    incomplete = _INCOMPLETE_READ.search(text)
    if incomplete or "Connection broken" in text:
        detail = f" ({incomplete.group(1)})" if incomplete else ""
        return f"the connection closed in the middle of the response{detail}"
    if "timed out" in text.lower():
        return "no answer within the timeout"
    return errors.one_line(text)


class _TransportErrors:
    """Turn keystoneauth's connection and login exceptions into ours."""

    def __init__(self, client: ActionsClient, peer: str) -> None:
        self._client = client
        self._peer = peer

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, error: Any, tb: Any) -> bool:
        if error is None or isinstance(error, errors.ActionsError):
            return False
        translated = self._translate(error)
        if translated is None:
            return False
        raise translated from error

    def _translate(self, error: BaseException) -> Optional[errors.ActionsError]:
        region = self._client.region_name or "no region"
        text = errors.one_line(error, limit=4000)
        url = _TRANSPORT_URL.search(text)
        at = f" at {url.group(1)}" if url else ""
        peer = f"the {self._peer}{at} (region {region})"
        reason = _transport_reason(text)
        for exception_class, template in _TRANSPORT_MESSAGES:
            if isinstance(error, exception_class):
                return errors.EndpointUnreachable(template.format(peer=peer, reason=reason))
        # With raise_exc=False, HTTP exceptions only come from the login.
        identity = f"the identity service (region {region})"
        if isinstance(error, ksa_exceptions.Unauthorized):
            return errors.Unauthorized(
                f"Login refused by {identity} (HTTP 401): check the user name, "
                f"password, user domain (your contract number) and project; a "
                f"token given with OS_TOKEN expires after 3 hours on FJcloud-O."
            )
        if isinstance(error, ksa_exceptions.ClientException):
            return errors.ApiError(f"Login failed at {identity}: {reason}.")
        return None
