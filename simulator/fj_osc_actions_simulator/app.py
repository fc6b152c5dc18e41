"""The simulator's WSGI application: routing, the request log, the control API.

Routing is done on the *raw* (still percent-encoded) request path, split on
``/``, and each segment is decoded exactly once by the ``seg`` converter: an
id such as ``a%2Fb`` or ``..%2Fx`` arrives as one segment (``a/b``,
``../x``) and never changes the route.

The request log (:class:`LoggedRequest`) keeps, in ``path``, the raw path as
received on the wire (``RAW_URI``/``REQUEST_URI`` from Werkzeug's server,
without the query string), and in ``query`` the raw query string.  A request
is logged when it arrives (``status`` None while it is in flight) and
completed when it is answered.  Headers and bodies are never logged, so
tokens and passwords never appear there.  Requests to ``/_sim/...`` (the
control API) are not logged.
"""

from __future__ import annotations

import collections
import json
import threading
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import quote, unquote

from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from fj_osc_actions_simulator.clock import Clock
from fj_osc_actions_simulator.compute import ComputeService, parse_version, version_text
from fj_osc_actions_simulator.faults import FaultQueue, FaultResponder
from fj_osc_actions_simulator.identity import IdentityService, TokenStore
from fj_osc_actions_simulator.protocol import (HTTP_REASONS, NOVA_UNEXPECTED_ERROR, ApiError,
                                               RequestContext, json_response, keystone_error,
                                               nova_error)
from fj_osc_actions_simulator.store import Store

LoggedRequest = collections.namedtuple(
    "LoggedRequest", "method path query status microversion request_id")

#: (path, endpoint, methods); ``<seg:...>`` is one raw segment, decoded once.
ROUTES = (
    ("/", "identity_versions", ("GET",)),
    ("/v3", "identity_version", ("GET",)),
    ("/v3/", "identity_version", ("GET",)),
    ("/v3/auth/tokens", "tokens", ("GET", "POST", "DELETE")),
    ("/v3/auth/projects", "auth_projects", ("GET",)),
    ("/_sim/faults", "control_faults", ("GET", "POST", "DELETE")),
    ("/_sim/log", "control_log", ("GET", "DELETE")),
    ("/_sim/tokens/expire", "control_expire_tokens", ("POST",)),
    ("/_sim/running/restart", "control_restart_running", ("POST",)),
    ("/v2.1", "compute_version_root", ("GET",)),
    ("/v2.1/", "compute_version_root", ("GET",)),
    ("/v2.1/<seg:project_id>", "compute_version", ("GET",)),
    ("/v2.1/<seg:project_id>/", "compute_version", ("GET",)),
    ("/v2.1/<seg:project_id>/servers", "servers_index", ("GET",)),
    ("/v2.1/<seg:project_id>/servers/detail", "servers_detail", ("GET",)),
    ("/v2.1/<seg:project_id>/servers/<seg:server_id>", "server_show", ("GET",)),
    ("/v2.1/<seg:project_id>/servers/<seg:server_id>/os-instance-actions", "actions_index",
     ("GET",)),
    ("/v2.1/<seg:project_id>/servers/<seg:server_id>/os-instance-actions/<seg:request_id>",
     "action_show", ("GET",)),
)

_RAW_PATH_SAFE = "/:@!$&'()*+,;=-._~"


class _SegmentConverter(BaseConverter):
    """One raw path segment, percent-decoded once."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return unquote(value)

    def to_url(self, value: str) -> str:
        return quote(value, safe="")


class RequestLog:
    """Requests in arrival order; counts those still in flight (thread-safe)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._entries: dict[str, LoggedRequest] = {}
        self._in_flight = 0
        self._peak_in_flight = 0

    def arrived(self, entry: LoggedRequest) -> None:
        with self._changed:
            self._entries[entry.request_id] = entry
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)

    def answered(self, entry: LoggedRequest) -> None:
        with self._changed:
            if entry.request_id in self._entries:  # not cleared meanwhile
                self._entries[entry.request_id] = entry
            self._in_flight -= 1
            self._changed.notify_all()

    def entries(self) -> list[LoggedRequest]:
        with self._changed:
            return list(self._entries.values())

    def clear(self) -> None:
        """Forget the entries, and start counting the peak again."""
        with self._changed:
            self._entries.clear()
            self._peak_in_flight = self._in_flight

    @property
    def in_flight(self) -> int:
        with self._changed:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        with self._changed:
            return self._peak_in_flight

    def wait_idle(self, timeout: float) -> bool:
        """Wait (in real time) until no request is in flight; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_flight == 0, timeout)


class SimulatorApp:
    """The WSGI callable: identity, compute and the control API on one port."""

    def __init__(self, store: Store, clock: Clock, token_ttl: float = 10800,
                 page_size: int = 1000, max_microversion: str = "2.104",
                 latency_ms: float = 0) -> None:
        if latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        self.store = store
        self.clock = clock
        #: A delay before every answer (not of the control API), like a round trip.
        self.latency = latency_ms / 1000
        self.tokens = TokenStore(clock)
        self.identity = IdentityService(store, self.tokens, token_ttl, clock)
        self.compute = ComputeService(store, self.tokens, int(page_size),
                                      parse_version(max_microversion), clock)
        self.faults = FaultQueue()
        self.fault_responder = FaultResponder(clock)
        self.log = RequestLog()
        #: Set by the server once bound; else each request's own host URL.
        self.base_url: str | None = None
        self.handlers: dict[str, Callable[..., Response]] = {
            "identity_versions": self.identity.versions,
            "identity_version": self.identity.version,
            "tokens": self.identity.tokens_handler,
            "auth_projects": self.identity.auth_projects,
            "control_faults": self._control_faults,
            "control_log": self._control_log,
            "control_expire_tokens": self._control_expire_tokens,
            "control_restart_running": self._control_restart_running,
            "compute_version_root": self.compute.version_root,
            "compute_version": self.compute.version,
            "servers_index": self.compute.servers_index,
            "servers_detail": self.compute.servers_detail,
            "server_show": self.compute.server_show,
            "actions_index": self.compute.actions_index,
            "action_show": self.compute.action_show,
        }
        self.url_map = Map([Rule(path, endpoint=endpoint, methods=list(methods))
                            for path, endpoint, methods in ROUTES],
                           converters={"seg": _SegmentConverter}, strict_slashes=False,
                           merge_slashes=False)

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        context = self._context(environ)
        if context.is_control:
            response = self._respond(context)
        else:
            arrival = LoggedRequest(context.request.method, context.raw_path, context.raw_query,
                                    None, None, context.request_id)
            self.log.arrived(arrival)
            status = 500
            try:
                if self.latency:
                    self.clock.sleep(self.latency)
                response = self._respond(context)
                status = response.status_code
            finally:
                microversion = context.microversion
                self.log.answered(arrival._replace(
                    status=status,
                    microversion=version_text(microversion) if microversion else None))
        return response(environ, start_response)

    def _context(self, environ: dict[str, Any]) -> RequestContext:
        request = Request(environ)
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw_uri:
            raw_path, _, raw_query = raw_uri.partition("?")
            if "://" in raw_path:  # absolute-form request target
                raw_path = "/" + raw_path.split("://", 1)[1].partition("/")[2]
        else:
            raw_path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                             safe=_RAW_PATH_SAFE)
            raw_query = environ.get("QUERY_STRING", "")
        return RequestContext(request=request, raw_path=raw_path, raw_query=raw_query,
                              request_id=f"req-{uuid.uuid4()}",
                              base_url=self.base_url or request.host_url.rstrip("/"))

    def _respond(self, context: RequestContext) -> Response:
        try:
            response = self._dispatch(context)
        except ApiError as error:
            response = error.response()
        except Exception as error:  # pragma: no cover - defensive
            response = nova_error(500, f"{NOVA_UNEXPECTED_ERROR}{type(error)}").response()
        code = response.status_code
        response.status = f"{code} {HTTP_REASONS.get(code, 'Unknown')}"
        response.headers["x-openstack-request-id"] = context.request_id
        if context.is_compute:
            response.headers["x-compute-request-id"] = context.request_id
            if context.microversion is not None:
                version = version_text(context.microversion)
                response.headers["OpenStack-API-Version"] = f"compute {version}"
                response.headers["X-OpenStack-Nova-API-Version"] = version
            response.headers["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
        return response

    def _dispatch(self, context: RequestContext) -> Response:
        if context.is_compute:
            fault = self.faults.take(context.raw_path, unquote(context.raw_path))
            if fault is not None:
                answer = self.fault_responder.respond(fault, context)
                if answer is not None:
                    return answer
        adapter = self.url_map.bind(context.request.host, url_scheme=context.request.scheme)
        try:
            endpoint, arguments = adapter.match(context.raw_path, method=context.request.method)
        except Exception as error:  # NotFound, MethodNotAllowed, redirects
            raise self._no_route(context, getattr(error, "code", 404)) from None
        return self.handlers[endpoint](context, **arguments)

    @staticmethod
    def _no_route(context: RequestContext, code: int | None) -> ApiError:
        code = code if code in (404, 405) else 404
        if context.is_compute:
            return nova_error(code, "The resource could not be found." if code == 404
                              else "The requested method is not allowed.")
        if code == 405:
            return keystone_error(405, "Method Not Allowed",
                                  "The method is not allowed for the requested URL.")
        return keystone_error(404, "Not Found", "The resource could not be found.")

    # -- control API (/_sim/...) ---------------------------------------------
    def _control_faults(self, context: RequestContext) -> Response:
        method = context.request.method
        if method == "GET":
            return json_response(self.faults.pending())
        if method == "DELETE":
            self.faults.clear()
            return Response(status=204)
        try:
            body = json.loads(context.request.get_data(as_text=True))
            self.faults.inject(body["fault"], body.get("path_contains"), body.get("times", 1))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return json_response({"error": str(error)}, 400)
        return json_response(self.faults.pending(), 201)

    def _control_log(self, context: RequestContext) -> Response:
        if context.request.method == "DELETE":
            self.log.clear()
            return Response(status=204)
        return json_response([entry._asdict() for entry in self.log.entries()])

    def _control_expire_tokens(self, context: RequestContext) -> Response:
        return json_response({"expired": self.tokens.expire_all()})

    def _control_restart_running(self, context: RequestContext) -> Response:
        return json_response({"restarted": self.restart_running_actions()})

    def restart_running_actions(self) -> int:
        return self.store.restart_running_actions(self.clock.now())
