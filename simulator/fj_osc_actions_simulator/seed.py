"""The seeded demo data, and the names and IDs that tests and tools use.

Everything here is plain data in the data-file format of
:mod:`fj_osc_actions_simulator.store`; import the constants rather than
retyping an ID or a password.
"""

from __future__ import annotations

import datetime
from typing import Any

DOMAIN_ID = "d0000000000000000000000000000001"
#: The user and project domain: on FJcloud-O, the contract number.
DOMAIN_NAME = "C0000000001"
PROJECT_ID = "6f70656e737461636b20342065766572"
PROJECT_NAME = "demo-project"
OTHER_PROJECT_ID = "0f7e0e1f2a3b4c5d6e7f8091a2b3c4d5"
OTHER_PROJECT_NAME = "other-project"
#: The simulator's regions (both served by the same process).
REGIONS = ("jp-east-3", "jp-west-3")
REGION = REGIONS[0]

#: Seeded users and their passwords.
PASSWORDS = {
    "admin": "admin-secret",
    "demo": "demo-secret",
    "other": "other-secret",
    "guest": "guest-secret",
}

WEB_01 = "c8f5e4b2-3a1d-4f6e-9b7a-2d4c6e8f0a11"
OLD_01 = "d9a6f5c3-4b2e-4a7f-8c8b-3e5d7f9a1b22"
DB_01 = "e1b7a6d4-5c3f-4b80-9d9c-4f6e8a0b2c33"
APP_A = "f2c8b7e5-6d4a-4c91-8ead-5a7f9b1c3d44"
APP_B = "a3d9c8f6-7e5b-4da2-9fbe-6b8a0c2d4e55"
OTHER_01 = "b4eadf07-8f6c-4eb3-8acf-7c9b1d3e5f66"
BULK_01 = "b0000000-0000-4000-8000-00000000b001"
#: Servers with an action running when the simulator starts (see below).
WEB_02 = "c9a7e5b3-4b2e-4f70-8c1a-3e5f7a9b1c02"
WEB_03 = "d0b8f6c4-5c3f-4a81-9d2b-4f6a8b0c2d03"
BATCH_01 = "e2c9a7d5-6d4a-4b92-8e3c-5a7b9c1d3e04"
DB_02 = "f3dab8e6-7e5b-4ca3-9f4d-6b8c0d2e4f05"

#: How long the running reboots of web-02 and web-03 last by default (seconds).
RUNNING_SECONDS = 3.0
#: How long the running snapshot of batch-01 lasts (seconds).
LONG_RUNNING_SECONDS = 3600.0

DEFAULT_HOST = "compute-1"


def request_id(number: int) -> str:
    """The seed's request ID number ``number``: ``req-000000NN-...-0000000000NN``."""
    return f"req-{number:08d}-0000-4000-8000-{number:012d}"


#: web-01's actions, newest first.
WEB_01_REQUESTS = tuple(request_id(number) for number in range(6, 0, -1))
#: web-01: a failed reboot, with a traceback and details.
FAILED_REBOOT_REQUEST = request_id(4)
#: web-01: a snapshot whose event never finished, and the server has no task
#: state: an *orphaned* event, as Nova leaves one when nova-compute restarts
#: in the middle of an operation (the task state is cleared at its start-up,
#: the event row is not finished). ``--wait`` on it waits until its timeout.
RUNNING_SNAPSHOT_REQUEST = request_id(6)
#: web-01: an action started by the cloud (user and project null).
CLOUD_STOP_REQUEST = request_id(2)
#: old-01 (deleted): its delete action.
DELETE_REQUEST = request_id(12)
#: db-01: a failed live migration.
FAILED_MIGRATION_REQUEST = request_id(28)
#: db-01: a reboot whose event was retried under the same name, as Nova
#: records it (message "Error"; the first event Success with the first
#: attempt's traceback, the retry's event without finish time).
RETRIED_REBOOT_REQUEST = request_id(33)
#: web-02: a reboot running when the simulator starts; it succeeds after
#: RUNNING_SECONDS (task state "rebooting" meanwhile).
RUNNING_REBOOT_REQUEST = request_id(82)
#: web-03: a reboot running when the simulator starts; it fails after
#: RUNNING_SECONDS (message and event result "Error", details and traceback;
#: the server's status becomes ERROR).
FAILING_REBOOT_REQUEST = request_id(84)
#: batch-01: a snapshot running for LONG_RUNNING_SECONDS (task state
#: "image_uploading"): a busy server, whose older actions have ended.
LONG_SNAPSHOT_REQUEST = request_id(86)
#: batch-01's create (finished) and a reboot that failed before the snapshot.
BATCH_CREATE_REQUEST = request_id(85)
BATCH_FAILED_REBOOT_REQUEST = request_id(87)
#: db-02: a live migration whose pre-check failed: two Error events, the
#: newer compute event with the details and the conductor event wrapping it.
PRECHECK_FAILED_REQUEST = request_id(89)
#: db-02: a resize running when the simulator starts (task state
#: "resize_migrating"), its four events one after another over
#: 2 x RUNNING_SECONDS; the server is VERIFY_RESIZE once it has ended.
RUNNING_RESIZE_REQUEST = request_id(90)
RESIZE_EVENTS = ("conductor_migrate_server", "compute_prep_resize",
                 "compute_resize_instance", "compute_finish_resize")
PRECHECK_DETAILS = ("Migration pre-check error: Unable to migrate "
                    "e2c9a7d5: the destination compute-3 has not enough memory "
                    "(seeded failure)")
PRECHECK_TRACEBACK = (
    "Traceback (most recent call last):\n"
    "  File \"/usr/lib/python3/dist-packages/nova/conductor/tasks/live_migrate.py\","
    " line 383, in _check_requested_destination\n"
    "nova.exception.MigrationPreCheckError: Migration pre-check error: not enough memory\n"
)
CONDUCTOR_TRACEBACK = (
    "Traceback (most recent call last):\n"
    "  File \"/usr/lib/python3/dist-packages/nova/conductor/manager.py\","
    " line 528, in _live_migrate\n"
    "    task.execute()\n"
    "nova.exception.MigrationPreCheckError: Migration pre-check error: not enough memory\n"
)

TRACEBACK = (
    '  File "/usr/lib/python3/dist-packages/nova/compute/utils.py", line 1483,'
    ' in decorated_function\n'
    '    return function(self, context, *args, **kwargs)\n'
    '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n'
    '  File "/usr/lib/python3/dist-packages/nova/tests/seed.py", line 197,'
    ' in reboot_instance\n'
    "    self._driver(instance, 'reboot')\n"
    '  File "/usr/lib/python3/dist-packages/nova/tests/seed.py", line 181,'
    ' in _driver\n'
    '    raise self.error\n'
)
REBOOT_DETAILS = ("Failed to reboot instance: Timed out waiting for the guest "
                  "to shut down (seeded failure)")

MIGRATION_TRACEBACK = (
    'Traceback (most recent call last):\n'
    '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py",'
    ' line 8921, in _do_live_migration\n'
    '    self.compute_rpcapi.pre_live_migration(\n'
    '  File "/usr/lib/python3/dist-packages/oslo_messaging/rpc/client.py",'
    ' line 190, in call\n'
    '    result = self.transport._send(\n'
    'oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a '
    'reply to message ID 4c1f0e2a9b7d4e6f8a3c5b1d2e4f6a8b\n'
)
LOCK_TRACEBACK = (
    "Traceback (most recent call last):\n"
    "  File \"/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py\","
    " line 3901, in _hard_reboot\n"
    "libvirt.libvirtError: Timed out during operation: cannot acquire "
    "state change lock\n"
)

Action = dict[str, Any]
Event = dict[str, Any]


def event(name: str, start: str, finish: str | None, result: str | None = "Success",
          traceback: str | None = None, details: str | None = None,
          host: str | None = None) -> Event:
    """One event; ``finish`` None means still running (and no result)."""
    record: Event = {"event": name, "start_time": start, "finish_time": finish,
                     "result": result if finish is not None else None,
                     "traceback": traceback, "details": details}
    if host is not None:
        record["host"] = host
    return record


def action(name: str, number: int, start: str, updated: str, events: list[Event],
           user: str | None = "demo", project_id: str | None = PROJECT_ID,
           message: str | None = None) -> Action:
    """One action; a null ``user`` (started by the cloud) has no project either."""
    return {"action": name, "request_id": request_id(number), "user_id": user,
            "project_id": project_id if user else None, "start_time": start,
            "updated_at": updated, "message": message, "events": events}


def _web01_actions() -> list[Action]:
    def at(clock_time: str) -> str:
        return f"2025-06-02T{clock_time}.000000"

    return [
        action("create", 1, at("09:00:00"), at("09:00:37"), [
            event("compute__do_build_and_run_instance", at("09:00:05"), at("09:00:37"))]),
        action("stop", 2, at("10:00:00"), at("10:00:19"), [
            event("compute_stop_instance", at("10:00:12"), at("10:00:19"))], user=None),
        action("start", 3, at("10:15:00"), at("10:15:19"), [
            event("compute_start_instance", at("10:15:12"), at("10:15:19"))]),
        action("reboot", 4, at("10:30:00"), at("10:30:19"), [
            event("compute_reboot_instance", at("10:30:12"), at("10:30:19"), "Error",
                  traceback=TRACEBACK, details=REBOOT_DETAILS)], message="Error"),
        action("reboot", 5, at("10:35:00"), at("10:35:19"), [
            event("compute_reboot_instance", at("10:35:12"), at("10:35:19"))],
            user="admin"),
        action("createImage", 6, at("11:00:00"), at("11:00:12"), [
            event("compute_snapshot_instance", at("11:00:12"), None, None)]),
    ]


def _old01_actions() -> list[Action]:
    return [
        action("create", 11, "2025-06-01T08:00:00.000000", "2025-06-01T08:00:41.000000", [
            event("compute__do_build_and_run_instance", "2025-06-01T08:00:06.000000",
                  "2025-06-01T08:00:41.000000")]),
        action("delete", 12, "2025-06-02T12:50:00.000000", "2025-06-02T12:50:19.000000", [
            event("compute_terminate_instance", "2025-06-02T12:50:12.000000",
                  "2025-06-02T12:50:19.000000")]),
    ]


def _db01_actions() -> list[Action]:
    """20 actions on db-01 in January 2026, request IDs 21 to 40."""
    def jan(day: int, clock_time: str) -> str:
        return f"2026-01-{day:02d}T{clock_time}.000000"

    actions: list[Action] = []

    def add(name: str, day: int, start: str, updated: str, events: list[Event],
            user: str | None = "demo", message: str | None = None) -> None:
        actions.append(action(name, 21 + len(actions), jan(day, start), jan(day, updated),
                              events, user=user, message=message))

    add("create", 5, "09:00:00", "09:01:02", [
        event("conductor_schedule_and_build_instances", jan(5, "09:00:01"),
              jan(5, "09:00:04"), host="controller-1"),
        event("compute__do_build_and_run_instance", jan(5, "09:00:06"), jan(5, "09:01:02"))])
    add("stop", 6, "18:00:00", "18:00:21", [
        event("compute_stop_instance", jan(6, "18:00:09"), jan(6, "18:00:21"))])
    add("start", 7, "08:30:00", "08:30:17", [
        event("compute_start_instance", jan(7, "08:30:06"), jan(7, "08:30:17"))])
    add("resize", 8, "10:00:00", "10:02:31", [
        event("cold_migrate", jan(8, "10:00:01"), jan(8, "10:00:03"), host="controller-1"),
        event("conductor_migrate_server", jan(8, "10:00:01"), jan(8, "10:00:05"),
              host="controller-1"),
        event("compute_prep_resize", jan(8, "10:00:06"), jan(8, "10:00:09"), host="compute-2"),
        event("compute_resize_instance", jan(8, "10:00:10"), jan(8, "10:01:40")),
        event("compute_finish_resize", jan(8, "10:01:41"), jan(8, "10:02:31"),
              host="compute-2")], user="admin")
    add("confirmResize", 8, "10:30:00", "10:30:08", [
        event("compute_confirm_resize", jan(8, "10:30:02"), jan(8, "10:30:08"))],
        user="admin")
    add("migrate", 9, "02:00:00", "02:03:12", [
        event("cold_migrate", jan(9, "02:00:01"), jan(9, "02:00:03"), host="controller-1"),
        event("compute_prep_resize", jan(9, "02:00:04"), jan(9, "02:00:07"), host="compute-1"),
        event("compute_resize_instance", jan(9, "02:00:08"), jan(9, "02:02:30"),
              host="compute-2"),
        event("compute_finish_resize", jan(9, "02:02:31"), jan(9, "02:03:12"),
              host="compute-1")], user="admin")
    add("confirmResize", 9, "02:10:00", "02:10:05", [
        event("compute_confirm_resize", jan(9, "02:10:01"), jan(9, "02:10:05"),
              host="compute-2")], user=None)
    add("live-migration", 10, "03:00:00", "03:01:30", [
        event("conductor_live_migrate_instance", jan(10, "03:00:01"), jan(10, "03:00:20"),
              host="controller-1"),
        event("compute_check_can_live_migrate_destination", jan(10, "03:00:02"),
              jan(10, "03:00:05"), host="compute-2"),
        event("compute_live_migration", jan(10, "03:00:21"), jan(10, "03:01:30"), "Error",
              traceback=MIGRATION_TRACEBACK,
              details="Live migration failed: MessagingTimeout (seeded failure)")],
        user="admin", message="Error")
    add("live-migration", 10, "03:15:00", "03:16:44", [
        event("conductor_live_migrate_instance", jan(10, "03:15:01"), jan(10, "03:15:22"),
              host="controller-1"),
        event("compute_check_can_live_migrate_destination", jan(10, "03:15:02"),
              jan(10, "03:15:04"), host="compute-3"),
        event("compute_pre_live_migration", jan(10, "03:15:05"), jan(10, "03:15:20"),
              host="compute-3"),
        event("compute_live_migration", jan(10, "03:15:21"), jan(10, "03:16:44"))],
        user="admin")
    add("stop", 12, "20:00:00", "20:00:18", [
        event("compute_stop_instance", jan(12, "20:00:06"), jan(12, "20:00:18"),
              host="compute-3")])
    add("start", 13, "07:45:00", "07:45:16", [
        event("compute_start_instance", jan(13, "07:45:05"), jan(13, "07:45:16"),
              host="compute-3")])
    add("rebuild", 14, "11:00:00", "11:02:05", [
        event("rebuild_server", jan(14, "11:00:01"), jan(14, "11:00:02"), host="controller-1"),
        event("compute_rebuild_instance", jan(14, "11:00:05"), jan(14, "11:02:05"),
              host="compute-3")])
    # An internal retry: the same event name twice, as Nova records it. The
    # first attempt failed at 09:00:33 (message "Error", which stays); the
    # retry started at 09:00:40 as a new event row, and its finish at
    # 09:01:10 updated the *first* row of that name (Nova's event_finish):
    # the first event shows Success with the retry's finish time and keeps
    # the first attempt's traceback, and the retry's own row never finishes.
    add("reboot", 15, "09:00:00", "09:01:10", [
        event("compute_reboot_instance", jan(15, "09:00:03"), jan(15, "09:01:10"),
              traceback=LOCK_TRACEBACK, host="compute-3"),
        event("compute_reboot_instance", jan(15, "09:00:40"), None, host="compute-3")],
        message="Error")
    for name, event_name, day, start, updated, event_start in (
            ("pause", "compute_pause_instance", 16, "14:00:00", "14:00:04", "14:00:01"),
            ("unpause", "compute_unpause_instance", 16, "14:20:00", "14:20:03", "14:20:01"),
            ("attach_volume", "compute_attach_volume", 17, "10:00:00", "10:00:12", "10:00:02"),
            ("createImage", "compute_snapshot_instance", 18, "01:00:00", "01:04:40",
             "01:00:03"),
            ("detach_volume", "compute_detach_volume", 19, "10:00:00", "10:00:09", "10:00:02"),
            ("suspend", "compute_suspend_instance", 20, "22:00:00", "22:00:30", "22:00:05"),
            ("resume", "compute_resume_instance", 21, "06:00:00", "06:00:25", "06:00:04")):
        add(name, day, start, updated, [
            event(event_name, jan(day, event_start), jan(day, updated), host="compute-3")],
            user=None if name == "createImage" else "demo")
    return actions


def _simple_actions(first_number: int, project_id: str, user: str, day: int, host: str,
                    later: tuple[tuple[str, str], ...] = ()) -> list[Action]:
    """A create on 2026-02-``day`` at 09:00, then one action an hour per ``later``."""
    def feb(hour: int, clock_time: str) -> str:
        return f"2026-02-{day:02d}T{hour:02d}:{clock_time}.000000"

    actions = [action("create", first_number, feb(9, "00:00"), feb(9, "00:45"), [
        event("compute__do_build_and_run_instance", feb(9, "00:05"), feb(9, "00:45"),
              host=host)], user=user, project_id=project_id)]
    for offset, (name, event_name) in enumerate(later, start=1):
        hour = 10 + offset
        actions.append(action(name, first_number + offset, feb(hour, "00:00"),
                              feb(hour, "00:20"), [
                                  event(event_name, feb(hour, "00:05"), feb(hour, "00:20"),
                                        host=host)],
                              user=user, project_id=project_id))
    return actions


def _running_server(server_id: str, name: str, day: int, first_number: int, running: Action,
                    **extra: Any) -> dict[str, Any]:
    """A server created on 2026-02-``day`` with ``running`` as its newest action."""
    create = _simple_actions(first_number, PROJECT_ID, "demo", day, "compute-2")
    return _server(server_id, name, "ACTIVE", f"2026-02-{day:02d}T09:00:00Z",
                   f"2026-02-{day:02d}T09:00:45Z", "compute-2", create + [running], **extra)


def _running_action(name: str, number: int, event_name: str, seconds: float,
                    task_state: str, failure: dict[str, str] | None = None) -> Action:
    """An action that runs from the simulator's start for ``seconds``."""
    running: dict[str, Any] = {"seconds": seconds, "result": "Error" if failure else "Success",
                               "task_state": task_state}
    if failure:
        running["status_after"] = "ERROR"
    return {"action": name, "request_id": request_id(number), "user_id": "demo",
            "project_id": PROJECT_ID, "message": None, "running": running,
            "events": [{"event": event_name, **(failure or {})}]}


def _running_servers(seconds: float) -> list[dict[str, Any]]:
    batch = _running_server(BATCH_01, "batch-01", 22, 85, _running_action(
        "createImage", 86, "compute_snapshot_instance", LONG_RUNNING_SECONDS,
        "image_uploading"))
    failed_reboot = event("compute_reboot_instance", "2026-02-22T10:00:12.000000",
                          "2026-02-22T10:00:19.000000", "Error", traceback=TRACEBACK,
                          details=REBOOT_DETAILS)
    batch["actions"].insert(1, action("reboot", 87, "2026-02-22T10:00:00.000000",
                                      "2026-02-22T10:00:19.000000", [failed_reboot],
                                      message="Error"))
    return [
        _running_server(WEB_02, "web-02", 20, 81, _running_action(
            "reboot", 82, "compute_reboot_instance", seconds, "rebooting")),
        _running_server(WEB_03, "web-03", 21, 83, _running_action(
            "reboot", 84, "compute_reboot_instance", seconds, "rebooting",
            {"traceback": TRACEBACK, "details": REBOOT_DETAILS})),
        batch,
        _db02(seconds),
    ]


def _db02(seconds: float) -> dict[str, Any]:
    """A busy server (a resize running) with an older create and an older
    failed live migration."""
    server = _running_server(DB_02, "db-02", 23, 88, _running_resize(seconds))
    day = "2026-02-23T"
    events = [
        event("conductor_live_migrate_instance", day + "10:00:01.000000",
              day + "10:00:04.000000", "Error", traceback=CONDUCTOR_TRACEBACK,
              details=PRECHECK_DETAILS, host="controller-1"),
        event("compute_check_can_live_migrate_destination", day + "10:00:02.000000",
              day + "10:00:04.000000", "Error", traceback=PRECHECK_TRACEBACK,
              details=PRECHECK_DETAILS, host="compute-3")]
    server["actions"].insert(1, action("live-migration", 89, day + "10:00:00.000000",
                                       day + "10:00:04.000000", events, user="admin",
                                       message="Error"))
    return server


def _running_resize(seconds: float) -> Action:
    """A resize over 2 x ``seconds``: four events one after another."""
    total = 2 * seconds
    spans = ((0.0, 0.2), (0.25, 0.45), (0.5, 0.8), (0.85, 1.0))
    hosts = ("controller-1", "compute-3", "compute-2", "compute-3")
    return {"action": "resize", "request_id": request_id(90), "user_id": "admin",
            "project_id": PROJECT_ID, "message": None,
            "running": {"seconds": total, "result": "Success",
                        "task_state": "resize_migrating", "status_after": "VERIFY_RESIZE"},
            "events": [{"event": name, "start": begin * total, "finish": end * total,
                        "host": host}
                       for name, (begin, end), host in zip(RESIZE_EVENTS, spans, hosts)]}


def _user(name: str, roles: dict[str, list[str]]) -> dict[str, Any]:
    return {"id": name, "name": name, "domain_id": DOMAIN_ID, "password": PASSWORDS[name],
            "roles": roles}


def _server(server_id: str, name: str, status: str, created: str, updated: str, host: str,
            actions: list[Action], project_id: str = PROJECT_ID, user: str = "demo",
            **extra: Any) -> dict[str, Any]:
    return {"id": server_id, "name": name, "project_id": project_id, "user_id": user,
            "status": status, **extra, "created": created, "updated": updated, "host": host,
            "actions": actions}


def seed_data(running_seconds: float = RUNNING_SECONDS) -> dict[str, Any]:
    """A fresh copy of the deterministic demo data (``running_seconds``: how
    long the running reboots of web-02 and web-03 last)."""
    return {
        "domains": [{"id": DOMAIN_ID, "name": DOMAIN_NAME}],
        "projects": [
            {"id": PROJECT_ID, "name": PROJECT_NAME, "domain_id": DOMAIN_ID},
            {"id": OTHER_PROJECT_ID, "name": OTHER_PROJECT_NAME, "domain_id": DOMAIN_ID},
        ],
        "users": [
            _user("admin", {PROJECT_ID: ["admin", "member", "reader"]}),
            _user("demo", {PROJECT_ID: ["member", "reader"]}),
            _user("other", {OTHER_PROJECT_ID: ["member", "reader"]}),
            # a role Nova's default policy does not know: 403 on compute
            _user("guest", {PROJECT_ID: ["guest"]}),
        ],
        "servers": [
            _server(WEB_01, "web-01", "ACTIVE", "2025-06-02T09:00:00Z",
                    "2025-06-02T11:00:12Z", DEFAULT_HOST, _web01_actions()),
            _server(DB_01, "db-01", "SUSPENDED", "2026-01-05T09:00:00Z",
                    "2026-01-21T06:00:25Z", "compute-3", _db01_actions()),
            _server(APP_A, "app", "ACTIVE", "2026-02-03T09:00:00Z", "2026-02-03T11:00:20Z",
                    "compute-2", _simple_actions(51, PROJECT_ID, "demo", 3, "compute-2",
                                                 (("stop", "compute_stop_instance"),))),
            _server(APP_B, "app", "ACTIVE", "2026-02-04T09:00:00Z", "2026-02-04T11:00:20Z",
                    "compute-1", _simple_actions(61, PROJECT_ID, "demo", 4, "compute-1",
                                                 (("reboot", "compute_reboot_instance"),))),
            _server(OLD_01, "old-01", "DELETED", "2025-06-01T08:00:00Z",
                    "2025-06-02T12:50:19Z", DEFAULT_HOST, _old01_actions(), deleted=True),
            _server(OTHER_01, "other-01", "ACTIVE", "2026-02-10T09:00:00Z",
                    "2026-02-10T11:00:20Z", "compute-2",
                    _simple_actions(71, OTHER_PROJECT_ID, "other", 10, "compute-2",
                                    (("stop", "compute_stop_instance"),)),
                    project_id=OTHER_PROJECT_ID, user="other"),
            *_running_servers(running_seconds),
        ],
    }


def bulk_server(count: int, project_id: str = PROJECT_ID) -> dict[str, Any]:
    """Server ``bulk-01`` with ``count`` generated actions (for benchmarks).

    Request IDs are ``req-b0000001-0000-4000-8000-000000000001`` ... (the
    number in both places), one minute apart from 2026-03-01T00:00:00.
    """
    base = datetime.datetime(2026, 3, 1)
    kinds = (("reboot", "compute_reboot_instance"),
             ("stop", "compute_stop_instance"),
             ("start", "compute_start_instance"))
    actions = []
    for number in range(1, count + 1):
        started = base + datetime.timedelta(minutes=number)
        if number == 1:
            name, event_name = "create", "compute__do_build_and_run_instance"
        else:
            name, event_name = kinds[number % 3]
        done = nova_time(started + datetime.timedelta(seconds=9))
        actions.append({
            "action": name,
            "request_id": f"req-b{number:07d}-0000-4000-8000-{number:012d}",
            "user_id": "demo", "project_id": project_id, "start_time": nova_time(started),
            "updated_at": done, "message": None,
            "events": [event(event_name, nova_time(started + datetime.timedelta(seconds=2)),
                             done)]})
    return {"id": BULK_01, "name": "bulk-01", "project_id": project_id, "user_id": "demo",
            "status": "ACTIVE", "created": "2026-03-01T00:00:00Z",
            "updated": "2026-03-01T00:00:00Z", "host": DEFAULT_HOST, "actions": actions}


def nova_time(moment: datetime.datetime) -> str:
    """Nova's action time format: ``2026-03-01T00:01:00.000000`` (UTC, naive)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


#: The fleet of ``--servers N``: server n (1 to N) had a failed action within
#: the last day when n % 7 == FLEET_RECENT_FAILURE, and one 3 days ago (and
#: none since) when n % 7 == FLEET_OLD_FAILURE; the others never failed.
FLEET_EVERY = 7
FLEET_RECENT_FAILURE = 0
FLEET_OLD_FAILURE = 3


def fleet_server_id(number: int) -> str:
    return f"f1ee7000-0000-4000-8000-{number:012d}"


def fleet_server_name(number: int) -> str:
    return f"fleet-{number:03d}"


def fleet_request_id(number: int, action_number: int) -> str:
    """Action 1 (create), 2 (the old live migration) or 3 (the recent reboot)."""
    return f"req-f{number:07d}-{action_number:04d}-4000-8000-{number:012d}"


def fleet_servers(count: int, now: float) -> list[dict[str, Any]]:
    """``count`` servers ``fleet-001``...; their times are relative to ``now``.

    Each has a ``create`` 10 days before ``now``, and a ``reboot`` between 6
    and 7 hours before ``now`` that failed when n % 7 == 0; when n % 7 == 3, a
    ``live-migration`` 3 days before ``now`` that failed.
    """
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).replace(tzinfo=None)
    servers = []
    for number in range(1, count + 1):
        host = f"compute-{number % 3 + 1}"
        created = moment - datetime.timedelta(days=10) + datetime.timedelta(seconds=number)
        actions = [_fleet_action(number, 1, "create", "compute__do_build_and_run_instance",
                                 created, failed=False)]
        if number % FLEET_EVERY == FLEET_OLD_FAILURE:
            actions.append(_fleet_action(
                number, 2, "live-migration", "compute_live_migration",
                moment - datetime.timedelta(days=3, seconds=number % 3600), failed=True,
                traceback=MIGRATION_TRACEBACK,
                details="Live migration failed: MessagingTimeout (fleet failure)"))
        actions.append(_fleet_action(
            number, 3, "reboot", "compute_reboot_instance",
            moment - datetime.timedelta(hours=6, seconds=number % 3600),
            failed=number % FLEET_EVERY == FLEET_RECENT_FAILURE, traceback=TRACEBACK,
            details=REBOOT_DETAILS.replace("seeded", "fleet")))
        servers.append({"id": fleet_server_id(number), "name": fleet_server_name(number),
                        "project_id": PROJECT_ID, "user_id": "demo", "status": "ACTIVE",
                        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "updated": created.strftime("%Y-%m-%dT%H:%M:%SZ"), "host": host,
                        "actions": actions})
    return servers


def _fleet_action(number: int, action_number: int, name: str, event_name: str,
                  started: datetime.datetime, failed: bool, traceback: str | None = None,
                  details: str | None = None) -> Action:
    finished = nova_time(started + datetime.timedelta(seconds=20))
    return {"action": name, "request_id": fleet_request_id(number, action_number),
            "user_id": "demo", "project_id": PROJECT_ID, "start_time": nova_time(started),
            "updated_at": finished, "message": "Error" if failed else None,
            "events": [event(event_name, nova_time(started + datetime.timedelta(seconds=2)),
                             finished, "Error" if failed else "Success",
                             traceback=traceback if failed else None,
                             details=details if failed else None)]}
