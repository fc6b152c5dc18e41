"""What the real Nova needs around it on loopback, kept minimal.

- :func:`token_context_filter`: a paste filter that stands where
  keystonemiddleware's ``authtoken`` stands in Nova's pipeline. It reads the
  ``X-Auth-Token`` that :class:`IdentityStub` issued (``<user>:<project-id>``),
  and sets the headers ``authtoken`` would set (user, project, roles), so
  that Nova's own ``keystonecontext`` filter builds the request context and
  Nova's own default policies decide. An unknown token gets the 401
  ``authtoken`` answers.
- :class:`IdentityStub`: Keystone v3 for the ``openstack`` login (version
  document and ``POST /v3/auth/tokens`` with a password): the catalog's
  compute endpoint of region jp-east-3 is the real Nova. For the contract
  view: ``GET /v3/auth/projects`` and rescoping (``POST /v3/auth/tokens``
  with the token method and a project scope), for the user ``ops`` who has
  roles in several projects (:data:`MEMBERSHIPS`).
- :class:`NetworkStub`: the one Neutron call Nova's server views make
  (``GET /v2.0/ports?device_id=...`` for the security groups): no ports.

Users and projects have the simulator's names and IDs, so one test
definition can address both.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
from typing import Any, Callable, Iterable
from urllib import parse

from fj_osc_actions_simulator.seed import (DOMAIN_ID, DOMAIN_NAME, OTHER_PROJECT_ID,  # noqa: F401
                                           OTHER_PROJECT_NAME, PROJECT_ID, PROJECT_NAME, REGION)

#: A project where ops has only a role Nova's policy does not know (403).
BILLING_PROJECT_ID = "b111111111111111111111111111111b"
BILLING_PROJECT_NAME = "billing"
PROJECTS = {PROJECT_ID: PROJECT_NAME, OTHER_PROJECT_ID: OTHER_PROJECT_NAME,
            BILLING_PROJECT_ID: BILLING_PROJECT_NAME}

#: user name (= user ID) -> (password, project ID, roles).
USERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "admin": ("admin-secret", PROJECT_ID, ("admin", "member", "reader")),
    "demo": ("demo-secret", PROJECT_ID, ("member", "reader")),
    "other": ("other-secret", OTHER_PROJECT_ID, ("member", "reader")),
    # a role that Nova's default policies do not know: 403 on compute
    "guest": ("guest-secret", PROJECT_ID, ("guest",)),
    # the contract view's user: logs in to demo-project, rescopes to the others
    "ops": ("ops-secret", PROJECT_ID, ("member", "reader")),
}
#: user -> project ID -> roles: every project a token of the user may be scoped to.
MEMBERSHIPS: dict[str, dict[str, tuple[str, ...]]] = {
    user: {project: roles} for user, (_password, project, roles) in USERS.items()}
MEMBERSHIPS["ops"].update({OTHER_PROJECT_ID: ("member", "reader"),
                           BILLING_PROJECT_ID: ("guest",)})

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


def token_for(user: str) -> str:
    """The token the identity stub issues to ``user`` (usable directly)."""
    return f"{user}:{USERS[user][1]}"


def _json(start_response: StartResponse, status: str, body: Any,
          headers: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data))), *headers])
    return [data]


def _user_of_token(token: str | None) -> tuple[str, str, tuple[str, ...]] | None:
    user, _sep, project = (token or "").partition(":")
    roles = MEMBERSHIPS.get(user, {}).get(project)
    if roles is None:
        return None
    return user, project, roles


# -- Nova's auth filter ---------------------------------------------------------

#: What keystonemiddleware's authtoken removes from every request first.
_IDENTITY_HEADERS = ("HTTP_X_IDENTITY_STATUS", "HTTP_X_USER_ID", "HTTP_X_USER", "HTTP_X_USER_NAME",
                     "HTTP_X_PROJECT_ID", "HTTP_X_TENANT_ID", "HTTP_X_TENANT", "HTTP_X_PROJECT_NAME",
                     "HTTP_X_ROLES", "HTTP_X_ROLE", "HTTP_X_USER_DOMAIN_ID", "HTTP_X_USER_DOMAIN_NAME",
                     "HTTP_X_PROJECT_DOMAIN_ID", "HTTP_X_PROJECT_DOMAIN_NAME", "HTTP_X_DOMAIN_ID",
                     "HTTP_X_DOMAIN_NAME", "HTTP_X_SERVICE_CATALOG", "HTTP_X_IS_ADMIN_PROJECT",
                     "HTTP_X_SYSTEM_SCOPE", "HTTP_X_SERVICE_ROLES")


class TokenContext:
    """The stand-in for keystonemiddleware's ``authtoken`` (see the module doc)."""

    def __init__(self, application: Callable[..., Any]) -> None:
        self.application = application

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        for key in _IDENTITY_HEADERS:
            environ.pop(key, None)
        found = _user_of_token(environ.get("HTTP_X_AUTH_TOKEN"))
        if found is None:
            return _json(start_response, "401 Unauthorized", {"error": {
                "code": 401, "title": "Unauthorized",
                "message": "The request you have made requires authentication."}},
                [("WWW-Authenticate", "Keystone uri='stub'")])
        user, project, roles = found
        environ.update({
            "HTTP_X_IDENTITY_STATUS": "Confirmed",
            "HTTP_X_USER_ID": user, "HTTP_X_USER_NAME": user,
            "HTTP_X_USER_DOMAIN_ID": DOMAIN_ID, "HTTP_X_USER_DOMAIN_NAME": DOMAIN_NAME,
            "HTTP_X_PROJECT_ID": project, "HTTP_X_PROJECT_NAME": PROJECTS[project],
            "HTTP_X_PROJECT_DOMAIN_ID": DOMAIN_ID, "HTTP_X_PROJECT_DOMAIN_NAME": DOMAIN_NAME,
            "HTTP_X_ROLES": ",".join(roles),
        })
        return self.application(environ, start_response)


def token_context_filter(global_conf: Any, **local_conf: Any) -> Callable[..., Any]:
    """``paste.filter_factory`` of :class:`TokenContext`."""
    return TokenContext


# -- Keystone v3 ------------------------------------------------------------------

def _stable_id(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode("utf-8")).hexdigest()


class IdentityStub:
    """Keystone v3, mounted at ``<base>/identity``; the compute endpoint is ``nova_url``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.identity_url = self.base_url + "/identity/v3"
        self.logins = 0
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "").rstrip("/")
        method = environ["REQUEST_METHOD"]
        version = {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                   "links": [{"rel": "self", "href": self.identity_url + "/"}],
                   "media-types": [{"base": "application/json",
                                    "type": "application/vnd.openstack.identity-v3+json"}]}
        if method == "GET" and path == "":
            return _json(start_response, "300 Multiple Choices",
                         {"versions": {"values": [version]}})
        if method == "GET" and path == "/v3":
            return _json(start_response, "200 OK", {"version": version})
        if method == "POST" and path == "/v3/auth/tokens":
            return self._login(environ, start_response)
        if method == "GET" and path == "/v3/auth/projects":
            return self._projects(environ, start_response)
        return _json(start_response, "404 Not Found",
                     {"error": {"code": 404, "title": "Not Found",
                                "message": f"The identity stub has no {method} {path}"}})

    def _login(self, environ: Environ, start_response: StartResponse) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            auth = json.loads(environ["wsgi.input"].read(length))["auth"]
            if auth["identity"]["methods"] == ["token"]:
                return self._rescope(auth, start_response)
            credentials = auth["identity"]["password"]["user"]
            user, password = credentials["name"], credentials["password"]
        except (ValueError, KeyError, TypeError):
            return _json(start_response, "400 Bad Request",
                         {"error": {"code": 400, "title": "Bad Request",
                                    "message": "Only password logins by user name, and "
                                               "token logins scoped to a project ID."}})
        account = USERS.get(user)
        if account is None or account[0] != password:
            return _unauthorized(start_response)
        with self._lock:
            self.logins += 1
        _password, project, roles = account
        return self._token(start_response, user, project, roles, ["password"])

    def _rescope(self, auth: dict[str, Any], start_response: StartResponse) -> Any:
        """The token method with a project scope: a token of that project."""
        found = _user_of_token(auth["identity"]["token"]["id"])
        project = auth["scope"]["project"]["id"]
        roles = MEMBERSHIPS.get(found[0], {}).get(project) if found else None
        if found is None or roles is None:
            return _unauthorized(start_response)
        return self._token(start_response, found[0], project, roles, ["token", "password"])

    def _projects(self, environ: Environ, start_response: StartResponse) -> Any:
        """``GET /v3/auth/projects``: the projects the token's user has a role in."""
        found = _user_of_token(environ.get("HTTP_X_AUTH_TOKEN"))
        if found is None:
            return _unauthorized(start_response)
        listed = [{"id": project, "name": PROJECTS[project], "domain_id": DOMAIN_ID,
                   "enabled": True, "links": {"self": f"{self.identity_url}/projects/{project}"}}
                  for project in MEMBERSHIPS[found[0]]]
        return _json(start_response, "200 OK", {"projects": listed, "links": {
            "self": self.identity_url + "/auth/projects", "previous": None, "next": None}})

    def _token(self, start_response: StartResponse, user: str, project: str,
               roles: tuple[str, ...], methods: list[str]) -> Any:
        now = datetime.datetime.now(datetime.timezone.utc)
        stamp = "%Y-%m-%dT%H:%M:%S.000000Z"
        domain = {"id": DOMAIN_ID, "name": DOMAIN_NAME}
        token = {
            "methods": methods,
            "user": {"id": user, "name": user, "domain": domain, "password_expires_at": None},
            "project": {"id": project, "name": PROJECTS[project], "domain": domain},
            "roles": [{"id": _stable_id("role", role), "name": role} for role in roles],
            "is_domain": False,
            "issued_at": now.strftime(stamp),
            "expires_at": (now + datetime.timedelta(hours=1)).strftime(stamp),
            "audit_ids": [_stable_id("audit", user, now.isoformat())[:22]],
            "catalog": [
                {"type": "compute", "name": "nova", "id": _stable_id("compute"),
                 "endpoints": [{"id": _stable_id("compute", REGION), "interface": "public",
                                "region": REGION, "region_id": REGION,
                                "url": f"{self.base_url}/v2.1/{project}"}]},
                {"type": "identity", "name": "keystone", "id": _stable_id("identity"),
                 "endpoints": [{"id": _stable_id("identity", REGION), "interface": "public",
                                "region": REGION, "region_id": REGION,
                                "url": self.identity_url}]},
            ],
        }
        return _json(start_response, "201 Created", {"token": token},
                     [("X-Subject-Token", f"{user}:{project}")])


def _unauthorized(start_response: StartResponse) -> list[bytes]:
    return _json(start_response, "401 Unauthorized", {"error": {
        "code": 401, "title": "Unauthorized",
        "message": "The request you have made requires authentication."}})


# -- Neutron ----------------------------------------------------------------------

class NetworkStub:
    """Neutron, mounted at ``<base>/network``: no ports, no security groups."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "").rstrip("/")
        if _user_of_token(environ.get("HTTP_X_AUTH_TOKEN")) is None:
            return _json(start_response, "401 Unauthorized", {"error": "unauthorized"})
        if path in ("/v2.0/ports", "/v2.0/ports.json"):
            return _json(start_response, "200 OK", {"ports": []})
        if path in ("/v2.0/security-groups", "/v2.0/security-groups.json"):
            return _json(start_response, "200 OK", {"security_groups": []})
        query = parse.parse_qs(environ.get("QUERY_STRING", ""))
        return _json(start_response, "404 Not Found",
                     {"NeutronError": {"type": "HTTPNotFound", "detail": "",
                                       "message": f"network stub: no {path} {query}"}})


class Dispatcher:
    """One port: ``/identity`` and ``/network`` to the stubs, the rest to Nova."""

    def __init__(self, nova: Callable[..., Any], identity: IdentityStub,
                 network: NetworkStub) -> None:
        self.mounts = (("/identity", identity), ("/network", network))
        self.nova = nova

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix, app in self.mounts:
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix):]
                return app(environ, start_response)
        return self.nova(environ, start_response)
