"""The contract view: several projects of one login (requests-mock), as a library and as
``openstack server action list --my-projects / --project``."""

from __future__ import annotations

import io
import json
import re
import threading
import unittest
from typing import Any
from unittest import mock

import requests

from fj_osc_actions import contract
from fj_osc_actions import errors
from fj_osc_actions import fleet
from fj_osc_actions import formatting
from fj_osc_actions import microversion as mv
from fj_osc_actions import progress
from fj_osc_actions import projects as keystone
from tests import common
from tests.unit import fakes

P1 = fakes.PROJECT_ID  # the login's project
P2 = "22222222222222222222222222222222"
P3 = "33333333333333333333333333333333"
NAMES = {P1: "demo-project", P2: "staging", P3: "production"}
BUILTIN = "https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/{project}"
CATALOG = "http://catalog-compute.test:8774/v2.1/{project}"
OVERRIDE = "http://override.test:8774/v2.1/{project}"
COMPUTE_HOSTS = re.compile(r"^(https://compute\.jp-east-3\.cloud\.global\.fujitsu\.com|"
                           r"http://catalog-compute\.test:8774|http://override\.test:8774)/")
#: Where the login's password is (it must be sent once, to the login only).
LOGIN_BODY_KEY = "password"
BARRIER_TIMEOUT = 30


def project_token(project_id: str) -> str:
    return fakes.TOKEN if project_id == P1 else f"gAAAAA-token-of-{project_id}"


def server_id(project_id: str, number: int) -> str:
    return f"{project_id[:8]}-0000-4000-8000-{number:012d}"


def token_body(project_id: str, methods: list[str], **extra: Any) -> dict[str, Any]:
    body = fakes.token_body()
    token = body["token"]
    token["methods"] = methods
    token["project"] = {"id": project_id, "name": NAMES.get(project_id, project_id),
                        "domain": {"id": "d1", "name": "C1"}}
    for endpoint in token["catalog"][0]["endpoints"]:
        endpoint["url"] = CATALOG.format(project=project_id)
    token.update(extra)
    return body


def event(name: str, start: str, result: str = "Error", **extra: Any) -> dict[str, Any]:
    return {"event": name, "start_time": f"2026-11-30T{start}.000000",
            "finish_time": f"2026-11-30T{start}.000000", "result": result, **extra}


class Cloud:
    """A mocked FJcloud-O of several projects: identity and compute."""

    def __init__(self, m: Any, auth_url: str = fakes.AUTH_URL) -> None:
        self.m = m
        self.auth_url = auth_url
        #: project ID -> (name, enabled) as GET /v3/auth/projects lists them
        self.listed: dict[str, tuple[str, bool]] = {p: (n, True) for p, n in NAMES.items()}
        #: project ID -> HTTP status of a refused rescope (0: the connection is refused)
        self.refuse: dict[str, int] = {}
        #: projects whose server listing answers 403
        self.forbidden: set[str] = set()
        #: project ID -> servers (id, name); server ID -> actions; request ID -> events
        self.servers: dict[str, list[tuple[str, str]]] = {}
        self.actions: dict[str, list[dict[str, Any]]] = {}
        self.events: dict[str, list[dict[str, Any]] | None] = {}
        self.broken_reads: set[str] = set()
        self.login_methods: list[list[str]] = []
        self.login_body: dict[str, Any] = {}
        m.get(auth_url, json={"version": {"id": "v3.14", "status": "stable",
                                          "links": [{"rel": "self", "href": auth_url + "/"}]}})
        m.post(auth_url + "/auth/tokens", json=self.issue)
        m.get(auth_url + "/auth/projects", json=self.projects)
        m.get(COMPUTE_HOSTS, json=self.compute)

    def add_server(self, project_id: str, number: int, name: str, *actions: dict) -> str:
        sid = server_id(project_id, number)
        self.servers.setdefault(project_id, []).append((sid, name))
        self.actions[sid] = [dict(action, instance_uuid=sid) for action in actions]
        return sid

    # -- identity ----------------------------------------------------------------
    def issue(self, request: Any, context: Any) -> dict[str, Any]:
        auth = request.json()["auth"]
        methods = auth["identity"]["methods"]
        self.login_methods.append(methods)
        if methods == ["password"]:
            self.login_body = auth
            context.status_code = 201
            context.headers["X-Subject-Token"] = fakes.TOKEN
            return token_body(P1, ["password"])
        project_id = auth["scope"]["project"]["id"]
        if auth["identity"]["token"]["id"] != fakes.TOKEN:
            context.status_code = 401
            return {"error": {"code": 401, "message": "The request you have made requires "
                                                      "authentication.", "title": "Unauthorized"}}
        if self.refuse.get(project_id) == 0:
            raise requests.exceptions.ConnectionError("[Errno 111] Connection refused")
        if project_id in self.refuse:
            context.status_code = self.refuse[project_id]
            return {"error": {"code": context.status_code, "title": "Refused",
                              "message": "The request you have made requires authentication."}}
        context.status_code = 201
        context.headers["X-Subject-Token"] = project_token(project_id)
        return token_body(project_id, ["token", "password"])

    def projects(self, request: Any, context: Any) -> dict[str, Any]:
        if request.headers.get("X-Auth-Token") != fakes.TOKEN:
            context.status_code = 401
            return {"error": {"code": 401, "message": "no", "title": "Unauthorized"}}
        return {"projects": [{"id": p, "name": n, "enabled": e, "domain_id": "d1"}
                             for p, (n, e) in self.listed.items()],
                "links": {"self": self.auth_url + "/auth/projects", "next": None,
                          "previous": None}}

    # -- compute ---------------------------------------------------------------------
    def compute(self, request: Any, context: Any) -> dict[str, Any]:
        parts = fakes.raw_path(request).split("/")[2:]  # after /v2.1
        project_id, rest = parts[0], parts[1:]
        if request.headers.get("X-Auth-Token") != project_token(project_id):
            context.status_code = 400  # as Nova: another project's token on this URL
            return {"badRequest": {"code": 400, "message": "Malformed request URL"}}
        if rest == ["servers"]:
            if project_id in self.forbidden:
                context.status_code = 403
                return {"forbidden": {"code": 403, "message": "Policy doesn't allow "
                                      "os_compute_api:servers:index to be performed."}}
            return {"servers": [{"id": s, "name": n} for s, n in self.servers.get(project_id, [])]}
        sid = rest[1]
        if len(rest) == 3:
            return {"instanceActions": self.actions[sid]}
        request_id = rest[3]
        if request_id in self.broken_reads:
            context.status_code = 500
            return {"computeFault": {"code": 500, "message": "Unexpected API Error."}}
        action = dict(next(a for a in self.actions[sid] if a["request_id"] == request_id))
        if self.events.get(request_id) is not None:
            action["events"] = self.events[request_id]
        return {"instanceAction": action}

    def compute_requests(self) -> list[Any]:
        return [r for r in self.m.request_history if COMPUTE_HOSTS.match(r.url)]


def action(number: int, hour: int, failed: bool = False, name: str = "reboot") -> dict:
    return {"action": name, "request_id": f"req-{number:08d}-0000-4000-8000-{number:012d}",
            "user_id": "u1", "project_id": None, "start_time": f"2026-11-30T{hour:02d}:00:00.000000",
            "updated_at": f"2026-11-30T{hour:02d}:00:20.000000",
            "message": "Error" if failed else None}


class ContractTestCase(fakes.MockedCloudTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.cloud = Cloud(self.m)
        cloud = self.cloud
        cloud.add_server(P1, 1, "web-01", action(11, 9), action(12, 14, failed=True))
        cloud.add_server(P2, 1, "web-01", action(21, 10, failed=True), action(22, 8))
        cloud.add_server(P2, 2, "db-01", action(23, 13, name="resize", failed=True))
        cloud.add_server(P3, 1, "batch-01", action(31, 12))
        cloud.events["req-00000012-0000-4000-8000-000000000012"] = [
            event("compute_reboot_instance", "14:00:05", details="Timed out\nwaiting for the guest",
                  traceback="Traceback...\nInstanceRebootFailure: no")]
        cloud.events["req-00000021-0000-4000-8000-000000000021"] = [
            event("compute_reboot_instance", "10:00:05", traceback="Traceback\n  File x\nLockError: busy\n")]
        # a resize: the conductor event starts first and wraps the compute event
        cloud.events["req-00000023-0000-4000-8000-000000000023"] = [
            event("compute_prep_resize", "13:00:03", details="Not enough disk"),
            event("conductor_migrate_server", "13:00:01", details="Resize failed"),
        ]

    def reader(self, **options: Any) -> contract.Contract:
        options.setdefault("region_name", "jp-east-3")
        return contract.Contract(fakes.session(), **options)

    def rows(self, run: contract.ContractRun) -> list[tuple[str, str, str]]:
        return [(row.project.id, row.server.name, row.action.request_id) for row in run]


class RescopingTest(ContractTestCase):

    def test_one_password_login_then_one_token_rescope_per_other_project(self):
        run = self.reader().read(None)
        self.assertEqual(6, len(self.rows(run)))
        self.assertEqual([["password"], ["token"], ["token"]], self.cloud.login_methods)
        rescopes = [r.json()["auth"] for r in self.m.request_history
                    if r.method == "POST" and r.json()["auth"]["identity"]["methods"] == ["token"]]
        self.assertEqual({P2, P3}, {auth["scope"]["project"]["id"] for auth in rescopes})
        for auth in rescopes:
            self.assertEqual({"id": fakes.TOKEN}, auth["identity"]["token"])
            self.assertNotIn(LOGIN_BODY_KEY, json.dumps(auth))
        self.assertEqual(1, sum(1 for r in self.m.request_history
                                if r.url.endswith("/auth/projects")))

    def test_each_projects_requests_carry_its_own_token(self):
        list(self.reader().read(None))
        requests_made = self.cloud.compute_requests()
        self.assertEqual({P1, P2, P3}, {fakes.raw_path(r).split("/")[2] for r in requests_made})
        for request in requests_made:
            project_id = fakes.raw_path(request).split("/")[2]
            self.assertEqual(project_token(project_id), request.headers["X-Auth-Token"])

    def test_names_and_ids_choose_projects_in_the_order_given(self):
        reader = self.reader()
        chosen = reader.choose(["production", P2, "production"])
        self.assertEqual([P3, P2], [p.id for p in chosen])
        self.assertEqual(["production", "staging"], [p.name for p in chosen])

    def test_the_login_project_alone_needs_no_rescope(self):
        run = self.reader().read(["demo-project"])
        self.assertEqual([P1, P1], [row[0] for row in self.rows(run)])
        self.assertEqual([["password"]], self.cloud.login_methods)

    def test_an_unversioned_auth_url_finds_the_v3_api_by_discovery(self):
        root = "https://identity.jp-east-3.cloud.global.fujitsu.com"
        self.m.get(root, json={"versions": {"values": [
            {"id": "v3.14", "status": "stable",
             "links": [{"rel": "self", "href": fakes.AUTH_URL + "/"}]}]}}, status_code=300)
        session = common.password_session(root, "demo", fakes.PASSWORD, "C1", "demo-project")
        reader = contract.Contract(session, region_name="jp-east-3")
        self.assertEqual(fakes.AUTH_URL, reader.login().identity_url)
        self.assertEqual([P1, P2, P3], [p.id for p in reader.projects()])


class EndpointPerProjectTest(ContractTestCase):

    def urls(self) -> set[str]:
        return {re.sub(r"/servers.*", "", r.url) for r in self.cloud.compute_requests()}

    def test_builtin_fjcloud_endpoint_for_a_login_at_fjcloud(self):
        list(self.reader().read(None))
        self.assertEqual({BUILTIN.format(project=p) for p in (P1, P2, P3)}, self.urls())

    def test_an_override_gets_each_projects_id(self):
        list(self.reader(endpoint_override="http://override.test:8774/v2.1/%(project_id)s")
             .read(None))
        self.assertEqual({OVERRIDE.format(project=p) for p in (P1, P2, P3)}, self.urls())

    def test_another_identity_service_uses_each_projects_catalog(self):
        other = Cloud(self.m, auth_url=fakes.OTHER_AUTH_URL)
        other.servers, other.actions = self.cloud.servers, self.cloud.actions
        session = common.password_session(fakes.OTHER_AUTH_URL, "demo", fakes.PASSWORD, "C1",
                                          "demo-project")
        list(contract.Contract(session, region_name="jp-east-3").read(None))
        self.assertEqual({CATALOG.format(project=p) for p in (P1, P2, P3)},
                         {re.sub(r"/servers.*", "", r.url) for r in other.compute_requests()})
        rescopes = [r for r in self.m.request_history if r.method == "POST"]
        self.assertTrue(all(r.url == fakes.OTHER_AUTH_URL + "/auth/tokens" for r in rescopes))


class ProblemsTest(ContractTestCase):

    def test_a_refused_rescope_a_403_listing_and_a_disabled_project(self):
        self.cloud.listed["44444444444444444444444444444444"] = ("retired", False)
        self.cloud.refuse[P3] = 401
        self.cloud.forbidden.add(P2)
        run = self.reader().read(None)
        rows = self.rows(run)
        self.assertEqual([(P1, "web-01", "req-00000012-0000-4000-8000-000000000012"),
                          (P1, "web-01", "req-00000011-0000-4000-8000-000000000011")], rows)
        problems = {p.project.name: p for p in run.problems}
        self.assertEqual({"staging", "production", "retired"}, set(problems))
        self.assertIsInstance(problems["staging"].error, errors.Forbidden)
        self.assertIn("HTTP 403", str(problems["staging"].error))
        self.assertIsInstance(problems["production"].error, errors.Unauthorized)
        self.assertIn("refused a token for it (HTTP 401", str(problems["production"].error))
        self.assertIn("disabled", str(problems["retired"].error))
        self.assertEqual(3, len(run.failures))
        # The disabled project is not even asked for a token.
        scopes = [r.json()["auth"].get("scope") for r in self.m.request_history
                  if r.method == "POST"]
        self.assertNotIn({"project": {"id": "44444444444444444444444444444444"}}, scopes)

    def test_the_identity_service_unreachable_for_one_rescope(self):
        self.cloud.refuse[P2] = 0  # the connection is refused
        run = self.reader().read(None)
        self.assertEqual({P1, P3}, {row[0] for row in self.rows(run)})
        self.assertEqual(["staging"], [p.project.name for p in run.problems])
        self.assertIsInstance(run.problems[0].error, errors.EndpointUnreachable)
        self.assertIn("identity service", str(run.problems[0].error))
        self.assertIn(fakes.AUTH_URL, str(run.problems[0].error))

    def test_a_server_deleted_meanwhile_is_a_notice(self):
        gone = self.cloud.add_server(P3, 2, "gone-01")
        self.m.get(f"{BUILTIN.format(project=P3)}/servers/{gone}/os-instance-actions",
                   status_code=404, json={"itemNotFound": {"code": 404, "message": "gone"}})
        self.m.get(f"{BUILTIN.format(project=P3)}/servers?name=%5E{gone}%24",
                   json={"servers": []})
        run = self.reader().read(["production"])
        self.assertEqual(1, len(self.rows(run)))
        self.assertEqual([True], [p.vanished for p in run.problems])
        self.assertEqual([], run.failures)

    def test_a_failed_reason_read_keeps_its_row_without_a_reason(self):
        broken = "req-00000021-0000-4000-8000-000000000021"
        self.cloud.broken_reads.add(broken)
        run = self.reader().read(["staging"], reasons=True,
                                 action_filter=fleet.ActionFilter(failed_only=True))
        rows = {row.action.request_id: row for row in run}
        self.assertEqual({broken, "req-00000023-0000-4000-8000-000000000023"}, set(rows))
        self.assertIsNone(rows[broken].reason)
        self.assertEqual([broken], [p.request_id for p in run.problems])
        self.assertIn("HTTP 500", str(run.problems[0].error))


class ReasonsTest(ContractTestCase):

    def reasons(self, **kwargs: Any) -> dict[str, tuple[str | None, str | None]]:
        run = self.reader(**kwargs).read(None, reasons=True,
                                         action_filter=fleet.ActionFilter(failed_only=True))
        return {row.action.request_id: (row.failed_event, row.reason) for row in run}

    def test_details_else_traceback_last_line_and_the_newest_error_event(self):
        self.assertEqual({
            "req-00000012-0000-4000-8000-000000000012": ("compute_reboot_instance",
                                                         "waiting for the guest"),
            "req-00000021-0000-4000-8000-000000000021": ("compute_reboot_instance",
                                                         "LockError: busy"),
            "req-00000023-0000-4000-8000-000000000023": ("compute_prep_resize",
                                                         "Not enough disk"),
        }, self.reasons())

    def test_one_read_per_failed_action_only_when_asked(self):
        list(self.reader().read(None, reasons=True,
                                action_filter=fleet.ActionFilter(failed_only=True)))
        shows = [r for r in self.cloud.compute_requests() if "/os-instance-actions/" in r.url]
        self.assertEqual(3, len(shows))
        self.m.reset_mock()
        list(self.reader().read(None, action_filter=fleet.ActionFilter(failed_only=True)))
        self.assertEqual([], [r for r in self.cloud.compute_requests()
                              if "/os-instance-actions/" in r.url])

    def test_members_see_the_event_but_no_reason(self):
        for request_id, events in list(self.cloud.events.items()):
            self.cloud.events[request_id] = [{k: v for k, v in e.items()
                                              if k not in ("details", "traceback")}
                                             for e in events]
        reasons = self.reasons()
        self.assertEqual({None}, {reason for _event, reason in reasons.values()})
        self.assertEqual("compute_prep_resize",
                         reasons["req-00000023-0000-4000-8000-000000000023"][0])

    def test_no_events_returned_no_failed_event(self):
        for request_id in list(self.cloud.events):
            self.cloud.events[request_id] = None
        self.assertEqual({(None, None)}, set(self.reasons().values()))

    def test_failure_reason_of_one_action(self):
        from fj_osc_actions import models

        failed = models.InstanceAction.from_api({"events": [
            event("a", "10:00:00", details="  \n"), event("b", "09:00:00", "Success")]})
        self.assertEqual(("a", None), contract.failure_reason(failed))


class ConcurrencyTest(ContractTestCase):
    """Every request in flight, of every project and rescoping included, counts."""

    def test_exactly_concurrency_requests_in_flight_across_projects(self):
        # 6 action lists over 3 projects; each waits at a barrier of `concurrency`
        # parties before it is answered: a serial run breaks the barrier (the
        # read fails), more workers than asked show a higher peak.
        self.cloud.add_server(P1, 2, "web-02", action(13, 8))
        self.cloud.add_server(P3, 2, "batch-02", action(32, 7))
        state = {"now": 0, "peak": 0}
        lock = threading.Lock()
        barrier: list[threading.Barrier] = []
        send = requests.Session.send  # requests-mock's: one lock around each answer

        def counted_send(session: Any, request: Any, **kwargs: Any) -> Any:
            # Counted and held before requests-mock's lock, so overlaps show.
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            try:
                if request.url.endswith("/os-instance-actions") and barrier:
                    barrier[0].wait(timeout=BARRIER_TIMEOUT)
                return send(session, request, **kwargs)
            finally:
                with lock:
                    state["now"] -= 1

        patch = mock.patch.object(requests.Session, "send", counted_send)
        patch.start()
        self.addCleanup(patch.stop)
        for concurrency in (3, 2):
            with self.subTest(concurrency=concurrency):
                reader = self.reader()
                reader.login()  # the login is not part of the count
                state.update(now=0, peak=0)
                barrier[:] = [threading.Barrier(concurrency)]
                run = reader.read(None, concurrency=concurrency)
                self.assertEqual(8, len(self.rows(run)))
                self.assertEqual([], run.problems)
                self.assertEqual(concurrency, state["peak"])

    def test_bad_concurrency_sends_nothing(self):
        for bad in (0, -1, 65):
            with self.assertRaises(errors.InvalidInput) as caught:
                self.reader().read(None, concurrency=bad)
            self.assertIn("--concurrency", str(caught.exception))
        self.assertEqual([], self.m.request_history)


class CancelTest(ContractTestCase):

    def test_ctrl_c_cancels_every_projects_client(self):
        clients = []
        real = contract.Contract.make_client

        def keep(reader: Any, session: Any) -> Any:
            clients.append(real(reader, session))
            return clients[-1]

        def interrupt(progress: contract.Progress) -> None:
            if progress.projects_done == 3:
                raise KeyboardInterrupt

        with mock.patch.object(contract.Contract, "make_client", keep):
            run = self.reader().read(None, on_progress=interrupt)
            with self.assertRaises(KeyboardInterrupt):
                list(run)
        opened = clients[1:]  # the first one only checked the microversion
        self.assertEqual(3, len(opened))
        self.assertTrue(all(client.cancelled.is_set() for client in opened))
        # A request already past its client's check when Ctrl-C came ends by
        # itself; the workers then stop (not into the next test's mock).
        for worker in [t for t in threading.enumerate() if t.name.startswith("contract-")]:
            worker.join(BARRIER_TIMEOUT)
            self.assertFalse(worker.is_alive())


class OptionsTest(ContractTestCase):

    def test_bad_input_is_refused_before_any_request(self):
        for kwargs, fragment in (({"changes_since": "yesterday"}, "--changes-since"),
                                 ({"limit": 0}, "--limit"),
                                 ({"changes_before": "1d", "microversion": "2.58"}, "2.66")):
            microversion = kwargs.pop("microversion", None)
            with self.subTest(kwargs=kwargs), self.assertRaises(errors.InvalidInput) as caught:
                self.reader(microversion=microversion).read(None, **kwargs)
            self.assertIn(fragment, str(caught.exception))
        with self.assertRaises(errors.InvalidInput):
            self.reader().read(["bad\nname"])
        self.assertEqual([], self.m.request_history)

    def test_an_auth_type_without_keystone_is_one_line_before_any_request(self):
        from keystoneauth1 import session, token_endpoint

        auth = token_endpoint.Token("http://override.test:8774/v2.1/x", fakes.TOKEN)
        reader = contract.Contract(session.Session(auth=auth), region_name="jp-east-3")
        with self.assertRaises(errors.InvalidInput) as caught:
            reader.read(None)
        self.assertIn("need a login at the identity service", str(caught.exception))
        self.assertEqual([], self.m.request_history)

    def test_an_age_is_one_time_for_every_server(self):
        list(self.reader().read(None, changes_since="1d"))
        since = {r.qs["changes-since"][0] for r in self.cloud.compute_requests()
                 if r.url.split("?")[0].endswith("/os-instance-actions")}
        self.assertEqual(1, len(since))

    def test_unknown_or_ambiguous_project_names_it_before_any_compute_request(self):
        self.cloud.listed["55555555555555555555555555555555"] = ("staging", True)
        for wanted, fragment in ((["nope"], "No project 'nope' among your projects"),
                                 (["staging"], "2 of your projects are named 'staging'")):
            with self.assertRaises(errors.InvalidInput) as caught:
                self.reader().read(wanted)
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual([], self.cloud.compute_requests())

    def test_an_application_credential_cannot_rescope(self):
        def app_credential_login(request: Any, context: Any) -> dict[str, Any]:
            context.status_code = 201
            context.headers["X-Subject-Token"] = fakes.TOKEN
            return token_body(P1, ["application_credential"], application_credential={
                "id": "ac1", "name": "ci", "restricted": True})

        self.m.post(fakes.AUTH_URL + "/auth/tokens", json=app_credential_login)
        with self.assertRaises(keystone.CannotRescope) as caught:
            self.reader().read(None)
        self.assertIn("application credential", str(caught.exception))
        self.assertIn(f"demo-project ({P1})", str(caught.exception))
        # Its own project it can read, without a rescope.
        self.assertEqual(2, len(self.rows(self.reader().read([P1]))))
        self.assertEqual([], [r for r in self.m.request_history if r.url.endswith("/projects")])
        self.assertEqual(1, len([r for r in self.m.request_history if r.method == "POST"]) - 1)


class ProgressTest(ContractTestCase):

    def test_counts_projects_and_servers_then_finished(self):
        seen: list[contract.Progress] = []
        list(self.reader().read(None, on_progress=seen.append))
        self.assertEqual(contract.Progress(3, 3, 4, 4, True), seen[-1])
        self.assertEqual(1, sum(p.finished for p in seen))
        self.assertEqual(3, max(p.projects_done for p in seen))

    def test_progress_line_rewritten_in_place_then_erased(self):
        stream = io.StringIO()
        line = progress.ContractProgressLine(stream)
        line(contract.Progress(1, 3, 0, 5))
        line(contract.Progress(3, 3, 5, 5))
        line(contract.Progress(3, 3, 5, 5, True))
        text = stream.getvalue()
        self.assertNotIn("\n", text)
        self.assertIn("\rprojects 1/3, actions of 0/5 servers", text)
        self.assertTrue(text.endswith("\r\x1b[K"), text)
        quiet = io.StringIO()
        line = progress.ContractProgressLine(quiet)
        line(contract.Progress(1, 1, 4, 10))
        line(contract.Progress(1, 1, 10, 10, True))
        self.assertEqual("", quiet.getvalue())


class ColumnsTest(unittest.TestCase):

    def test_project_columns_first_with_several_projects_and_no_duplicate_title(self):
        titles = [t for _k, t in formatting.contract_columns(mv.DEFAULT, True, True, True)]
        self.assertEqual(["Project ID", "Project Name", "Server ID", "Server Name",
                          "Request ID", "Action", "Start Time", "Updated At", "Message",
                          "User ID", "User Project ID", "Failed Event", "Reason"], titles)
        self.assertEqual(len(titles), len(set(titles)))

    def test_one_project_has_the_fleets_columns(self):
        self.assertEqual(list(formatting.list_columns(mv.DEFAULT, True, True)),
                         formatting.contract_columns(mv.DEFAULT, True, False, False))


class CommandTest(ContractTestCase):

    def run_osc(self, argv: list[str], **env: Any) -> common.CommandResult:
        return super().run_osc(["server", "action", "list", *argv], **env)

    def test_my_projects_rows_carry_their_project_merged_newest_first(self):
        result = self.run_osc(["--my-projects", "-f", "json"])
        self.assert_success(result)
        rows = result.json
        self.assertEqual(["Project ID", "Project Name", "Server ID", "Server Name"],
                         list(rows[0])[:4])
        self.assertEqual([("demo-project", "req-00000012-0000-4000-8000-000000000012"),
                          ("staging", "req-00000023-0000-4000-8000-000000000023"),
                          ("production", "req-00000031-0000-4000-8000-000000000031"),
                          ("staging", "req-00000021-0000-4000-8000-000000000021"),
                          ("demo-project", "req-00000011-0000-4000-8000-000000000011"),
                          ("staging", "req-00000022-0000-4000-8000-000000000022")],
                         [(row["Project Name"], row["Request ID"]) for row in rows])
        self.assertEqual("", result.stderr)

    def test_failed_adds_the_failed_event_and_the_reason(self):
        result = self.run_osc(["--project", "staging", "--project", P1, "--failed", "-f", "json"])
        self.assert_success(result)
        self.assertEqual({("staging", "compute_prep_resize", "Not enough disk"),
                          ("staging", "compute_reboot_instance", "LockError: busy"),
                          ("demo-project", "compute_reboot_instance", "waiting for the guest")},
                         {(r["Project Name"], r["Failed Event"], r["Reason"]) for r in result.json})

    def test_one_project_keeps_the_fleets_columns(self):
        result = self.run_osc(["--project", "production", "-f", "json"])
        self.assert_success(result)
        self.assertEqual(["Server ID", "Server Name", "Request ID", "Action", "Start Time",
                          "Updated At", "Message"], list(result.json[0]))

    def test_problems_are_one_line_each_naming_the_project_exit_1(self):
        self.cloud.refuse[P3] = 401
        self.cloud.forbidden.add(P2)
        result = self.run_osc(["--my-projects", "-f", "json"])
        self.assertEqual(1, result.code, result)
        self.assertEqual(2, len(result.json))
        lines = result.stderr.strip().splitlines()
        self.assertEqual(2, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith(f"Could not read project staging ({P2}): "), lines[0])
        self.assertIn("HTTP 403", lines[0])
        self.assertTrue(lines[1].startswith(f"Could not read project production ({P3}): "))
        self.assertIn("HTTP 401", lines[1])
        self.assertNotIn("Traceback", result.stderr)
        self.assertNotIn(fakes.TOKEN, result.stdout + result.stderr)

    def test_usage_errors_before_any_request(self):
        for argv, fragment in (
                (["--my-projects", "web-01"], "give no <server>"),
                (["--project", "staging", "--all-servers"], "give no <server>"),
                (["--my-projects", "--project", "staging"], "not both"),
                (["--my-projects", "--marker", "req-1"], "--marker"),
                (["--my-projects", "--concurrency", "0"], "--concurrency"),
                (["--my-projects", "--changes-since", "soon"], "--changes-since")):
            with self.subTest(argv=argv):
                result = self.run_osc(argv)
                self.assert_one_line_failure(result, fragment)
        self.assertEqual([], self.m.request_history)

    def test_an_unknown_project_is_one_line_and_no_compute_request(self):
        result = self.run_osc(["--project", "nope"])
        self.assert_one_line_failure(result, "No project 'nope' among your projects")
        self.assertEqual([], [(r.method, r.url) for r in self.cloud.compute_requests()])

    def test_long_with_several_projects_names_the_users_project_apart(self):
        result = self.run_osc(["--my-projects", "--long", "-f", "json"])
        self.assert_success(result)
        self.assertIn("User Project ID", result.json[0])
        self.assertEqual({P1, P2, P3}, {row["Project ID"] for row in result.json})
