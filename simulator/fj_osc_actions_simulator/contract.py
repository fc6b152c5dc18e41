"""A contract of several projects (``--projects N``): the data of the contract view.

Added to the served data only when asked for (``Simulator(projects=N)``);
the default seed is unchanged. Plain data in the data-file format of
:mod:`fj_osc_actions_simulator.store`, dated relative to the simulator's
start, with the users, projects and application credential it needs:

- user ``ops`` (password ``ops-secret``): member and reader of the N
  projects ``project-01``... (``servers`` servers each: web-01, app-01,
  db-01, web-02...); a role Nova's policy does not know (``guest``) in
  ``billing``, whose server listing is therefore 403; member of
  ``retired``, which is disabled (listed by ``GET /v3/auth/projects`` with
  ``enabled: false``; rescoping to it is 401). ``other-team`` is a project
  ops has no role in: not listed, rescoping to it is 401. The application
  credential ``ops-ci`` (:data:`APPLICATION_CREDENTIAL_ID`,
  :data:`APPLICATION_CREDENTIAL_SECRET`) is scoped to ``project-01``.
- user ``ops-admin`` (password ``ops-admin-secret``): admin, member and
  reader of the N projects (sees tracebacks, and ``details`` from 2.84).

Each server has a create 30 days ago and a reboot about 6 hours ago. Server
``s`` of project ``p`` had a failed action within the last day when
``(s + 2p) % 7 == 0`` (instead of that reboot: a reboot, a resize or a live
migration that failed, see :func:`recent_failure`), and a failed stop 3
days ago when ``(s + 2p) % 7 == 3``. The failed actions carry details and
tracebacks (each with its own last line); the resize and the live migration
have two events that ended in Error: the newer one (by start time) is the
compute event that says why.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
from typing import Any

from fj_osc_actions_simulator import seed

USER = "ops"
PASSWORD = "ops-secret"
ADMIN = "ops-admin"
ADMIN_PASSWORD = "ops-admin-secret"
PASSWORDS = {USER: PASSWORD, ADMIN: ADMIN_PASSWORD}
#: Servers per project unless told (``--project-servers``).
DEFAULT_SERVERS = 6

FORBIDDEN_PROJECT_NAME = "billing"
DISABLED_PROJECT_NAME = "retired"
OUTSIDE_PROJECT_NAME = "other-team"
#: The role of ops in ``billing``: Nova's default policy does not know it.
UNKNOWN_ROLE = "guest"

APPLICATION_CREDENTIAL_NAME = "ops-ci"
APPLICATION_CREDENTIAL_SECRET = "ops-ci-secret"

FAILURE_EVERY = 7
RECENT_FAILURE = 0
OLD_FAILURE = 3
FAILURE_KINDS = ("reboot", "resize", "live-migration")
SERVER_KINDS = ("web", "app", "db")

REBOOT_DETAILS = "Failed to reboot instance: Timed out waiting for the guest to shut down"
REBOOT_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 4102, '
    "in reboot_instance\n"
    "    self.driver.reboot(context, instance, network_info, reboot_type)\n"
    "nova.exception.InstanceRebootFailure: Failed to reboot instance: guest shutdown timed out\n"
)
RESIZE_DETAILS = "Insufficient free disk on compute-2: 10 GB free, 40 GB requested"
RESIZE_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/nova/compute/manager.py", line 5630, '
    "in prep_resize\n"
    "    self._prep_resize(context, image, instance, instance_type, filter_properties)\n"
    "nova.exception.ResizeError: Resize error: not enough free disk on the destination\n"
)
RESIZE_CONDUCTOR_DETAILS = "Resize of the server failed on the destination host"
MIGRATION_DETAILS = ("Live migration failed: MessagingTimeout: Timed out waiting for a reply "
                     "from compute-3")
MIGRATION_CONDUCTOR_DETAILS = "Live migration of the server failed"
STOP_DETAILS = "Failed to stop instance: the hypervisor did not answer"
STOP_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py", line 1460, '
    "in power_off\n"
    "libvirt.libvirtError: Timed out during operation: cannot acquire state change lock\n"
)


def stable_id(*parts: str) -> str:
    return hashlib.md5("/".join(("contract",) + parts).encode("utf-8")).hexdigest()


def project_name(number: int) -> str:
    return f"project-{number:02d}"


def project_id(name: str) -> str:
    """The 32-hex ID of a contract project, from its name."""
    return stable_id("project", name)


APPLICATION_CREDENTIAL_ID = stable_id("application-credential", APPLICATION_CREDENTIAL_NAME)
FORBIDDEN_PROJECT_ID = project_id(FORBIDDEN_PROJECT_NAME)
DISABLED_PROJECT_ID = project_id(DISABLED_PROJECT_NAME)
OUTSIDE_PROJECT_ID = project_id(OUTSIDE_PROJECT_NAME)


def server_id(project_number: int, number: int) -> str:
    return f"c0{project_number:06d}-0000-4000-8000-{number:012d}"


def server_name(number: int) -> str:
    """web-01, app-01, db-01, web-02, ..."""
    return f"{SERVER_KINDS[(number - 1) % 3]}-{(number - 1) // 3 + 1:02d}"


def request_id(project_number: int, number: int, action_number: int) -> str:
    """Action 1 (create), 2 (the old stop) or 3 (the recent one) of a server."""
    return (f"req-c{project_number:03d}{number:04d}-{action_number:04d}-4000-8000-"
            f"{project_number:04d}{number:08d}")


def recent_failure(project_number: int, number: int) -> str | None:
    """The kind of action that failed within the last day (None: it did not)."""
    if (number + 2 * project_number) % FAILURE_EVERY != RECENT_FAILURE:
        return None
    return FAILURE_KINDS[(number // FAILURE_EVERY + project_number) % len(FAILURE_KINDS)]


def old_failure(project_number: int, number: int) -> bool:
    return (number + 2 * project_number) % FAILURE_EVERY == OLD_FAILURE


def add_contract(data: dict[str, Any], projects: int, servers: int = DEFAULT_SERVERS,
                 now: float = 0.0, problem_projects: bool = True) -> dict[str, Any]:
    """``data`` plus the contract (in place, and returned).

    Missing domains, projects and users are first taken from the seed, so
    that its users keep their projects. ``problem_projects=False`` leaves
    out billing, retired and other-team.
    """
    if projects < 1 or servers < 0:
        raise ValueError("a contract needs projects >= 1 and servers >= 0")
    base = seed.seed_data()
    for kind in ("domains", "projects", "users"):
        if not data.get(kind):
            data[kind] = copy.deepcopy(base[kind])
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).replace(tzinfo=None)
    names = [project_name(number) for number in range(1, projects + 1)]
    member = {project_id(name): ["member", "reader"] for name in names}
    admin = {project_id(name): ["admin", "member", "reader"] for name in names}
    extra = [(FORBIDDEN_PROJECT_NAME, True), (DISABLED_PROJECT_NAME, False),
             (OUTSIDE_PROJECT_NAME, True)] if problem_projects else []
    data["projects"] += [_project(name) for name in names]
    data["projects"] += [_project(name, enabled) for name, enabled in extra]
    if problem_projects:
        member[FORBIDDEN_PROJECT_ID] = [UNKNOWN_ROLE]
        member[DISABLED_PROJECT_ID] = ["member", "reader"]
    data["users"] += [
        _user(USER, member, [{"id": APPLICATION_CREDENTIAL_ID,
                              "name": APPLICATION_CREDENTIAL_NAME,
                              "secret": APPLICATION_CREDENTIAL_SECRET,
                              "project_id": project_id(names[0])}]),
        _user(ADMIN, admin)]
    data.setdefault("servers", [])
    for number in range(1, projects + 1):
        data["servers"] += [_server(number, index, moment) for index in range(1, servers + 1)]
    if problem_projects:
        for index, (name, _enabled) in enumerate(extra, start=projects + 1):
            data["servers"].append(_server(index, 1, moment, project=project_id(name)))
    return data


def _project(name: str, enabled: bool = True) -> dict[str, Any]:
    return {"id": project_id(name), "name": name, "domain_id": seed.DOMAIN_ID,
            "enabled": enabled}


def _user(name: str, roles: dict[str, list[str]],
          credentials: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": stable_id("user", name), "name": name,
                            "domain_id": seed.DOMAIN_ID, "password": PASSWORDS[name],
                            "roles": roles}
    if credentials:
        user["application_credentials"] = credentials
    return user


def _server(project_number: int, number: int, moment: datetime.datetime,
            project: str | None = None) -> dict[str, Any]:
    project = project or project_id(project_name(project_number))
    user = stable_id("user", USER)
    created = moment - datetime.timedelta(days=30, seconds=-(project_number * 100 + number))

    def act(action_number: int, name: str, started: datetime.datetime,
            events: list[dict[str, Any]], failed: bool = False) -> dict[str, Any]:
        finished = max(event["finish_time"] for event in events)
        return {"action": name, "request_id": request_id(project_number, number, action_number),
                "user_id": user, "project_id": project, "start_time": seed.nova_time(started),
                "updated_at": finished, "message": "Error" if failed else None,
                "events": events}

    def ev(name: str, started: datetime.datetime, first: int, last: int, host: str,
           details: str | None = None, traceback: str | None = None) -> dict[str, Any]:
        failed = details is not None
        return seed.event(name, seed.nova_time(started + datetime.timedelta(seconds=first)),
                          seed.nova_time(started + datetime.timedelta(seconds=last)),
                          "Error" if failed else "Success", traceback=traceback,
                          details=details, host=host)

    host = f"compute-{number % 3 + 1}"
    actions = [act(1, "create", created, [
        ev("compute__do_build_and_run_instance", created, 5, 40, host)])]
    if old_failure(project_number, number):
        stopped = moment - datetime.timedelta(days=3, seconds=number)
        actions.append(act(2, "stop", stopped, [
            ev("compute_stop_instance", stopped, 2, 32, host, STOP_DETAILS, STOP_TRACEBACK)],
            failed=True))
    recent = moment - datetime.timedelta(hours=6, minutes=project_number, seconds=number)
    actions.append(_recent_action(act, ev, recent_failure(project_number, number), recent, host))
    return {"id": server_id(project_number, number), "name": server_name(number),
            "project_id": project, "user_id": user, "status": "ACTIVE",
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated": created.strftime("%Y-%m-%dT%H:%M:%SZ"), "host": host,
            "actions": actions}


def _recent_action(act: Any, ev: Any, kind: str | None, started: datetime.datetime,
                   host: str) -> dict[str, Any]:
    if kind is None:
        return act(3, "reboot", started, [ev("compute_reboot_instance", started, 2, 20, host)])
    if kind == "reboot":
        return act(3, "reboot", started, [
            ev("compute_reboot_instance", started, 2, 20, host, REBOOT_DETAILS,
               REBOOT_TRACEBACK)], failed=True)
    if kind == "resize":
        return act(3, "resize", started, [
            ev("conductor_migrate_server", started, 1, 25, "controller-1",
               RESIZE_CONDUCTOR_DETAILS, RESIZE_TRACEBACK),
            ev("compute_prep_resize", started, 3, 20, "compute-2", RESIZE_DETAILS,
               RESIZE_TRACEBACK)], failed=True)
    return act(3, "live-migration", started, [
        ev("conductor_live_migrate_instance", started, 1, 45, "controller-1",
           MIGRATION_CONDUCTOR_DETAILS, seed.MIGRATION_TRACEBACK),
        ev("compute_pre_live_migration", started, 4, 40, "compute-3", MIGRATION_DETAILS,
           seed.MIGRATION_TRACEBACK)], failed=True)
