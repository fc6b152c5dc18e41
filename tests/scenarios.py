"""The scenarios that run against both backends, from one definition.

Each class here is a set of tests through the real ``openstack``; it is run
against the bundled simulator (tests/functional/test_scenarios.py) and
against the real Nova 34 compute API (tests/realnova/test_commands.py). A
backend provides ``openstack(*argv, user=..., microversion=...)`` over the
same seed (``fj_osc_actions_simulator.seed``; the real Nova's is written
from it) with Nova's page size of 2, so every listing has several pages.

The classes are mixins: a backend's test case class comes after them and
provides ``show(server, *argv, user=..., microversion=...)``,
``list(*argv, ...)`` and the assertions of ``tests.common.CommandAssertions``.
"""

from __future__ import annotations

from fj_osc_actions_simulator.seed import (APP_A, APP_B, BATCH_01, DB_01, DB_02, OLD_01,
                                           OTHER_01, PRECHECK_DETAILS, WEB_01, request_id)
from fj_osc_actions_simulator.seed import CLOUD_STOP_REQUEST as NULL_USER_REQ
from fj_osc_actions_simulator.seed import DELETE_REQUEST as DELETE_REQ
from fj_osc_actions_simulator.seed import FAILED_MIGRATION_REQUEST as MIGRATION_REQ
from fj_osc_actions_simulator.seed import FAILED_REBOOT_REQUEST as FAILED_REQ
from fj_osc_actions_simulator.seed import RUNNING_SNAPSHOT_REQUEST as RUNNING_REQ

#: Nova's [api]max_limit in both backends.
PAGE_SIZE = 2


MICROVERSIONS = ("2.1", "2.51", "2.62", "2.84", "latest")
BASE_EVENT = {"event", "start_time", "finish_time", "result"}
#: The event keys Nova returns, by caller and microversion.
EVENT_KEYS = {
    ("demo", "2.1"): None,  # no "events" key at all
    ("demo", "2.51"): BASE_EVENT,
    ("demo", "2.62"): BASE_EVENT | {"hostId"},
    ("demo", "2.84"): BASE_EVENT | {"hostId"},
    ("demo", "latest"): BASE_EVENT | {"hostId"},
    ("admin", "2.1"): BASE_EVENT | {"traceback"},
    ("admin", "2.51"): BASE_EVENT | {"traceback"},
    ("admin", "2.62"): BASE_EVENT | {"traceback", "host", "hostId"},
    ("admin", "2.84"): BASE_EVENT | {"traceback", "host", "hostId", "details"},
    ("admin", "latest"): BASE_EVENT | {"traceback", "host", "hostId", "details"},
}
WEB_01_NEWEST_FIRST = [request_id(n) for n in range(6, 0, -1)]


class ShowScenarios:
    def test_member_and_admin_at_each_microversion(self):
        for (user, version), keys in EVENT_KEYS.items():
            with self.subTest(user=user, microversion=version):
                result = self.show(WEB_01, FAILED_REQ, "-f", "json", user=user,
                                   microversion=version)
                self.assert_success(result)
                action = result.json
                self.assertEqual("reboot", action["action"])
                self.assertEqual("Error", action["message"])
                if keys is None:
                    self.assertIsNone(action.get("events"), action)
                    continue
                self.assertEqual(keys, set(action["events"][0]), action)
                self.assertEqual("Error", action["events"][0]["result"])
                if "details" in keys:
                    self.assertIn("Timed out waiting for the guest", action["events"][0]["details"])
                    self.assertIn("raise self.error", action["events"][0]["traceback"])

    def test_table_marks_the_failure(self):
        result = self.show(WEB_01, FAILED_REQ, user="admin", microversion="2.84")
        self.assert_success(result)
        self.assertIn("[FAILED]  compute_reboot_instance  Error", result.stdout)
        self.assertIn("details: Failed to reboot instance", result.stdout)
        self.assertIn("host: compute-1", result.stdout)

    def test_member_below_251_is_told_why_there_are_no_events(self):
        result = self.show(WEB_01, FAILED_REQ, microversion="2.1")
        self.assert_success(result)
        self.assertIn("not returned: below microversion 2.51", result.stdout)

    def test_running_event(self):
        result = self.show(WEB_01, RUNNING_REQ, "-f", "json", user="admin", microversion="2.84")
        self.assert_success(result)
        event = result.json["events"][0]
        self.assertIsNone(event["finish_time"])
        self.assertIsNone(event["result"])
        table = self.show(WEB_01, RUNNING_REQ)
        self.assertIn("[running]", table.stdout)

    def test_action_with_null_user(self):
        result = self.show(WEB_01, NULL_USER_REQ, "-f", "json", user="admin", microversion="2.62")
        self.assert_success(result)
        self.assertIsNone(result.json["user_id"])
        self.assertIsNone(result.json["project_id"])

    def test_by_name(self):
        result = self.show("web-01", FAILED_REQ, "-f", "json")
        self.assert_success(result)
        self.assertEqual(WEB_01, result.json["instance_uuid"])

    def test_ambiguous_name(self):
        result = self.show("app", "--latest")
        self.assert_one_line_failure(result, "2 servers are named 'app'")

    def test_unknown_name(self):
        self.assert_one_line_failure(self.show("no-such-server", FAILED_REQ), "no-such-server")

    def test_deleted_server_by_id_from_221(self):
        result = self.show(OLD_01, DELETE_REQ, "-f", "json", microversion="2.21")
        self.assert_success(result)
        self.assertEqual("delete", result.json["action"])
        old = self.show(OLD_01, DELETE_REQ, microversion="2.20")
        self.assert_one_line_failure(old, f"Server '{OLD_01}' not found", "2.21")

    def test_deleted_server_is_not_found_by_name(self):
        result = self.show("old-01", DELETE_REQ, microversion="2.21")
        self.assert_one_line_failure(result, "old-01")

    def test_404_action_and_404_server_differ(self):
        action = self.show(WEB_01, "req-does-not-exist")
        line = self.assert_one_line_failure(action, "Action 'req-does-not-exist' not found",
                                            "openstack server action list")
        self.assertIn("(HTTP 404)", line)
        unknown = "00000000-0000-4000-8000-000000000000"
        server = self.show(unknown, FAILED_REQ)
        self.assert_one_line_failure(server, f"Server '{unknown}' not found")

    def test_another_projects_server_is_not_found(self):
        result = self.show(WEB_01, FAILED_REQ, user="other")
        self.assert_one_line_failure(result, f"Server '{WEB_01}' not found")

    def test_406_unsupported_microversion(self):
        result = self.show(WEB_01, FAILED_REQ, microversion="2.200")
        self.assert_one_line_failure(result, "2.200", "2.104")

    def test_403_by_policy(self):
        result = self.show(WEB_01, FAILED_REQ, user="guest")
        self.assert_one_line_failure(result, "403")

    def test_latest_reads_back_the_version(self):
        result = self.show(WEB_01, FAILED_REQ, "--debug", user="admin", microversion="latest")
        self.assert_success(result)
        self.assertIn("2.104", result.stderr)

    def test_latest_and_last_failed(self):
        latest = self.show(WEB_01, "--latest", "-f", "json")
        self.assert_success(latest)
        self.assertEqual(RUNNING_REQ, latest.json["request_id"])
        failed = self.show("web-01", "--last-failed", "-f", "json")
        self.assert_success(failed)
        self.assertEqual(FAILED_REQ, failed.json["request_id"])
        migration = self.show(DB_01, "--last-failed", "-f", "json", user="admin")
        self.assert_success(migration)
        self.assertEqual("Error", migration.json["message"])

    def test_wait_on_finished_action(self):
        result = self.show(APP_A, request_id(52), "--wait", "-f", "json")
        self.assert_success(result)
        self.assertEqual("stop", result.json["action"])

    def test_wait_on_failed_action(self):
        result = self.show(WEB_01, FAILED_REQ, "--wait", "-f", "json")
        self.assertEqual(1, result.code, result)
        self.assertEqual(FAILED_REQ, result.json["request_id"])
        self.assertIn(FAILED_REQ, result.stderr)

    def test_wait_timeout_on_running_action(self):
        result = self.show(WEB_01, RUNNING_REQ, "--wait", "--wait-timeout", "2", "-f", "json")
        self.assertEqual(1, result.code, result)


class BusyServerScenarios:
    """A busy server (its newest action running, its task state set) with
    older actions that have ended: batch-01 (a snapshot running, an older
    failed reboot and its create) and db-02 (a resize running, an older
    live migration whose pre-check failed). As Nova: the task state belongs
    to the newest action only."""

    def test_wait_on_an_older_finished_action_returns_at_once(self):
        result = self.show(BATCH_01, request_id(85), "--wait", "--wait-timeout", "60",
                           "-f", "json")
        self.assert_success(result)
        self.assertEqual(("create", None), (result.json["action"], result.json["message"]))
        self.assertEqual("", result.stderr)

    def test_wait_on_an_older_failed_action_returns_at_once_with_exit_1(self):
        result = self.show(BATCH_01, request_id(87), "--wait", "--wait-timeout", "60",
                           "-f", "json")
        self.assertEqual(1, result.code, result)
        self.assertEqual(request_id(87), result.json["request_id"])
        self.assertEqual(
            [f"Action reboot ({request_id(87)}) of server '{BATCH_01}' failed: event "
             "compute_reboot_instance ended with Error."], result.stderr.splitlines())

    def test_wait_on_the_running_action_times_out(self):
        result = self.show(BATCH_01, request_id(86), "--wait", "--wait-timeout", "2")
        line = self.assert_one_line_failure(result, "Waited 2 s", request_id(86),
                                            "may still be running")
        self.assertIn(BATCH_01, line)

    def test_the_failed_event_is_the_newest_error(self):
        # Two Error events; the newer (the compute pre-check) is named, with its details.
        result = self.show(DB_02, request_id(89), "--wait", "-f", "json", user="admin",
                           microversion="2.84")
        self.assertEqual(1, result.code, result)
        self.assertEqual(
            [f"Action live-migration ({request_id(89)}) of server '{DB_02}' failed: event "
             f"compute_check_can_live_migrate_destination ended with Error: {PRECHECK_DETAILS}"],
            result.stderr.splitlines())

    def test_events_newest_first_in_json(self):
        failed = self.show(DB_02, request_id(89), "-f", "json")
        self.assert_success(failed)
        self.assertEqual(["compute_check_can_live_migrate_destination",
                          "conductor_live_migrate_instance"],
                         [event["event"] for event in failed.json["events"]])
        migration = self.show(DB_01, MIGRATION_REQ, "-f", "json")
        self.assertEqual(["compute_live_migration", "compute_check_can_live_migrate_destination",
                          "conductor_live_migrate_instance"],
                         [event["event"] for event in migration.json["events"]])

    def test_the_busy_servers_newest_action_is_the_running_one(self):
        for server, running in ((BATCH_01, request_id(86)), (DB_02, request_id(90))):
            with self.subTest(server=server):
                result = self.show(server, "--latest", "-f", "json")
                self.assert_success(result)
                self.assertEqual(running, result.json["request_id"])
                self.assertIsNone(result.json["events"][0]["finish_time"])


class ListScenarios:
    def test_every_page_newest_first(self):
        result = self.list(WEB_01, "-f", "json")
        self.assert_success(result)
        self.assertEqual(WEB_01_NEWEST_FIRST, [row["Request ID"] for row in result.json])

    def test_limit_is_one_page(self):
        result = self.list("web-01", "--limit", "2", "-f", "json")
        self.assert_success(result)
        self.assertEqual(WEB_01_NEWEST_FIRST[:2], [row["Request ID"] for row in result.json])

    def test_marker(self):
        result = self.list(WEB_01, "--marker", request_id(4), "-f", "json")
        self.assert_success(result)
        self.assertEqual(WEB_01_NEWEST_FIRST[3:], [row["Request ID"] for row in result.json])

    def test_changes_since_and_before(self):
        since = self.list(WEB_01, "--changes-since", "2025-06-02T10:30:00Z", "-f", "json")
        self.assert_success(since)
        self.assertEqual(WEB_01_NEWEST_FIRST[:3], [row["Request ID"] for row in since.json])
        before = self.list(WEB_01, "--changes-before", "2025-06-02T10:20:00Z", "-f", "json",
                           microversion="2.66")
        self.assert_success(before)
        self.assertEqual(WEB_01_NEWEST_FIRST[3:], [row["Request ID"] for row in before.json])

    def test_changes_before_needs_266(self):
        result = self.list(WEB_01, "--changes-before", "2025-06-02T10:20:00Z")
        self.assert_one_line_failure(result, "2.66")

    def test_deleted_server(self):
        result = self.list(OLD_01, "-f", "json", microversion="2.21")
        self.assert_success(result)
        self.assertEqual([DELETE_REQ, request_id(11)], [row["Request ID"] for row in result.json])

    def test_long_shows_user_and_project(self):
        result = self.list(WEB_01, "--long", "-f", "json", user="admin")
        self.assert_success(result)
        users = {row["Request ID"]: row["User ID"] for row in result.json}
        self.assertIsNone(users[NULL_USER_REQ])
        self.assertEqual("admin", users[request_id(5)])

    def test_403_by_policy(self):
        self.assert_one_line_failure(self.list(WEB_01, user="guest"), "403")


class FleetScenarios:
    def test_all_servers_failed(self):
        result = self.list("--all-servers", "--failed", "-f", "json")
        self.assert_success(result)
        found = {row["Request ID"] for row in result.json}
        self.assertIn(FAILED_REQ, found)
        self.assertIn(MIGRATION_REQ, found)
        self.assertTrue(all(row["Message"] == "Error" for row in result.json), result.json)
        # the deleted server and the other project's are not listed
        self.assertNotIn(DELETE_REQ, found)

    def test_all_servers_every_action(self):
        result = self.list("--all-servers", "-f", "json")
        self.assert_success(result)
        servers = {row["Server ID"] for row in result.json}
        self.assertLessEqual({WEB_01, DB_01, APP_A, APP_B}, servers)
        # neither the deleted server nor the other project's
        self.assertFalse({OLD_01, OTHER_01} & servers, servers)
        starts = [row["Start Time"] for row in result.json]
        self.assertEqual(sorted(starts, reverse=True), starts)

    def test_several_servers_by_name_and_id(self):
        result = self.list("web-01", DB_01, "--action", "reboot", "-f", "json")
        self.assert_success(result)
        self.assertTrue(result.json)
        self.assertEqual({"reboot"}, {row["Action"] for row in result.json})

    # Found here, fixed: a name that matches no server was reported as a
    # server "deleted while it was read", exit status 0.
    def test_a_server_that_cannot_be_read_is_reported(self):
        result = self.list("web-01", "no-such-server", "-f", "json")
        self.assertEqual(1, result.code, result)
        self.assertIn("no-such-server", result.stderr)
        self.assertIn(FAILED_REQ, {row["Request ID"] for row in result.json})
