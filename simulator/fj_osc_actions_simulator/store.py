"""The simulator's in-memory data: loading a data file, and the indexed store.

Data file format (JSON or YAML, the structure of
:func:`fj_osc_actions_simulator.seed.seed_data`)::

    domains:                      # the FJcloud-O contract number is the domain
      - {id: d0000000000000000000000000000001, name: C0000000001}
    projects:
      - {id: 6f70656e737461636b20342065766572, name: demo-project,
         domain_id: d0000000000000000000000000000001}
    users:
      - id: demo                  # Keystone user id (what actions carry)
        name: demo
        domain_id: d0000000000000000000000000000001
        password: demo-secret
        roles:                    # project id -> role names
          6f70656e737461636b20342065766572: [member]
    servers:
      - id: c8f5e4b2-3a1d-4f6e-9b7a-2d4c6e8f0a11
        name: web-01
        project_id: 6f70656e737461636b20342065766572
        user_id: demo
        status: ACTIVE            # optional, default ACTIVE
        created: "2025-06-02T09:00:00Z"     # optional
        updated: "2025-06-02T11:00:12Z"     # optional
        host: compute-1           # optional, default compute-1
        deleted: false            # optional; true = soft-deleted (2.21+)
        actions:                  # any order; served newest first
          - action: reboot
            request_id: req-00000004-0000-4000-8000-000000000004
            user_id: demo         # may be null (periodic tasks)
            project_id: 6f70656e737461636b20342065766572   # may be null
            start_time: "2025-06-02T10:30:00.000000"
            updated_at: "2025-06-02T10:30:19.000000"       # optional
            message: Error        # null unless the action failed
            events:
              - event: compute_reboot_instance
                start_time: "2025-06-02T10:30:12.000000"
                finish_time: "2025-06-02T10:30:19.000000"  # null = running
                result: Error                              # null = running
                traceback: "..."  # optional, default null
                host: compute-1   # optional, default the server's host
                hostId: "..."     # optional, default like Nova: sha224 of
                                  # (action project_id or server's) + host
                details: "..."    # optional, default null

An action may instead be *running*: it starts when the simulator starts (or
when :meth:`Store.restart_running_actions` is called) and ends some seconds
later by the simulator's clock; its own times are then ignored::

          - action: resize
            request_id: req-00000090-0000-4000-8000-000000000090
            user_id: demo
            project_id: 6f70656e737461636b20342065766572
            running:
              seconds: 6            # how long it runs
              result: Success       # how its events end by default: Success or Error
              task_state: resize_migrating  # the server's OS-EXT-STS:task_state meanwhile
              status_after: VERIFY_RESIZE   # optional: the server's status once it has ended
            events:                 # each runs from ``start`` to ``finish`` seconds
              - event: conductor_migrate_server  # after the action started (default:
                start: 0                         # 0 and the action's end), and ends
                finish: 1.2                      # with ``result`` (default: the
              - event: compute_prep_resize       # action's); details and traceback
                start: 1.5                       # are shown once it has ended
                finish: 2.7

As Nova records them (``nova/db/main/api.py`` ``action_event_start`` and
``action_event_finish``): an event is listed from the moment it starts, with
no finish time and no result until it ends; the action's ``updated_at`` is
the last time one of its events started or finished (its start time before
that); its message becomes ``Error`` when an event ends with ``Error``; and
the server's task state is set until the action has ended, then cleared.
Nova lists an action's events newest first. A server's running actions are
its newest.

Only ``servers`` is required in a data file; missing ``domains``, ``projects``
and ``users`` are taken from the seed.  Actions need ``action`` and
``request_id``; ``instance_uuid`` is always the server's id.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import os
from typing import Any, Mapping, Union

from fj_osc_actions_simulator import contract, seed

DataSource = Union[None, Mapping[str, Any], str, "os.PathLike[str]"]  # a runtime alias


def load_file(path: str) -> Any:
    """Load a data file (``.json``, ``.yaml`` or ``.yml``)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if os.path.splitext(path)[1].lower() in (".yaml", ".yml"):
        import yaml
        return yaml.safe_load(text)
    return json.loads(text)


def parse_time(value: Any) -> datetime.datetime | None:
    """An ISO 8601 time as a naive UTC datetime; None if it is not one."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


def _nova_time(value: Any) -> str | None:
    """A time from a data file in Nova's form (strings are kept as written)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return seed.nova_time(parse_time(value) or value)
    return str(value)


@dataclasses.dataclass
class EventRecord:
    event: str | None
    start_time: str | None
    finish_time: str | None
    result: str | None
    traceback: str | None
    host: str | None
    #: None: computed per request, like Nova (see compute.host_id).
    host_id: str | None
    details: str | None
    #: Of a running action's event: when it starts and ends, in seconds after
    #: the action started (None: at the action's end), and how it ends
    #: (None: as the action does).
    run_start: float = 0.0
    run_finish: float | None = None
    run_result: str | None = None


@dataclasses.dataclass(frozen=True)
class Running:
    """How a running action runs (``running:`` in a data file)."""

    seconds: float
    result: str
    task_state: str | None
    status_after: str | None

    @classmethod
    def from_data(cls, data: Any) -> Running | None:
        if data is None:
            return None
        if not isinstance(data, Mapping) or float(data.get("seconds", -1)) < 0:
            raise ValueError("a running action needs running: {seconds: >= 0, ...}")
        result = data.get("result", "Success")
        if result not in ("Success", "Error"):
            raise ValueError("a running action ends with result Success or Error")
        return cls(float(data["seconds"]), result, data.get("task_state"),
                   data.get("status_after"))


@dataclasses.dataclass
class ActionRecord:
    action: str
    instance_uuid: str
    request_id: str
    user_id: str | None
    project_id: str | None
    start_time: str | None
    message: str | None
    updated_at: str | None
    events: list[EventRecord]
    #: start_time and updated_at parsed, for ordering and time filters.
    started: datetime.datetime
    updated: datetime.datetime
    running: Running | None = None

    def as_of(self, started_at: float, now: float) -> ActionRecord:
        """The action at ``now`` (epoch seconds), running ones started at ``started_at``."""
        if self.running is None:
            return self
        elapsed = now - started_at
        events, moments, failed = [], [0.0], False
        for event in self.events:
            if elapsed < event.run_start:
                continue  # not started yet: Nova has no row for it
            end = self.running.seconds if event.run_finish is None else event.run_finish
            ended = elapsed >= end
            result = (event.run_result or self.running.result) if ended else None
            failed = failed or result == "Error"
            moments += [event.run_start] + ([end] if ended else [])
            events.append(dataclasses.replace(
                event, start_time=epoch_time(started_at + event.run_start),
                finish_time=epoch_time(started_at + end) if ended else None, result=result,
                traceback=event.traceback if ended else None,
                details=event.details if ended else None))
        updated = started_at + max(moments)
        return dataclasses.replace(
            self, start_time=epoch_time(started_at), updated_at=epoch_time(updated),
            events=events, message="Error" if failed else None,
            started=_naive_utc(started_at), updated=_naive_utc(updated))

    def runs_at(self, started_at: float, now: float) -> bool:
        return self.running is not None and now < started_at + self.running.seconds


@dataclasses.dataclass
class ServerRecord:
    id: str
    name: str
    project_id: str
    user_id: str | None
    status: str
    created: str
    updated: str
    host: str
    deleted: bool
    metadata: dict[str, str]
    #: newest first, as Nova serves them (created_at desc, id desc).
    actions: list[ActionRecord]
    by_request_id: dict[str, ActionRecord]
    position: dict[str, int]


def _naive_utc(epoch: float) -> datetime.datetime:
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.replace(tzinfo=None)


def epoch_time(epoch: float) -> str:
    """Seconds since the epoch in Nova's action time format."""
    return seed.nova_time(_naive_utc(epoch))


def _event_record(data: Mapping[str, Any], server_host: str) -> EventRecord:
    run_finish = data.get("finish")
    return EventRecord(
        event=data.get("event"),
        start_time=_nova_time(data.get("start_time")),
        finish_time=_nova_time(data.get("finish_time")),
        result=data.get("result"),
        traceback=data.get("traceback"),
        host=data.get("host", server_host),
        host_id=data.get("hostId"),
        details=data.get("details"),
        run_start=float(data.get("start", 0.0)),
        run_finish=None if run_finish is None else float(run_finish),
        run_result=data.get("result"),
    )


def _action_record(data: Mapping[str, Any], server_id: str, server_host: str) -> ActionRecord:
    if "action" not in data or "request_id" not in data:
        raise ValueError("an action needs action and request_id")
    events = [_event_record(event, server_host) for event in data.get("events") or []]
    start_time = _nova_time(data.get("start_time"))
    updated_at = data.get("updated_at")
    if updated_at is None:
        times = [start_time] + [time for event in events
                                for time in (event.start_time, event.finish_time)]
        known = [time for time in times if time]
        updated_at = max(known) if known else None
    updated_at = _nova_time(updated_at)
    started = (parse_time(start_time) if start_time else None) or datetime.datetime.min
    return ActionRecord(
        action=data["action"], instance_uuid=server_id, request_id=data["request_id"],
        user_id=data.get("user_id"), project_id=data.get("project_id"),
        start_time=start_time, message=data.get("message"), updated_at=updated_at,
        events=events, started=started,
        updated=(parse_time(updated_at) if updated_at else None) or started,
        running=Running.from_data(data.get("running")))


def server_record(data: Mapping[str, Any]) -> ServerRecord:
    """A server of a data file, normalised and indexed."""
    if "id" not in data or "name" not in data or "project_id" not in data:
        raise ValueError("a server needs id, name and project_id")
    host = data.get("host", seed.DEFAULT_HOST)
    created = data.get("created", "2026-01-01T00:00:00Z")
    listed = [_action_record(action, data["id"], host) for action in data.get("actions") or []]
    # Nova orders by created_at desc, id desc: later in the file wins a tie;
    # running actions start with the simulator, after all the others.
    order = sorted(range(len(listed)), reverse=True, key=lambda index: (
        listed[index].running is not None, listed[index].started, index))
    actions = [listed[index] for index in order]
    return ServerRecord(
        id=data["id"], name=data["name"], project_id=data["project_id"],
        user_id=data.get("user_id"), status=data.get("status", "ACTIVE"),
        created=created, updated=data.get("updated", created), host=host,
        deleted=bool(data.get("deleted", False)), metadata=dict(data.get("metadata") or {}),
        actions=actions,
        by_request_id={action.request_id: action for action in actions},
        position={action.request_id: index for index, action in enumerate(actions)})


class Store:
    """The data, normalised and indexed; read-only once built (thread-safe to read).

    ``started_at`` (epoch seconds) is when the running actions started.
    """

    def __init__(self, data: Mapping[str, Any], started_at: float = 0.0) -> None:
        self.started_at = started_at
        base = seed.seed_data()
        data = copy.deepcopy(dict(data))
        self.domains, self.projects, self.users = (
            {entry["id"]: entry for entry in data.get(kind) or base[kind]}
            for kind in ("domains", "projects", "users"))
        self.servers: dict[str, ServerRecord] = {}
        for server in data.get("servers") or []:
            self.add_server(server)

    def add_server(self, data: Mapping[str, Any]) -> ServerRecord:
        record = server_record(data)
        self.servers[record.id] = record
        return record

    def restart_running_actions(self, now: float) -> int:
        """Start every running action again at ``now``; how many there are."""
        self.started_at = now
        return sum(action.running is not None for server in self.servers.values()
                   for action in server.actions)

    # running actions, as of a time
    def actions(self, server: ServerRecord, now: float) -> list[ActionRecord]:
        return [action.as_of(self.started_at, now) for action in server.actions]

    def action(self, server: ServerRecord, request_id: str, now: float) -> ActionRecord | None:
        action = server.by_request_id.get(request_id)
        return action.as_of(self.started_at, now) if action is not None else None

    def task_state(self, server: ServerRecord, now: float) -> str | None:
        """The task state of the server's running action (None: idle)."""
        return next((action.running.task_state for action in server.actions
                     if action.running is not None and action.runs_at(self.started_at, now)),
                    None)

    def status(self, server: ServerRecord, now: float) -> str:
        """The server's status, after the running actions that have ended."""
        ended = [action.running.status_after for action in server.actions
                 if action.running is not None and action.running.status_after
                 and not action.runs_at(self.started_at, now)]
        return ended[0] if ended else server.status

    # identity look-ups: ``ref`` is ``{"id": ...}`` or ``{"name": ..., "domain": ref}``
    def find_domain(self, ref: Any) -> dict[str, Any] | None:
        if not isinstance(ref, dict):
            return None
        if ref.get("id") is not None:
            return self.domains.get(ref["id"])
        return next((domain for domain in self.domains.values()
                     if domain["name"] == ref.get("name")), None)

    def find_user(self, ref: Any) -> dict[str, Any] | None:
        return self._find_in_domain(self.users, ref)

    def find_project(self, ref: Any) -> dict[str, Any] | None:
        return self._find_in_domain(self.projects, ref)

    def _find_in_domain(self, table: dict[str, dict[str, Any]],
                        ref: Any) -> dict[str, Any] | None:
        if not isinstance(ref, dict):
            return None
        if ref.get("id") is not None:
            return table.get(ref["id"])
        domain = self.find_domain(ref.get("domain"))
        if domain is None:
            return None
        return next((entry for entry in table.values()
                     if entry["name"] == ref.get("name") and entry["domain_id"] == domain["id"]),
                    None)

    def domain_name(self, domain_id: str) -> str:
        return self.domains.get(domain_id, {}).get("name", domain_id)


def read_data(source: DataSource, running_seconds: float = seed.RUNNING_SECONDS,
              servers: int = 0, now: float = 0.0, projects: int = 0,
              project_servers: int = contract.DEFAULT_SERVERS) -> dict[str, Any]:
    """The data of None (the seed), a mapping, or a data file's path, plus
    a fleet of ``servers`` generated servers (dated relative to ``now``),
    plus a contract of ``projects`` projects (:mod:`.contract`)."""
    data = _source_data(source, running_seconds)
    if servers > 0:
        data["servers"] = list(data.get("servers") or []) + seed.fleet_servers(servers, now)
    if projects > 0:
        contract.add_contract(data, projects, project_servers, now)
    return data


def _source_data(source: DataSource, running_seconds: float) -> dict[str, Any]:
    if source is None:
        return seed.seed_data(running_seconds)
    if isinstance(source, (str, os.PathLike)):
        source = load_file(os.fspath(source))
    if not isinstance(source, Mapping):
        raise ValueError("simulator data must be a mapping")
    return dict(source)


def build_store(source: DataSource = None, bulk_actions: int = 0, servers: int = 0,
                running_seconds: float = seed.RUNNING_SECONDS, now: float = 0.0,
                projects: int = 0, project_servers: int = contract.DEFAULT_SERVERS) -> Store:
    """A :class:`Store` of the seed, a mapping or a data file, plus the extras asked;
    ``now`` is when its running actions start, and what the fleet's and the
    contract's dates are relative to."""
    store = Store(read_data(source, running_seconds, servers, now, projects, project_servers),
                  started_at=now)
    if bulk_actions > 0:
        store.add_server(seed.bulk_server(int(bulk_actions)))
    return store
