"""The contract of several projects (``projects=N``): Keystone's side and the data."""

from __future__ import annotations

import contextlib
import datetime
import io

import yaml

from fj_osc_actions_simulator import Simulator, cli, contract, seed
from fj_osc_actions_simulator.store import build_store
from tests.unit.simulator import TIMEOUT, SimTestCase, password_auth

DOMAIN = seed.DOMAIN_NAME
P1, P2, P3 = (contract.project_id(contract.project_name(n)) for n in (1, 2, 3))
UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized", "message":
                          "The request you have made requires authentication."}}


def ops_login(project: str | None = "project-01", user: str = contract.USER) -> dict:
    return password_auth(user, password=contract.PASSWORDS[user], project=project)


def token_login(token: str, project_id: str | None) -> dict:
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}}}}
    if project_id is not None:
        body["auth"]["scope"] = {"project": {"id": project_id}}
    return body


def application_credential_login(**given: str) -> dict:
    return {"auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": given}}}


class ContractTestCase(SimTestCase):
    sim_kwargs = {"projects": 3}

    def ops_token(self, project: str | None = "project-01", user: str = contract.USER) -> str:
        response = self.issue(ops_login(project, user))
        self.assertEqual(201, response.status_code, response.text)
        return response.headers["X-Subject-Token"]

    def auth_projects(self, token: str | None):
        headers = {"X-Auth-Token": token} if token else {}
        return self.http.get(self.sim.identity_url + "/auth/projects", headers=headers,
                             timeout=TIMEOUT)


class DefaultSeedTest(SimTestCase):

    def test_no_contract_unless_asked(self):
        self.assertNotIn(contract.USER, {user["name"] for user in self.sim.store.users.values()})
        self.assertEqual({seed.PROJECT_ID, seed.OTHER_PROJECT_ID}, set(self.sim.store.projects))
        self.assertEqual(set(build_store(None).servers), set(self.sim.store.servers))

    def test_a_seeded_user_lists_its_one_project(self):
        response = self.http.get(self.sim.identity_url + "/auth/projects",
                                 headers={"X-Auth-Token": self.token("demo")}, timeout=TIMEOUT)
        self.assertEqual(200, response.status_code)
        self.assertEqual([seed.PROJECT_NAME], [p["name"] for p in response.json()["projects"]])


class AuthProjectsTest(ContractTestCase):

    def test_lists_the_projects_the_user_has_a_role_on_as_keystone_does(self):
        response = self.auth_projects(self.ops_token())
        self.assertEqual(200, response.status_code)
        body = response.json()
        self.assertEqual({"self": self.sim.identity_url + "/auth/projects", "previous": None,
                          "next": None}, body["links"])
        listed = {project["name"]: project for project in body["projects"]}
        self.assertEqual({"project-01", "project-02", "project-03", "billing", "retired"},
                         set(listed))
        first = listed["project-01"]
        self.assertEqual({"id", "name", "domain_id", "description", "enabled", "parent_id",
                          "is_domain", "tags", "options", "links"}, set(first))
        self.assertEqual(P1, first["id"])
        self.assertEqual(seed.DOMAIN_ID, first["domain_id"])
        self.assertEqual({"self": f"{self.sim.identity_url}/projects/{P1}"}, first["links"])
        self.assertIs(False, listed["retired"]["enabled"])
        self.assertIs(True, listed["billing"]["enabled"])

    def test_any_scope_of_the_token_lists_the_same(self):
        scoped = self.auth_projects(self.ops_token("project-02")).json()["projects"]
        unscoped = self.auth_projects(self.ops_token(None)).json()["projects"]
        self.assertEqual([p["id"] for p in scoped], [p["id"] for p in unscoped])

    def test_the_admin_of_the_contract_has_the_projects_only(self):
        names = [p["name"] for p in self.auth_projects(
            self.ops_token(user=contract.ADMIN)).json()["projects"]]
        self.assertEqual(["project-01", "project-02", "project-03"], names)

    def test_no_token_or_a_bad_one_is_401(self):
        for token in (None, "bogus"):
            response = self.auth_projects(token)
            self.assertEqual(401, response.status_code)
            self.assertEqual(UNAUTHORIZED, response.json())


class RescopeTest(ContractTestCase):

    def test_token_method_rescopes_to_each_project_with_its_catalog(self):
        login = self.ops_token()
        for project_id, number in ((P2, 2), (P3, 3), (P1, 1)):
            response = self.issue(token_login(login, project_id))
            self.assertEqual(201, response.status_code, response.text)
            token = response.json()["token"]
            self.assertEqual(project_id, token["project"]["id"])
            compute = [s for s in token["catalog"] if s["type"] == "compute"][0]
            self.assertEqual({f"{self.sim.url}/v2.1/{project_id}"},
                             {e["url"] for e in compute["endpoints"]})
            servers = self.get("/servers", token=response.headers["X-Subject-Token"],
                               project=project_id).json()["servers"]
            self.assertEqual({contract.server_id(number, s) for s in range(1, 7)},
                             {server["id"] for server in servers})
            self.assertEqual({"web-01", "app-01", "db-01", "web-02", "app-02", "db-02"},
                             {server["name"] for server in servers})

    def test_a_rescoped_token_keeps_the_expiry_of_the_login(self):
        login = self.issue(ops_login())
        rescoped = self.issue(token_login(login.headers["X-Subject-Token"], P2))
        self.assertEqual(login.json()["token"]["expires_at"],
                         rescoped.json()["token"]["expires_at"])

    def test_rescoping_to_a_project_of_no_role_or_disabled_is_401(self):
        login = self.ops_token()
        for project_id in (contract.OUTSIDE_PROJECT_ID, contract.DISABLED_PROJECT_ID,
                           seed.PROJECT_ID, "0" * 32):
            with self.subTest(project_id=project_id):
                response = self.issue(token_login(login, project_id))
                self.assertEqual(401, response.status_code)
                self.assertEqual(UNAUTHORIZED, response.json())
                self.assertNotIn("X-Subject-Token", response.headers)

    def test_a_password_login_to_the_disabled_project_is_401(self):
        self.assertEqual(401, self.issue(ops_login("retired")).status_code)

    def test_billing_scopes_but_its_server_listing_is_403(self):
        response = self.issue(token_login(self.ops_token(), contract.FORBIDDEN_PROJECT_ID))
        self.assertEqual(201, response.status_code)
        self.assertEqual([contract.UNKNOWN_ROLE],
                         [role["name"] for role in response.json()["token"]["roles"]])
        listing = self.get("/servers", token=response.headers["X-Subject-Token"],
                           project=contract.FORBIDDEN_PROJECT_ID)
        self.assertEqual(403, listing.status_code)
        self.assertEqual("Policy doesn't allow os_compute_api:servers:index to be performed.",
                         listing.json()["forbidden"]["message"])

    def test_a_token_of_one_project_on_another_projects_url_is_400(self):
        listing = self.get("/servers", token=self.ops_token("project-01"), project=P2)
        self.assertEqual(400, listing.status_code)


class ApplicationCredentialTest(ContractTestCase):

    def test_login_by_id_or_by_name_and_user(self):
        by_name = {"name": contract.APPLICATION_CREDENTIAL_NAME,
                   "user": {"name": contract.USER, "domain": {"name": DOMAIN}},
                   "secret": contract.APPLICATION_CREDENTIAL_SECRET}
        by_id = {"id": contract.APPLICATION_CREDENTIAL_ID,
                 "secret": contract.APPLICATION_CREDENTIAL_SECRET}
        for given in (by_id, by_name):
            response = self.issue(application_credential_login(**given))
            self.assertEqual(201, response.status_code, response.text)
            token = response.json()["token"]
            self.assertEqual(["application_credential"], token["methods"])
            self.assertEqual(P1, token["project"]["id"])
            self.assertEqual({"id": contract.APPLICATION_CREDENTIAL_ID,
                              "name": contract.APPLICATION_CREDENTIAL_NAME,
                              "restricted": True}, token["application_credential"])

    def test_wrong_secret_or_unknown_credential_is_401(self):
        for given in ({"id": contract.APPLICATION_CREDENTIAL_ID, "secret": "wrong"},
                      {"id": "0" * 32, "secret": contract.APPLICATION_CREDENTIAL_SECRET}):
            self.assertEqual(401, self.issue(application_credential_login(**given)).status_code)

    def test_it_cannot_request_a_scope(self):
        body = application_credential_login(id=contract.APPLICATION_CREDENTIAL_ID,
                                            secret=contract.APPLICATION_CREDENTIAL_SECRET)
        body["auth"]["scope"] = {"project": {"id": P2}}
        response = self.issue(body)
        self.assertEqual(401, response.status_code)
        self.assertEqual("Error authenticating with application credential: Application "
                         "credentials cannot request a scope.", response.json()["error"]["message"])

    def test_its_token_cannot_be_rescoped_as_keystone_refuses(self):
        login = self.issue(application_credential_login(
            id=contract.APPLICATION_CREDENTIAL_ID, secret=contract.APPLICATION_CREDENTIAL_SECRET))
        token = login.headers["X-Subject-Token"]
        response = self.issue(token_login(token, P2))
        self.assertEqual(403, response.status_code)
        self.assertEqual({"error": {"code": 403, "title": "Forbidden", "message": (
            "You are not authorized to perform the requested action: Using an application "
            "credential token to create a scoped token is not allowed.")}}, response.json())
        # It still reads its own project, and lists the user's projects as Keystone does.
        self.assertEqual(200, self.get("/servers", token=token, project=P1).status_code)
        self.assertEqual(200, self.auth_projects(token).status_code)


class ContractDataTest(ContractTestCase):
    """Server s of project p failed within the last day when (s + 2p) % 7 == 0."""

    #: Written out by hand from the rule, for 3 projects of 6 servers.
    RECENT = {(1, 5): "resize", (2, 3): "live-migration", (3, 1): "reboot"}
    OLD = {(1, 1), (2, 6), (3, 4)}

    def actions(self, token: str, project_id: str, server_id: str, **params: str) -> list:
        path = self.actions_path(server_id)
        response = self.get(path, mv="2.58", token=token, project=project_id, params=params)
        self.assertEqual(200, response.status_code, response.text)
        return response.json()["instanceActions"]

    def test_failures_of_the_last_day_and_older_ones(self):
        login = self.ops_token()
        since = datetime.datetime.fromtimestamp(self.sim.store.started_at - 86400,
                                                datetime.timezone.utc)
        since_text = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        recent, old = {}, set()
        for number, project_id in ((1, P1), (2, P2), (3, P3)):
            token = self.issue(token_login(login, project_id)).headers["X-Subject-Token"]
            for server in range(1, 7):
                server_id = contract.server_id(number, server)
                every = self.actions(token, project_id, server_id)
                last_day = self.actions(token, project_id, server_id,
                                        **{"changes-since": since_text})
                self.assertEqual(1, len(last_day))
                if last_day[0]["message"] == "Error":
                    recent[(number, server)] = last_day[0]["action"]
                if any(a["message"] == "Error" and a["action"] == "stop" for a in every):
                    old.add((number, server))
        self.assertEqual(self.RECENT, recent)
        self.assertEqual(self.OLD, old)

    def test_a_failed_resize_has_two_error_events_the_newer_says_why(self):
        admin = self.ops_token(user=contract.ADMIN)
        server_id = contract.server_id(1, 5)
        request_id = contract.request_id(1, 5, 3)
        path = self.actions_path(server_id, request_id)
        action = self.get(path, mv="2.84", token=admin, project=P1).json()["instanceAction"]
        events = action["events"]
        self.assertEqual(["compute_prep_resize", "conductor_migrate_server"],
                         [event["event"] for event in events])  # newest first, as Nova
        self.assertEqual(["Error", "Error"], [event["result"] for event in events])
        self.assertEqual(contract.RESIZE_DETAILS, events[0]["details"])
        self.assertTrue(events[0]["traceback"].strip().endswith("destination"))
        member = self.get(path, mv="2.84", token=self.ops_token(), project=P1).json()
        self.assertEqual({"event", "start_time", "finish_time", "result", "hostId"},
                         set(member["instanceAction"]["events"][0]))

    def test_problem_projects_can_be_left_out(self):
        data = contract.add_contract({"servers": []}, 2, 3, problem_projects=False)
        names = {project["name"] for project in data["projects"]}
        self.assertTrue({"project-01", "project-02"} <= names)
        self.assertFalse({"billing", "retired", "other-team"} & names)
        self.assertEqual(6, len(data["servers"]))
        self.assertIn(seed.PROJECT_ID, {project["id"] for project in data["projects"]})


class OptionsTest(SimTestCase):

    def test_command_line_options(self):
        args = cli.build_parser().parse_args(["--projects", "4", "--project-servers", "2"])
        self.assertEqual((4, 2), (args.projects, args.project_servers))
        args = cli.build_parser().parse_args([])
        self.assertEqual((0, contract.DEFAULT_SERVERS), (args.projects, args.project_servers))
        with contextlib.redirect_stderr(io.StringIO()) as stderr, self.assertRaises(SystemExit):
            cli.build_parser().parse_args(["--projects", "-1"])
        self.assertIn("argument --projects: '-1' is not a number >= 0", stderr.getvalue())
        with self.assertRaisesRegex(ValueError, "projects"):
            Simulator(projects=-1)

    def test_banner_names_the_contract_users_only_with_projects(self):
        self.assertNotIn(contract.USER, cli.banner(self.sim))
        with Simulator(projects=2) as sim:
            self.assertIn("# Contract (--projects): ops/ops-secret (member), "
                          "ops-admin/ops-admin-secret (admin)", cli.banner(sim))
            self.assertEqual("project-01", sim.os_env(contract.USER)["OS_PROJECT_NAME"])

    def test_dump_data_has_the_contract(self):
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            self.assertEqual(0, cli.main(["--dump-data", "--projects", "2",
                                          "--project-servers", "1"]))
        data = yaml.safe_load(stdout.getvalue())
        self.assertIn("project-02", {project["name"] for project in data["projects"]})
        self.assertIn(contract.server_id(2, 1), {server["id"] for server in data["servers"]})
