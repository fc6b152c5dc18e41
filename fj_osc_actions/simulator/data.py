"""Data model, seeded demo data and data-file loading for the simulator.

Data file format (JSON or YAML, same structure as :func:`seed_data`)::

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

Only ``servers`` is required in a data file; missing ``domains``, ``projects``
and ``users`` are taken from the seed.  Actions need ``action`` and
``request_id``; ``instance_uuid`` is always the server's id.
"""

import copy
import datetime
import hashlib
import json
import os

DOMAIN_ID = "d0000000000000000000000000000001"
DOMAIN_NAME = "C0000000001"
PROJECT_ID = "6f70656e737461636b20342065766572"
PROJECT_NAME = "demo-project"
OTHER_PROJECT_ID = "0f7e0e1f2a3b4c5d6e7f8091a2b3c4d5"
OTHER_PROJECT_NAME = "other-project"

WEB_01 = "c8f5e4b2-3a1d-4f6e-9b7a-2d4c6e8f0a11"
OLD_01 = "d9a6f5c3-4b2e-4a7f-8c8b-3e5d7f9a1b22"
DB_01 = "e1b7a6d4-5c3f-4b80-9d9c-4f6e8a0b2c33"
APP_A = "f2c8b7e5-6d4a-4c91-8ead-5a7f9b1c3d44"
APP_B = "a3d9c8f6-7e5b-4da2-9fbe-6b8a0c2d4e55"
OTHER_01 = "b4eadf07-8f6c-4eb3-8acf-7c9b1d3e5f66"
BULK_01 = "b0000000-0000-4000-8000-00000000b001"

HOST = "compute-1"

EVENT_FIELDS = ("event", "start_time", "finish_time", "result", "traceback",
                "host", "hostId", "details")

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


def host_id(project_id, host):
    """Nova's obfuscated hostId: sha224(project_id + host), '' without host."""
    if not host:
        return ""
    return hashlib.sha224(((project_id or "") + host).encode("utf-8")).hexdigest()


def _rid(n):
    return "req-%08d-0000-4000-8000-%012d" % (n, n)


def _ev(event, start, finish, result="Success", traceback=None, details=None,
        host=None):
    ev = {"event": event, "start_time": start, "finish_time": finish,
          "result": result if finish is not None else None,
          "traceback": traceback, "details": details}
    if host is not None:
        ev["host"] = host
    return ev


def _web01_actions():
    u, p = "demo", PROJECT_ID
    return [
        {"action": "create", "request_id": _rid(1), "user_id": u, "project_id": p,
         "start_time": "2025-06-02T09:00:00.000000",
         "updated_at": "2025-06-02T09:00:37.000000", "message": None,
         "events": [
             _ev("compute__do_build_and_run_instance", "2025-06-02T09:00:05.000000",
                 "2025-06-02T09:00:37.000000")]},
        {"action": "stop", "request_id": _rid(2), "user_id": None, "project_id": None,
         "start_time": "2025-06-02T10:00:00.000000",
         "updated_at": "2025-06-02T10:00:19.000000", "message": None,
         "events": [_ev("compute_stop_instance", "2025-06-02T10:00:12.000000",
                        "2025-06-02T10:00:19.000000")]},
        {"action": "start", "request_id": _rid(3), "user_id": u, "project_id": p,
         "start_time": "2025-06-02T10:15:00.000000",
         "updated_at": "2025-06-02T10:15:19.000000", "message": None,
         "events": [_ev("compute_start_instance", "2025-06-02T10:15:12.000000",
                        "2025-06-02T10:15:19.000000")]},
        {"action": "reboot", "request_id": _rid(4), "user_id": u, "project_id": p,
         "start_time": "2025-06-02T10:30:00.000000",
         "updated_at": "2025-06-02T10:30:19.000000", "message": "Error",
         "events": [_ev("compute_reboot_instance", "2025-06-02T10:30:12.000000",
                        "2025-06-02T10:30:19.000000", "Error",
                        traceback=TRACEBACK, details=REBOOT_DETAILS)]},
        {"action": "reboot", "request_id": _rid(5), "user_id": "admin",
         "project_id": p, "start_time": "2025-06-02T10:35:00.000000",
         "updated_at": "2025-06-02T10:35:19.000000", "message": None,
         "events": [_ev("compute_reboot_instance", "2025-06-02T10:35:12.000000",
                        "2025-06-02T10:35:19.000000")]},
        {"action": "createImage", "request_id": _rid(6), "user_id": u,
         "project_id": p, "start_time": "2025-06-02T11:00:00.000000",
         "updated_at": "2025-06-02T11:00:12.000000", "message": None,
         "events": [_ev("compute_snapshot_instance", "2025-06-02T11:00:12.000000",
                        None, None)]},
    ]


def _old01_actions():
    p = PROJECT_ID
    return [
        {"action": "create", "request_id": _rid(11), "user_id": "demo",
         "project_id": p, "start_time": "2025-06-01T08:00:00.000000",
         "updated_at": "2025-06-01T08:00:41.000000", "message": None,
         "events": [_ev("compute__do_build_and_run_instance",
                        "2025-06-01T08:00:06.000000", "2025-06-01T08:00:41.000000")]},
        {"action": "delete", "request_id": _rid(12), "user_id": "demo",
         "project_id": p, "start_time": "2025-06-02T12:50:00.000000",
         "updated_at": "2025-06-02T12:50:19.000000", "message": None,
         "events": [_ev("compute_terminate_instance", "2025-06-02T12:50:12.000000",
                        "2025-06-02T12:50:19.000000")]},
    ]


def _db01_actions():
    """~20 actions on db-01 (2026), request ids req-0000002N/3N..."""
    p = PROJECT_ID
    acts = []
    n = [20]

    def add(action, start, updated, events, user="demo", message=None):
        n[0] += 1
        acts.append({"action": action, "request_id": _rid(n[0]), "user_id": user,
                     "project_id": p if user else None, "start_time": start,
                     "updated_at": updated, "message": message, "events": events})

    d = "2026-01-%02dT%s.000000"
    add("create", d % (5, "09:00:00"), d % (5, "09:01:02"), [
        _ev("conductor_schedule_and_build_instances", d % (5, "09:00:01"),
            d % (5, "09:00:04"), host="controller-1"),
        _ev("compute__do_build_and_run_instance", d % (5, "09:00:06"),
            d % (5, "09:01:02"))])
    add("stop", d % (6, "18:00:00"), d % (6, "18:00:21"), [
        _ev("compute_stop_instance", d % (6, "18:00:09"), d % (6, "18:00:21"))])
    add("start", d % (7, "08:30:00"), d % (7, "08:30:17"), [
        _ev("compute_start_instance", d % (7, "08:30:06"), d % (7, "08:30:17"))])
    add("resize", d % (8, "10:00:00"), d % (8, "10:02:31"), [
        _ev("cold_migrate", d % (8, "10:00:01"), d % (8, "10:00:03"),
            host="controller-1"),
        _ev("conductor_migrate_server", d % (8, "10:00:01"), d % (8, "10:00:05"),
            host="controller-1"),
        _ev("compute_prep_resize", d % (8, "10:00:06"), d % (8, "10:00:09"),
            host="compute-2"),
        _ev("compute_resize_instance", d % (8, "10:00:10"), d % (8, "10:01:40")),
        _ev("compute_finish_resize", d % (8, "10:01:41"), d % (8, "10:02:31"),
            host="compute-2")], user="admin")
    add("confirmResize", d % (8, "10:30:00"), d % (8, "10:30:08"), [
        _ev("compute_confirm_resize", d % (8, "10:30:02"), d % (8, "10:30:08"))],
        user="admin")
    add("migrate", d % (9, "02:00:00"), d % (9, "02:03:12"), [
        _ev("cold_migrate", d % (9, "02:00:01"), d % (9, "02:00:03"),
            host="controller-1"),
        _ev("compute_prep_resize", d % (9, "02:00:04"), d % (9, "02:00:07"),
            host="compute-1"),
        _ev("compute_resize_instance", d % (9, "02:00:08"), d % (9, "02:02:30"),
            host="compute-2"),
        _ev("compute_finish_resize", d % (9, "02:02:31"), d % (9, "02:03:12"),
            host="compute-1")], user="admin")
    add("confirmResize", d % (9, "02:10:00"), d % (9, "02:10:05"), [
        _ev("compute_confirm_resize", d % (9, "02:10:01"), d % (9, "02:10:05"),
            host="compute-2")], user=None)
    add("live-migration", d % (10, "03:00:00"), d % (10, "03:01:30"), [
        _ev("conductor_live_migrate_instance", d % (10, "03:00:01"),
            d % (10, "03:00:20"), host="controller-1"),
        _ev("compute_check_can_live_migrate_destination", d % (10, "03:00:02"),
            d % (10, "03:00:05"), host="compute-2"),
        _ev("compute_live_migration", d % (10, "03:00:21"), d % (10, "03:01:30"),
            "Error", traceback=MIGRATION_TRACEBACK,
            details="Live migration failed: MessagingTimeout (seeded failure)")],
        user="admin", message="Error")
    add("live-migration", d % (10, "03:15:00"), d % (10, "03:16:44"), [
        _ev("conductor_live_migrate_instance", d % (10, "03:15:01"),
            d % (10, "03:15:22"), host="controller-1"),
        _ev("compute_check_can_live_migrate_destination", d % (10, "03:15:02"),
            d % (10, "03:15:04"), host="compute-3"),
        _ev("compute_pre_live_migration", d % (10, "03:15:05"),
            d % (10, "03:15:20"), host="compute-3"),
        _ev("compute_live_migration", d % (10, "03:15:21"), d % (10, "03:16:44"))],
        user="admin")
    add("stop", d % (12, "20:00:00"), d % (12, "20:00:18"), [
        _ev("compute_stop_instance", d % (12, "20:00:06"), d % (12, "20:00:18"),
            host="compute-3")])
    add("start", d % (13, "07:45:00"), d % (13, "07:45:16"), [
        _ev("compute_start_instance", d % (13, "07:45:05"), d % (13, "07:45:16"),
            host="compute-3")])
    add("rebuild", d % (14, "11:00:00"), d % (14, "11:02:05"), [
        _ev("rebuild_server", d % (14, "11:00:01"), d % (14, "11:00:02"),
            host="controller-1"),
        _ev("compute_rebuild_instance", d % (14, "11:00:05"), d % (14, "11:02:05"),
            host="compute-3")])
    # an internal retry: the same event name twice (reschedule)
    add("reboot", d % (15, "09:00:00"), d % (15, "09:01:10"), [
        _ev("compute_reboot_instance", d % (15, "09:00:03"), d % (15, "09:00:33"),
            "Error", traceback="Traceback (most recent call last):\n"
            "  File \"/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py\","
            " line 3901, in _hard_reboot\n"
            "libvirt.libvirtError: Timed out during operation: cannot acquire "
            "state change lock\n", host="compute-3"),
        _ev("compute_reboot_instance", d % (15, "09:00:40"), d % (15, "09:01:10"),
            host="compute-3")])
    add("pause", d % (16, "14:00:00"), d % (16, "14:00:04"), [
        _ev("compute_pause_instance", d % (16, "14:00:01"), d % (16, "14:00:04"),
            host="compute-3")])
    add("unpause", d % (16, "14:20:00"), d % (16, "14:20:03"), [
        _ev("compute_unpause_instance", d % (16, "14:20:01"), d % (16, "14:20:03"),
            host="compute-3")])
    add("attach_volume", d % (17, "10:00:00"), d % (17, "10:00:12"), [
        _ev("compute_attach_volume", d % (17, "10:00:02"), d % (17, "10:00:12"),
            host="compute-3")])
    add("createImage", d % (18, "01:00:00"), d % (18, "01:04:40"), [
        _ev("compute_snapshot_instance", d % (18, "01:00:03"), d % (18, "01:04:40"),
            host="compute-3")], user=None)
    add("detach_volume", d % (19, "10:00:00"), d % (19, "10:00:09"), [
        _ev("compute_detach_volume", d % (19, "10:00:02"), d % (19, "10:00:09"),
            host="compute-3")])
    add("suspend", d % (20, "22:00:00"), d % (20, "22:00:30"), [
        _ev("compute_suspend_instance", d % (20, "22:00:05"), d % (20, "22:00:30"),
            host="compute-3")])
    add("resume", d % (21, "06:00:00"), d % (21, "06:00:25"), [
        _ev("compute_resume_instance", d % (21, "06:00:04"), d % (21, "06:00:25"),
            host="compute-3")])
    return acts


def _simple_actions(first_rid, project_id, user, day, host, extra=()):
    acts = [{"action": "create", "request_id": _rid(first_rid), "user_id": user,
             "project_id": project_id,
             "start_time": "2026-02-%02dT09:00:00.000000" % day,
             "updated_at": "2026-02-%02dT09:00:45.000000" % day, "message": None,
             "events": [_ev("compute__do_build_and_run_instance",
                            "2026-02-%02dT09:00:05.000000" % day,
                            "2026-02-%02dT09:00:45.000000" % day, host=host)]}]
    for i, (action, event) in enumerate(extra, start=1):
        acts.append({"action": action, "request_id": _rid(first_rid + i),
                     "user_id": user, "project_id": project_id,
                     "start_time": "2026-02-%02dT1%d:00:00.000000" % (day, i),
                     "updated_at": "2026-02-%02dT1%d:00:20.000000" % (day, i),
                     "message": None,
                     "events": [_ev(event, "2026-02-%02dT1%d:00:05.000000" % (day, i),
                                    "2026-02-%02dT1%d:00:20.000000" % (day, i),
                                    host=host)]})
    return acts


def seed_data():
    """Return a fresh copy of the deterministic demo data."""
    data = {
        "domains": [{"id": DOMAIN_ID, "name": DOMAIN_NAME}],
        "projects": [
            {"id": PROJECT_ID, "name": PROJECT_NAME, "domain_id": DOMAIN_ID},
            {"id": OTHER_PROJECT_ID, "name": OTHER_PROJECT_NAME,
             "domain_id": DOMAIN_ID},
        ],
        "users": [
            {"id": "admin", "name": "admin", "domain_id": DOMAIN_ID,
             "password": "admin-secret",
             "roles": {PROJECT_ID: ["admin", "member", "reader"]}},
            {"id": "demo", "name": "demo", "domain_id": DOMAIN_ID,
             "password": "demo-secret",
             "roles": {PROJECT_ID: ["member", "reader"]}},
            {"id": "other", "name": "other", "domain_id": DOMAIN_ID,
             "password": "other-secret",
             "roles": {OTHER_PROJECT_ID: ["member", "reader"]}},
            # a role Nova's default policy does not know: 403 on compute
            {"id": "guest", "name": "guest", "domain_id": DOMAIN_ID,
             "password": "guest-secret",
             "roles": {PROJECT_ID: ["guest"]}},
        ],
        "servers": [
            {"id": WEB_01, "name": "web-01", "project_id": PROJECT_ID,
             "user_id": "demo", "status": "ACTIVE",
             "created": "2025-06-02T09:00:00Z", "updated": "2025-06-02T11:00:12Z",
             "host": HOST, "actions": _web01_actions()},
            {"id": DB_01, "name": "db-01", "project_id": PROJECT_ID,
             "user_id": "demo", "status": "SUSPENDED",
             "created": "2026-01-05T09:00:00Z", "updated": "2026-01-21T06:00:25Z",
             "host": "compute-3", "actions": _db01_actions()},
            {"id": APP_A, "name": "app", "project_id": PROJECT_ID,
             "user_id": "demo", "status": "ACTIVE",
             "created": "2026-02-03T09:00:00Z", "updated": "2026-02-03T11:00:20Z",
             "host": "compute-2",
             "actions": _simple_actions(51, PROJECT_ID, "demo", 3, "compute-2",
                                        [("stop", "compute_stop_instance")])},
            {"id": APP_B, "name": "app", "project_id": PROJECT_ID,
             "user_id": "demo", "status": "ACTIVE",
             "created": "2026-02-04T09:00:00Z", "updated": "2026-02-04T11:00:20Z",
             "host": "compute-1",
             "actions": _simple_actions(61, PROJECT_ID, "demo", 4, "compute-1",
                                        [("reboot", "compute_reboot_instance")])},
            {"id": OLD_01, "name": "old-01", "project_id": PROJECT_ID,
             "user_id": "demo", "status": "DELETED", "deleted": True,
             "created": "2025-06-01T08:00:00Z", "updated": "2025-06-02T12:50:19Z",
             "host": HOST, "actions": _old01_actions()},
            {"id": OTHER_01, "name": "other-01", "project_id": OTHER_PROJECT_ID,
             "user_id": "other", "status": "ACTIVE",
             "created": "2026-02-10T09:00:00Z", "updated": "2026-02-10T11:00:20Z",
             "host": "compute-2",
             "actions": _simple_actions(71, OTHER_PROJECT_ID, "other", 10,
                                        "compute-2",
                                        [("stop", "compute_stop_instance")])},
        ],
    }
    return data


def bulk_server(count, project_id=PROJECT_ID):
    """Server ``bulk-01`` with ``count`` generated actions (for benchmarks).

    Request ids are ``req-b0000001-0000-4000-8000-000000000001`` ... (the
    number in both places), one minute apart from 2026-03-01T00:00:00.
    """
    base = datetime.datetime(2026, 3, 1)
    kinds = (("reboot", "compute_reboot_instance"),
             ("stop", "compute_stop_instance"),
             ("start", "compute_start_instance"))
    actions = []
    for i in range(1, count + 1):
        t = base + datetime.timedelta(minutes=i)
        start = t.strftime("%Y-%m-%dT%H:%M:%S.000000")
        ev_start = (t + datetime.timedelta(seconds=2)).strftime(
            "%Y-%m-%dT%H:%M:%S.000000")
        done = (t + datetime.timedelta(seconds=9)).strftime(
            "%Y-%m-%dT%H:%M:%S.000000")
        if i == 1:
            action, event = "create", "compute__do_build_and_run_instance"
        else:
            action, event = kinds[i % 3]
        actions.append({
            "action": action,
            "request_id": "req-b%07d-0000-4000-8000-%012d" % (i, i),
            "user_id": "demo", "project_id": project_id, "start_time": start,
            "updated_at": done, "message": None,
            "events": [{"event": event, "start_time": ev_start,
                        "finish_time": done, "result": "Success",
                        "traceback": None, "details": None}]})
    return {"id": BULK_01, "name": "bulk-01", "project_id": project_id,
            "user_id": "demo", "status": "ACTIVE", "created": "2026-03-01T00:00:00Z",
            "updated": "2026-03-01T00:00:00Z", "host": HOST, "actions": actions}


def load_file(path):
    """Load a data file (``.json``, ``.yaml`` or ``.yml``)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if os.path.splitext(path)[1].lower() in (".yaml", ".yml"):
        import yaml
        return yaml.safe_load(text)
    return json.loads(text)


def _ts(value):
    """Normalise a timestamp (str/datetime/None) to Nova's string form."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return str(value)


def parse_time(value):
    """Parse an ISO 8601 string to a naive UTC datetime (None if invalid)."""
    if isinstance(value, datetime.datetime):
        dt = value
    else:
        s = str(value).strip()
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.datetime.fromisoformat(s)
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return dt


class Store:
    """Normalised, indexed, read-only view of the data (thread-safe to read)."""

    def __init__(self, data):
        base = seed_data()
        data = copy.deepcopy(data)
        self.domains = {d["id"]: d for d in data.get("domains") or base["domains"]}
        self.projects = {p["id"]: p for p in data.get("projects") or base["projects"]}
        self.users = {u["id"]: u for u in data.get("users") or base["users"]}
        self.servers = {}
        for s in data.get("servers") or []:
            self.add_server(s)

    def add_server(self, s):
        s = dict(s)
        if "id" not in s or "name" not in s or "project_id" not in s:
            raise ValueError("a server needs id, name and project_id")
        s.setdefault("status", "ACTIVE")
        s.setdefault("host", HOST)
        s.setdefault("deleted", False)
        s.setdefault("user_id", None)
        s.setdefault("created", "2026-01-01T00:00:00Z")
        s.setdefault("updated", s["created"])
        actions = []
        for order, a in enumerate(s.get("actions") or []):
            if "action" not in a or "request_id" not in a:
                raise ValueError("an action needs action and request_id")
            act = {
                "action": a["action"],
                "instance_uuid": s["id"],
                "request_id": a["request_id"],
                "user_id": a.get("user_id"),
                "project_id": a.get("project_id"),
                "start_time": _ts(a.get("start_time")),
                "message": a.get("message"),
            }
            events = []
            for e in a.get("events") or []:
                host = e.get("host", s["host"])
                ev = {
                    "event": e.get("event"),
                    "start_time": _ts(e.get("start_time")),
                    "finish_time": _ts(e.get("finish_time")),
                    "result": e.get("result"),
                    "traceback": e.get("traceback"),
                    "host": host,
                    # None = computed per request like Nova:
                    # sha224((action project_id or server project_id) + host)
                    "hostId": e.get("hostId"),
                    "details": e.get("details"),
                }
                events.append(ev)
            updated = a.get("updated_at")
            if updated is None:
                times = [act["start_time"]] + [
                    t for e in events for t in (e["start_time"], e["finish_time"])]
                updated = max(t for t in times if t) if any(times) else None
            act["updated_at"] = _ts(updated)
            act["events"] = events
            act["_order"] = order
            act["_start"] = parse_time(act["start_time"]) or datetime.datetime.min
            act["_updated"] = parse_time(act["updated_at"]) if act["updated_at"] \
                else act["_start"]
            actions.append(act)
        # Nova orders by created_at desc, id desc
        actions.sort(key=lambda x: (x["_start"], x["_order"]), reverse=True)
        s["actions"] = actions
        s["_by_rid"] = {a["request_id"]: a for a in actions}
        s["_pos"] = {a["request_id"]: i for i, a in enumerate(actions)}
        self.servers[s["id"]] = s
        return s

    # identity look-ups -------------------------------------------------
    def find_domain(self, ref):
        """``ref`` is ``{"id": ...}`` or ``{"name": ...}``."""
        if not isinstance(ref, dict):
            return None
        if ref.get("id") is not None:
            return self.domains.get(ref["id"])
        for d in self.domains.values():
            if d["name"] == ref.get("name"):
                return d
        return None

    def find_user(self, ref):
        if not isinstance(ref, dict):
            return None
        if ref.get("id") is not None:
            return self.users.get(ref["id"])
        domain = self.find_domain(ref.get("domain"))
        if domain is None:
            return None
        for u in self.users.values():
            if u["name"] == ref.get("name") and u["domain_id"] == domain["id"]:
                return u
        return None

    def find_project(self, ref):
        if not isinstance(ref, dict):
            return None
        if ref.get("id") is not None:
            return self.projects.get(ref["id"])
        domain = self.find_domain(ref.get("domain"))
        if domain is None:
            return None
        for p in self.projects.values():
            if p["name"] == ref.get("name") and p["domain_id"] == domain["id"]:
                return p
        return None


def build_store(data=None, bulk_actions=0):
    """Build a :class:`Store` from None (seed), a dict, or a file path."""
    if data is None:
        data = seed_data()
    elif isinstance(data, (str, os.PathLike)):
        data = load_file(os.fspath(data))
    if not isinstance(data, dict):
        raise ValueError("simulator data must be a mapping")
    store = Store(data)
    if bulk_actions and bulk_actions > 0:
        store.add_server(bulk_server(int(bulk_actions)))
    return store
