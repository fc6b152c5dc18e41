"""The one HTTP path to the compute API: a keystoneauth Adapter, and what
keystoneauth cannot do.

keystoneauth's ``Adapter`` sends every request: the compute endpoint (chosen
once, by the rule of :mod:`fj_osc_actions.regions`), the microversion
header, the User-Agent (``fj-osc-actions/<version>``), the timeout and its
request log. Ours, and small: the retry policy (:func:`retry_delay`, one
place for every retry of a GET), ``Retry-After``, the 406 fallback to the
cloud's maximum microversion, the microversion read back with ``latest``,
and cancellation.

**At most** ``1 + retries`` (4) compute requests per logical GET for the
transient failures (connection failures and timeouts, 429, 502, 503, 504),
plus one re-send at the cloud's maximum microversion after a 406, plus
keystoneauth's one re-send after a 401 and a new login. keystoneauth's own
connection and status retries are off: its waits cannot be cancelled, and
its budgets would multiply with this one.

Touches: the network, through the keystoneauth session it is given; that
session's connection pool for compute (:meth:`ComputeHTTP.size_pool`, with
keystoneauth's own keep-alive adapter class); its own logger
``fj_osc_actions.http`` (a filter that masks credentials in URLs).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Mapping, Sequence

from keystoneauth1 import adapter as ksa_adapter
from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import session as ksa_session

from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import pacing
from fj_osc_actions import redaction
from fj_osc_actions import regions
from fj_osc_actions import validation
from fj_osc_actions.i18n import _

LOG = logging.getLogger(__name__)
LOG.addFilter(redaction.RedactedURLs())

COMPUTE = "compute"
CLIENT_NAME = "fj-osc-actions"
#: Retries of a logical GET after a transient failure.
RETRIES = 3
RETRIABLE_STATUSES = frozenset((429, 502, 503, 504))
BACKOFF_DELAYS = (0.5, 1.0, 2.0)
#: The most a GET waits in all for its retries (a longer Retry-After is not waited).
MAX_WAIT = 60.0
LATEST = "latest"
#: requests keeps 10 connections per host by default (projects.py sizes its pool alike).
DEFAULT_POOL_SIZE = 10


def retry_delay(status: int | None, retry_after: str | None, attempt: int) -> float | None:
    """Seconds to wait before retrying after ``attempt`` (0: the first
    request) answered ``status`` (None: a connection failure or timeout);
    None: not worth a retry. ``Retry-After`` (429, 503) says how long."""
    if status is not None and status not in RETRIABLE_STATUSES:
        return None
    try:
        return max(0.0, float((retry_after or "").strip()))
    except ValueError:
        return BACKOFF_DELAYS[min(attempt, len(BACKOFF_DELAYS) - 1)]


@functools.lru_cache(maxsize=1)
def client_version() -> str:
    from importlib import metadata

    try:
        return metadata.version(CLIENT_NAME)
    except metadata.PackageNotFoundError:
        return "unknown"


class ComputeHTTP:
    """GET requests of JSON objects from one compute endpoint at one microversion."""

    def __init__(
        self,
        session: Any,
        *,
        region_name: str | None = None,
        interface: str | None = "public",
        endpoint_override: str | None = None,
        microversion: str | mv.Microversion | None = None,
        timeout: float | None = validation.DEFAULT_TIMEOUT,
        retries: int = RETRIES,
        pacer: pacing.Pacer | None = None,
    ) -> None:
        self.session = session
        self.region_name = region_name or None
        self.interface = interface or "public"
        self.endpoint_override = endpoint_override or None
        self.timeout = timeout
        self.retries = retries
        self.pacer = pacer or pacing.Pacer()
        text = str(microversion or "").strip().lower()
        if text == "2.latest":  # novaclient's spelling, all OSC < 7 accepts
            text = microversion = LATEST
        #: Whether the user chose the microversion (else: fall back on a 406).
        self.microversion_chosen = text not in ("", "2", "2.0")
        self._asked: str | mv.Microversion | None = microversion
        self._microversion: mv.Microversion | None = mv.NEWEST if text == LATEST else None
        self._send_latest = text == LATEST
        #: Whether a 406 made the client use the cloud's maximum microversion.
        self.fell_back = False
        self._endpoint: regions.ComputeEndpoint | None = None
        self._adapter: ksa_adapter.Adapter | None = None

    # -- configuration -----------------------------------------------------

    @property
    def microversion(self) -> mv.Microversion:
        """The microversion in use; parsed on first use, so bad input is a clear error.

        With ``latest``, every feature is allowed until a response says which it is.
        """
        if self._microversion is None:
            self._microversion = mv.parse(self._asked)  # type: ignore[arg-type]
        return self._microversion

    def check_configuration(self) -> None:
        """Refuse a bad microversion or endpoint override, before any request."""
        self.microversion
        if self.endpoint_override:
            regions.check_override(self.endpoint_override)

    @property
    def endpoint(self) -> regions.ComputeEndpoint:
        """The compute endpoint, chosen on first use (it may need a login)."""
        if self._endpoint is None:
            self._endpoint = self._resolve_endpoint()
            LOG.debug("Compute endpoint: %s", self._endpoint.describe())
        return self._endpoint

    def target(self, server: str, request_id: str | None = None) -> errors.Target:
        """What a request is about, for the messages of its errors (the
        configuration is checked first: bad configuration fails before the login)."""
        self.check_configuration()
        return errors.Target(server=server, region=self.region_name,
                             endpoint_url=self.endpoint.url,
                             microversion=str(self.microversion), request_id=request_id)

    def where(self) -> str:
        return errors.where_text(self.region_name, self.endpoint.url)

    # -- requests ----------------------------------------------------------

    def get(self, segments: Sequence[str], target: errors.Target,
            params: Mapping[str, str] | None = None, *, retries: int | None = None) -> dict[str, Any]:
        """GET {endpoint}/{segments...} (each percent-encoded as one segment).

        ``retries`` (default: this client's) bounds the retries of this GET;
        0 where the caller polls again anyway (``--wait``).
        """
        path = "/".join(validation.quote_segment(segment) for segment in segments)
        budget = self.retries if retries is None else retries
        response = self._send_with_retries(path, dict(params or {}), budget)
        if response.status_code == 406 and self._fall_back_to_maximum(response):
            response = self._send_with_retries(path, dict(params or {}), 0)
        if response.status_code >= 400:
            # A new target: the microversion may have changed (406 fallback).
            raise errors.from_response(response, self.target(target.server, target.request_id))
        self._learn_latest(response)
        request_id = errors.response_request_id(response)
        try:
            body = response.json()
        except ValueError:
            raise errors.unexpected(target, _("the response is not JSON"), request_id) from None
        if not isinstance(body, dict):
            raise errors.unexpected(target, _("the response is not a JSON object"), request_id)
        return body

    def size_pool(self, connections: int) -> None:
        """Keep up to ``connections`` connections to the compute host open
        (for a pool of workers), with keystoneauth's keep-alive adapter."""
        http = getattr(self.session, "session", None)
        if http is None or connections <= DEFAULT_POOL_SIZE:
            return
        prefix = self.endpoint.url.split("://", 1)[0] + "://"
        current = http.get_adapter(prefix + "host/")
        if getattr(current, "_pool_maxsize", 0) >= connections:
            return
        pooled = ksa_session.TCPKeepAliveAdapter(pool_connections=connections,
                                                 pool_maxsize=connections)
        http.mount(prefix, pooled)

    def _send_with_retries(self, path: str, params: dict[str, str], retries: int) -> Any:
        """The retry policy: up to ``retries`` more attempts after transient
        failures, waiting as ``retry_delay`` says, MAX_WAIT in all."""
        waited = 0.0
        for attempt in range(retries + 1):
            try:
                response = self._send(path, params)
            except errors.ConnectionLost as lost:
                if isinstance(lost.__cause__, ksa_exceptions.UnknownConnectionError):
                    raise  # cut in the middle of an answer: it had begun, not repeated
                failure, status, retry_after = lost, None, None
            except errors.EndpointUnreachable as unreachable:
                if not isinstance(unreachable.__cause__, ksa_exceptions.ConnectFailure):
                    raise  # TLS: trying again changes nothing
                failure, status, retry_after = unreachable, None, None
            else:
                failure, status = None, response.status_code
                retry_after = response.headers.get("Retry-After")
                if status < 400:
                    return response
            delay = retry_delay(status, retry_after, attempt)
            if delay is None or attempt == retries or waited + delay > MAX_WAIT:
                if failure is not None:
                    raise failure
                return response
            LOG.debug("%s: retrying in %.1f s", status or type(failure).__name__, delay)
            if retry_after and status in (429, 503):
                self.pacer.hold(delay)  # the other requests of this run wait too
            self.pacer.pause(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, path: str, params: dict[str, str]) -> Any:
        """One request (the run's hold waited first); keystoneauth's
        exceptions become ours."""
        self.pacer.wait_turn()
        with errors.transport_errors(errors.COMPUTE_ENDPOINT, self.region_name,
                                     f"{self.endpoint.url}/{path}"):
            return self.adapter.get(
                path, params=params, headers={"Accept": "application/json"}, raise_exc=False,
                microversion=LATEST if self._send_latest else str(self.microversion),
                timeout=self.timeout)

    @property
    def adapter(self) -> ksa_adapter.Adapter:
        if self._adapter is None:
            # keystoneauth %-formats an override (for its placeholders): the
            # URL is filled already, and may hold percent-encoded characters.
            self._adapter = ksa_adapter.Adapter(
                self.session, service_type=COMPUTE, interface=self.interface,
                region_name=self.region_name,
                endpoint_override=self.endpoint.url.replace("%", "%%"),
                default_microversion=str(self.microversion), client_name=CLIENT_NAME,
                client_version=client_version(), connect_retries=0, status_code_retries=0,
                logger=LOG)
        return self._adapter

    # -- microversions -----------------------------------------------------

    def _fall_back_to_maximum(self, response: Any) -> bool:
        """When the user chose no microversion and the cloud does not support
        the default, use the cloud's maximum (once)."""
        if self.microversion_chosen or self.fell_back:
            return False
        maximum = mv.maximum_from_406(errors.api_message(response) or "")
        if maximum is None or maximum < mv.MINIMUM or maximum >= self.microversion:
            return False
        LOG.debug("The cloud does not support microversion %s; using its maximum, %s",
                  self.microversion, maximum)
        self.fell_back = True
        self._microversion = maximum
        return True

    def _learn_latest(self, response: Any) -> None:
        """With ``latest``, the response says which microversion it was."""
        if not self._send_latest:
            return
        echoed = mv.from_response_header(response.headers.get("OpenStack-API-Version", ""))
        if echoed is not None:
            LOG.debug("Microversion latest is %s here", echoed)
            self._microversion = echoed
            self._send_latest = False

    # -- the endpoint ------------------------------------------------------

    def _resolve_endpoint(self) -> regions.ComputeEndpoint:
        auth = getattr(self.session, "auth", None)
        auth_url = getattr(auth, "auth_url", None)
        with errors.transport_errors(errors.IDENTITY_SERVICE, self.region_name, auth_url):
            if auth is not None:
                # Log in here, so that a login failure is reported as one.
                self.session.get_auth_headers()
            endpoint = regions.resolve_compute_endpoint(
                self.region_name, self.endpoint_override, project_id=self._project_id,
                catalog_lookup=self._catalog_endpoint, auth_url=auth_url)
        if endpoint is None:
            raise errors.EndpointNotFound(
                _(
                    "No compute endpoint for {region} in the service catalog "
                    "({interface} interface): set --os-region-name to jp-east-3 "
                    "or jp-west-3, or give OS_COMPUTE_ENDPOINT_OVERRIDE."
                ).format(region=errors.region_text(self.region_name), interface=self.interface)
            )
        return endpoint

    def _project_id(self) -> str:
        """The token's project, percent-encoded as one segment (so it is
        filled here, not by keystoneauth, which inserts it as it is)."""
        project_id = self.session.get_project_id()
        if not project_id:
            raise errors.EndpointNotFound(
                _(
                    "The token is not scoped to a project, and compute URLs carry "
                    "the project id: set --os-project-name or --os-project-id."
                )
            )
        return validation.quote_segment(project_id)

    def _catalog_endpoint(self) -> str | None:
        try:
            return self.session.get_endpoint(service_type=COMPUTE, interface=self.interface,
                                             region_name=self.region_name, skip_discovery=True)
        except ksa_exceptions.EndpointNotFound:
            return None
