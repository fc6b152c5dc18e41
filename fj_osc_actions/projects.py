"""The user's projects at the identity service: the login, the listing, the choice, rescoping.

Touches the network only, the identity service of the login: the login
itself, ``GET /v3/auth/projects``, and one token-method rescope
(``POST /v3/auth/tokens``, never the password) per project other than the
login's. A token goes only to the identity service that issued it. Sessions
made here are new objects over a connection pool of their own (the caller's
session is used for its login and listing only).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from keystoneauth1 import exceptions as ksa_exceptions
from keystoneauth1 import plugin as ksa_plugin
from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3

from fj_osc_actions import errors
from fj_osc_actions import http as http_path
from fj_osc_actions import validation
from fj_osc_actions.i18n import N_, _

PROJECT = N_("project")


@dataclasses.dataclass(frozen=True)
class Project:
    """A project as ``GET /v3/auth/projects`` lists it."""

    id: str
    name: str
    enabled: bool = True


@dataclasses.dataclass(frozen=True)
class Login:
    """What the one login gave; its token goes only to ``identity_url``."""

    auth: Any
    token: str
    project_id: str | None
    project_name: str | None
    identity_url: str
    application_credential: bool


class CannotRescope(errors.ActionsError):
    """An application credential's token cannot be rescoped (Keystone refuses)."""


def log_in(session: Any, region: str | None) -> Login:
    """Log in with the session's own auth (once: keystoneauth keeps the token)."""
    if not callable(getattr(session.auth, "get_access", None)):  # none, admin_token
        raise errors.InvalidInput(_(
            "--my-projects and --project need a login at the identity service (a password, "
            "an application credential or a token); the auth type in use has none."))
    with errors.transport_errors(errors.IDENTITY_SERVICE, region):
        session.get_auth_headers()
        access = session.auth.get_access(session)
        return Login(session.auth, access.auth_token, access.project_id, access.project_name,
                     identity_url(session),
                     bool(getattr(access, "application_credential_id", None)))


def identity_url(session: Any) -> str:
    """The identity v3 API of the login (its auth URL when it ends in /v3)."""
    auth_url = str(getattr(session.auth, "auth_url", "") or "").rstrip("/")
    if auth_url.endswith("/v3"):
        return auth_url
    url = session.get_endpoint(service_type="identity", interface=ksa_plugin.AUTH_INTERFACE,
                               min_version="3.0", max_version="3.latest")
    if not url:
        raise errors.EndpointNotFound(_(
            "No identity v3 API at {url} to list your projects from: give an auth URL "
            "that ends in /v3."
        ).format(url=errors.redact_url(auth_url)))
    return str(url).rstrip("/")


def list_projects(session: Any, login: Login, region: str | None,
                  tokens: Any = None) -> list[Project]:
    """``GET /v3/auth/projects``: the projects the login's user can be scoped
    to (from ``tokens``, a :class:`project_tokens.ProjectTokens`, when kept)."""
    kept = tokens.listing() if tokens is not None else None
    if kept is None:
        kept = _listed_projects(session, login, region)
        if tokens is not None:
            tokens.store_listing(login.auth, kept)
    try:
        return [Project(str(p["id"]), str(p.get("name") or p["id"]), p.get("enabled") is not False)
                for p in kept]
    except (KeyError, TypeError):
        raise errors.UnexpectedResponse(_(
            "Unexpected response from the identity service to {what}: no 'projects' list of "
            "projects with IDs."
        ).format(what=_listing_what(login))) from None


def _listing_what(login: Login) -> str:
    return _("the list of your projects ({url})").format(url=login.identity_url + "/auth/projects")


def _listed_projects(session: Any, login: Login, region: str | None) -> list[Any]:
    url = login.identity_url + "/auth/projects"
    with errors.transport_errors(errors.IDENTITY_SERVICE, region, url):
        response = session.get(url, raise_exc=False, headers={"Accept": "application/json"})
    if response.status_code >= 400:
        detail = (errors.api_message(response) or response.reason or "").rstrip(".")
        raise errors.ApiError(_(
            "The identity service ({region}) answered HTTP {status} to {what}: {detail}."
        ).format(region=errors.region_text(region), status=response.status_code,
                 what=_listing_what(login), detail=detail), errors.response_request_id(response))
    try:
        listed = response.json()["projects"]
    except (ValueError, KeyError, TypeError):
        listed = None
    if not isinstance(listed, list):
        raise errors.UnexpectedResponse(_(
            "Unexpected response from the identity service to {what}: no 'projects' list of "
            "projects with IDs."
        ).format(what=_listing_what(login)))
    return listed


def choose(listed: list[Project], wanted: Sequence[str]) -> list[Project]:
    """The projects named (names or IDs), in the order given; an unknown or
    ambiguous one is ``errors.InvalidInput`` naming it."""
    chosen: list[Project] = []
    for value in dict.fromkeys(validation.check_id(value, PROJECT) for value in wanted):
        found = [p for p in listed if p.id == value] or [p for p in listed if p.name == value]
        if not found:
            raise errors.InvalidInput(_(
                "No project {value!r} among your projects (`openstack project list "
                "--my-projects`): give the name or ID of one of them."
            ).format(value=value))
        if len(found) > 1:
            raise errors.InvalidInput(_(
                "{count} of your projects are named {value!r} ({ids}): give the project ID "
                "instead."
            ).format(count=len(found), value=value, ids=", ".join(p.id for p in found)))
        if found[0] not in chosen:
            chosen.append(found[0])
    return chosen


def own_project_only(login: Login, wanted: Sequence[str] | None) -> list[Project]:
    """An application credential reads its own project, and no other."""
    own = Project(str(login.project_id), str(login.project_name))
    if wanted is not None and all(value in (own.id, own.name) for value in wanted):
        return [own]
    raise CannotRescope(_(
        "Logged in with an application credential, whose token Keystone does not let "
        "rescope to other projects: only its own project {name} ({id}) can be read. Log in "
        "with a password to read several projects, or run once per project with that "
        "project's application credential."
    ).format(name=own.name, id=own.id))


def project_session(login: Login, project: Project, base: Any, http: Any,
                    region: str | None, tokens: Any = None) -> ksa_session.Session:
    """The session of one project: the login's own auth, or a token rescoped
    from the login's (``POST /v3/auth/tokens``, method token), got now or
    taken from ``tokens`` (a :class:`project_tokens.ProjectTokens`) while valid.

    The one place a project's token comes from.
    """
    if project.id == login.project_id:
        return _sibling_session(base, login.auth, http)
    auth = v3.Token(auth_url=login.identity_url, token=login.token, project_id=project.id)
    cached = tokens.load(project.id) if tokens is not None else None
    if cached is not None:
        auth.set_auth_state(cached)
    session = _sibling_session(base, auth, http)
    with errors.transport_errors(errors.IDENTITY_SERVICE, region, login.identity_url):
        try:
            session.get_auth_headers()
        except ksa_exceptions.HttpError as error:
            raise errors.Unauthorized(_(
                "the identity service ({region}) refused a token for it (HTTP {status}: "
                "{detail}); check that it is enabled and that you still have a role in it "
                "(`openstack project list --my-projects`)"
            ).format(region=errors.region_text(region), status=error.http_status,
                     detail=errors.one_line(error.message).rstrip("."))) from None
    if tokens is not None and cached is None:
        tokens.store(project.id, auth)
    return session


def keep_new_tokens(tokens: Any, opened: dict[str, tuple[Any, str | None]]) -> None:
    """At the end of a run: keep the tokens that changed while it ran (a 401
    and a new rescope); ``opened`` maps a project ID to (auth, token at start)."""
    for project_id, (auth, token) in opened.items():
        now = auth.auth_ref.auth_token if auth.auth_ref is not None else None
        if now is None and token is not None:
            tokens.discard(project_id)
        elif now is not None and now != token:
            tokens.store(project_id, auth)


def _sibling_session(base: Any, auth: Any, http: Any) -> ksa_session.Session:
    """A keystoneauth session like ``base`` (TLS, timeout, user agent) over ``http``."""
    session = ksa_session.Session(
        auth=auth, session=http, verify=base.verify, cert=base.cert, timeout=base.timeout,
        original_ip=base.original_ip, additional_headers=base.additional_headers,
        app_name=base.app_name, app_version=base.app_version,
        additional_user_agent=base.additional_user_agent, redirect=base.redirect)
    session.user_agent = base.user_agent
    return session


def connection_pool(base: Any, connections: int) -> Any:
    """A requests session of our own for the projects' sessions, with
    keystoneauth's keep-alive adapter sized to ``connections``."""
    tls = {key: getattr(base, key) for key in ("tls_ciphers", "tls_min_version")
           if getattr(base, key, None)}
    http = ksa_session.Session(**tls).session
    if connections > http_path.DEFAULT_POOL_SIZE:
        adapter = ksa_session.TCPKeepAliveAdapter(pool_maxsize=connections, **tls)
        for prefix in ("https://", "http://"):
            http.mount(prefix, adapter)
    return http
