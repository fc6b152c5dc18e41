"""Keystone v3 of the simulator: version documents, tokens and the catalog."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import json
import secrets
import threading
from typing import Any

from werkzeug.wrappers import Response

from fj_osc_actions_simulator import seed
from fj_osc_actions_simulator.clock import Clock
from fj_osc_actions_simulator.protocol import (RequestContext, json_response, keystone_error,
                                               keystone_unauthorized)
from fj_osc_actions_simulator.store import Store

KEYSTONE_VERSION = "v3.14"
_MALFORMED = ("The server could not comply with the request since it is either malformed "
              "or otherwise incorrect. The client is assumed to be in error.")


def stable_id(*parts: str) -> str:
    """A deterministic 32-hex ID (catalog entries, role IDs)."""
    return hashlib.md5("/".join(parts).encode("utf-8")).hexdigest()


def iso_time(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


@dataclasses.dataclass
class Token:
    user_id: str
    project_id: str | None
    roles: list[str]
    methods: list[str]
    issued: float
    expires: float
    audit_id: str
    #: Set for a login with an application credential (it cannot be rescoped).
    application_credential_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


class TokenStore:
    """Tokens issued so far (thread-safe); never logged, never served whole."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}

    def add(self, token: Token) -> str:
        token_id = "gAAAAA" + secrets.token_urlsafe(96)
        with self._lock:
            self._tokens[token_id] = token
        return token_id

    def valid(self, token_id: str | None) -> Token | None:
        """A copy of the token if it exists and has not expired."""
        if not token_id:
            return None
        with self._lock:
            token = self._tokens.get(token_id)
            if token is None or token.expires <= self._clock.now():
                return None
            return dataclasses.replace(token, roles=list(token.roles))

    def revoke(self, token_id: str) -> None:
        with self._lock:
            self._tokens.pop(token_id, None)

    def expire_all(self) -> int:
        """Make every token issued so far expired; how many there are."""
        now = self._clock.now()
        with self._lock:
            for token in self._tokens.values():
                token.expires = min(token.expires, now - 1)
            return len(self._tokens)

    def issued_ids(self) -> list[str]:
        with self._lock:
            return list(self._tokens)


class IdentityService:
    def __init__(self, store: Store, tokens: TokenStore, token_ttl: float, clock: Clock,
                 password_delay: float = 0) -> None:
        self.store = store
        self.tokens = tokens
        self.token_ttl = float(token_ttl)
        self.clock = clock
        #: Seconds a password check takes (real Keystone hashes it); token logins are fast.
        self.password_delay = float(password_delay)

    # -- handlers -------------------------------------------------------
    def versions(self, context: RequestContext) -> Response:
        body = {"versions": {"values": [self._version_document(context.base_url)]}}
        return json_response(body, 300)

    def version(self, context: RequestContext) -> Response:
        return json_response({"version": self._version_document(context.base_url)})

    def tokens_handler(self, context: RequestContext) -> Response:
        """``/v3/auth/tokens``: POST logs in, GET validates, DELETE revokes."""
        request = context.request
        if request.method == "POST":
            return self._issue(context)
        if self.tokens.valid(request.headers.get("X-Auth-Token")) is None:
            raise keystone_unauthorized()
        subject_id = request.headers.get("X-Subject-Token")
        subject = self.tokens.valid(subject_id)
        if subject is None:
            raise keystone_error(404, "Not Found",
                                 f"Could not find token: {(subject_id or '')[:8]}")
        if request.method == "DELETE":
            self.tokens.revoke(subject_id or "")
            return Response(status=204)
        response = json_response(self._token_body(subject, context.base_url), 200)
        response.headers["X-Subject-Token"] = subject_id
        return response

    # -- login ------------------------------------------------------------
    def _issue(self, context: RequestContext) -> Response:
        try:
            body = json.loads(context.request.get_data(as_text=True) or "null")
            auth = body["auth"]
            identity = auth["identity"]
            methods = identity["methods"]
        except (ValueError, TypeError, KeyError):
            raise keystone_error(400, "Bad Request",
                                 f"Expecting to find identity in auth. {_MALFORMED}") from None
        if not isinstance(methods, list) or not methods:
            raise keystone_error(400, "Bad Request",
                                 "Invalid input for field 'identity/methods'.")
        if "application_credential" in methods:
            return self._issue_for_application_credential(context, identity, auth)
        user, expires = self._authenticate(identity, methods)
        self._refuse_rescoping_an_application_credential(identity, methods, auth)
        project, roles = self._scope(auth.get("scope"), user)
        now = self.clock.now()
        token = Token(user_id=user["id"], project_id=project["id"] if project else None,
                      roles=roles,
                      methods=["token"] if "token" in methods and "password" not in methods
                      else ["password"],
                      issued=now, expires=expires if expires is not None else now + self.token_ttl,
                      audit_id=secrets.token_urlsafe(16)[:22])
        token_id = self.tokens.add(token)
        response = json_response(self._token_body(token, context.base_url), 201)
        response.headers["X-Subject-Token"] = token_id
        return response

    def _authenticate(self, identity: dict[str, Any],
                      methods: list[Any]) -> tuple[dict[str, Any], float | None]:
        """The user, and the expiry a token login keeps (None: a new one)."""
        if "password" in methods:
            if self.password_delay:
                self.clock.sleep(self.password_delay)
            credentials = (identity.get("password") or {}).get("user") or {}
            if credentials.get("id") is None and credentials.get("domain") is None:
                raise keystone_error(400, "Bad Request",
                                     f"Expecting to find domain in user. {_MALFORMED}")
            user = self.store.find_user(credentials)
            password = credentials.get("password")
            if (user is None or not isinstance(password, str) or
                    not hmac.compare_digest(password.encode("utf-8"),
                                            str(user["password"]).encode("utf-8"))):
                raise keystone_unauthorized()
            return user, None
        if "token" in methods:
            old = self.tokens.valid((identity.get("token") or {}).get("id"))
            user = self.store.users.get(old.user_id) if old is not None else None
            if old is None or user is None:
                raise keystone_unauthorized()
            return user, old.expires
        raise keystone_unauthorized()

    def _scope(self, scope: Any,
               user: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
        if not scope:
            return None, []
        if not isinstance(scope, dict) or "project" not in scope:
            raise keystone_unauthorized()
        project = self.store.find_project(scope["project"])
        if project is None or project.get("enabled", True) is False:
            raise keystone_unauthorized()
        roles = list((user.get("roles") or {}).get(project["id"]) or [])
        if not roles:
            raise keystone_unauthorized()
        return project, roles

    # -- several projects (the contract view) -------------------------------
    def auth_projects(self, context: RequestContext) -> Response:
        """``GET /v3/auth/projects``: the projects the token's user has a role on."""
        token = self.tokens.valid(context.request.headers.get("X-Auth-Token"))
        if token is None:
            raise keystone_unauthorized()
        user = self.store.users[token.user_id]
        projects = [self.store.projects[project_id] for project_id in user.get("roles") or {}
                    if project_id in self.store.projects]
        url = context.base_url + "/v3"
        return json_response({
            "projects": [{"id": project["id"], "name": project["name"],
                          "domain_id": project["domain_id"], "description": "",
                          "enabled": project.get("enabled", True),
                          "parent_id": project["domain_id"], "is_domain": False, "tags": [],
                          "options": {}, "links": {"self": f"{url}/projects/{project['id']}"}}
                         for project in projects],
            "links": {"self": f"{url}/auth/projects", "previous": None, "next": None}})

    def _refuse_rescoping_an_application_credential(self, identity: dict[str, Any],
                                                    methods: list[Any],
                                                    auth: dict[str, Any]) -> None:
        """Keystone (``auth/plugins/token.py``): a token of an application
        credential cannot get a scope."""
        if "token" not in methods or not auth.get("scope"):
            return
        old = self.tokens.valid((identity.get("token") or {}).get("id"))
        if old is not None and old.application_credential_id:
            raise keystone_error(403, "Forbidden", (
                "You are not authorized to perform the requested action: Using an "
                "application credential token to create a scoped token is not allowed."))

    def _issue_for_application_credential(self, context: RequestContext,
                                          identity: dict[str, Any],
                                          auth: dict[str, Any]) -> Response:
        """The ``application_credential`` method: by ID, or by name and user."""
        if auth.get("scope"):
            raise keystone_error(401, "Unauthorized", (
                "Error authenticating with application credential: Application credentials "
                "cannot request a scope."))
        given = identity.get("application_credential") or {}
        user, credential = self._find_application_credential(given)
        secret = given.get("secret")
        if (credential is None or not isinstance(secret, str) or
                not hmac.compare_digest(secret.encode("utf-8"),
                                        str(credential["secret"]).encode("utf-8"))):
            raise keystone_unauthorized()
        project = self.store.projects.get(credential["project_id"])
        roles = list((user.get("roles") or {}).get(credential["project_id"]) or [])
        if project is None or project.get("enabled", True) is False or not roles:
            raise keystone_unauthorized()
        now = self.clock.now()
        token = Token(user_id=user["id"], project_id=project["id"], roles=roles,
                      methods=["application_credential"], issued=now,
                      expires=now + self.token_ttl, audit_id=secrets.token_urlsafe(16)[:22],
                      application_credential_id=credential["id"])
        token_id = self.tokens.add(token)
        response = json_response(self._token_body(token, context.base_url), 201)
        response.headers["X-Subject-Token"] = token_id
        return response

    def _find_application_credential(
            self, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if given.get("id") is not None:
            users = list(self.store.users.values())
        else:
            user = self.store.find_user(given.get("user"))
            users = [user] if user is not None else []
        for user in users:
            for credential in user.get("application_credentials") or ():
                if credential["id"] == given.get("id") or (
                        given.get("id") is None and credential["name"] == given.get("name")):
                    return user, credential
        return {}, None

    # -- documents ----------------------------------------------------------
    def _version_document(self, base_url: str) -> dict[str, Any]:
        return {"id": KEYSTONE_VERSION, "status": "stable",
                "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": base_url + "/v3/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.identity-v3+json"}]}

    def _domain_ref(self, domain_id: str) -> dict[str, str]:
        return {"id": domain_id, "name": self.store.domain_name(domain_id)}

    def _token_body(self, token: Token, base_url: str) -> dict[str, Any]:
        user = self.store.users[token.user_id]
        body: dict[str, Any] = {
            "methods": token.methods,
            "user": {"domain": self._domain_ref(user["domain_id"]),
                     "id": user["id"], "name": user["name"], "password_expires_at": None},
            "audit_ids": [token.audit_id],
            "expires_at": iso_time(token.expires),
            "issued_at": iso_time(token.issued)}
        if token.project_id:
            project = self.store.projects[token.project_id]
            body["project"] = {"domain": self._domain_ref(project["domain_id"]),
                               "id": project["id"], "name": project["name"]}
            body["is_domain"] = False
            body["roles"] = [{"id": stable_id("role", role), "name": role}
                             for role in token.roles]
            body["catalog"] = catalog(base_url, project["id"])
        if token.application_credential_id:
            body["application_credential"] = {"id": token.application_credential_id,
                                              "name": self._credential_name(token),
                                              "restricted": True}
        return {"token": body}

    def _credential_name(self, token: Token) -> str | None:
        credentials = self.store.users[token.user_id].get("application_credentials") or ()
        return next((credential["name"] for credential in credentials
                     if credential["id"] == token.application_credential_id), None)


def catalog(base_url: str, project_id: str) -> list[dict[str, Any]]:
    """Compute and identity, public and internal, in every region: all here."""
    def service(service_type: str, name: str, url: str) -> dict[str, Any]:
        return {"endpoints": [
            {"id": stable_id(service_type, region, interface), "interface": interface,
             "region_id": region, "url": url, "region": region}
            for region in seed.REGIONS for interface in ("public", "internal")],
            "id": stable_id("service", service_type), "type": service_type, "name": name}

    return [service("compute", "nova", f"{base_url}/v2.1/{project_id}"),
            service("identity", "keystone", base_url + "/v3")]
