"""WSGI application of the FJcloud-O simulator (Keystone v3 + Nova subset).

Routing is done on the *raw* (still percent-encoded) request path, split on
``/``, and each segment is decoded exactly once by the ``seg`` converter: an
id such as ``a%2Fb`` or ``..%2Fx`` arrives as one segment (``a/b``,
``../x``) and never changes the route.

The request log (:class:`LoggedRequest`) keeps, in ``path``, the raw path as
received on the wire (``RAW_URI``/``REQUEST_URI`` from Werkzeug's server,
without the query string), and in ``query`` the raw query string.  Headers
and bodies are never logged, so tokens and passwords never appear there.
Requests to ``/_sim/...`` (the control API) are not logged.
"""

import collections
import datetime
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from urllib.parse import quote, unquote, urlencode

from http import HTTPStatus

from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from fj_osc_actions.simulator import data as simdata

HTTP_REASONS = {status.value: status.phrase for status in HTTPStatus}

LoggedRequest = collections.namedtuple(
    "LoggedRequest", "method path query status microversion request_id")

REGIONS = ("jp-east-3", "jp-west-3")
MIN_MICROVERSION = (2, 1)
NOVA_UPDATED = "2013-07-23T11:33:21Z"
KEYSTONE_VERSION = "v3.14"

UNAUTHORIZED_BODY = {"error": {
    "code": 401, "title": "Unauthorized",
    "message": "The request you have made requires authentication."}}

ACTION_KEYS = ("action", "instance_uuid", "request_id", "user_id", "project_id",
               "start_time", "message")
EVENT_KEYS = ("event", "start_time", "finish_time", "result", "traceback")

FAULT_NAMES = ("500", "503", "502-html", "not-json", "no-instance-action",
               "401", "403", "close")

_VERSION_RE = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")

READ_ROLES = frozenset(("admin", "member", "reader"))


def validate_fault(name):
    """Raise ValueError unless ``name`` is a known fault name."""
    if name in FAULT_NAMES:
        return name
    if isinstance(name, str) and name.startswith("slow:"):
        try:
            secs = float(name[5:])
        except ValueError:
            raise ValueError("bad fault %r: slow:<seconds>" % name) from None
        if secs < 0:
            raise ValueError("bad fault %r: negative delay" % name)
        return name
    raise ValueError("unknown fault %r (known: %s, slow:<seconds>)"
                     % (name, ", ".join(FAULT_NAMES)))


class _SegmentConverter(BaseConverter):
    """One raw path segment, percent-decoded once."""

    regex = "[^/]+"

    def to_python(self, value):
        return unquote(value)

    def to_url(self, value):
        return quote(value, safe="")


class _Truncated(ConnectionAbortedError):
    """Raised mid-body by the ``close`` fault; Werkzeug drops the connection."""


class ApiError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def nova_error(status, message):
    names = {400: "badRequest", 401: "unauthorized", 403: "forbidden",
             404: "itemNotFound", 405: "badMethod", 409: "conflictingRequest",
             413: "overLimit", 415: "badMediaType", 429: "overLimit",
             501: "notImplemented", 503: "serviceUnavailable"}
    name = names.get(status, "computeFault")
    return ApiError(status, {name: {"code": status, "message": message}})


def keystone_error(status, title, message):
    return ApiError(status, {"error": {"code": status, "title": title,
                                       "message": message}})


def _isotime(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _stable_id(*parts):
    return hashlib.md5("/".join(parts).encode("utf-8")).hexdigest()


def parse_microversion(headers, max_version):
    """Return (major, minor) asked by the request; ApiError if invalid."""
    value = None
    new = headers.get("OpenStack-API-Version")
    if new:
        for part in new.split(","):
            bits = part.strip().split(None, 1)
            if len(bits) == 2 and bits[0].lower() == "compute":
                value = bits[1].strip()
    if value is None:
        value = headers.get("X-OpenStack-Nova-API-Version")
        if value is not None:
            value = value.strip()
    if value is None:
        return MIN_MICROVERSION
    if value.lower() == "latest":
        return max_version
    m = _VERSION_RE.match(value)
    if not m:
        raise nova_error(400, "API Version String %s is of invalid format. Must "
                              "be of format MajorNum.MinorNum." % value)
    ver = (int(m.group(1)), int(m.group(2)))
    if ver < MIN_MICROVERSION or ver > max_version:
        raise nova_error(406, "Version %d.%d is not supported by the API. Minimum "
                              "is %d.%d and maximum is %d.%d."
                         % (ver + MIN_MICROVERSION + max_version))
    return ver


class SimulatorApp:
    """The WSGI callable.  State (tokens, faults, log) is guarded by a lock."""

    def __init__(self, store, token_ttl=10800, page_size=1000,
                 max_microversion="2.104", full_page_links=False):
        self.store = store
        self.token_ttl = float(token_ttl)
        self.page_size = int(page_size)
        if self.page_size < 1:
            raise ValueError("page_size must be >= 1")
        m = _VERSION_RE.match(str(max_microversion))
        if not m:
            raise ValueError("max_microversion must look like 2.104")
        self.max_version = (int(m.group(1)), int(m.group(2)))
        if self.max_version < MIN_MICROVERSION:
            raise ValueError("max_microversion must be >= 2.1")
        self.full_page_links = full_page_links
        self.base_url = None
        self._lock = threading.Lock()
        self._tokens = {}
        self._faults = []
        self._log = []
        self.url_map = Map([
            Rule("/", endpoint="identity_versions", methods=["GET"]),
            Rule("/v3", endpoint="identity_version", methods=["GET"]),
            Rule("/v3/", endpoint="identity_version", methods=["GET"]),
            Rule("/v3/auth/tokens", endpoint="tokens",
                 methods=["GET", "POST", "DELETE"]),
            Rule("/_sim/faults", endpoint="sim_faults",
                 methods=["GET", "POST", "DELETE"]),
            Rule("/_sim/log", endpoint="sim_log", methods=["GET", "DELETE"]),
            Rule("/_sim/tokens/expire", endpoint="sim_expire", methods=["POST"]),
            Rule("/v2.1", endpoint="compute_version_root", methods=["GET"]),
            Rule("/v2.1/", endpoint="compute_version_root", methods=["GET"]),
            Rule("/v2.1/<seg:project_id>", endpoint="compute_version",
                 methods=["GET"]),
            Rule("/v2.1/<seg:project_id>/", endpoint="compute_version",
                 methods=["GET"]),
            Rule("/v2.1/<seg:project_id>/servers", endpoint="servers_index",
                 methods=["GET"]),
            Rule("/v2.1/<seg:project_id>/servers/detail",
                 endpoint="servers_detail", methods=["GET"]),
            Rule("/v2.1/<seg:project_id>/servers/<seg:server_id>",
                 endpoint="server_show", methods=["GET"]),
            Rule("/v2.1/<seg:project_id>/servers/<seg:server_id>"
                 "/os-instance-actions", endpoint="actions_index",
                 methods=["GET"]),
            Rule("/v2.1/<seg:project_id>/servers/<seg:server_id>"
                 "/os-instance-actions/<seg:request_id>", endpoint="action_show",
                 methods=["GET"]),
        ], converters={"seg": _SegmentConverter}, strict_slashes=False,
            merge_slashes=False)

    # ------------------------------------------------------------------
    # control API used by Simulator and /_sim
    def inject(self, fault, path_contains=None, times=1):
        validate_fault(fault)
        times = int(times)
        if times < 0:
            raise ValueError("times must be >= 0 (0 = unlimited)")
        with self._lock:
            self._faults.append({"fault": fault, "path_contains": path_contains,
                                 "times": times})

    def pending_faults(self):
        with self._lock:
            return [dict(f) for f in self._faults]

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    def request_log(self):
        with self._lock:
            return list(self._log)

    def clear_log(self):
        with self._lock:
            self._log.clear()

    def expire_tokens(self):
        now = time.time()
        with self._lock:
            for tok in self._tokens.values():
                tok["expires"] = min(tok["expires"], now - 1)
            return len(self._tokens)

    def issued_token_ids(self):
        """Every token id issued so far (expired too), for leak checks in tests.

        In-process only: never exposed over HTTP, never logged."""
        with self._lock:
            return list(self._tokens)

    def _take_fault(self, raw_path, decoded_path):
        with self._lock:
            for i, f in enumerate(self._faults):
                pc = f["path_contains"]
                if pc and pc not in raw_path and pc not in decoded_path:
                    continue
                if f["times"] > 0:
                    f["times"] -= 1
                    if f["times"] == 0:
                        del self._faults[i]
                return f["fault"]
        return None

    # ------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw_uri:
            raw_path, _, raw_query = raw_uri.partition("?")
            if "://" in raw_path:  # absolute-form request target
                raw_path = "/" + raw_path.split("://", 1)[1].partition("/")[2]
        else:
            raw_path = quote(environ.get("SCRIPT_NAME", "") +
                             environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~")
            raw_query = environ.get("QUERY_STRING", "")
        request_id = "req-" + str(uuid.uuid4())
        is_compute = raw_path == "/v2.1" or raw_path.startswith("/v2.1/")
        is_sim = raw_path.startswith("/_sim/")
        ctx = {"microversion": None}
        try:
            response = self._dispatch(request, raw_path, is_compute, ctx)
        except ApiError as e:
            response = self._json(e.body, e.status)
            response.headers.update(e.headers)
        except Exception as e:  # pragma: no cover - defensive
            response = self._json(nova_error(
                500, "Unexpected API Error. Please report this at "
                     "http://bugs.launchpad.net/nova/ and attach the Nova API log "
                     "if possible.\n%s" % type(e)).body, 500)
        # Werkzeug writes reason phrases in capitals; real services do not.
        code = response.status_code
        response.status = "%d %s" % (code, HTTP_REASONS.get(code, "Unknown"))
        response.headers["x-openstack-request-id"] = request_id
        if is_compute:
            response.headers["x-compute-request-id"] = request_id
            mv = ctx["microversion"]
            if mv is not None:
                response.headers["OpenStack-API-Version"] = "compute %d.%d" % mv
                response.headers["X-OpenStack-Nova-API-Version"] = "%d.%d" % mv
            response.headers["Vary"] = \
                "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
        if not is_sim:
            mv = ctx["microversion"]
            entry = LoggedRequest(request.method, raw_path, raw_query,
                                  response.status_code,
                                  "%d.%d" % mv if mv else None, request_id)
            with self._lock:
                self._log.append(entry)
        return response(environ, start_response)

    def _json(self, body, status=200):
        return Response(json.dumps(body), status=status,
                        content_type="application/json")

    def _dispatch(self, request, raw_path, is_compute, ctx):
        if is_compute:
            fault = self._take_fault(raw_path, unquote(raw_path))
            if fault is not None:
                resp = self._fault_response(fault, request)
                if resp is not None:
                    return resp
        adapter = self.url_map.bind(request.host, url_scheme=request.scheme)
        try:
            endpoint, args = adapter.match(raw_path, method=request.method)
        except Exception as e:  # NotFound / MethodNotAllowed / redirects
            code = getattr(e, "code", 404) or 404
            if code not in (404, 405):
                code = 404
            if is_compute:
                raise nova_error(code, "The resource could not be found."
                                 if code == 404 else
                                 "The requested method is not allowed.") from None
            if code == 405:
                raise keystone_error(405, "Method Not Allowed",
                                     "The method is not allowed for the requested "
                                     "URL.") from None
            raise keystone_error(404, "Not Found",
                                 "The resource could not be found.") from None
        handler = getattr(self, "h_" + endpoint)
        return handler(request, ctx, **args)

    def _fault_response(self, fault, request):
        if fault.startswith("slow:"):
            time.sleep(float(fault[5:]))
            return None
        if fault == "500":
            return self._json(nova_error(
                500, "Unexpected API Error. Please report this at "
                     "http://bugs.launchpad.net/nova/ and attach the Nova API log "
                     "if possible.\n<class 'nova.exception.SimulatedFault'>").body,
                500)
        if fault == "503":
            return self._json(nova_error(
                503, "The server is currently unavailable. Please try again at a "
                     "later time.").body, 503)
        if fault == "502-html":
            return Response(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
                status=502, content_type="text/html")
        if fault == "not-json":
            return Response("<html><body>Maintenance in progress</body></html>",
                            status=200, content_type="application/json")
        if fault == "no-instance-action":
            return self._json({}, 200)
        if fault == "401":
            resp = self._json(UNAUTHORIZED_BODY, 401)
            resp.headers["WWW-Authenticate"] = 'Keystone uri="%s/v3"' % self._base(
                request)
            return resp
        if fault == "403":
            rule = "show" if re.search(r"/os-instance-actions/[^/]+$", request.path) \
                else "list"
            return self._json(nova_error(
                403, "Policy doesn't allow os_compute_api:os-instance-actions:%s "
                     "to be performed." % rule).body, 403)
        if fault == "close":
            body = json.dumps({"instanceActions": [], "padding": "x" * 512}).encode()
            half = body[:len(body) // 2]

            def truncated():
                yield half
                raise _Truncated("simulated connection close")

            resp = Response(truncated(), status=200, content_type="application/json",
                            direct_passthrough=True)
            resp.headers["Content-Length"] = str(len(body))
            return resp
        raise ValueError(fault)  # pragma: no cover

    def _base(self, request):
        return self.base_url or request.host_url.rstrip("/")

    # ------------------------------------------------------------------
    # identity
    def h_identity_versions(self, request, ctx):
        base = self._base(request)
        body = {"versions": {"values": [self._identity_version_doc(base)]}}
        return self._json(body, 300)

    def h_identity_version(self, request, ctx):
        return self._json({"version": self._identity_version_doc(
            self._base(request))})

    def _identity_version_doc(self, base):
        return {"id": KEYSTONE_VERSION, "status": "stable",
                "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": base + "/v3/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.identity-v3+json"}]}

    def _lookup_token(self, token_id):
        if not token_id:
            return None
        with self._lock:
            tok = self._tokens.get(token_id)
            if tok is None or tok["expires"] <= time.time():
                return None
            return dict(tok)

    def _unauthorized(self):
        return keystone_error(401, "Unauthorized",
                              "The request you have made requires authentication.")

    def h_tokens(self, request, ctx):
        if request.method == "POST":
            return self._issue_token(request)
        caller = self._lookup_token(request.headers.get("X-Auth-Token"))
        if caller is None:
            raise self._unauthorized()
        subject_id = request.headers.get("X-Subject-Token")
        subject = self._lookup_token(subject_id)
        if subject is None:
            raise keystone_error(404, "Not Found", "Could not find token: %s"
                                 % (subject_id or "")[:8])
        if request.method == "DELETE":
            with self._lock:
                self._tokens.pop(subject_id, None)
            return Response(status=204)
        resp = self._json(self._token_body(subject, request), 200)
        resp.headers["X-Subject-Token"] = subject_id
        return resp

    def _issue_token(self, request):
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
            auth = body["auth"]
            identity = auth["identity"]
            methods = identity["methods"]
        except (ValueError, TypeError, KeyError):
            raise keystone_error(400, "Bad Request",
                                 "Expecting to find identity in auth. The server "
                                 "could not comply with the request since it is "
                                 "either malformed or otherwise incorrect. The "
                                 "client is assumed to be in error.") from None
        if not isinstance(methods, list) or not methods:
            raise keystone_error(400, "Bad Request", "Invalid input for field "
                                 "'identity/methods'.")
        user = None
        expires = None
        if "password" in methods:
            pw = (identity.get("password") or {}).get("user") or {}
            if pw.get("id") is None and pw.get("domain") is None:
                raise keystone_error(400, "Bad Request",
                                     "Expecting to find domain in user. The server "
                                     "could not comply with the request since it is "
                                     "either malformed or otherwise incorrect. The "
                                     "client is assumed to be in error.")
            user = self.store.find_user(pw)
            password = pw.get("password")
            if (user is None or not isinstance(password, str) or
                    not hmac.compare_digest(password.encode("utf-8"),
                                            str(user["password"]).encode("utf-8"))):
                raise self._unauthorized()
        elif "token" in methods:
            old = self._lookup_token((identity.get("token") or {}).get("id"))
            if old is None:
                raise self._unauthorized()
            user = self.store.users.get(old["user_id"])
            expires = old["expires"]
            if user is None:
                raise self._unauthorized()
        else:
            raise self._unauthorized()

        project = None
        roles = []
        scope = auth.get("scope")
        if scope:
            if not isinstance(scope, dict) or "project" not in scope:
                raise self._unauthorized()
            project = self.store.find_project(scope["project"])
            if project is None:
                raise self._unauthorized()
            roles = list((user.get("roles") or {}).get(project["id"]) or [])
            if not roles:
                raise self._unauthorized()
        now = time.time()
        token_id = "gAAAAA" + secrets.token_urlsafe(96)
        tok = {"user_id": user["id"],
               "project_id": project["id"] if project else None,
               "roles": roles,
               "methods": ["token"] if "token" in methods and
               "password" not in methods else ["password"],
               "issued": now,
               "expires": expires if expires is not None else now + self.token_ttl,
               "audit_id": secrets.token_urlsafe(16)[:22]}
        with self._lock:
            self._tokens[token_id] = tok
        resp = self._json(self._token_body(tok, request), 201)
        resp.headers["X-Subject-Token"] = token_id
        return resp

    def _token_body(self, tok, request):
        user = self.store.users[tok["user_id"]]
        udom = self.store.domains.get(user["domain_id"], {"id": user["domain_id"],
                                                          "name": user["domain_id"]})
        body = {"methods": tok["methods"],
                "user": {"domain": {"id": udom["id"], "name": udom["name"]},
                         "id": user["id"], "name": user["name"],
                         "password_expires_at": None},
                "audit_ids": [tok["audit_id"]],
                "expires_at": _isotime(tok["expires"]),
                "issued_at": _isotime(tok["issued"])}
        if tok["project_id"]:
            project = self.store.projects[tok["project_id"]]
            pdom = self.store.domains.get(project["domain_id"],
                                          {"id": project["domain_id"],
                                           "name": project["domain_id"]})
            body["project"] = {"domain": {"id": pdom["id"], "name": pdom["name"]},
                               "id": project["id"], "name": project["name"]}
            body["is_domain"] = False
            body["roles"] = [{"id": _stable_id("role", r), "name": r}
                             for r in tok["roles"]]
            body["catalog"] = self._catalog(project["id"], request)
        return {"token": body}

    def _catalog(self, project_id, request):
        base = self._base(request)

        def service(stype, name, url):
            return {"endpoints": [
                {"id": _stable_id(stype, region, iface), "interface": iface,
                 "region_id": region, "url": url, "region": region}
                for region in REGIONS for iface in ("public", "internal")],
                "id": _stable_id("service", stype), "type": stype, "name": name}

        return [service("compute", "nova", "%s/v2.1/%s" % (base, project_id)),
                service("identity", "keystone", base + "/v3")]

    # ------------------------------------------------------------------
    # simulator control
    def h_sim_faults(self, request, ctx):
        if request.method == "GET":
            return self._json(self.pending_faults())
        if request.method == "DELETE":
            self.clear_faults()
            return Response(status=204)
        try:
            body = json.loads(request.get_data(as_text=True))
            self.inject(body["fault"], body.get("path_contains"),
                        body.get("times", 1))
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            return self._json({"error": str(e)}, 400)
        return self._json(self.pending_faults(), 201)

    def h_sim_log(self, request, ctx):
        if request.method == "DELETE":
            self.clear_log()
            return Response(status=204)
        return self._json([e._asdict() for e in self.request_log()])

    def h_sim_expire(self, request, ctx):
        return self._json({"expired": self.expire_tokens()})

    # ------------------------------------------------------------------
    # compute
    def _compute_version_doc(self, base):
        return {"id": "v2.1", "status": "CURRENT",
                "version": "%d.%d" % self.max_version,
                "min_version": "%d.%d" % MIN_MICROVERSION,
                "updated": NOVA_UPDATED,
                "links": [{"rel": "self", "href": base + "/v2.1/"},
                          {"rel": "describedby", "type": "text/html",
                           "href": "http://docs.openstack.org/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.compute+json;"
                                         "version=2.1"}]}

    def h_compute_version_root(self, request, ctx):
        return self._json({"version": self._compute_version_doc(
            self._base(request))})

    def h_compute_version(self, request, ctx, project_id):
        self._compute_context(request, ctx, project_id)
        return self._json({"version": self._compute_version_doc(
            self._base(request))})

    def _compute_context(self, request, ctx, project_id):
        """Auth (401), microversion (400/406), project match (403)."""
        tok = self._lookup_token(request.headers.get("X-Auth-Token"))
        if tok is None:
            raise ApiError(401, UNAUTHORIZED_BODY, {
                "WWW-Authenticate": 'Keystone uri="%s/v3"' % self._base(request)})
        ctx["microversion"] = parse_microversion(request.headers, self.max_version)
        if tok["project_id"] is None or tok["project_id"] != project_id:
            raise nova_error(403, "Malformed request URL: URL's project_id '%s' "
                                  "doesn't match Context's project_id '%s'"
                             % (project_id, tok["project_id"]))
        tok["is_admin"] = "admin" in tok["roles"]
        return tok

    def _policy(self, tok, rule):
        if not READ_ROLES.intersection(tok["roles"]):
            raise nova_error(403, "Policy doesn't allow %s to be performed." % rule)

    def _get_server(self, tok, server_id, read_deleted=False):
        s = self.store.servers.get(server_id)
        if (s is None or (s["deleted"] and not read_deleted) or
                (not tok["is_admin"] and s["project_id"] != tok["project_id"])):
            raise nova_error(404, "Instance %s could not be found." % server_id)
        return s

    def _server_view(self, request, s, detail):
        base = self._base(request)
        links = [{"rel": "self", "href": "%s/v2.1/%s/servers/%s"
                  % (base, s["project_id"], quote(s["id"], safe=""))},
                 {"rel": "bookmark", "href": "%s/%s/servers/%s"
                  % (base, s["project_id"], quote(s["id"], safe=""))}]
        if not detail:
            return {"id": s["id"], "links": links, "name": s["name"]}
        return {
            "id": s["id"], "name": s["name"], "status": s["status"],
            "tenant_id": s["project_id"], "user_id": s["user_id"],
            "metadata": s.get("metadata") or {},
            "hostId": simdata.host_id(s["project_id"], s["host"]),
            "image": {"id": "1e5f2c3a-7b8d-4e9f-a0b1-c2d3e4f5a6b7",
                      "links": [{"rel": "bookmark", "href": "%s/%s/images/%s" % (
                          base, s["project_id"],
                          "1e5f2c3a-7b8d-4e9f-a0b1-c2d3e4f5a6b7")}]},
            "flavor": {"id": "1101", "links": [{"rel": "bookmark",
                       "href": "%s/%s/flavors/1101" % (base, s["project_id"])}]},
            "created": s["created"], "updated": s["updated"],
            "addresses": {}, "accessIPv4": "", "accessIPv6": "",
            "links": links,
            "OS-DCF:diskConfig": "MANUAL",
            "progress": 0,
            "OS-EXT-AZ:availability_zone": "jp-east-3a",
            "config_drive": "",
            "key_name": None,
            "OS-SRV-USG:launched_at": s["created"].replace("Z", "").replace(
                "+00:00", "") + ".000000" if s.get("created") else None,
            "OS-SRV-USG:terminated_at": None,
            "OS-EXT-STS:task_state": None,
            "OS-EXT-STS:vm_state": s["status"].lower(),
            "OS-EXT-STS:power_state": 1 if s["status"] == "ACTIVE" else 4,
            "os-extended-volumes:volumes_attached": [],
            "security_groups": [{"name": "default"}],
        }

    def _list_servers(self, request, tok):
        servers = [s for s in self.store.servers.values()
                   if s["project_id"] == tok["project_id"] and not s["deleted"]]
        name = request.args.get("name")
        if name is not None:
            try:
                rx = re.compile(name)
                servers = [s for s in servers if rx.search(s["name"])]
            except re.error:
                servers = [s for s in servers if name in s["name"]]
        servers.sort(key=lambda s: (s["created"], s["id"]), reverse=True)
        return servers

    def h_servers_index(self, request, ctx, project_id):
        tok = self._compute_context(request, ctx, project_id)
        self._policy(tok, "os_compute_api:servers:index")
        return self._json({"servers": [self._server_view(request, s, False)
                                       for s in self._list_servers(request, tok)]})

    def h_servers_detail(self, request, ctx, project_id):
        tok = self._compute_context(request, ctx, project_id)
        self._policy(tok, "os_compute_api:servers:detail")
        return self._json({"servers": [self._server_view(request, s, True)
                                       for s in self._list_servers(request, tok)]})

    def h_server_show(self, request, ctx, project_id, server_id):
        tok = self._compute_context(request, ctx, project_id)
        s = self._get_server(tok, server_id)
        self._policy(tok, "os_compute_api:servers:show")
        return self._json({"server": self._server_view(request, s, True)})

    def _format_action(self, a, mv):
        out = {k: a[k] for k in ACTION_KEYS}
        if mv >= (2, 58):
            out["updated_at"] = a["updated_at"]
        return out

    def h_actions_index(self, request, ctx, project_id, server_id):
        tok = self._compute_context(request, ctx, project_id)
        mv = ctx["microversion"]
        params = None
        if mv >= (2, 58):
            params = self._list_params(request, mv)
        s = self._get_server(tok, server_id, read_deleted=mv >= (2, 21))
        self._policy(tok, "os_compute_api:os-instance-actions:list")
        actions = s["actions"]
        if params is None:
            return self._json({"instanceActions": [self._format_action(a, mv)
                                                   for a in actions]})
        limit, marker, since, before = params
        start = 0
        if marker is not None:
            pos = s["_pos"].get(marker)
            if pos is None:
                raise nova_error(400, "Marker %s could not be found." % marker)
            start = pos + 1
        limit = self.page_size if limit is None else min(limit, self.page_size)
        page = []
        more = False
        for i in range(start, len(actions)):
            a = actions[i]
            if since is not None and a["_updated"] < since:
                continue
            if before is not None and a["_updated"] > before:
                continue
            if len(page) >= limit:
                more = True
                break
            page.append(a)
        body = {"instanceActions": [self._format_action(a, mv) for a in page]}
        if page and (more or (self.full_page_links and len(page) == limit)):
            qs = dict(request.args.items())
            qs["marker"] = page[-1]["request_id"]
            qs.setdefault("limit", str(limit))
            href = "%s/v2.1/%s/servers/%s/os-instance-actions?%s" % (
                request.host_url.rstrip("/"), quote(project_id, safe=""),
                quote(server_id, safe=""), urlencode(sorted(qs.items())))
            body["links"] = [{"rel": "next", "href": href}]
        return self._json(body)

    def _list_params(self, request, mv):
        allowed = {"limit", "marker", "changes-since"}
        if mv >= (2, 66):
            allowed.add("changes-before")
        extra = [k for k in request.args.keys() if k not in allowed]
        if extra:
            raise nova_error(400, "Additional properties are not allowed (%s %s "
                                  "unexpected)" % (", ".join(repr(k) for k in extra),
                                                   "was" if len(extra) == 1
                                                   else "were"))
        for k in request.args.keys():
            if len(request.args.getlist(k)) > 1:
                raise nova_error(400, "Invalid input for query parameters %s. "
                                      "Value: %s. %s is not of type 'string'"
                                 % (k, request.args.getlist(k),
                                    request.args.getlist(k)))
        limit = request.args.get("limit")
        if limit is not None:
            if not re.fullmatch(r"[0-9]+", limit):
                raise nova_error(400, "Invalid input for query parameters limit. "
                                      "Value: %s. '%s' does not match '^[0-9]*$'"
                                 % (limit, limit))
            limit = int(limit)
        marker = request.args.get("marker")
        times = {}
        for key in ("changes-since", "changes-before"):
            value = request.args.get(key)
            if value is None:
                times[key] = None
                continue
            parsed = simdata.parse_time(value) if "T" in value else None
            if parsed is None:
                raise nova_error(400, "Invalid input for query parameters %s. "
                                      "Value: %s. '%s' is not a 'date-time'"
                                 % (key, value, value))
            times[key] = parsed
        since, before = times["changes-since"], times["changes-before"]
        if since is not None and before is not None and since > before:
            raise nova_error(400, "The value of changes-since must be less than "
                                  "or equal to changes-before.")
        return limit, marker, since, before

    def h_action_show(self, request, ctx, project_id, server_id, request_id):
        tok = self._compute_context(request, ctx, project_id)
        mv = ctx["microversion"]
        s = self._get_server(tok, server_id, read_deleted=mv >= (2, 21))
        self._policy(tok, "os_compute_api:os-instance-actions:show")
        a = s["_by_rid"].get(request_id)
        if a is None:
            raise nova_error(404, "Action %s not found" % request_id)
        out = self._format_action(a, mv)
        admin = tok["is_admin"]
        if admin or mv >= (2, 51):
            show_traceback = admin
            show_host = admin and mv >= (2, 62)
            show_host_id = mv >= (2, 62)
            show_details = admin and mv >= (2, 84)
            hid_project = a["project_id"] or s["project_id"]
            events = sorted(enumerate(a["events"]),
                            key=lambda ie: (ie[1]["start_time"] or "", ie[0]),
                            reverse=True)
            out_events = []
            for _, e in events:
                ev = {}
                for k in EVENT_KEYS:
                    if k == "traceback" and not show_traceback:
                        continue
                    ev[k] = e[k]
                if show_host:
                    ev["host"] = e["host"]
                if show_host_id:
                    ev["hostId"] = e["hostId"] if e["hostId"] is not None else \
                        simdata.host_id(hid_project, e["host"])
                if show_details:
                    ev["details"] = e["details"]
                out_events.append(ev)
            out["events"] = out_events
        return self._json({"instanceAction": out})
