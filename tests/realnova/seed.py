"""The seed, written through Nova's own objects (runs inside the Nova process).

The servers, request IDs, times, users, hosts, tracebacks and details are
those of the simulator's seed (``fj_osc_actions_simulator.seed``, imported),
so one request can be sent to both and the answers compared. Times are set
with oslo.utils' time override, the only clock Nova's objects read.

db-01 carries a subset of the simulator's 20 actions: its failed live
migration (request 28), the reboot with a retried event (33), its create
(21) and the last one (40).
"""

from __future__ import annotations

import datetime
from typing import Any

# The simulator's own constants (one seed, so that a request can be sent to
# both and the answers compared); the short request names are used by the tests.
from fj_osc_actions_simulator.seed import (
    APP_A, APP_B, BATCH_01, CONDUCTOR_TRACEBACK, DB_01, DB_02, LOCK_TRACEBACK,
    MIGRATION_TRACEBACK, OLD_01, OTHER_01, PRECHECK_DETAILS, PRECHECK_TRACEBACK,
    REBOOT_DETAILS, RESIZE_EVENTS, TRACEBACK, WEB_01, request_id)
from fj_osc_actions_simulator.seed import CLOUD_STOP_REQUEST as NULL_USER_REQ  # noqa: F401
from fj_osc_actions_simulator.seed import DELETE_REQUEST as DELETE_REQ  # noqa: F401
from fj_osc_actions_simulator.seed import FAILED_MIGRATION_REQUEST as MIGRATION_REQ  # noqa: F401
from fj_osc_actions_simulator.seed import FAILED_REBOOT_REQUEST as FAILED_REQ  # noqa: F401
from fj_osc_actions_simulator.seed import RETRIED_REBOOT_REQUEST as RETRY_REQ  # noqa: F401
from fj_osc_actions_simulator.seed import RUNNING_SNAPSHOT_REQUEST as RUNNING_REQ  # noqa: F401
from tests.realnova import stubs

MIGRATION_DETAILS = "Live migration failed: MessagingTimeout (seeded failure)"


def _t(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")


def _ev(name: str, start: str, finish: str | None, failure: tuple[str, str] | None = None,
        host: str | None = None) -> dict[str, Any]:
    """An event; ``finish`` None: still running; ``failure``: (details, traceback)."""
    return {"name": name, "start": start, "finish": finish, "failure": failure, "host": host}


def _act(name: str, number: int, start: str, events: list[dict[str, Any]],
         user: str | None = "demo", project: str | None = stubs.PROJECT_ID) -> dict[str, Any]:
    return {"name": name, "request_id": request_id(number), "start": start, "events": events,
            "user": user, "project": project if user else None}


def _web01() -> list[dict[str, Any]]:
    d = "2025-06-02T"
    return [
        _act("create", 1, d + "09:00:00", [
            _ev("compute__do_build_and_run_instance", d + "09:00:05", d + "09:00:37")]),
        _act("stop", 2, d + "10:00:00", [
            _ev("compute_stop_instance", d + "10:00:12", d + "10:00:19")], user=None),
        _act("start", 3, d + "10:15:00", [
            _ev("compute_start_instance", d + "10:15:12", d + "10:15:19")]),
        _act("reboot", 4, d + "10:30:00", [
            _ev("compute_reboot_instance", d + "10:30:12", d + "10:30:19",
                (REBOOT_DETAILS, TRACEBACK))]),
        _act("reboot", 5, d + "10:35:00", [
            _ev("compute_reboot_instance", d + "10:35:12", d + "10:35:19")], user="admin"),
        _act("createImage", 6, d + "11:00:00", [
            _ev("compute_snapshot_instance", d + "11:00:12", None)]),
    ]


def _old01() -> list[dict[str, Any]]:
    return [
        _act("create", 11, "2025-06-01T08:00:00", [
            _ev("compute__do_build_and_run_instance", "2025-06-01T08:00:06",
                "2025-06-01T08:00:41")]),
        _act("delete", 12, "2025-06-02T12:50:00", [
            _ev("compute_terminate_instance", "2025-06-02T12:50:12", "2025-06-02T12:50:19")]),
    ]


def _db01() -> list[dict[str, Any]]:
    d = "2026-01-"
    return [
        _act("create", 21, d + "05T09:00:00", [
            _ev("conductor_schedule_and_build_instances", d + "05T09:00:01", d + "05T09:00:04",
                host="controller-1"),
            _ev("compute__do_build_and_run_instance", d + "05T09:00:06", d + "05T09:01:02")]),
        _act("live-migration", 28, d + "10T03:00:00", [
            _ev("conductor_live_migrate_instance", d + "10T03:00:01", d + "10T03:00:20",
                host="controller-1"),
            _ev("compute_check_can_live_migrate_destination", d + "10T03:00:02",
                d + "10T03:00:05", host="compute-2"),
            _ev("compute_live_migration", d + "10T03:00:21", d + "10T03:01:30",
                (MIGRATION_DETAILS, MIGRATION_TRACEBACK))], user="admin"),
        _act("reboot", 33, d + "15T09:00:00", [
            _ev("compute_reboot_instance", d + "15T09:00:03", d + "15T09:00:33",
                ("", LOCK_TRACEBACK), host="compute-3"),
            _ev("compute_reboot_instance", d + "15T09:00:40", d + "15T09:01:10",
                host="compute-3")]),
        _act("resume", 40, d + "21T06:00:00", [
            _ev("compute_resume_instance", d + "21T06:00:04", d + "21T06:00:25",
                host="compute-3")]),
    ]


def _batch01() -> list[dict[str, Any]]:
    """Busy: a snapshot running (task state image_uploading), its create and
    a failed reboot before it."""
    d = "2026-02-22T"
    return _simple(85, 22, "compute-2", ()) + [
        _act("reboot", 87, d + "10:00:00", [
            _ev("compute_reboot_instance", d + "10:00:12", d + "10:00:19",
                (REBOOT_DETAILS, TRACEBACK), host="compute-2")]),
        _act("createImage", 86, d + "12:00:00", [
            _ev("compute_snapshot_instance", d + "12:00:03", None, host="compute-2")]),
    ]


def _db02() -> list[dict[str, Any]]:
    """Busy: a resize running (task state resize_migrating, two of its four
    events done, the third running), an older live migration whose pre-check
    failed (two Error events), and its create."""
    d = "2026-02-23T"
    conductor, prep, resize, _finish = RESIZE_EVENTS
    return _simple(88, 23, "compute-2", ()) + [
        _act("live-migration", 89, d + "10:00:00", [
            _ev("conductor_live_migrate_instance", d + "10:00:01", d + "10:00:04",
                (PRECHECK_DETAILS, CONDUCTOR_TRACEBACK), host="controller-1"),
            _ev("compute_check_can_live_migrate_destination", d + "10:00:02", d + "10:00:04",
                (PRECHECK_DETAILS, PRECHECK_TRACEBACK), host="compute-3")], user="admin"),
        _act("resize", 90, d + "12:00:00", [
            _ev(conductor, d + "12:00:00", d + "12:00:01", host="controller-1"),
            _ev(prep, d + "12:00:02", d + "12:00:03", host="compute-3"),
            _ev(resize, d + "12:00:04", None, host="compute-2")], user="admin"),
    ]


#: The task state of the busy servers (their newest action is running).
TASK_STATES = {BATCH_01: "image_uploading", DB_02: "resize_migrating"}


def _simple(first: int, day: int, host: str, later: tuple[tuple[str, str], ...],
            user: str = "demo", project: str = stubs.PROJECT_ID) -> list[dict[str, Any]]:
    feb = f"2026-02-{day:02d}T"
    actions = [_act("create", first, feb + "09:00:00", [
        _ev("compute__do_build_and_run_instance", feb + "09:00:05", feb + "09:00:45", host=host)],
        user=user, project=project)]
    for offset, (name, event_name) in enumerate(later, start=1):
        hour = f"{10 + offset:02d}"
        actions.append(_act(name, first + offset, f"{feb}{hour}:00:00", [
            _ev(event_name, f"{feb}{hour}:00:05", f"{feb}{hour}:00:20", host=host)],
            user=user, project=project))
    return actions


#: (uuid, name, vm_state, host, created, actions, project, user, deleted at)
SERVERS: tuple[tuple[Any, ...], ...] = (
    (WEB_01, "web-01", "active", "compute-1", "2025-06-02T09:00:00", _web01(),
     stubs.PROJECT_ID, "demo", None),
    (DB_01, "db-01", "suspended", "compute-3", "2026-01-05T09:00:00", _db01(),
     stubs.PROJECT_ID, "demo", None),
    (APP_A, "app", "active", "compute-2", "2026-02-03T09:00:00",
     _simple(51, 3, "compute-2", (("stop", "compute_stop_instance"),)), stubs.PROJECT_ID, "demo",
     None),
    (APP_B, "app", "active", "compute-1", "2026-02-04T09:00:00",
     _simple(61, 4, "compute-1", (("reboot", "compute_reboot_instance"),)), stubs.PROJECT_ID,
     "demo", None),
    (OLD_01, "old-01", "deleted", "compute-1", "2025-06-01T08:00:00", _old01(),
     stubs.PROJECT_ID, "demo", "2025-06-02T12:50:19"),
    (BATCH_01, "batch-01", "active", "compute-2", "2026-02-22T09:00:00", _batch01(),
     stubs.PROJECT_ID, "demo", None),
    (DB_02, "db-02", "active", "compute-2", "2026-02-23T09:00:00", _db02(),
     stubs.PROJECT_ID, "demo", None),
    (OTHER_01, "other-01", "active", "compute-2", "2026-02-10T09:00:00",
     _simple(71, 10, "compute-2", (("stop", "compute_stop_instance"),), user="other",
             project=stubs.OTHER_PROJECT_ID), stubs.OTHER_PROJECT_ID, "other", None),
)


def write_seed() -> int:
    """Write every server and action through Nova's objects; returns the action count."""
    from oslo_utils import timeutils

    from nova import context as nova_context
    from nova import objects
    from nova.compute import power_state, vm_states
    from nova.network import model as network_model

    admin = nova_context.get_admin_context()
    cell = next(c for c in objects.CellMappingList.get_all(admin) if c.name == "cell1")
    flavor = objects.Flavor(
        id=1, flavorid="1", name="m1.small", memory_mb=2048, vcpus=1, root_gb=20,
        ephemeral_gb=0, swap=0, rxtx_factor=1.0, vcpu_weight=0, disabled=False, is_public=True,
        extra_specs={}, description=None)
    count = 0
    try:
        for uuid, name, vm_state, host, created, actions, project, user, deleted in SERVERS:
            timeutils.set_time_override(_t(created))
            objects.InstanceMapping(admin, instance_uuid=uuid, cell_mapping=cell,
                                    project_id=project, user_id=user,
                                    queued_for_delete=deleted is not None).create()
            with nova_context.target_cell(admin, cell) as cctxt:
                instance = objects.Instance(
                    cctxt, uuid=uuid, display_name=name, hostname=name, project_id=project,
                    user_id=user, host=host, launched_on=host,
                    availability_zone="nova",
                    vm_state=vm_states.ACTIVE if vm_state == "deleted" else vm_state,
                    power_state=power_state.RUNNING, task_state=None,
                    image_ref="70a599e0-31e7-49b7-b260-868f441e862b",
                    instance_type_id=flavor.id, memory_mb=flavor.memory_mb,
                    vcpus=flavor.vcpus, root_gb=flavor.root_gb, ephemeral_gb=0,
                    flavor=flavor, old_flavor=None, new_flavor=None,
                    launched_at=_t(created), metadata={}, system_metadata={},
                    info_cache=objects.InstanceInfoCache(
                        network_info=network_model.NetworkInfo([])))
                instance.create()
                for action in actions:
                    count += 1
                    _write_action(cctxt, uuid, action, host, timeutils, objects, nova_context)
                if uuid in TASK_STATES:
                    instance.task_state = TASK_STATES[uuid]
                    instance.save()
                if deleted is not None:
                    timeutils.set_time_override(_t(deleted))
                    instance.vm_state = vm_states.DELETED
                    instance.save()
                    instance.destroy()
    finally:
        timeutils.clear_time_override()
    return count


def _write_action(cctxt: Any, uuid: str, action: dict[str, Any], host: str, timeutils: Any,
                  objects: Any, nova_context: Any) -> None:
    """One action as the API and the compute service record it."""
    start = _t(action["start"])
    context = nova_context.RequestContext(
        user_id=action["user"], project_id=action["project"], request_id=action["request_id"],
        timestamp=start, is_admin=True, overwrite=False)
    context.db_connection = cctxt.db_connection
    context.cell_uuid = cctxt.cell_uuid
    timeutils.set_time_override(start)
    objects.InstanceAction.action_start(context, uuid, action["name"], want_result=False)
    for event in action["events"]:
        timeutils.set_time_override(_t(event["start"]))
        objects.InstanceActionEvent.event_start(context, uuid, event["name"], want_result=False,
                                                host=event["host"] or host)
        if event["finish"] is None:
            continue
        timeutils.set_time_override(_t(event["finish"]))
        details, traceback = event["failure"] or (None, None)
        objects.InstanceActionEvent.event_finish_with_failure(
            context, uuid, event["name"], exc_val=details or None, exc_tb=traceback,
            want_result=False)
