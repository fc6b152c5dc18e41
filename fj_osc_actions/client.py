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
from typing import Any, Iterator
from urllib import parse

from fj_osc_actions import api
from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions import validation
from fj_osc_actions.i18n import _

DEFAULT_TIMEOUT = api.DEFAULT_TIMEOUT
DEFAULT_RETRIES = api.DEFAULT_RETRIES


@dataclasses.dataclass(frozen=True)
class ListQuery:
    """The checked query of a list of actions."""

    params: dict[str, str]
    limit: int | None


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
        validation.check_id(request_id, validation.REQUEST_ID)
        target = self.target(self.find_server_id(server), request_id)
        body = self.get(["servers", target.server, "os-instance-actions", request_id], target)
        if "instanceAction" not in body:
            raise errors.unexpected(target, _("no 'instanceAction' in the response"))
        return self._parse(target, models.InstanceAction.from_api, body["instanceAction"])

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
        target = self.target(self.find_server_id(server))
        first_page = self._actions_page(target, query.params)
        return self._pages(target, query, first_page)

    def find_server_id(self, name_or_id: str) -> str:
        """A UUID is used as given (no request); a name needs one exact match."""
        validation.check_id(name_or_id, validation.SERVER)
        if validation.is_uuid(name_or_id):
            return name_or_id
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
        if not ids:
            raise errors.ServerNotFound(
                _(
                    "No server named {name!r} in {where}: check the name with "
                    "`openstack server list`; a deleted server can only be given "
                    "by its ID."
                ).format(name=name_or_id, where=self.where())
            )
        if len(ids) > 1:
            raise errors.AmbiguousServerName(
                _(
                    "{count} servers are named {name!r} in {where} ({ids}): give "
                    "the server ID instead."
                ).format(count=len(ids), name=name_or_id, where=self.where(), ids=", ".join(ids))
            )
        return ids[0]

    # -- paging ----------------------------------------------------------

    def _list_query(
        self,
        limit: int | None,
        marker: str | None,
        changes_since: str | None,
        changes_before: str | None,
    ) -> ListQuery:
        """Check the options of a list (no request) and build its query."""
        version = self.microversion
        params: dict[str, str] = {}
        if limit is not None:
            mv.require(version, mv.PAGING, "--limit")
            params["limit"] = str(validation.check_limit(limit))
        if marker is not None:
            mv.require(version, mv.PAGING, "--marker")
            params["marker"] = validation.check_id(marker, validation.MARKER)
        if changes_since is not None:
            mv.require(version, mv.PAGING, "--changes-since")
            params["changes-since"] = validation.check_timestamp(changes_since, "--changes-since")
        if changes_before is not None:
            mv.require(version, mv.CHANGES_BEFORE, "--changes-before")
            params["changes-before"] = validation.check_timestamp(
                changes_before, "--changes-before"
            )
        return ListQuery(params, limit)

    def _actions_page(self, target: errors.Target, params: dict[str, str]) -> dict[str, Any]:
        return self.get(["servers", target.server, "os-instance-actions"], target, params)

    def _pages(
        self, target: errors.Target, query: ListQuery, page: dict[str, Any]
    ) -> Iterator[models.InstanceAction]:
        seen_markers: set[str] = set()
        while True:
            actions = page.get("instanceActions")
            if not isinstance(actions, list):
                raise errors.unexpected(target, _("no 'instanceActions' list in the response"))
            parsed = [self._parse(target, models.InstanceAction.from_api, a) for a in actions]
            yield from parsed
            marker = next_marker(page.get("links"))
            if query.limit is not None or not parsed or marker is None:
                return
            if marker in seen_markers:
                raise errors.unexpected(
                    target, _("the next page repeats marker {marker}").format(marker=marker)
                )
            seen_markers.add(marker)
            page = self._actions_page(target, dict(query.params, marker=marker))

    @staticmethod
    def _parse(target: errors.Target, parse_api: Any, raw: Any) -> Any:
        try:
            return parse_api(raw)
        except models.ShapeError as error:
            raise errors.unexpected(target, str(error)) from None
