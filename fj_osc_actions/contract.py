"""The contract view: the actions of every project of one login, in one run.

Touches the network only: the identity service (through
:mod:`fj_osc_actions.projects`: one login, ``GET /v3/auth/projects``, one
token-method rescope per project other than the login's, which never sends
the password) and each project's compute endpoint, through one
:class:`~fj_osc_actions.client.ActionsClient` per project. Every request in
flight, of all projects and rescoping included, is one task of one bounded
pool (:class:`fleet.WorkPool`); the projects share one HTTP connection pool
of this run's own. Each project's compute endpoint follows the client's
rule for its own token: an override with ``%(project_id)s`` filled for it,
the built-in FJcloud-O endpoint for a login at FJcloud-O's identity service,
else its token's catalog.

Usable without the CLI::

    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    from fj_osc_actions import contract, fleet

    auth = v3.Password(auth_url=..., username=..., password=..., user_domain_name=...,
                       project_name=..., project_domain_name=...)
    reader = contract.Contract(session.Session(auth=auth), region_name="jp-east-3")
    run = reader.read(None, changes_since="1d", reasons=True,
                      action_filter=fleet.ActionFilter(failed_only=True))
    for row in run:              # every project's rows, newest first
        print(row.project.name, row.server.name, row.action.action, row.reason)
    for problem in run.problems:  # what could not be read, and why
        print(problem.project.name, problem.error)
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Callable, Iterator, Sequence

from fj_osc_actions import client as actions_client
from fj_osc_actions import errors
from fj_osc_actions import fleet
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions import pacing
from fj_osc_actions import pages
from fj_osc_actions import projects as keystone
from fj_osc_actions import regions
from fj_osc_actions import validation
from fj_osc_actions import waiting
from fj_osc_actions.i18n import _

Project = keystone.Project
_OLDEST = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


@dataclasses.dataclass(frozen=True)
class Row:
    """An action, the server and project it belongs to, and why it failed
    (``failed_event``, ``reason``: read with ``reasons=True``, else None)."""

    project: Project
    server: models.Server
    action: models.InstanceAction
    failed_event: str | None = None
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class Problem:
    """What could not be read: a project (``server`` None), a server, or one
    action's reason (``request_id``); ``vanished``: a listed server deleted
    meanwhile, a notice rather than a failure."""

    project: Project
    error: errors.ActionsError
    server: models.Server | None = None
    request_id: str | None = None
    vanished: bool = False


@dataclasses.dataclass(frozen=True)
class Progress:
    """How far a run is: projects opened and servers read, of those known."""

    projects_done: int
    projects: int
    servers_done: int
    servers: int
    finished: bool = False


def failure_reason(action: models.InstanceAction) -> tuple[str | None, str | None]:
    """The failed event's name (the newest with result Error), and the last
    line of its details, else of its traceback (the API shows both to admins
    only; details from 2.84)."""
    event = waiting.failed_event(action)
    if event is None:
        return None, None
    return event.name, waiting.failure_reason(event)


class Contract:
    """The projects of one login, and their servers' actions.

    The arguments are those of :class:`~fj_osc_actions.client.ActionsClient`:
    every project gets a client with the same options, and all of them one
    :class:`~fj_osc_actions.pacing.Pacer` (one Ctrl-C, one Retry-After hold).
    ``tokens`` (a :class:`~fj_osc_actions.project_tokens.ProjectTokens`)
    keeps the projects' tokens and their listing for the next runs.
    """

    def __init__(self, session: Any, *, region_name: str | None = None,
                 interface: str | None = "public", endpoint_override: str | None = None,
                 microversion: str | None = None, timeout: float | None = None,
                 tokens: Any = None) -> None:
        self.session = session
        self.options = dict(region_name=region_name, interface=interface,
                            endpoint_override=endpoint_override, microversion=microversion,
                            timeout=timeout)
        self.tokens = tokens
        self.pacer = pacing.Pacer()
        self._login: keystone.Login | None = None
        self._projects: list[Project] | None = None
        self._probe: actions_client.ActionsClient | None = None

    @property
    def region(self) -> str | None:
        return self.options["region_name"]

    def login(self) -> keystone.Login:
        """The one login of the run (its password is used once)."""
        if self._login is None:
            self._login = keystone.log_in(self.session, self.region)
        return self._login

    def projects(self) -> list[Project]:
        """The projects the login's user can be scoped to, as Keystone lists them."""
        if self._projects is None:
            self._projects = keystone.list_projects(self.session, self.login(), self.region,
                                                    self.tokens)
        return self._projects

    def choose(self, wanted: Sequence[str] | None) -> list[Project]:
        """``wanted`` names or IDs (None: every project); an unknown or ambiguous
        one is ``errors.InvalidInput`` naming it, an application credential's
        login :class:`projects.CannotRescope` unless it is its own project."""
        for value in wanted or ():
            validation.check_id(value, keystone.PROJECT)
        if self.login().application_credential:
            return keystone.own_project_only(self.login(), wanted)
        if wanted is None:
            return self.projects()
        try:
            return keystone.choose(self.projects(), wanted)
        except errors.InvalidInput:
            if self.tokens is None:
                raise
            # the kept listing may predate a project given meanwhile: ask again
            self._projects = None
            self.tokens, kept = None, self.tokens
            try:
                return keystone.choose(self.projects(), wanted)
            finally:
                self.tokens = kept

    def read(self, projects: Sequence[str] | None = None, *, limit: int | None = None,
             changes_since: str | None = None, changes_before: str | None = None,
             action_filter: fleet.ActionFilter = fleet.ActionFilter(), reasons: bool = False,
             concurrency: int | None = None,
             on_progress: Callable[[Progress], None] | None = None) -> ContractRun:
        """The actions of every server of ``projects`` (names or IDs; None: all).

        The options are checked before any request; then the login, the
        listing and the choice of projects happen here, the rest as the
        result is iterated (rows of all projects newest first, then its
        ``problems``). ``reasons``: one more read per failed action, for its
        failed event and the reason.
        """
        concurrency = validation.check_limit(
            fleet.DEFAULT_CONCURRENCY if concurrency is None else concurrency,
            "--concurrency", fleet.MAX_CONCURRENCY)
        query = self._check_query(limit, changes_since, changes_before)
        chosen = self.choose(projects)
        return ContractRun(self, chosen, query, action_filter, reasons, concurrency, on_progress)

    @property
    def microversion(self) -> mv.Microversion:
        """The microversion asked for (a project's client may fall back from it)."""
        if self._probe is None:
            self._probe = self.make_client(self.session)  # sends nothing
        return self._probe.microversion

    def make_client(self, session: Any) -> actions_client.ActionsClient:
        return actions_client.ActionsClient(session, pacer=self.pacer, **self.options)

    def _check_query(self, limit: int | None, changes_since: str | None,
                     changes_before: str | None) -> dict[str, Any]:
        """The list options as sent (an age becomes one time for all servers),
        refused here if the microversion in use lacks them."""
        if self.options["endpoint_override"]:
            regions.check_override(self.options["endpoint_override"])
        checked = pages.list_query(self.microversion, limit, None, changes_since, changes_before)
        return {"limit": limit, "changes_since": checked.params.get("changes-since"),
                "changes_before": checked.params.get("changes-before")}


class ContractRun:
    """The actions of the chosen projects; iterate for :class:`Row`, newest
    first; ``problems`` then lists what could not be read."""

    def __init__(self, contract: Contract, projects: list[Project], query: dict[str, Any],
                 action_filter: fleet.ActionFilter, reasons: bool, concurrency: int,
                 on_progress: Callable[[Progress], None] | None) -> None:
        self.projects = projects
        self.problems: list[Problem] = []
        self._contract = contract
        self._query = query
        self._filter = action_filter
        self._reasons = reasons
        self._concurrency = concurrency
        self._on_progress = on_progress
        #: one event for the pool and every project's client
        self._cancelled = contract.pacer.cancelled
        #: project ID -> (its auth, its token when opened): new tokens are kept
        self._opened_auth: dict[str, tuple[Any, str | None]] = {}
        self._rows: list[Row] = []
        self._counts = [0, 0, 0]  # projects done, servers done, servers known

    @property
    def failures(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.vanished]

    def cancel(self) -> None:
        """Stop: nothing more is sent, by any project's client (they share one pacer)."""
        self._cancelled.set()

    def __iter__(self) -> Iterator[Row]:
        login, base = self._contract.login(), self._contract.session
        http = keystone.connection_pool(base, self._concurrency)
        self._pool = fleet.WorkPool(self._concurrency, self._cancelled, name="contract")
        for project in self.projects:
            if project.enabled:
                self._submit(self._opened(project), self._open, login, project, base, http)
            else:
                self._project_done(project, errors.Forbidden(_(
                    "the identity service lists it as disabled; ask your contract's "
                    "administrator to enable it, or choose the others with --project")))
        try:
            for on_done, value, error in self._pool.results():
                on_done(value, error)
        except BaseException:
            self.cancel()
            raise
        http.close()
        if self._contract.tokens is not None:
            keystone.keep_new_tokens(self._contract.tokens, self._opened_auth)
        self._report(finished=True)
        order = {project.id: index for index, project in enumerate(self.projects)}
        self.problems.sort(key=lambda p: (
            order[p.project.id], (p.server.name or "", p.server.id) if p.server else ("", ""),
            p.request_id or ""))
        return iter(sorted(self._rows, reverse=True, key=lambda row: (
            models.parse_time(row.action.start_time) or _OLDEST, row.project.name,
            row.server.name or "", row.action.request_id or "")))

    # -- the tasks (in the pool's workers) and what follows each (here) ------

    def _submit(self, on_done: Callable[[Any, Any], None], task: Callable[..., Any],
                *args: Any) -> None:
        self._pool.submit(on_done, lambda: task(*args))

    def _open(self, login: keystone.Login, project: Project, base: Any,
              http: Any) -> tuple[actions_client.ActionsClient, list[models.Server]]:
        session = keystone.project_session(login, project, base, http, self._contract.region,
                                           self._contract.tokens)
        if project.id != login.project_id:
            auth = session.auth
            self._opened_auth[project.id] = (auth, auth.auth_ref.auth_token
                                             if auth.auth_ref is not None else None)
        client = self._contract.make_client(session)
        return client, list(client.list_servers())

    def _opened(self, project: Project) -> Callable[[Any, Any], None]:
        def on_done(value: Any, error: errors.ActionsError | None) -> None:
            if error is None:
                client, servers = value
                self._counts[2] += len(servers)
                for server in servers:
                    self._submit(self._read(project, client, server), self._actions,
                                 client, server)
            self._project_done(project, error)
        return on_done

    def _project_done(self, project: Project, error: errors.ActionsError | None) -> None:
        if error is not None:
            self.problems.append(Problem(project, error))
        self._counts[0] += 1
        self._report()

    def _actions(self, client: Any, server: models.Server) -> list[models.InstanceAction]:
        listed = client.list_actions(server.id, **self._query)
        return [action for action in listed if self._filter.matches(action)]

    def _read(self, project: Project, client: Any,
              server: models.Server) -> Callable[[Any, Any], None]:
        def on_done(actions: Any, error: errors.ActionsError | None) -> None:
            if error is not None:
                vanished = isinstance(error, errors.ServerNotFound)
                self.problems.append(Problem(project, error, server, vanished=vanished))
            for action in actions or ():
                row = Row(project, server, action)
                if self._reasons and action.failed and action.request_id:
                    self._submit(self._reasoned(row), client.get_action, server.id,
                                 action.request_id)
                else:
                    self._rows.append(row)
            self._counts[1] += 1
            self._report()
        return on_done

    def _reasoned(self, row: Row) -> Callable[[Any, Any], None]:
        def on_done(action: Any, error: errors.ActionsError | None) -> None:
            if error is not None:
                self.problems.append(Problem(row.project, error, row.server,
                                             request_id=row.action.request_id))
                self._rows.append(row)
                return
            event, reason = failure_reason(action)
            self._rows.append(dataclasses.replace(row, failed_event=event, reason=reason))
        return on_done

    def _report(self, finished: bool = False) -> None:
        if self._on_progress is not None:
            done, servers_done, servers = self._counts
            self._on_progress(Progress(done, len(self.projects), servers_done, servers,
                                       finished))
