"""The contract view through the real ``openstack``, against a simulator of several projects.

"What failed in my contract since yesterday, and why?": ``server action list
--my-projects`` (and ``--project``) as the contract's member ``ops`` and its
admin ``ops-admin`` (:mod:`fj_osc_actions_simulator.contract`).
"""

from __future__ import annotations

import re

import subprocess

from fj_osc_actions_simulator import contract
from tests.functional import base
from tests.functional.test_interrupts import INTERRUPT_LIMIT, REACH_TIMEOUT
from tests.functional.test_terminal import run_with_terminal_stderr

P = {number: contract.project_id(contract.project_name(number)) for number in (1, 2, 3)}
BILLING, RETIRED = contract.FORBIDDEN_PROJECT_ID, contract.DISABLED_PROJECT_ID
#: Written out from the contract's rule ((s + 2p) % 7 == 0) for 3 projects of 6 servers:
#: (project, server name, action, the failed event: the newer of two for a resize
#: and a live migration).
FAILED_SINCE_YESTERDAY = {
    ("project-01", "app-02", "resize", "compute_prep_resize"),
    ("project-02", "db-01", "live-migration", "compute_pre_live_migration"),
    ("project-03", "web-01", "reboot", "compute_reboot_instance"),
}
BILLING_LINE = f"Could not read project billing ({BILLING}): Not allowed to read"
RETIRED_LINE = f"Could not read project retired ({RETIRED}): the identity service lists it as disabled"


def password_logins(sim) -> int:
    """Tokens issued for a password (rescoped ones are issued for a token)."""
    tokens = [sim.app.tokens.valid(token_id) for token_id in sim.issued_token_ids()]
    return sum(1 for token in tokens if token is not None and token.methods == ["password"])


class ContractTest(base.FunctionalTestCase):
    simulator_options = {"projects": 3}

    def list(self, *argv: str, user: str = contract.USER, env: dict | None = None):
        return self.openstack("server", "action", "list", *argv, "-f", "json",
                              env=env or self.password_env(user))

    def test_what_failed_in_my_contract_since_yesterday(self):
        logins_before = password_logins(self.sim)
        result = self.list("--my-projects", "--changes-since", "1d", "--failed")
        self.assertEqual(1, result.code, result)
        rows = result.json
        self.assertEqual(["Project ID", "Project Name", "Server ID", "Server Name", "Request ID",
                          "Action", "Start Time", "Updated At", "Message", "Failed Event",
                          "Reason"], list(rows[0]))
        self.assertEqual(FAILED_SINCE_YESTERDAY, {(r["Project Name"], r["Server Name"],
                                                   r["Action"], r["Failed Event"]) for r in rows})
        self.assertEqual({None}, {row["Reason"] for row in rows})  # a member sees no reason
        self.assertEqual({P[1], P[2], P[3]}, {row["Project ID"] for row in rows})
        starts = [row["Start Time"] for row in rows]
        self.assertEqual(sorted(starts, reverse=True), starts)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(2, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith(BILLING_LINE), lines[0])
        self.assertIn("HTTP 403", lines[0])
        self.assertTrue(lines[1].startswith(RETIRED_LINE), lines[1])
        # One password login; every compute request went to its own project's URL.
        self.assertEqual(1, password_logins(self.sim) - logins_before)
        paths = [entry.path for entry in self.sim.compute_requests()]
        self.assertEqual({P[1], P[2], P[3], BILLING}, {path.split("/")[2] for path in paths})
        self.assertNotIn(RETIRED, "".join(path for path in paths))
        self.assertEqual(18, sum(path.endswith("/os-instance-actions") for path in paths))
        self.assertEqual(3, sum("/os-instance-actions/" in path for path in paths))

    def test_the_contracts_admin_sees_why_from_2_84(self):
        result = self.list("--my-projects", "--changes-since", "1d", "--failed",
                           "--os-compute-api-version", "2.84", user=contract.ADMIN)
        self.assert_success(result)
        self.assertEqual("", result.stderr)
        self.assertEqual({"compute_prep_resize": contract.RESIZE_DETAILS,
                          "compute_pre_live_migration": contract.MIGRATION_DETAILS,
                          "compute_reboot_instance": contract.REBOOT_DETAILS},
                         {row["Failed Event"]: row["Reason"] for row in result.json})
        below = self.list("--my-projects", "--changes-since", "1d", "--failed",
                          user=contract.ADMIN)  # 2.58: a traceback, no details
        self.assertIn("nova.exception.InstanceRebootFailure: Failed to reboot instance: "
                      "guest shutdown timed out", {row["Reason"] for row in below.json})

    def test_chosen_projects_by_name_and_id(self):
        result = self.list("--project", "project-02", "--project", P[3])
        self.assert_success(result)
        self.assertEqual({"project-02", "project-03"}, {row["Project Name"] for row in result.json})
        # A create and a recent action per server; project-02's db-02 and project-03's
        # web-02 a failed stop 3 days ago.
        self.assertEqual(2 * 6 * 2 + 2, len(result.json))

    def test_one_project_is_the_fleets_output(self):
        result = self.list("--project", "project-01", "--changes-since", "1d")
        self.assert_success(result)
        self.assertEqual(["Server ID", "Server Name", "Request ID", "Action", "Start Time",
                          "Updated At", "Message"], list(result.json[0]))
        fleet = self.list("--all-servers", "--changes-since", "1d")
        self.assertEqual(sorted(fleet.json, key=lambda r: r["Request ID"]),
                         sorted(result.json, key=lambda r: r["Request ID"]))

    def test_a_project_i_am_not_a_member_of_is_unknown(self):
        self.sim.clear_log()
        for value in (contract.OUTSIDE_PROJECT_NAME, contract.OUTSIDE_PROJECT_ID):
            result = self.openstack("server", "action", "list", "--project", value,
                                    user=contract.USER)
            self.assert_one_line_failure(result, f"No project {value!r} among your projects")
        self.assertEqual([], self.sim.compute_requests())

    def test_an_application_credential_login_cannot_rescope(self):
        env = self.base_env()
        env.update({key: value for key, value in self.sim.os_env(contract.USER).items()
                    if key in ("OS_AUTH_URL", "OS_REGION_NAME", "OS_INTERFACE",
                               "OS_IDENTITY_API_VERSION")})
        env.update(OS_AUTH_TYPE="v3applicationcredential",
                   OS_APPLICATION_CREDENTIAL_ID=contract.APPLICATION_CREDENTIAL_ID,
                   OS_APPLICATION_CREDENTIAL_SECRET=contract.APPLICATION_CREDENTIAL_SECRET)
        result = self.openstack("server", "action", "list", "--my-projects", env=env)
        self.assert_one_line_failure(result, "Logged in with an application credential",
                                     f"project-01 ({P[1]})")
        self.assertEqual([], self.sim.compute_requests())
        own = self.list("--project", "project-01", env=env)
        self.assert_success(own)
        self.assertEqual(6 * 2 + 1, len(own.json))  # web-01: a failed stop 3 days ago
        self.assertNotIn(contract.APPLICATION_CREDENTIAL_SECRET, result.stderr + own.stdout)

    def test_tokens_never_in_the_output(self):
        result = self.openstack("server", "action", "list", "--my-projects", "--failed",
                                "--debug", user=contract.USER)
        self.assertEqual(1, result.code)
        for token_id in self.sim.issued_token_ids():
            self.assertNotIn(token_id, result.stdout + result.stderr)
        self.assertNotIn(contract.PASSWORD, result.stdout + result.stderr)

    def test_progress_counts_projects_and_servers_on_a_terminal_only(self):
        argv = ["server", "action", "list", "--my-projects", "-f", "json"]
        on_terminal = run_with_terminal_stderr(argv, self.password_env(contract.USER))
        self.assertEqual(1, on_terminal.code)
        counts = [piece.replace("\x1b[K", "") for piece in on_terminal.stderr.split("\r")
                  if piece.startswith("projects")]
        self.assertEqual("projects 5/5, actions of 18/18 servers", counts[-1])
        self.assertIn("\r\x1b[K" + BILLING_LINE, on_terminal.stderr)
        without = self.list("--my-projects")
        self.assertEqual(sorted(without.json, key=str), sorted(on_terminal.json, key=str))
        self.assertNotIn("projects 5/5", without.stderr)

    def test_a_second_run_sends_no_identity_request(self):
        # One environment, so one token cache, for both runs.
        env = self.password_env(contract.USER)
        argv = ("--my-projects", "--changes-since", "1d", "--failed")
        self.sim.clear_log()
        first = self.list(*argv, env=env)
        self.assertTrue(self.sim.wait_idle(base.IDLE_TIMEOUT))
        compute = set(self.sim.compute_requests())
        identity = [(e.method, e.path) for e in self.sim.request_log if e not in compute]
        # discovery, the password login, the listing, a rescope per other project
        self.assertIn(("GET", "/v3/auth/projects"), identity)
        self.assertGreaterEqual(len(identity), 5)
        self.sim.clear_log()
        second = self.list(*argv, env=env)
        self.assertTrue(self.sim.wait_idle(base.IDLE_TIMEOUT))
        compute = set(self.sim.compute_requests())
        self.assertEqual([], [(e.method, e.path) for e in self.sim.request_log
                              if e not in compute])

        def without_request_ids(text):  # each answer has its own
            return re.sub(r"req-[0-9a-f-]+", "req-...", text)

        self.assertEqual((first.code, first.json, without_request_ids(first.stderr)),
                         (second.code, second.json, without_request_ids(second.stderr)))


class BoundedTest(base.HeldAnswersTestCase):
    """Held answers (the manual clock): exactly --concurrency requests in flight, and Ctrl-C."""

    simulator_options = {"projects": 3}

    def start(self, *argv: str) -> subprocess.Popen:
        return super().start("server", "action", "list", *argv,
                             env=self.password_env(contract.USER))

    def test_exactly_concurrency_requests_in_flight_over_all_projects(self):
        self.sim.inject("slow:60", path_contains="/os-instance-actions", times=0)
        process = self.start("--my-projects", "--concurrency", "3", "-f", "json")
        # 18 servers in 3 projects: their reads are held, 3 at a time.
        self.assertTrue(self.clock.wait_for_sleepers(3, REACH_TIMEOUT), self.clock.sleepers)
        self.assertEqual(3, self.sim.in_flight)
        self.sim.clear_faults()  # the rest are answered at once
        self.clock.advance(60)
        stdout, stderr = process.communicate(timeout=base.COMMAND_TIMEOUT)
        self.assertEqual(1, process.returncode, stderr)  # billing and retired
        self.assertLessEqual(self.sim.peak_in_flight, 3)
        held = [e for e in self.sim.compute_requests() if e.path.endswith("/os-instance-actions")]
        self.assertEqual(18, len(held))

    def test_ctrl_c_ends_the_run_at_once_with_130(self):
        self.sim.inject("slow:60", path_contains="/os-instance-actions", times=0)
        process = self.start("--my-projects")
        self.assertTrue(self.clock.wait_for_sleepers(8, REACH_TIMEOUT), self.clock.sleepers)
        self.assert_interrupted(process, INTERRUPT_LIMIT)
