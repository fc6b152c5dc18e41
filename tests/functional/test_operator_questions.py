"""The operators' questions, through the real ``openstack`` against the simulator.

"What failed on my servers since yesterday?" (the fleet view), "did the reboot
I just started succeed?" (--latest, --wait and its exit status) and "where did
the time go?" (--timeline). Ctrl-C in each phase: test_interrupts.py.
"""

from __future__ import annotations

from fj_osc_actions_simulator import seed
from tests.functional import base

FLEET_SIZE = 30
#: The fleet servers with a failed reboot 6-7 hours ago (every 7th).
RECENT_FAILURES = {seed.fleet_server_name(n) for n in range(1, FLEET_SIZE + 1)
                   if n % seed.FLEET_EVERY == seed.FLEET_RECENT_FAILURE}


class FleetTest(base.FunctionalTestCase):
    simulator_options = {"servers": FLEET_SIZE}

    def fleet_list(self, *extra: str) -> base.CommandResult:
        return self.openstack("server", "action", "list", *extra, "-f", "json")

    def test_what_failed_since_yesterday(self):
        result = self.fleet_list("--all-servers", "--changes-since", "1d", "--failed")
        self.assert_success(result)
        rows = result.json
        self.assertEqual(["Server ID", "Server Name", "Request ID", "Action", "Start Time",
                          "Updated At", "Message"], list(rows[0]))
        fleet_rows = [row for row in rows if row["Server Name"].startswith("fleet-")]
        self.assertEqual(RECENT_FAILURES, {row["Server Name"] for row in fleet_rows})
        self.assertEqual({"Error"}, {row["Message"] for row in rows})
        starts = [row["Start Time"] for row in rows]
        self.assertEqual(sorted(starts, reverse=True), starts)
        # One listing of the servers, then one list of actions per server, with
        # the relative age sent as a UTC ISO 8601 time.
        queries = [e.query for e in self.sim.compute_requests() if e.path.endswith("/os-instance-actions")]
        # the fleet and the 8 seeded servers of the project
        self.assertEqual(FLEET_SIZE + 8, len(queries))
        self.assertTrue(all("changes-since=20" in q and "Z" in q for q in queries), queries[:2])

    def test_several_servers_by_name_and_id_merged_newest_first(self):
        result = self.fleet_list("web-01", seed.DB_01, "--action", "reboot",
                                 "--action", "live-migration")
        self.assert_success(result)
        self.assertEqual({"web-01", "db-01"}, {row["Server Name"] for row in result.json})
        self.assertEqual({"reboot", "live-migration"}, {row["Action"] for row in result.json})
        starts = [row["Start Time"] for row in result.json]
        self.assertEqual(sorted(starts, reverse=True), starts)

    def test_one_server_keeps_its_columns(self):
        result = self.fleet_list("web-01", "--failed")
        self.assert_success(result)
        self.assertEqual([{"Request ID": seed.FAILED_REBOOT_REQUEST, "Action": "reboot",
                           "Start Time": "2025-06-02T10:30:00.000000",
                           "Updated At": "2025-06-02T10:30:19.000000", "Message": "Error"}],
                         result.json)

    def test_a_forbidden_server_fails_the_run_and_keeps_every_other_row(self):
        forbidden = seed.fleet_server_id(7)
        self.sim.inject("403", path_contains=f"/servers/{forbidden}/os-instance-actions", times=0)
        result = self.fleet_list("--all-servers", "--changes-since", "1d", "--failed")
        self.assertEqual(1, result.code, result)
        names = {row["Server Name"] for row in result.json}
        self.assertEqual(RECENT_FAILURES - {seed.fleet_server_name(7)},
                         {name for name in names if name.startswith("fleet-")})
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn(f"fleet-007 ({forbidden})", lines[0])
        self.assertIn("HTTP 403", lines[0])
        self.assertIn("x-openstack-request-id: req-", lines[0])

    def test_a_server_deleted_meanwhile_is_a_notice(self):
        gone = seed.fleet_server_id(14)
        self.sim.inject("vanish", path_contains=f"/servers/{gone}/os-instance-actions", times=0)
        result = self.fleet_list("--all-servers", "--failed")
        self.assert_success(result)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn(f"fleet-014 ({gone}) was deleted", lines[0])

    def test_rate_limits_are_waited_out_without_a_word(self):
        limited = seed.fleet_server_id(21)
        self.sim.inject("429:1", path_contains=f"/servers/{limited}/os-instance-actions", times=1)
        result = self.fleet_list("--all-servers", "--failed")
        self.assert_success(result)
        self.assertEqual("", result.stderr)
        self.assertIn("fleet-021", {row["Server Name"] for row in result.json})
        statuses = [e.status for e in self.sim.compute_requests() if limited in e.path]
        self.assertEqual([429, 200], statuses)

    def test_requests_in_flight_never_exceed_the_concurrency(self):
        self.sim.inject("slow:0.2", path_contains="/os-instance-actions", times=0)
        result = self.fleet_list("--all-servers", "--concurrency", "3")
        self.assert_success(result)
        self.assertLessEqual(self.sim.peak_in_flight, 3)


class WaitTest(base.FunctionalTestCase):
    simulator_options = {"running_seconds": 3.0}

    def setUp(self):
        super().setUp()
        self.sim.restart_running_actions()

    def test_a_reboot_that_succeeds_exits_0(self):
        result = self.openstack("server", "action", "show", "web-02", "--latest", "--wait",
                                "-f", "json")
        self.assert_success(result)
        self.assertEqual("", result.stderr)
        self.assertEqual(seed.RUNNING_REBOOT_REQUEST, result.json["request_id"])
        self.assertEqual(["Success"], [event["result"] for event in result.json["events"]])
        servers = [e for e in self.sim.compute_requests() if e.path.endswith(seed.WEB_02)]
        self.assertTrue(servers, "the server's task state was read")

    def test_a_reboot_that_fails_exits_1_with_one_line_naming_the_event(self):
        # As admin at 2.84: the API returns an event's details from 2.84, to admins.
        result = self.openstack("server", "action", "show", "web-03", "--latest", "--wait",
                                "--os-compute-api-version", "2.84", user="admin")
        self.assertEqual(1, result.code, result)
        self.assertIn(seed.FAILING_REBOOT_REQUEST, result.stdout)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn("compute_reboot_instance", lines[0])
        self.assertIn("Error", lines[0])
        self.assertIn(seed.REBOOT_DETAILS.strip().splitlines()[-1].strip(), lines[0])

    def test_a_long_action_times_out_with_a_clear_line(self):
        result = self.openstack("server", "action", "show", "batch-01", "--latest", "--wait",
                                "--wait-timeout", "2")
        self.assert_one_line_failure(result, "Waited 2 s", seed.LONG_SNAPSHOT_REQUEST,
                                     "may still be running")

    def test_a_retried_event_as_nova_records_it_does_not_wait_forever(self):
        # Nova never finishes the retry's own event row (db-01, request 33).
        result = self.openstack("server", "action", "show", "db-01", seed.RETRIED_REBOOT_REQUEST,
                                "--wait", "--wait-timeout", "30")
        self.assertEqual(1, result.code, result)
        self.assertEqual([f"Action reboot ({seed.RETRIED_REBOOT_REQUEST}) of server 'db-01' failed."],
                         result.stderr.splitlines())

    def test_last_failed(self):
        result = self.openstack("server", "action", "show", "web-01", "--last-failed", "-f", "json")
        self.assert_success(result)
        self.assertEqual(seed.FAILED_REBOOT_REQUEST, result.json["request_id"])

    def test_usage_error_sends_nothing(self):
        result = self.openstack("server", "action", "show", "web-01", seed.FAILED_REBOOT_REQUEST,
                                "--latest")
        self.assert_one_line_failure(result, "exactly one of")
        self.assertEqual([], self.sim.request_log)


class TimelineTest(base.FunctionalTestCase):
    def show_timeline(self, **env: str) -> base.CommandResult:
        return self.openstack("server", "action", "show", "web-01", seed.FAILED_REBOOT_REQUEST,
                              "--timeline", env={**self.password_env(), **env})

    def test_block_characters_on_a_utf8_terminal(self):
        result = self.show_timeline(PYTHONIOENCODING="utf-8")
        self.assert_success(result)
        self.assertIn("|" + "█" * 30 + "| [FAILED]  compute_reboot_instance  (7.0s)", result.stdout)

    def test_ascii_where_the_output_cannot_encode_them(self):
        for env in ({"PYTHONIOENCODING": "ascii"},
                    {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}):
            result = self.show_timeline(**env)
            self.assert_success(result)
            self.assertIn("|" + "#" * 30 + "| [FAILED]", result.stdout, env)

    def test_machine_output_does_not_change(self):
        argv = ["server", "action", "show", "web-01", seed.FAILED_REBOOT_REQUEST, "-f", "json"]
        self.assertEqual(self.openstack(*argv).stdout, self.openstack(*argv, "--timeline").stdout)
