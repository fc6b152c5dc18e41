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

import threading
import time
from typing import Any, Callable, Iterator, Sequence

from fj_osc_actions import errors
from fj_osc_actions import fleet
from fj_osc_actions import http
from fj_osc_actions import pacing
from fj_osc_actions import lookup
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions import pages
from fj_osc_actions import validation
from fj_osc_actions import waiting
from fj_osc_actions.i18n import _


class ActionsClient:
    """Server actions of one compute endpoint, at one microversion.

    It holds its HTTP path (``self.http``, :class:`fj_osc_actions.http.ComputeHTTP`):
    every request of every operation goes through ``self.http.get``.
    """

    def __init__(
        self,
        session: Any,
        *,
        region_name: str | None = None,
        interface: str | None = "public",
        endpoint_override: str | None = None,
        microversion: str | mv.Microversion | None = None,
        timeout: float | None = validation.DEFAULT_TIMEOUT,
        retries: int = http.RETRIES,
        pacer: pacing.Pacer | None = None,
    ) -> None:
        self.http = http.ComputeHTTP(
            session, region_name=region_name, interface=interface,
            endpoint_override=endpoint_override, microversion=microversion,
            timeout=timeout, retries=retries, pacer=pacer)

    @property
    def microversion(self) -> mv.Microversion:
        return self.http.microversion

    @property
    def fell_back(self) -> bool:
        """Whether a 406 made the client use the cloud's maximum microversion."""
        return self.http.fell_back

    @property
    def region_name(self) -> str | None:
        return self.http.region_name

    @property
    def cancelled(self) -> threading.Event:
        return self.http.pacer.cancelled

    def cancel(self) -> None:
        """Stop: waits end now, and no new request leaves."""
        self.http.pacer.cancelled.set()

    def pause(self, seconds: float) -> None:
        """Wait (``errors.Cancelled`` if the client is cancelled meanwhile)."""
        self.http.pacer.pause(seconds)

    def where(self) -> str:
        return self.http.where()

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
        query = self._query(limit, marker, changes_since, changes_before)
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
        query = self._query(None, None, changes_since, None)
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
        query = self._query(limit, None, changes_since, changes_before)
        known = list(self.list_servers())
        chosen, problems = lookup.choose_servers(self.http, known, servers)
        self.http.size_pool(concurrency)

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

        # One attempt per request: the wait polls again after a transient
        # failure (its own retry), so the HTTP retries would only stack.
        def poll() -> tuple[models.InstanceAction, bool]:
            current = self._get_action(server_id, request_id, retries=0)
            if not waiting.events_finished(current):
                return current, False
            server = self.get_server(server_id, retries=0)
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

    def get_server(self, server_id: str, retries: int | None = None) -> dict[str, Any] | None:
        """The server's body (``GET /servers/{id}``), or None once it is deleted."""
        target = self.http.target(validation.check_id(server_id, validation.SERVER))
        try:
            body = self.http.get(["servers", server_id], target, retries=retries)
        except errors.ServerNotFound:
            return None
        server = body.get("server")
        if not isinstance(server, dict):
            raise errors.unexpected(target, _("no 'server' object in the response"))
        return server

    def list_servers(self) -> Iterator[models.Server]:
        """Every server of the project (IDs and names), following the pages."""
        return pages.paged(self.http.get, ["servers"], self.http.target(_("(all servers)")), {},
                           pages.SERVERS_PAGE)

    def find_server_id(self, name_or_id: str) -> str:
        """A UUID is used as given (no request); a name needs one exact match."""
        return lookup.find_server_id(self.http, name_or_id)

    def _as_name_if_missing(self, server: str, call: Callable[[str], Any]) -> Any:
        return lookup.as_name_if_missing(self.http, server, call)

    # -- requests and pages ------------------------------------------------

    def _get_action(self, server_id: str, request_id: str,
                    retries: int | None = None) -> models.InstanceAction:
        target = self.http.target(server_id, request_id)
        body = self.http.get(["servers", target.server, "os-instance-actions", request_id],
                             target, retries=retries)
        if "instanceAction" not in body:
            raise errors.unexpected(target, _("no 'instanceAction' in the response"))
        return pages.parse_item(target, models.InstanceAction.from_api, body["instanceAction"])

    def _newest_request_id(self, server_id: str) -> str | None:
        """The request ID of the server's newest action (None: it has none)."""
        limit = 1 if self.microversion >= mv.PAGING else None
        newest = next(self._actions(server_id, self._query(limit, None, None, None)), None)
        return newest.request_id if newest is not None and newest.request_id else None

    def _query(self, limit: int | None, marker: str | None, changes_since: str | None,
               changes_before: str | None) -> pages.ListQuery:
        return pages.list_query(self.microversion, limit, marker, changes_since, changes_before)

    def _actions(self, server_id: str, query: pages.ListQuery) -> Iterator[models.InstanceAction]:
        """The first page now (its errors surface here), the rest as consumed."""
        target = self.http.target(server_id)
        segments = ["servers", server_id, "os-instance-actions"]
        actions = pages.paged(self.http.get, segments, target, query.params, pages.ACTIONS_PAGE,
                              query.limit is not None)
        query.check_supported(self.microversion)
        return actions
