"""Nova of the simulator: version documents, servers, and instance actions.

Each handler checks the token (401), reads the microversion (400/406),
checks the project in the URL (400, as Nova: a token of another project on
this project's URL is a "Malformed request URL"), then Nova's policy (403)
and the server (404), in Nova's order, and answers with Nova's keys in
Nova's order.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any, Mapping
from urllib.parse import quote, urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from fj_osc_actions_simulator.clock import Clock
from fj_osc_actions_simulator.identity import Token, TokenStore
from fj_osc_actions_simulator.protocol import (RequestContext, compute_unauthorized, json_response,
                                               nova_error)
from fj_osc_actions_simulator.store import (ActionRecord, EventRecord, ServerRecord, Store,
                                            parse_time)

Version = tuple[int, int]

MIN_MICROVERSION: Version = (2, 1)
NOVA_UPDATED = "2013-07-23T11:33:21Z"
READ_ROLES = frozenset(("admin", "member", "reader"))
IMAGE_ID = "1e5f2c3a-7b8d-4e9f-a0b1-c2d3e4f5a6b7"
FLAVOR_ID = "1101"

#: The keys of an action in list and show, in Nova's order (2.58 adds updated_at).
NOVA_ACTION_FIELDS = ("action", "instance_uuid", "request_id", "user_id", "project_id",
                      "start_time", "message")

_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")
_DIGITS = re.compile(r"[0-9]+")


def host_id(project_id: str | None, host: str | None) -> str:
    """Nova's obfuscated hostId: sha224(project_id + host); '' without a host."""
    if not host:
        return ""
    return hashlib.sha224(((project_id or "") + host).encode("utf-8")).hexdigest()


def parse_version(text: str) -> Version:
    """``"2.104"`` as (2, 104); ValueError if it is not a microversion."""
    match = _VERSION.match(str(text))
    if not match:
        raise ValueError("max_microversion must look like 2.104")
    version = (int(match.group(1)), int(match.group(2)))
    if version < MIN_MICROVERSION:
        raise ValueError("max_microversion must be >= 2.1")
    return version


def requested_microversion(headers: Mapping[str, str], max_version: Version) -> Version:
    """The microversion a request asks for (the new header wins); ApiError if invalid."""
    value = None
    for part in (headers.get("OpenStack-API-Version") or "").split(","):
        words = part.strip().split(None, 1)
        if len(words) == 2 and words[0].lower() == "compute":
            value = words[1].strip()
    if value is None:
        legacy = headers.get("X-OpenStack-Nova-API-Version")
        value = legacy.strip() if legacy is not None else None
    if value is None:
        return MIN_MICROVERSION
    if value.lower() == "latest":
        return max_version
    match = _VERSION.match(value)
    if not match:
        raise nova_error(400, f"API Version String {value} is of invalid format. Must be of "
                              f"format MajorNum.MinorNum.")
    version = (int(match.group(1)), int(match.group(2)))
    if version < MIN_MICROVERSION or version > max_version:
        raise nova_error(406, f"Version {version_text(version)} is not supported by the API. "
                              f"Minimum is {version_text(MIN_MICROVERSION)} and maximum is "
                              f"{version_text(max_version)}.")
    return version


def version_text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def requested_limit(args: MultiDict) -> int | None:
    """The ``limit`` of a list request (None: not given); 400 unless digits."""
    limit = args.get("limit")
    if limit is not None and not _DIGITS.fullmatch(limit):
        raise nova_error(400, f"Invalid input for query parameters limit. Value: {limit}. "
                              f"'{limit}' does not match '^[0-9]*$'")
    return int(limit) if limit is not None else None


def next_link(context: RequestContext, collection: str, marker: str) -> list[dict[str, str]]:
    """Nova's ``next`` link (``ViewBuilder._get_next_link``): the request's
    query sorted, then the new marker, in the old marker's place or last
    (``?limit=2&name=x&marker=...``); a repeated key keeps its last value."""
    query = dict(sorted(context.request.args.items(multi=True)))
    query["marker"] = marker
    return [{"rel": "next",
             "href": f"{context.request.host_url.rstrip('/')}{collection}?{urlencode(query)}"}]


class ListQuery:
    """The query of an actions list from 2.58: Nova's schema and its 400s."""

    def __init__(self, args: MultiDict, microversion: Version) -> None:
        allowed = {"limit", "marker", "changes-since"}
        if microversion >= (2, 66):
            allowed.add("changes-before")
        extra = [key for key in args.keys() if key not in allowed]
        if extra:
            verb = "was" if len(extra) == 1 else "were"
            names = ", ".join(repr(key) for key in extra)
            raise nova_error(400, f"Additional properties are not allowed ({names} {verb} "
                                  f"unexpected)")
        for key in args.keys():
            values = args.getlist(key)
            if len(values) > 1:
                raise nova_error(400, f"Invalid input for query parameters {key}. Value: "
                                      f"{values}. {values} is not of type 'string'")
        self.limit = requested_limit(args)
        self.marker = args.get("marker")
        self.changes_since = self._time(args, "changes-since")
        self.changes_before = self._time(args, "changes-before")
        if (self.changes_since is not None and self.changes_before is not None
                and self.changes_since > self.changes_before):
            raise nova_error(400, "The value of changes-since must be less than or equal to "
                                  "changes-before.")

    @staticmethod
    def _time(args: MultiDict, key: str) -> datetime.datetime | None:
        value = args.get(key)
        if value is None:
            return None
        parsed = parse_time(value) if "T" in value else None
        if parsed is None:
            raise nova_error(400, f"Invalid input for query parameters {key}. Value: {value}. "
                                  f"'{value}' is not a 'date-time'")
        return parsed

    def selects(self, action: ActionRecord) -> bool:
        if self.changes_since is not None and action.updated < self.changes_since:
            return False
        return self.changes_before is None or action.updated <= self.changes_before


#: The status Nova shows for an active server's task state (else the
#: server's own status): ``nova/api/openstack/common.py`` ``_STATE_MAP``.
TASK_STATUS = {"rebooting": "REBOOT", "reboot_pending": "REBOOT", "reboot_started": "REBOOT",
               "rebooting_hard": "HARD_REBOOT", "reboot_pending_hard": "HARD_REBOOT",
               "reboot_started_hard": "HARD_REBOOT", "updating_password": "PASSWORD",
               "rebuilding": "REBUILD", "rebuild_block_device_mapping": "REBUILD",
               "rebuild_spawning": "REBUILD", "migrating": "MIGRATING",
               "resize_prep": "RESIZE", "resize_migrating": "RESIZE",
               "resize_migrated": "RESIZE", "resize_finish": "RESIZE"}
#: The vm_state behind a status where the two names differ.
VM_STATE = {"VERIFY_RESIZE": "resized", "SHUTOFF": "stopped"}


class ComputeService:
    def __init__(self, store: Store, tokens: TokenStore, page_size: int,
                 max_version: Version, clock: Clock) -> None:
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        self.store = store
        self.tokens = tokens
        self.page_size = page_size
        self.max_version = max_version
        self.clock = clock

    # -- version documents ----------------------------------------------
    def version_root(self, context: RequestContext) -> Response:
        return json_response({"version": self._version_document(context.base_url)})

    def version(self, context: RequestContext, project_id: str) -> Response:
        self._caller(context, project_id)
        return json_response({"version": self._version_document(context.base_url)})

    def _version_document(self, base_url: str) -> dict[str, Any]:
        return {"id": "v2.1", "status": "CURRENT",
                "version": version_text(self.max_version),
                "min_version": version_text(MIN_MICROVERSION),
                "updated": NOVA_UPDATED,
                "links": [{"rel": "self", "href": base_url + "/v2.1/"},
                          {"rel": "describedby", "type": "text/html",
                           "href": "http://docs.openstack.org/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.compute+json;"
                                         "version=2.1"}]}

    # -- servers ------------------------------------------------------------
    def servers_index(self, context: RequestContext, project_id: str) -> Response:
        return self._servers(context, project_id, "index", detail=False)

    def servers_detail(self, context: RequestContext, project_id: str) -> Response:
        return self._servers(context, project_id, "detail", detail=True)

    def server_show(self, context: RequestContext, project_id: str, server_id: str) -> Response:
        token = self._caller(context, project_id)
        server = self._server(token, server_id)
        self._policy(token, "os_compute_api:servers:show")
        return json_response({"server": self._server_view(context, server, detail=True)})

    def _servers(self, context: RequestContext, project_id: str, rule: str,
                 detail: bool) -> Response:
        """Newest first, ``name`` a regular expression (re.search), paged by
        ``limit`` (at most the page size) and ``marker`` (a server ID)."""
        token = self._caller(context, project_id)
        self._policy(token, f"os_compute_api:servers:{rule}")
        args = context.request.args
        limit = self._page_limit(requested_limit(args))
        servers = [server for server in self.store.servers.values()
                   if server.project_id == token.project_id and not server.deleted]
        name = args.get("name")
        if name is not None:
            try:
                pattern = re.compile(name)
                servers = [server for server in servers if pattern.search(server.name)]
            except re.error:
                servers = [server for server in servers if name in server.name]
        servers.sort(key=lambda server: (server.created, server.id), reverse=True)
        marker = args.get("marker")
        if marker is not None:
            ids = [server.id for server in servers]
            if marker not in ids:
                raise nova_error(400, f"marker [{marker}] not found")
            servers = servers[ids.index(marker) + 1:]
        page = servers[:limit]
        body: dict[str, Any] = {"servers": [self._server_view(context, server, detail)
                                            for server in page]}
        if page and len(page) == limit:
            collection = f"/v2.1/{quote(project_id, safe='')}/servers" + \
                ("/detail" if detail else "")
            body["servers_links"] = next_link(context, collection, page[-1].id)
        return json_response(body)

    def _page_limit(self, requested: int | None) -> int:
        """Nova's ``[api]max_limit`` caps every page."""
        return self.page_size if requested is None else min(requested, self.page_size)

    def _server_view(self, context: RequestContext, server: ServerRecord,
                     detail: bool) -> dict[str, Any]:
        base, project = context.base_url, server.project_id
        quoted_id = quote(server.id, safe="")
        links = [{"rel": "self", "href": f"{base}/v2.1/{project}/servers/{quoted_id}"},
                 {"rel": "bookmark", "href": f"{base}/{project}/servers/{quoted_id}"}]
        if not detail:
            return {"id": server.id, "name": server.name, "links": links}
        now = self.clock.now()
        task_state = self.store.task_state(server, now)
        own_status = self.store.status(server, now)
        status = TASK_STATUS.get(task_state or "", own_status) if own_status == "ACTIVE" \
            else own_status
        launched = server.created.replace("Z", "").replace("+00:00", "") + ".000000" \
            if server.created else None
        return {
            "id": server.id, "name": server.name, "status": status,
            "tenant_id": project, "user_id": server.user_id,
            "metadata": server.metadata,
            "hostId": host_id(project, server.host),
            "image": {"id": IMAGE_ID, "links": [
                {"rel": "bookmark", "href": f"{base}/{project}/images/{IMAGE_ID}"}]},
            "flavor": {"id": FLAVOR_ID, "links": [
                {"rel": "bookmark", "href": f"{base}/{project}/flavors/{FLAVOR_ID}"}]},
            "created": server.created, "updated": server.updated,
            "addresses": {}, "accessIPv4": "", "accessIPv6": "",
            "links": links,
            "OS-DCF:diskConfig": "MANUAL",
            "progress": 0,
            "OS-EXT-AZ:availability_zone": "jp-east-3a",
            "config_drive": "",
            "key_name": None,
            "OS-SRV-USG:launched_at": launched,
            "OS-SRV-USG:terminated_at": None,
            "OS-EXT-STS:task_state": task_state,
            "OS-EXT-STS:vm_state": VM_STATE.get(own_status, own_status.lower()),
            "OS-EXT-STS:power_state": 1 if status in ("ACTIVE", "REBOOT", "HARD_REBOOT") else 4,
            "os-extended-volumes:volumes_attached": [],
            "security_groups": [{"name": "default"}],
        }

    # -- instance actions -------------------------------------------------------
    def actions_index(self, context: RequestContext, project_id: str,
                      server_id: str) -> Response:
        token = self._caller(context, project_id)
        microversion = context.microversion or MIN_MICROVERSION
        query = ListQuery(context.request.args, microversion) \
            if microversion >= (2, 58) else None
        server = self._server(token, server_id, read_deleted=microversion >= (2, 21))
        self._policy(token, "os_compute_api:os-instance-actions:list")
        actions = self.store.actions(server, self.clock.now())
        if query is None:
            return json_response({"instanceActions": [
                self._action_view(action, microversion) for action in actions]})
        start = 0
        if query.marker is not None:
            position = server.position.get(query.marker)
            if position is None:
                raise nova_error(400, f"Marker {query.marker} could not be found.")
            start = position + 1
        limit = self._page_limit(query.limit)
        page = [action for action in actions[start:] if query.selects(action)][:limit]
        body: dict[str, Any] = {"instanceActions": [self._action_view(action, microversion)
                                                    for action in page]}
        if page and len(page) == limit:
            # Nova links every full page, even when nothing follows.
            body["links"] = next_link(context, f"/v2.1/{quote(project_id, safe='')}/servers/"
                                               f"{quote(server_id, safe='')}/os-instance-actions",
                                      page[-1].request_id)
        return json_response(body)

    def action_show(self, context: RequestContext, project_id: str, server_id: str,
                    request_id: str) -> Response:
        token = self._caller(context, project_id)
        microversion = context.microversion or MIN_MICROVERSION
        server = self._server(token, server_id, read_deleted=microversion >= (2, 21))
        self._policy(token, "os_compute_api:os-instance-actions:show")
        action = self.store.action(server, request_id, self.clock.now())
        if action is None:
            raise nova_error(404, f"Action {request_id} not found")
        view = self._action_view(action, microversion)
        if token.is_admin or microversion >= (2, 51):
            project = action.project_id or server.project_id
            newest_first = sorted(enumerate(action.events), reverse=True,
                                  key=lambda item: (item[1].start_time or "", item[0]))
            view["events"] = [self._event_view(event, microversion, token.is_admin, project)
                              for _, event in newest_first]
        return json_response({"instanceAction": view})

    def _action_view(self, action: ActionRecord, microversion: Version) -> dict[str, Any]:
        view = {field: getattr(action, field) for field in NOVA_ACTION_FIELDS}
        if microversion >= (2, 58):
            view["updated_at"] = action.updated_at
        return view

    def _event_view(self, event: EventRecord, microversion: Version, admin: bool,
                    project_id: str) -> dict[str, Any]:
        view: dict[str, Any] = {"event": event.event, "start_time": event.start_time,
                                "finish_time": event.finish_time, "result": event.result}
        if admin:
            view["traceback"] = event.traceback
        if admin and microversion >= (2, 62):
            view["host"] = event.host
        if microversion >= (2, 62):
            view["hostId"] = event.host_id if event.host_id is not None else \
                host_id(project_id, event.host)
        if admin and microversion >= (2, 84):
            view["details"] = event.details
        return view

    # -- checks, in Nova's order -------------------------------------------------
    def _caller(self, context: RequestContext, project_id: str) -> Token:
        """The token (401), the microversion (400/406), the URL's project (400).

        Nova's ``wsgi.Resource`` compares the URL's project with the token's
        and answers 400 ``badRequest`` (not 403) when they differ.
        """
        token = self.tokens.valid(context.request.headers.get("X-Auth-Token"))
        if token is None:
            raise compute_unauthorized(context.base_url)
        context.microversion = requested_microversion(context.request.headers,
                                                      self.max_version)
        if token.project_id is None or token.project_id != project_id:
            raise nova_error(400, f"Malformed request URL: URL's project_id '{project_id}' "
                                  f"doesn't match Context's project_id '{token.project_id}'")
        return token

    def _policy(self, token: Token, rule: str) -> None:
        if not READ_ROLES.intersection(token.roles):
            raise nova_error(403, f"Policy doesn't allow {rule} to be performed.")

    def _server(self, token: Token, server_id: str, read_deleted: bool = False) -> ServerRecord:
        server = self.store.servers.get(server_id)
        if (server is None or (server.deleted and not read_deleted)
                or (not token.is_admin and server.project_id != token.project_id)):
            raise nova_error(404, f"Instance {server_id} could not be found.")
        return server
