"""The real OpenStackClient shell, in-process, with requests-mock behind it."""

import json
import os
import subprocess
import sys
import tempfile
import types
import unittest

import requests_mock
import yaml

from fj_osc_actions import commands
from fj_osc_actions import list_command
from tests.unit import fakes

SHOW = ["server", "action", "show", fakes.SERVER_ID, fakes.FAILED_REQUEST]
SHOW_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions/{fakes.FAILED_REQUEST}"
LIST_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions"


class ShellTestCase(fakes.MockedCloudTestCase):
    reply_request_id = "req-trace-9"


class EntryPointsTest(unittest.TestCase):
    def test_names_resolve_to_this_plugin(self):
        from openstackclient import shell

        app = shell.OpenStackShell()
        app.cloud = types.SimpleNamespace(config={})
        app._load_plugins()
        app._load_commands()
        for words, expected in (
            (["server", "action", "show"], commands.ShowServerAction),
            (["server", "action", "list"], list_command.ListServerActions),
        ):
            factory, name, rest = app.command_manager.find_command(words + ["x"])
            self.assertIs(expected, factory)
            self.assertEqual(" ".join(words), name)
            self.assertEqual(["x"], rest)

    def test_help_documents_the_commands(self):
        result = fakes.run_openstack(["help", "server", "action", "show"], {})
        self.assertEqual(0, result.code)
        self.assertIn("<server> [<request-id>]", result.stdout)
        self.assertIn("Show a server action and its events", result.stdout)

    def imported_by(self, module, candidates):
        code = (
            f"import sys, {module};"
            f"print(','.join(m for m in {candidates!r} if m in sys.modules))"
        )
        output = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                text=True, check=True).stdout.strip()
        return [m for m in output.split(",") if m]

    def test_plugin_import_is_cheap(self):
        # Every `openstack` run imports the plugin module.
        heavy = ("fj_osc_actions.client", "fj_osc_actions.formatting", "keystoneauth1",
                 "cliff", "requests", "fj_osc_actions_simulator", "werkzeug")
        self.assertEqual([], self.imported_by("fj_osc_actions.plugin", heavy))

    def test_commands_import_only_what_osc_has_loaded(self):
        # cliff imports every command module on each run (any OSC command).
        ours = ("fj_osc_actions.client", "fj_osc_actions.formatting", "fj_osc_actions.errors",
                "fj_osc_actions.models", "fj_osc_actions_simulator", "werkzeug")
        for module in ("fj_osc_actions.commands", "fj_osc_actions.list_command"):
            with self.subTest(module=module):
                self.assertEqual([], self.imported_by(module, ours))


class ShowTest(ShellTestCase):
    def test_uuid_is_exactly_one_compute_request_no_discovery(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + ["-f", "json"])
        self.assertEqual(0, result.code, result)
        calls = self.compute_calls()
        self.assertEqual(1, len(calls))
        self.assertEqual(fakes.EAST + SHOW_PATH, calls[0].url)
        self.assertEqual([], [r for r in self.m.request_history if r.path.rstrip("/") in ("", "/v2.1")])

    def test_name_is_resolved_with_one_lookup(self):
        self.m.get(fakes.EAST + "/servers", json={"servers": [
            {"id": fakes.SERVER_ID, "name": "web-01", "links": []}]})
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(["server", "action", "show", "web-01", fakes.FAILED_REQUEST, "-f", "json"])
        self.assertEqual(0, result.code, result)
        self.assertEqual(2, len(self.compute_calls()))
        self.assertEqual(fakes.SERVER_ID, result.json["instance_uuid"])

    def test_json_has_api_values_untouched(self):
        record = self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + ["-f", "json", "--os-compute-api-version", "2.84"])
        self.assertEqual(record["body"]["instanceAction"], result.json)
        self.assertEqual("compute 2.84", self.compute_calls()[0].headers["OpenStack-API-Version"])

    def test_yaml(self):
        record = self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + ["-f", "yaml"])
        self.assertEqual(record["body"]["instanceAction"], yaml.safe_load(result.stdout))

    def test_table(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW)
        self.assertEqual(0, result.code, result)
        fields = [line.split("|")[1].strip() for line in result.stdout.splitlines()
                  if line.startswith("| ") and line.split("|")[1].strip()]
        self.assertEqual(["Field", "request_id", "action", "instance_uuid", "user_id",
                          "project_id", "start_time", "updated_at", "message", "events"], fields)
        self.assertIn("[FAILED]  compute_reboot_instance  Error", result.stdout)

    def test_value_prints_events_as_json(self):
        record = self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + ["-f", "value", "-c", "events"])
        self.assertEqual(record["body"]["instanceAction"]["events"], json.loads(result.stdout))

    def test_shell_format_and_columns(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + ["-f", "shell", "-c", "message", "-c", "action"])
        self.assertEqual('action="reboot"\nmessage="Error"\n', result.stdout)

    def test_member_below_251_gets_no_events_and_no_crash(self):
        self.reply("show_failed_demo_2.1", SHOW_PATH)
        result = self.run_osc(SHOW + ["--os-compute-api-version", "2.1"])
        self.assertEqual(0, result.code, result)
        self.assertIn("not returned: below microversion 2.51", result.stdout)
        self.assertNotIn("updated_at", result.stdout)
        result = self.run_osc(SHOW + ["--os-compute-api-version", "2.1", "-f", "json"])
        self.assertIsNone(result.json["events"])

    def test_microversion_from_environment(self):
        self.reply("show_null_user_project_admin_2.62", SHOW_PATH)
        result = self.run_osc(SHOW + ["-f", "json"], OS_COMPUTE_API_VERSION="2.62")
        self.assertEqual(0, result.code, result)
        self.assertIsNone(result.json["user_id"])
        self.assertEqual("compute 2.62", self.compute_calls()[0].headers["OpenStack-API-Version"])

    def test_endpoint_override_from_environment(self):
        base = "http://override.test:8774/v2.1/" + fakes.PROJECT_ID
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        result = self.run_osc(SHOW, OS_COMPUTE_ENDPOINT_OVERRIDE=fakes.OVERRIDE_URL)
        self.assertEqual(0, result.code, result)
        self.assertEqual(base + SHOW_PATH, self.compute_calls()[0].url)

    def test_catalog_for_other_regions(self):
        base = fakes.COMPUTE_CATALOG_URL.format(project=fakes.PROJECT_ID)
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        result = self.run_osc(SHOW, region="RegionOne")
        self.assertEqual(0, result.code, result)
        self.assertEqual(base + SHOW_PATH, self.compute_calls()[0].url)

    def test_clouds_yaml(self):
        base = "http://from-clouds-yaml.test/v2.1/" + fakes.PROJECT_ID
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        clouds = {"clouds": {"fj": {
            "auth": {"auth_url": fakes.AUTH_URL, "username": "demo", "password": fakes.PASSWORD,
                     "user_domain_name": "C1", "project_name": "demo-project",
                     "project_domain_name": "C1"},
            "region_name": "jp-west-3",
            "identity_api_version": 3,
            "compute_api_version": "2.62",
            "compute_endpoint_override": "http://from-clouds-yaml.test/v2.1/%(project_id)s",
        }}}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump(clouds, handle)
        self.addCleanup(os.unlink, handle.name)
        result = fakes.run_openstack(SHOW + ["--os-cloud", "fj", "--debug"],
                                     {"OS_CLIENT_CONFIG_FILE": handle.name})
        self.assertEqual(0, result.code, result)
        call = self.compute_calls()[0]
        self.assertEqual(base + SHOW_PATH, call.url)
        self.assertEqual("compute 2.62", call.headers["OpenStack-API-Version"])
        self.assertIn("Compute endpoint: " + base + " (endpoint override, jp-west-3)", result.stderr)

    def test_debug_says_which_endpoint_and_never_shows_secrets(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + ["--debug"])
        self.assertEqual(0, result.code)
        self.assertIn("Compute endpoint: " + fakes.EAST + " (built-in FJcloud-O endpoint, jp-east-3)",
                      result.stderr)
        for secret in (fakes.TOKEN, fakes.PASSWORD):
            self.assertNotIn(secret, result.stdout)
            self.assertNotIn(secret, result.stderr)


class WhereTheTokenGoesTest(ShellTestCase):
    """Issue 12: the token only goes to the endpoints of the cloud that issued it."""

    def write_clouds_yaml(self, **cloud_extra):
        cloud = {"auth": {"auth_url": fakes.AUTH_URL, "username": "demo",
                          "password": fakes.PASSWORD, "user_domain_name": "C1",
                          "project_name": "demo-project", "project_domain_name": "C1"},
                 "region_name": "jp-east-3", "identity_api_version": 3}
        cloud.update(cloud_extra)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump({"clouds": {"fj": cloud}}, handle)
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_a_jp_east_3_region_of_another_identity_service_uses_its_catalog(self):
        fakes.register_identity(self.m, auth_url=fakes.OTHER_AUTH_URL)
        base = fakes.COMPUTE_CATALOG_URL.format(project=fakes.PROJECT_ID)
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        result = self.run_osc(SHOW + ["--debug"], OS_AUTH_URL=fakes.OTHER_AUTH_URL)
        self.assert_success(result)
        self.assertEqual([base + SHOW_PATH], [c.url for c in self.compute_calls()])
        self.assertEqual([], [r for r in self.m.request_history if "fujitsu.com" in r.url])
        self.assertIn("(service catalog, jp-east-3)", result.stderr)

    def test_environment_override_is_used_with_os_cloud(self):
        base = "http://override.test:8774/v2.1/" + fakes.PROJECT_ID
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        path = self.write_clouds_yaml()
        result = fakes.run_openstack(SHOW + ["--os-cloud", "fj"], {
            "OS_CLIENT_CONFIG_FILE": path, "OS_COMPUTE_ENDPOINT_OVERRIDE": fakes.OVERRIDE_URL})
        self.assert_success(result)
        self.assertEqual([base + SHOW_PATH], [c.url for c in self.compute_calls()])

    def test_environment_override_beats_clouds_yaml(self):
        base = "http://override.test:8774/v2.1/" + fakes.PROJECT_ID
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        path = self.write_clouds_yaml(
            compute_endpoint_override="http://from-clouds-yaml.test/v2.1/%(project_id)s")
        result = fakes.run_openstack(SHOW + ["--os-cloud", "fj"], {
            "OS_CLIENT_CONFIG_FILE": path, "OS_COMPUTE_ENDPOINT_OVERRIDE": fakes.OVERRIDE_URL})
        self.assert_success(result)
        self.assertEqual([base + SHOW_PATH], [c.url for c in self.compute_calls()])

    def test_bad_api_timeout_names_the_setting_before_any_request(self):
        for value in ("abc", "0", "-5"):
            self.m.reset_mock()
            result = self.run_osc(SHOW, OS_API_TIMEOUT=value)
            self.assert_one_line_failure(result, "OS_API_TIMEOUT", "above 0")
            self.assertEqual([], self.m.request_history)

    def test_bad_override_is_one_line_before_any_request(self):
        for override, problem in (("override.test/v2.1", "absolute http or https URL"),
                                  ("http://h/v2.1?a=b", "query or fragment"),
                                  ("http://h/%(project)s", "placeholder")):
            self.m.reset_mock()
            result = self.run_osc(SHOW, OS_COMPUTE_ENDPOINT_OVERRIDE=override)
            self.assert_one_line_failure(result, "OS_COMPUTE_ENDPOINT_OVERRIDE", problem)
            self.assertEqual([], self.m.request_history)

    def test_credentials_in_the_override_never_printed(self):
        self.m.get(requests_mock.ANY, status_code=503, reason="Service Unavailable", text="")
        fakes.register_identity(self.m)
        result = self.run_osc(SHOW + ["--debug"],
                              OS_COMPUTE_ENDPOINT_OVERRIDE="http://user:pa55word@override.test/v2.1")
        self.assertEqual(1, result.code)
        self.assertIn("http://***@override.test/v2.1", result.stderr)
        # OSC prints its whole configuration with --debug before any plugin
        # code runs (documented); every other line is the plugin's to mask.
        osc_dumps = ("auth_config_hook(): ", "cloud cfg: ", "defaults: ")
        lines = [line for line in (result.stderr + result.stdout).splitlines()
                 if not line.startswith(osc_dumps)]
        self.assertNotIn("pa55word", "\n".join(lines))
        self.assertIn("GET http://***@override.test/v2.1/servers/", result.stderr)


class ShowErrorsTest(ShellTestCase):
    def test_404_action(self):
        self.reply("show_unknown_request_404", SHOW_PATH)
        self.assert_one_line_failure(
            self.run_osc(SHOW), f"Action '{fakes.FAILED_REQUEST}' not found",
            "openstack server action list", "x-openstack-request-id: req-trace-9", "jp-east-3")

    def test_404_server(self):
        self.reply("show_unknown_server_404", SHOW_PATH)
        self.m.get(fakes.EAST + "/servers", json={"servers": []})
        self.assert_one_line_failure(self.run_osc(SHOW), f"Server '{fakes.SERVER_ID}' not found")

    def test_401_403_406_500(self):
        cases = [
            ("no_token_401", "expire after 3 hours"),
            ("list_no_role_403", "HTTP 403"),
            ("unsupported_mv_406", "does not support microversion 2.58"),
        ]
        for record, fragment in cases:
            self.reply(record, SHOW_PATH)
            self.assert_one_line_failure(self.run_osc(SHOW), fragment)
        self.m.get(fakes.EAST + SHOW_PATH, status_code=500,
                   json={"computeFault": {"code": 500, "message": "Unexpected\nAPI Error."}})
        self.assert_one_line_failure(self.run_osc(SHOW), "HTTP 500", "Unexpected API Error.")

    def test_traceback_only_with_debug(self):
        self.m.get(fakes.EAST + SHOW_PATH, text="<html>oops</html>")
        self.assert_one_line_failure(self.run_osc(SHOW), "not JSON")
        result = self.run_osc(SHOW + ["--debug"])
        self.assertEqual(1, result.code)
        self.assertIn("Traceback", result.stderr)

    def test_bad_input_sends_no_request_at_all(self):
        bad_cases = [
            (["server", "action", "show", fakes.SERVER_ID, ""], "request ID is empty"),
            (["server", "action", "show", "", "req-1"], "server is empty"),
            (["server", "action", "show", fakes.SERVER_ID, "req\n1"], "control characters"),
            (SHOW + ["--os-compute-api-version", "two"], "Invalid compute API microversion"),
            (["server", "action", "list", fakes.SERVER_ID, "--limit", "0"], "positive integer"),
            (["server", "action", "list", "web-01", "--limit", "-1"], "positive integer"),
            (["server", "action", "list", "web-01", "--marker", "a\tb"], "control characters"),
            (["server", "action", "list", "web-01", "--os-compute-api-version", "2.21",
              "--changes-since", "2026-01-01T00:00:00Z"], "microversion 2.58"),
            (["server", "action", "list", fakes.SERVER_ID, "--changes-since", "soon"], "ISO 8601"),
            (["server", "action", "list", fakes.SERVER_ID, "--changes-before",
              "2026-01-01T00:00:00Z"], "microversion 2.66"),
        ]
        for argv, fragment in bad_cases:
            self.assert_one_line_failure(self.run_osc(argv), fragment)
        self.assertEqual([], self.m.request_history)


class ListTest(ShellTestCase):
    def test_columns_and_long(self):
        record = self.reply("list_demo_2.58", LIST_PATH)
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "json"])
        self.assertEqual(0, result.code, result)
        rows = result.json
        self.assertEqual(["Request ID", "Action", "Start Time", "Updated At", "Message"],
                         list(rows[0]))
        self.assertEqual([a["request_id"] for a in record["body"]["instanceActions"]],
                         [r["Request ID"] for r in rows])
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "--long", "-f", "json"])
        self.assertEqual("User ID", list(result.json[0])[5])

    def test_below_258_no_updated_at(self):
        self.reply("list_admin_2.1", LIST_PATH)
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "csv",
                               "--os-compute-api-version", "2.1"])
        self.assertEqual('"Request ID","Action","Start Time","Message"',
                         result.stdout.splitlines()[0])

    def test_follows_pages(self):
        first = fakes.observed("list_admin_2.58_limit2")["body"]
        rest = fakes.observed("list_demo_2.58")["body"]["instanceActions"][2:]
        self.m.get(fakes.EAST + LIST_PATH, [{"json": first}, {"json": {"instanceActions": rest}}])
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "value",
                               "-c", "Request ID"])
        self.assertEqual(6, len(result.stdout.split()))
        self.assertEqual(2, len(self.compute_calls()))

    def test_error_on_a_later_page_is_one_line(self):
        first = fakes.observed("list_admin_2.58_limit2")["body"]
        self.m.get(fakes.EAST + LIST_PATH, [{"json": first}, {"status_code": 500, "json": {}}])
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID])
        self.assertEqual(1, result.code)
        self.assertEqual(1, len(result.stderr.strip().splitlines()), result.stderr)
        self.assertIn("HTTP 500", result.stderr)
