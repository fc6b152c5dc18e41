"""The compute client for server actions: operations and paging.

Usable without the CLI: build it from any keystoneauth session::

    from keystoneauth1 import session
    from fj_osc_actions.client import ActionsClient

    client = ActionsClient(session.Session(auth=...), region_name="jp-east-3")
    action = client.get_action("web-01", request_id)

Each operation checks all its input first (nothing is sent for bad input),
then resolves a server name, then makes its requests. This module never
imports cliff, argparse or OpenStackClient.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any, Callable, Iterator, Sequence
from urllib import parse

from fj_osc_actions import api
from fj_osc_actions import errors
from fj_osc_actions import fleet
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions import validation
from fj_osc_actions import waiting
from fj_osc_actions.i18n import _


@dataclasses.dataclass(frozen=True)
class ListQuery:
    """The checked query of a list of actions."""

    params: dict[str, str]
    limit: int | None
    #: The options given, with the microversion each needs.
    needs: tuple[tuple[mv.Microversion, str], ...] = ()

    def check_supported(self, version: mv.Microversion) -> None:
        """Refuse options that the microversion in use cannot honour (it
        can change after the first response: a 406 fallback, or latest)."""
        for needed, option in self.needs:
            mv.require(version, needed, option)


@dataclasses.dataclass(frozen=True)
class PageShape:
    """Where a Nova list keeps its items and its links, and how to read an item."""

    items_key: str
    links_key: str
    parse: Callable[[Any], Any]


ACTIONS_PAGE = PageShape("instanceActions", "links", models.InstanceAction.from_api)
SERVERS_PAGE = PageShape("servers", "servers_links", models.Server.from_api)


def next_marker(links: Any) -> str | None:
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


class ActionsClient(api.ComputeAPI):
    """Server actions of one compute endpoint, at one microversion."""

    # -- operations ------------------------------------------------------

    def get_action(self, server: str, request_id: str) -> models.InstanceAction:
        """One action of a server (name or ID), with its events where the API returns them."""
        validation.check_id(server, validation.SERVER)
        request_id = validation.check_request_id(request_id)
        return self._as_name_if_missing(
            server, lambda server_id: self._get_action(server_id, request_id)
        )

    def list_actions(
        self,
        server: str,
        *,
        limit: int | None = None,
        marker: str | None = None,
        changes_since: str | None = None,
        changes_before: str | None = None,
    ) -> Iterator[models.InstanceAction]:
        """The actions of a server (name or ID), newest first.

        With ``limit``, one page of at most that many actions; without it,
        every page, following the rel=next links. The first page is fetched
        before this returns (so its errors surface here); the rest are
        fetched as the iterator is consumed, one page in memory at a time.
        """
        validation.check_id(server, validation.SERVER)
        query = self._list_query(limit, marker, changes_since, changes_before)
        return self._as_name_if_missing(server, lambda server_id: self._actions(server_id, query))

    def latest_action(self, server: str) -> models.InstanceAction:
        """The newest action of a server (name or ID), with its events.

        One list request (``limit=1`` where the microversion has paging),
        then the action itself.
        """
        validation.check_id(server, validation.SERVER)
        server_id, newest = self._as_name_if_missing(
            server, lambda server_id: (server_id, self._newest_request_id(server_id))
        )
        if newest is None:
            raise errors.ActionNotFound(
                _("Server {server!r} has no actions in {where}.").format(
                    server=server, where=self.where())
            )
        return self._get_action(server_id, newest)

    def last_failed_action(
        self, server: str, *, changes_since: str | None = None
    ) -> models.InstanceAction:
        """The newest action whose message is Error, paging newest first and
        stopping at the first one (``changes_since`` bounds the search)."""
        validation.check_id(server, validation.SERVER)
        query = self._list_query(None, None, changes_since, None)
        server_id, actions = self._as_name_if_missing(
            server, lambda server_id: (server_id, self._actions(server_id, query))
        )
        failed = next((action for action in actions if action.failed), None)
        if failed is None or not failed.request_id:
            since = query.params.get("changes-since")
            raise errors.ActionNotFound(
                _("No failed action of server {server!r} since {since} in {where}.").format(
                    server=server, since=since, where=self.where())
                if since else
                _("No failed action of server {server!r} in {where}.").format(
                    server=server, where=self.where())
            )
        return self._get_action(server_id, failed.request_id)

    def fleet_actions(
        self,
        servers: Sequence[str] | None = None,
        *,
        limit: int | None = None,
        changes_since: str | None = None,
        changes_before: str | None = None,
        action_filter: fleet.ActionFilter = fleet.ActionFilter(),
        concurrency: int | None = None,
        on_progress: fleet.Progress | None = None,
    ) -> fleet.FleetRun:
        """The actions of several servers (names or IDs), or of every server
        of the project (``servers=None``), read by a bounded pool of workers.

        Iterate the result for (server, action) pairs, newest first; then
        its ``problems`` lists the servers that could not be read.
        """
        for server in servers or ():
            validation.check_id(server, validation.SERVER)
        if concurrency is None:
            concurrency = fleet.DEFAULT_CONCURRENCY
        validation.check_limit(concurrency, "--concurrency", fleet.MAX_CONCURRENCY)
        query = self._list_query(limit, None, changes_since, changes_before)
        known = list(self.list_servers())
        chosen, problems = self._choose_servers(known, servers)
        self.size_connection_pool(concurrency)

        def read_actions(server: models.Server) -> list[models.InstanceAction]:
            return [a for a in self._actions(server.id, query) if action_filter.matches(a)]

        return fleet.FleetRun(
            chosen,
            read_actions,
            concurrency=concurrency,
            cancelled=self.cancelled,
            problems=problems,
            on_progress=on_progress,
            listed_ids=frozenset(server.id for server in known),
        )

    def wait_for_action(
        self,
        action: models.InstanceAction,
        *,
        timeout: float | None = None,
        on_poll: Callable[[models.InstanceAction], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> models.InstanceAction:
        """Poll the action until it has ended (``waiting.action_ended``); its
        final state.

        Each poll reads the action; once its events have finished, the
        server; and only when the server has a task state, its newest
        action (one ``limit=1`` list request). Raises ``errors.WaitTimedOut``
        after ``timeout`` seconds (default ``waiting.DEFAULT_TIMEOUT``).
        """
        if timeout is None:
            timeout = waiting.DEFAULT_TIMEOUT
        server_id = str(action.instance_uuid)
        request_id = str(action.request_id)

        def poll() -> tuple[models.InstanceAction, bool]:
            current = self._get_action(server_id, request_id)
            if not waiting.events_finished(current):
                return current, False
            server = self.get_server(server_id)
            newest = self._newest_request_id(server_id) if waiting.needs_newest(
                current, server) else None
            return current, waiting.action_ended(current, server, newest)

        try:
            return waiting.wait_for_action(
                poll, timeout=timeout, on_poll=on_poll, clock=clock, sleep=self.pause
            )
        except waiting.WaitTimeout:
            raise errors.WaitTimedOut(
                _(
                    "Waited {seconds:g} s for action {request_id!r} of server {server!r} "
                    "in {where}; it has not ended and may still be running: check "
                    "again with `openstack server action show {server} {request_id}`."
                ).format(seconds=timeout, request_id=request_id, server=server_id,
                         where=self.where())
            ) from None

    def get_server(self, server_id: str) -> dict[str, Any] | None:
        """The server's body (``GET /servers/{id}``), or None once it is deleted."""
        target = self.target(validation.check_id(server_id, validation.SERVER))
        try:
            body = self.get(["servers", server_id], target)
        except errors.ServerNotFound:
            return None
        server = body.get("server")
        if not isinstance(server, dict):
            raise errors.unexpected(target, _("no 'server' object in the response"))
        return server

    def list_servers(self) -> Iterator[models.Server]:
        """Every server of the project (IDs and names), following the pages."""
        return self._paged(["servers"], self.target(_("(all servers)")), {}, SERVERS_PAGE)

    def find_server_id(self, name_or_id: str) -> str:
        """A UUID is used as given (no request); a name needs one exact match."""
        validation.check_id(name_or_id, validation.SERVER)
        if validation.is_uuid(name_or_id):
            return name_or_id
        return self._find_by_name(name_or_id)

    # -- resolving servers -------------------------------------------------

    def _as_name_if_missing(self, server: str, call: Callable[[str], Any]) -> Any:
        """Call with the server's ID; a UUID-looking value that is no server's
        ID may be a server's name (upstream finds those by name): try once."""
        try:
            return call(self.find_server_id(server))
        except errors.ServerNotFound as not_an_id:
            if not validation.is_uuid(server):
                raise
            missing = not_an_id
        try:
            server_id = self._find_by_name(server)
        except errors.ServerNotFound:
            raise missing from None
        return call(server_id)

    def _find_by_name(self, name_or_id: str) -> str:
        target = self.target(name_or_id)
        params = {"name": f"^{re.escape(name_or_id)}$"}
        servers = self.get(["servers"], target, params).get("servers")
        if not isinstance(servers, list):
            raise errors.unexpected(target, _("no 'servers' list"))
        ids = [
            str(server.get("id"))
            for server in servers
            if isinstance(server, dict) and server.get("name") == name_or_id
        ]
        if len(ids) != 1:
            raise self._name_error(name_or_id, ids)
        return ids[0]

    def _name_error(self, name: str, ids: list[str]) -> errors.ActionsError:
        """No server, or more than one, has this name."""
        if not ids:
            return errors.ServerNotFound(
                _(
                    "No server named {name!r} in {where}: check the name with "
                    "`openstack server list`; a deleted server can only be given "
                    "by its ID."
                ).format(name=name, where=self.where())
            )
        return errors.AmbiguousServerName(
            _(
                "{count} servers are named {name!r} in {where} ({ids}): give "
                "the server ID instead."
            ).format(count=len(ids), name=name, where=self.where(), ids=", ".join(ids))
        )

    def _choose_servers(
        self, known: list[models.Server], wanted: Sequence[str] | None
    ) -> tuple[list[models.Server], list[fleet.ServerProblem]]:
        """The servers to read, from one listing: IDs and names both work; an
        ID that is not listed (a deleted server) is read by ID."""
        if wanted is None:
            return known, []
        by_id = {server.id: server for server in known}
        chosen: list[models.Server] = []
        problems: list[fleet.ServerProblem] = []
        for name_or_id in dict.fromkeys(wanted):
            named = [server for server in known if server.name == name_or_id]
            if name_or_id in by_id or (validation.is_uuid(name_or_id) and not named):
                chosen.append(by_id.get(name_or_id, models.Server(name_or_id)))
            elif len(named) == 1:
                chosen.append(named[0])
            else:
                error = self._name_error(name_or_id, [server.id for server in named])
                problems.append(fleet.ServerProblem(models.Server(name_or_id, name_or_id), error))
        return chosen, problems

    # -- requests and pages ------------------------------------------------

    def _get_action(self, server_id: str, request_id: str) -> models.InstanceAction:
        target = self.target(server_id, request_id)
        body = self.get(["servers", target.server, "os-instance-actions", request_id], target)
        if "instanceAction" not in body:
            raise errors.unexpected(target, _("no 'instanceAction' in the response"))
        return self._parse(target, models.InstanceAction.from_api, body["instanceAction"])

    def _newest_request_id(self, server_id: str) -> str | None:
        """The request ID of the server's newest action (None: it has none)."""
        limit = 1 if self.microversion >= mv.PAGING else None
        newest = next(self._actions(server_id, self._list_query(limit, None, None, None)), None)
        return newest.request_id if newest is not None and newest.request_id else None

    def _list_query(
        self,
        limit: int | None,
        marker: str | None,
        changes_since: str | None,
        changes_before: str | None,
    ) -> ListQuery:
        """Check the options of a list (no request) and build its query."""
        params: dict[str, str] = {}
        needs: list[tuple[mv.Microversion, str]] = []
        if limit is not None:
            params["limit"] = str(validation.check_limit(limit))
            needs.append((mv.PAGING, "--limit"))
        if marker is not None:
            params["marker"] = validation.check_id(marker, validation.MARKER)
            needs.append((mv.PAGING, "--marker"))
        if changes_since is not None:
            params["changes-since"] = validation.check_time_filter(changes_since, "--changes-since")
            needs.append((mv.PAGING, "--changes-since"))
        if changes_before is not None:
            params["changes-before"] = validation.check_time_filter(
                changes_before, "--changes-before"
            )
            needs.append((mv.CHANGES_BEFORE, "--changes-before"))
        query = ListQuery(params, limit, tuple(needs))
        query.check_supported(self.microversion)
        return query

    def _actions(self, server_id: str, query: ListQuery) -> Iterator[models.InstanceAction]:
        """The first page now (its errors surface here), the rest as consumed."""
        target = self.target(server_id)
        segments = ["servers", server_id, "os-instance-actions"]
        actions = self._paged(segments, target, query.params, ACTIONS_PAGE, query.limit is not None)
        query.check_supported(self.microversion)
        return actions

    def _paged(
        self,
        segments: list[str],
        target: errors.Target,
        params: dict[str, str],
        shape: PageShape,
        one_page: bool = False,
    ) -> Iterator[Any]:
        """Items of a Nova list, page by page, following the rel=next links.

        The first page is fetched before this returns; the rest as the
        iterator is consumed, one page in memory at a time.
        """
        first_page = self.get(segments, target, params)

        def items() -> Iterator[Any]:
            page, seen_markers = first_page, set()
            while True:
                raw_items = page.get(shape.items_key)
                if not isinstance(raw_items, list):
                    raise errors.unexpected(
                        target, _("no '{key}' list in the response").format(key=shape.items_key)
                    )
                parsed = [self._parse(target, shape.parse, raw) for raw in raw_items]
                yield from parsed
                marker = next_marker(page.get(shape.links_key))
                if one_page or not parsed or marker is None:
                    return
                if marker in seen_markers:
                    raise errors.unexpected(
                        target, _("the next page repeats marker {marker}").format(marker=marker)
                    )
                seen_markers.add(marker)
                page = self.get(segments, target, dict(params, marker=marker))

        return items()

    @staticmethod
    def _parse(target: errors.Target, parse_api: Any, raw: Any) -> Any:
        try:
            return parse_api(raw)
        except models.ShapeError as error:
            raise errors.unexpected(target, str(error)) from None
