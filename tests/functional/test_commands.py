"""show and list through the real ``openstack``, logged in with a password."""

from __future__ import annotations

import json
from urllib import parse

import yaml

from tests.functional import base


class ShowTest(base.FunctionalTestCase):
    def test_show_by_uuid_is_one_compute_request(self):
        result = self.openstack("server", "action", "show", base.WEB_01, base.FAILED_REQ)
        self.assert_success(result)
        self.assertIn("[FAILED]  compute_reboot_instance  Error", result.stdout)
        self.assertEqual(
            [f"/v2.1/{base.PROJECT_ID}/servers/{base.WEB_01}/os-instance-actions/{base.FAILED_REQ}"],
            self.compute_paths(),
        )
        self.assertEqual(["2.58"], [e.microversion for e in self.sim.compute_requests()])

    def test_show_by_name_is_two_compute_requests(self):
        result = self.openstack("server", "action", "show", "web-01", base.FAILED_REQ, "-f", "json")
        self.assert_success(result)
        self.assertEqual(base.WEB_01, result.json["instance_uuid"])
        paths = self.compute_paths()
        self.assertEqual(2, len(paths))
        self.assertTrue(paths[0].startswith(f"/v2.1/{base.PROJECT_ID}/servers"), paths)

    def test_clouds_yaml_login(self):
        env = self.clouds_yaml_env(user="admin", compute_api_version="2.84")
        result = self.openstack("server", "action", "show", base.WEB_01, base.FAILED_REQ,
                                "-f", "json", env=env)
        self.assert_success(result)
        event = result.json["events"][0]
        self.assertIn("traceback", event)
        self.assertIn("details", event)
        self.assertEqual("compute-1", event["host"])

    def test_member_and_admin_see_different_event_keys(self):
        member = self.openstack("server", "action", "show", base.WEB_01, base.FAILED_REQ,
                                "-f", "json", "--os-compute-api-version", "2.84")
        admin = self.openstack("server", "action", "show", base.WEB_01, base.FAILED_REQ,
                               "-f", "json", "--os-compute-api-version", "2.84", user="admin")
        self.assertEqual({"event", "start_time", "finish_time", "result", "hostId"},
                         set(member.json["events"][0]))
        self.assertEqual({"event", "start_time", "finish_time", "result", "traceback", "host",
                          "hostId", "details"}, set(admin.json["events"][0]))

    def test_member_below_251_without_events(self):
        result = self.openstack("server", "action", "show", base.WEB_01, base.FAILED_REQ,
                                "--os-compute-api-version", "2.1")
        self.assert_success(result)
        self.assertIn("not returned: below microversion 2.51", result.stdout)
        self.assertNotIn("updated_at", result.stdout)

    def test_deleted_server_by_uuid(self):
        result = self.openstack("server", "action", "show", base.DELETED, base.DELETE_REQ,
                                "-f", "json", "--os-compute-api-version", "2.21")
        self.assert_success(result)
        self.assertEqual("delete", result.json["action"])
        old = self.openstack("server", "action", "show", base.DELETED, base.DELETE_REQ,
                             "--os-compute-api-version", "2.20")
        self.assert_one_line_failure(old, f"Server '{base.DELETED}' not found", "2.21")

    def test_running_event(self):
        result = self.openstack("server", "action", "show", base.WEB_01, base.RUNNING_REQ)
        self.assert_success(result)
        self.assertIn("[running]", result.stdout)
        self.assertIn("still running", result.stdout)

    def test_every_output_format(self):
        argv = ["server", "action", "show", base.WEB_01, base.FAILED_REQ]
        as_json = self.openstack(*argv, "-f", "json").json
        self.assertEqual("reboot", as_json["action"])
        self.assertEqual(as_json, yaml.safe_load(self.openstack(*argv, "-f", "yaml").stdout))
        value_lines = self.openstack(*argv, "-f", "value").stdout.splitlines()
        self.assertEqual(base.FAILED_REQ, value_lines[0])
        self.assertEqual(as_json["events"], json.loads(value_lines[-1]))
        shell = self.openstack(*argv, "-f", "shell", "-c", "action", "-c", "message").stdout
        self.assertEqual('action="reboot"\nmessage="Error"\n', shell)
        events = self.openstack(*argv, "-f", "value", "-c", "events").stdout
        self.assertEqual(as_json["events"], json.loads(events))

    def test_help(self):
        result = self.openstack("help", "server", "action", "list", env=self.base_env())
        self.assert_success(result)
        for option in ("--long", "--limit", "--marker", "--changes-since", "--changes-before"):
            self.assertIn(option, result.stdout)


class ListTest(base.FunctionalTestCase):
    # Nova's [api]max_limit, small, so that web-01's 6 actions take 3 full pages.
    simulator_options = {"page_size": 2}

    def test_list_follows_the_next_links(self):
        # Like Nova, every full page has a next link: the 4th page is empty.
        result = self.openstack("server", "action", "list", "web-01", "-f", "json")
        self.assert_success(result)
        self.assertEqual(list(base.WEB_01_REQUESTS), [row["Request ID"] for row in result.json])
        markers = [parse.parse_qs(e.query).get("marker") for e in self.sim.compute_requests()
                   if e.path.endswith("os-instance-actions")]
        self.assertEqual([None, [base.WEB_01_REQUESTS[1]], [base.WEB_01_REQUESTS[3]],
                          [base.WEB_01_REQUESTS[5]]], markers)

    def test_limit_and_marker(self):
        result = self.openstack("server", "action", "list", base.WEB_01, "--limit", "2",
                                "--marker", base.WEB_01_REQUESTS[0], "-f", "value", "-c",
                                "Request ID")
        self.assert_success(result)
        self.assertEqual(list(base.WEB_01_REQUESTS[1:3]), result.stdout.split())
        self.assertEqual(["limit=2&marker=" + base.WEB_01_REQUESTS[0]],
                         [e.query for e in self.sim.compute_requests()])

    def test_long_and_formats(self):
        result = self.openstack("server", "action", "list", base.WEB_01, "--long", "-f", "csv")
        self.assert_success(result)
        self.assertEqual('"Request ID","Action","Start Time","Updated At","Message","User ID",'
                         '"Project ID"', result.stdout.splitlines()[0])
        table = self.openstack("server", "action", "list", base.WEB_01)
        self.assertIn("| Request ID", table.stdout)
        self.assertIn("| Error", table.stdout)

    def test_changes_since_and_before(self):
        result = self.openstack("server", "action", "list", base.WEB_01,
                                "--changes-since", "2025-06-02T10:30:00Z",
                                "--changes-before", "2025-06-02T10:36:00Z",
                                "--os-compute-api-version", "2.66", "-f", "value", "-c", "Request ID")
        self.assert_success(result)
        self.assertEqual(list(base.WEB_01_REQUESTS[1:3]), result.stdout.split())

    def test_changes_before_needs_266_before_any_request(self):
        result = self.openstack("server", "action", "list", base.WEB_01,
                                "--changes-before", "2025-06-02T10:36:00Z")
        self.assert_one_line_failure(result, "microversion 2.66")
        self.assertEqual([], self.sim.request_log)

    def test_ambiguous_and_unknown_names(self):
        self.assert_one_line_failure(self.openstack("server", "action", "list", "app"),
                                     "2 servers are named 'app'")
        self.assert_one_line_failure(self.openstack("server", "action", "list", "nope"),
                                     "No server named 'nope'")
