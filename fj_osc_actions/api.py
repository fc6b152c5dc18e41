"""The HTTP layer: one GET of a JSON object from the compute endpoint.

It chooses the endpoint (logging in first, so that a login failure is
reported as one), sends the microversion header, retries what is safe to
retry, and turns every failure into an ``errors.ActionsError``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Mapping, Sequence

import requests
from keystoneauth1 import exceptions as ksa_exceptions

from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import redaction
from fj_osc_actions import regions
from fj_osc_actions import validation
from fj_osc_actions.i18n import _

LOG = logging.getLogger(__name__)

COMPUTE = "compute"
DEFAULT_TIMEOUT = validation.DEFAULT_TIMEOUT
#: Retries of an idempotent GET after a connection failure or a 502/504
#: (keystoneauth does these; 429 and 503 are waited out in _send_with_retries).
DEFAULT_RETRIES = 2
RETRIABLE_STATUSES = (502, 504)
#: 429 and 503 are waited out here, as Retry-After asks (bounded).
MAX_RATE_LIMIT_RETRIES = 3
MAX_RATE_LIMIT_WAIT = 60.0
BACKOFF_DELAYS = (0.5, 1.0, 2.0)
LATEST = "latest"
DEFAULT_POOL_SIZE = 10
PAUSE_SLICE = 0.1


def retry_delay(response: Any, attempt: int, retries: int = DEFAULT_RETRIES) -> float | None:
    """Seconds to wait before retrying this response, or None: no retry.

    A 429 or 503 with Retry-After waits as it says; without it, a 429 backs
    off, and a 503 is retried ``retries`` times like any failed GET.
    """
    if response.status_code not in (429, 503):
        return None
    text = (response.headers.get("Retry-After") or "").strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    if response.status_code == 503 and attempt >= retries:
        return None
    return BACKOFF_DELAYS[min(attempt, len(BACKOFF_DELAYS) - 1)]


class _QuietRetries(logging.LoggerAdapter):
    """keystoneauth warns of each retry; keep that for --debug only.

    A failure must end in one line; the retries are in the --debug log.
    """

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.debug(msg, *args, **kwargs)


HTTP_LOG = _QuietRetries(logging.getLogger("keystoneauth.session"), {})


class ComputeAPI:
    """GET requests to one compute endpoint at one microversion."""

    def __init__(
        self,
        session: Any,
        *,
        region_name: str | None = None,
        interface: str | None = "public",
        endpoint_override: str | None = None,
        microversion: str | mv.Microversion | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self.session = session
        self.region_name = region_name or None
        self.interface = interface or "public"
        self.endpoint_override = endpoint_override or None
        self._microversion = microversion
        text = str(microversion or "").strip().lower()
        #: Whether the user chose the microversion (else: fall back on a 406).
        self.microversion_chosen = text not in ("", "2", "2.0")
        self._header_microversion = LATEST if text == LATEST else None
        #: Whether a 406 made the client use the cloud's maximum microversion.
        self.fell_back = False
        self.cancelled = threading.Event()
        self.timeout = timeout
        self.retries = retries
        self._endpoint: regions.ComputeEndpoint | None = None
        redaction.redact_urls_in_logs()

    @property
    def microversion(self) -> mv.Microversion:
        """The microversion in use; parsed lazily so bad input is a clear error."""
        if self._header_microversion == LATEST and not isinstance(self._microversion, mv.Microversion):
            # Until a response says which it is, every feature is allowed.
            self._microversion = mv.NEWEST
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

    def target(self, server: str, request_id: str | None = None) -> errors.Target:
        """What a request is about, for the messages of its errors.

        The configuration is checked before the endpoint is chosen: bad
        configuration is an error before the login.
        """
        self.check_configuration()
        return errors.Target(
            microversion=str(self.microversion),
            server=server,
            region=self.region_name,
            endpoint_url=self.endpoint.url,
            request_id=request_id,
        )

    def check_configuration(self) -> None:
        """Refuse a bad microversion or endpoint override, before any request."""
        self.microversion  # parsed here: a bad value is an error before any request
        if self.endpoint_override:
            regions.check_override(self.endpoint_override)

    def where(self) -> str:
        return f"{errors.region_text(self.region_name)} ({self.endpoint.url})"

    def get(
        self,
        segments: Sequence[str],
        target: errors.Target,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """GET {endpoint}/{segments...}; each segment percent-encoded as one."""
        url = "/".join([self.endpoint.url] + [validation.quote_segment(s) for s in segments])
        response = self._send_with_retries(url, dict(params or {}))
        if response.status_code == 406 and self._fall_back_to_maximum(response):
            response = self._send_with_retries(url, dict(params or {}))
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

    def size_connection_pool(self, connections: int) -> None:
        """Keep up to ``connections`` connections per host open (requests
        keeps 10 by default and drops the rest), for a pool of workers."""
        http = getattr(self.session, "session", None)
        if http is None or connections <= DEFAULT_POOL_SIZE:
            return
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=connections)
        for prefix in ("https://", "http://"):
            http.mount(prefix, adapter)

    def pause(self, seconds: float) -> None:
        """Wait, and raise ``errors.Cancelled`` if the client is cancelled.

        In short slices: Python runs its Ctrl-C handler between slices, not
        inside a long lock wait, so Ctrl-C ends a pause at once.
        """
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.cancelled.wait(min(remaining, PAUSE_SLICE)):
                raise errors.Cancelled(_("Cancelled."))

    def cancel(self) -> None:
        """Stop: waits end now, and no new request leaves."""
        self.cancelled.set()

    # -- sending ---------------------------------------------------------

    def _send(self, url: str, params: dict[str, str]) -> Any:
        """One request; keystoneauth retries connection failures and 502/504."""
        if self.cancelled.is_set():
            raise errors.Cancelled(_("Cancelled."))
        with errors.transport_errors(errors.COMPUTE_ENDPOINT, self.region_name):
            return self.session.get(
                url,
                params=params,
                headers={"Accept": "application/json"},
                raise_exc=False,
                microversion=self._sent_microversion,
                microversion_service_type=COMPUTE,
                timeout=self.timeout,
                connect_retries=self.retries,
                status_code_retries=self.retries,
                retriable_status_codes=list(RETRIABLE_STATUSES),
                logger=HTTP_LOG,
            )

    def _send_with_retries(self, url: str, params: dict[str, str]) -> Any:
        """Wait out 429 and 503: as Retry-After says, else with a growing delay.

        At most MAX_RATE_LIMIT_RETRIES retries and MAX_RATE_LIMIT_WAIT seconds
        in all; the wait ends early when the client is cancelled.
        """
        waited = 0.0
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            response = self._send(url, params)
            delay = retry_delay(response, attempt, self.retries)
            out_of_budget = delay is not None and waited + delay > MAX_RATE_LIMIT_WAIT
            if delay is None or attempt == MAX_RATE_LIMIT_RETRIES or out_of_budget:
                return response
            LOG.debug("HTTP %s: retrying in %.1f s", response.status_code, delay)
            self.pause(delay)
            waited += delay
        return response

    # -- microversions ---------------------------------------------------

    @property
    def _sent_microversion(self) -> str:
        self.microversion  # parse the user's value first
        return self._header_microversion or str(self.microversion)

    def _fall_back_to_maximum(self, response: Any) -> bool:
        """When the user chose no microversion and the cloud does not support
        the default, use the cloud's maximum (once)."""
        if self.microversion_chosen or self.fell_back:
            return False
        maximum = mv.maximum_from_406(errors.api_message(response) or "")
        if maximum is None or maximum < mv.MINIMUM or maximum >= self.microversion:
            return False
        LOG.debug(
            "The cloud does not support microversion %s; using its maximum, %s",
            self.microversion, maximum,
        )
        self.fell_back = True
        self._microversion = maximum
        return True

    def _learn_latest(self, response: Any) -> None:
        """With ``latest``, the response says which microversion it was."""
        if self._header_microversion != LATEST:
            return
        echoed = mv.from_response_header(response.headers.get("OpenStack-API-Version", ""))
        if echoed is not None:
            LOG.debug("Microversion latest is %s here", echoed)
            self._microversion = echoed
            self._header_microversion = None

    def _resolve_endpoint(self) -> regions.ComputeEndpoint:
        with errors.transport_errors(errors.IDENTITY_SERVICE, self.region_name):
            if getattr(self.session, "auth", None) is not None:
                # Log in here, so that a login failure is reported as one.
                self.session.get_auth_headers()
            endpoint = regions.resolve_compute_endpoint(
                self.region_name,
                self.endpoint_override,
                project_id=self._project_id,
                catalog_lookup=self._catalog_endpoint,
                auth_url=getattr(getattr(self.session, "auth", None), "auth_url", None),
            )
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
            return self.session.get_endpoint(
                service_type=COMPUTE,
                interface=self.interface,
                region_name=self.region_name,
                skip_discovery=True,
            )
        except ksa_exceptions.EndpointNotFound:
            return None
