"""Servers by name or ID: the one place that resolves a user's server.

A UUID is used as given (no request); a name needs exactly one server of
that name (``GET /servers?name=^name$``). Upstream finds a server whose name
looks like a UUID by name too: so does ``as_name_if_missing``, once.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

from fj_osc_actions import errors
from fj_osc_actions import fleet
from fj_osc_actions import models
from fj_osc_actions import validation
from fj_osc_actions.i18n import _


def find_server_id(http: Any, name_or_id: str) -> str:
    """A UUID is used as given (no request); a name needs one exact match."""
    validation.check_id(name_or_id, validation.SERVER)
    if validation.is_uuid(name_or_id):
        return name_or_id
    return find_by_name(http, name_or_id)


def as_name_if_missing(http: Any, server: str, call: Callable[[str], Any]) -> Any:
    """Call with the server's ID; a UUID-looking value that is no server's
    ID may be a server's name: try once."""
    try:
        return call(find_server_id(http, server))
    except errors.ServerNotFound as not_an_id:
        if not validation.is_uuid(server):
            raise
        missing = not_an_id
    try:
        server_id = find_by_name(http, server)
    except errors.ServerNotFound:
        raise missing from None
    return call(server_id)


def find_by_name(http: Any, name: str) -> str:
    target = http.target(name)
    servers = http.get(["servers"], target, {"name": f"^{re.escape(name)}$"}).get("servers")
    if not isinstance(servers, list):
        raise errors.unexpected(target, _("no 'servers' list"))
    ids = [str(server.get("id")) for server in servers
           if isinstance(server, dict) and server.get("name") == name]
    if len(ids) != 1:
        raise name_error(http, name, ids)
    return ids[0]


def name_error(http: Any, name: str, ids: list[str]) -> errors.ActionsError:
    """No server, or more than one, has this name."""
    if not ids:
        return errors.ServerNotFound(
            _(
                "No server named {name!r} in {where}: check the name with "
                "`openstack server list`; a deleted server can only be given "
                "by its ID."
            ).format(name=name, where=http.where())
        )
    return errors.AmbiguousServerName(
        _(
            "{count} servers are named {name!r} in {where} ({ids}): give "
            "the server ID instead."
        ).format(count=len(ids), name=name, where=http.where(), ids=", ".join(ids))
    )


def choose_servers(
    http: Any, known: list[models.Server], wanted: Sequence[str] | None
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
            error = name_error(http, name_or_id, [server.id for server in named])
            problems.append(fleet.ServerProblem(models.Server(name_or_id, name_or_id), error))
    return chosen, problems
