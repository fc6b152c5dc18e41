"""The simulator against the real Nova: same seed, same requests, same answers?

Each case is sent to both (the simulator in this process, the real Nova of
this test run) as the same user at the same microversion. Compared: the
status, the error's fault key, and the body's shape (every key, and the
type of every value: null vs string matters), and the values of the
actions' and events' fields that the seed fixes (times, users, messages,
results). Links are compared by their path and query only.

The differences found are listed in KNOWN_DIFFERENCES with the reason; the
test fails when a new difference appears or a known one is gone (then the
simulator was fixed: remove it from the list).
"""

from __future__ import annotations

import unittest
from typing import Any
from urllib import parse

import requests

from tests.common import password_session
from tests.realnova import base, seed, stubs

MICROVERSIONS = ("2.1", "2.21", "2.51", "2.58", "2.62", "2.84", "latest")
P = stubs.PROJECT_ID
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _cases() -> list[tuple[str, str, str, str]]:
    """(name, user, microversion, path below /v2.1/<project>)."""
    web = f"/servers/{seed.WEB_01}/os-instance-actions"
    cases = []
    for version in MICROVERSIONS:
        for user in ("admin", "demo"):
            cases.append((f"show failed {user} {version}", user, version,
                          f"{web}/{seed.FAILED_REQ}"))
        # Nova pages at its [api]max_limit (2 here) from 2.58; the simulator
        # has no such limit: the same page is asked of both.
        paged = "?limit=2" if version in ("2.58", "2.62", "2.84", "latest") else ""
        cases.append((f"list web-01 demo {version}", "demo", version, web + paged))
    cases += [
        ("show running admin 2.84", "admin", "2.84", f"{web}/{seed.RUNNING_REQ}"),
        ("show null user admin 2.62", "admin", "2.62", f"{web}/{seed.NULL_USER_REQ}"),
        ("show migration admin 2.84", "admin", "2.84",
         f"/servers/{seed.DB_01}/os-instance-actions/{seed.MIGRATION_REQ}"),
        ("show retried event admin 2.84", "admin", "2.84",
         f"/servers/{seed.DB_01}/os-instance-actions/{seed.RETRY_REQ}"),
        ("list limit 2 demo 2.58", "demo", "2.58", f"{web}?limit=2"),
        ("list marker demo 2.58", "demo", "2.58", f"{web}?limit=2&marker={seed.FAILED_REQ}"),
        ("list changes-since demo 2.58", "demo", "2.58",
         f"{web}?limit=2&changes-since=2025-06-02T10:30:00Z"),
        ("list changes-before demo 2.66", "demo", "2.66",
         f"{web}?limit=2&changes-before=2025-06-02T10:20:00Z"),
        ("list changes-before demo 2.58", "demo", "2.58",
         f"{web}?changes-before=2025-06-02T10:20:00Z"),
        ("show deleted demo 2.21", "demo", "2.21",
         f"/servers/{seed.OLD_01}/os-instance-actions/{seed.DELETE_REQ}"),
        ("show deleted demo 2.20", "demo", "2.20",
         f"/servers/{seed.OLD_01}/os-instance-actions/{seed.DELETE_REQ}"),
        ("unknown action demo 2.58", "demo", "2.58", f"{web}/req-does-not-exist"),
        ("unknown server demo 2.58", "demo", "2.58",
         f"/servers/{UNKNOWN}/os-instance-actions/{seed.FAILED_REQ}"),
        ("unsupported microversion 2.200", "demo", "2.200", web),
        ("bad microversion 2.x", "demo", "2.x", web),
        ("no role 403", "guest", "2.58", web),
        ("other project's URL", "other", "2.58", web),
        ("servers by name demo 2.58", "demo", "2.58", "/servers?name=%5Eapp%24&limit=2"),
        ("server demo 2.58", "demo", "2.58", f"/servers/{seed.WEB_01}"),
        # two Error events, newest first: the compute pre-check, then the conductor
        ("show pre-check failed admin 2.84", "admin", "2.84",
         f"/servers/{seed.DB_02}/os-instance-actions/{seed.request_id(89)}"),
        ("show pre-check failed demo 2.84", "demo", "2.84",
         f"/servers/{seed.DB_02}/os-instance-actions/{seed.request_id(89)}"),
        ("show busy server's older failed reboot admin 2.84", "admin", "2.84",
         f"/servers/{seed.BATCH_01}/os-instance-actions/{seed.request_id(87)}"),
    ]
    return cases


#: The keys of a server body that the plugin reads (the simulator serves a
#: subset of Nova's server view; the rest is not compared).
SERVER_KEYS = ("id", "name", "status", "tenant_id", "user_id", "OS-EXT-STS:task_state")


def _plugin_view(body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("server"), dict):
        return {"server": {key: body["server"].get(key, "<missing>") for key in SERVER_KEYS}}
    return body


#: name of the case -> the reason the simulator differs from Nova there.
#: Empty: the three differences found so far were fixed in the simulator (a
#: token of another project on this project's URL is a 400 "Malformed
#: request URL", GET /servers pages with limit, marker and servers_links,
#: and db-01's retried event is seeded as Nova's own event_finish records it).
KNOWN_DIFFERENCES: dict[str, str] = {}


def shape(value: Any) -> Any:
    """Keys and value types, recursively; links as path + query."""
    if isinstance(value, dict):
        return {key: (_link(item) if key == "href" else shape(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def _link(href: Any) -> str:
    parts = parse.urlsplit(str(href))
    path = parts.path
    marker = f"/{P}/"
    path = path[path.find(marker):] if marker in path else path
    return path + ("?" + parts.query if parts.query else "")


#: Values the seed fixes, compared as well as the shape.
VALUE_KEYS = ("action", "request_id", "instance_uuid", "user_id", "project_id", "start_time",
              "updated_at", "message", "event", "finish_time", "result", "host", "hostId",
              "details", "traceback", "id", "name")


def values(body: Any) -> Any:
    if isinstance(body, dict):
        return {key: values(item) for key, item in body.items()
                if key in VALUE_KEYS or isinstance(item, (dict, list))}
    if isinstance(body, list):
        return [values(item) for item in body]
    return body


def differences(nova: tuple[int, Any], sim: tuple[int, Any]) -> list[str]:
    found = []
    if nova[0] != sim[0]:
        found.append(f"status: Nova {nova[0]}, simulator {sim[0]}")
    if shape(nova[1]) != shape(sim[1]):
        found.append(f"shape: Nova {shape(nova[1])}, simulator {shape(sim[1])}")
    elif values(nova[1]) != values(sim[1]):
        found.append(f"values: Nova {values(nova[1])}, simulator {values(sim[1])}")
    return found


class FidelityTest(base.RealNovaTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        try:
            from fj_osc_actions_simulator import ManualClock, Simulator
        except ImportError as error:  # pragma: no cover - the simulator is being refactored
            raise unittest.SkipTest(f"no simulator: {error}")
        # A manual clock, moved to where the real Nova's seed stands: db-02's
        # resize (2 x 1000 s) with two events done and the third running,
        # batch-01's snapshot (an hour) still running.
        cls.clock = ManualClock()
        cls.sim = Simulator(running_seconds=1000, clock=cls.clock).start()
        cls.clock.advance(1200)
        cls.addClassCleanup(cls.sim.stop)
        cls.sim_tokens: dict[str, str] = {}
        cls.http = requests.Session()
        cls.addClassCleanup(cls.http.close)

    def sim_token(self, user: str) -> str:
        if user not in self.sim_tokens:
            password, project, _roles = stubs.USERS[user]
            session = password_session(self.sim.identity_url, user, password, stubs.DOMAIN_NAME,
                                       stubs.PROJECTS[project])
            self.sim_tokens[user] = session.get_token()
        return self.sim_tokens[user]

    def ask(self, base_url: str, token: str, version: str, path: str) -> tuple[int, Any]:
        response = self.http.get(f"{base_url}/v2.1/{P}{path}", timeout=60, headers={
            "X-Auth-Token": token, "OpenStack-API-Version": f"compute {version}",
            "Accept": "application/json"})
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return response.status_code, body

    def test_busy_servers(self):
        """The states of a busy server, where times cannot match (the
        simulator's running actions start with it): the server's status and
        task state, the order of its actions, and the order of the running
        action's events and which of them have finished."""
        def state(base_url: str, token: str, server: str, running: str) -> dict[str, Any]:
            status, body = self.ask(base_url, token, "2.84", f"/servers/{server}")
            # the first page: Nova's [api]max_limit is 2, the simulator's is not
            listed = self.ask(base_url, token, "2.84",
                              f"/servers/{server}/os-instance-actions?limit=2")
            shown = self.ask(base_url, token, "2.84",
                             f"/servers/{server}/os-instance-actions/{running}")
            return {
                "statuses": (status, listed[0], shown[0]),
                "server": {key: body["server"][key] for key in
                           ("status", "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state")},
                "actions": [(a["request_id"], a["action"], a["message"])
                            for a in listed[1]["instanceActions"]],
                "events": [(e["event"], e["finish_time"] is None, e["result"])
                           for e in shown[1]["instanceAction"]["events"]],
            }

        for server, running in ((seed.BATCH_01, seed.request_id(86)),
                                (seed.DB_02, seed.request_id(90))):
            with self.subTest(server=server):
                nova = state(self.nova.url, stubs.token_for("admin"), server, running)
                sim = state(self.sim.url, self.sim_token("admin"), server, running)
                self.assertEqual(nova, sim)
                self.assertIsNotNone(nova["server"]["OS-EXT-STS:task_state"])

    def test_same_answers(self):
        found: dict[str, list[str]] = {}
        for name, user, version, path in _cases():
            nova = self.ask(self.nova.url, stubs.token_for(user), version, path)
            sim = self.ask(self.sim.url, self.sim_token(user), version, path)
            if path.startswith("/servers/") and "/os-instance-actions" not in path:
                nova, sim = (nova[0], _plugin_view(nova[1])), (sim[0], _plugin_view(sim[1]))
            diff = differences(nova, sim)
            if diff:
                found[name] = [line[:700] for line in diff]
        report = "\n".join(f"- {name}: {'; '.join(diff)}" for name, diff in found.items())
        self.assertEqual(sorted(KNOWN_DIFFERENCES), sorted(found),
                         "differences between the simulator and Nova 34:\n" + report)
