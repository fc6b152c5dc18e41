"""Robustness and security, round 2, through the real ``openstack``.

Where the token goes, text from the API that must stay harmless, input
refused before any request, and clouds that are older than the default
microversion.
"""

from __future__ import annotations

import os
import subprocess
import tempfile

from fj_osc_actions_simulator import seed
from tests.functional import base

#: Text a hostile or broken API could return.
COMMAND_SUBSTITUTION = "$(touch {marker}) `touch {marker}`"
TERMINAL_CONTROL = "\x1b]0;pwned\x07\x1b[2J"
JAPANESE_DETAILS = "再起動に失敗しました"


def hostile_seed(marker: str) -> dict:
    """The demo data with hostile text in web-01's failed reboot."""
    data = seed.seed_data()
    web_01 = next(server for server in data["servers"] if server["id"] == seed.WEB_01)
    failed = next(a for a in web_01["actions"] if a["request_id"] == seed.FAILED_REBOOT_REQUEST)
    failed["message"] = COMMAND_SUBSTITUTION.format(marker=marker)
    failed["events"][0]["event"] = "compute_reboot" + TERMINAL_CONTROL
    failed["events"][0]["details"] = JAPANESE_DETAILS
    return data


class WhereTheTokenGoesTest(base.FunctionalTestCase):
    def test_a_jp_east_3_of_another_identity_service_uses_its_catalog(self):
        result = self.openstack("server", "action", "list", "web-01", "--debug")
        self.assert_success(result)
        self.assertIn("(service catalog, jp-east-3)", result.stderr)
        self.assertNotIn("fujitsu.com", result.stderr)
        self.assertEqual(2, len(self.sim.compute_requests()), "name lookup and list, here")

    def test_the_environment_override_beats_clouds_yaml(self):
        closed = "http://127.0.0.1:9/v2.1/%(project_id)s"
        env = self.clouds_yaml_env(compute_endpoint_override=closed)
        env["OS_COMPUTE_ENDPOINT_OVERRIDE"] = self.sim.compute_endpoint_template
        self.assert_success(self.openstack("server", "action", "list", "web-01", env=env))
        env = self.clouds_yaml_env(compute_endpoint_override=self.sim.compute_endpoint_template)
        env["OS_COMPUTE_ENDPOINT_OVERRIDE"] = closed
        self.assert_one_line_failure(self.openstack("server", "action", "list", "web-01", env=env),
                                     "http://127.0.0.1:9/v2.1/")

    def test_a_bad_override_is_refused_before_any_request_and_masked(self):
        env = self.password_env()
        env["OS_COMPUTE_ENDPOINT_OVERRIDE"] = "http://user:pa55word@127.0.0.1/v2.1?debug=1"
        line = self.assert_one_line_failure(
            self.openstack("server", "action", "list", "web-01", env=env),
            "OS_COMPUTE_ENDPOINT_OVERRIDE", "query or fragment", "http://***@127.0.0.1")
        self.assertNotIn("pa55word", line)
        self.assertEqual([], self.sim.request_log)


class InputTest(base.FunctionalTestCase):
    def test_an_argument_that_is_not_utf8_is_refused_before_any_request(self):
        completed = subprocess.run(
            [base.OPENSTACK.encode(), b"server", b"action", b"show", b"web-01", b"req\xff"],
            env=self.password_env(), capture_output=True, timeout=base.COMMAND_TIMEOUT)
        result = base.CommandResult(completed.returncode, completed.stdout.decode(),
                                    completed.stderr.decode("utf-8", "replace"))
        self.assert_one_line_failure(result, "'req\\xff'", "not valid UTF-8")
        self.assertEqual([], self.sim.request_log)

    def test_spaces_around_a_pasted_request_id_are_dropped(self):
        result = self.openstack("server", "action", "show", "web-01",
                                f"  {seed.FAILED_REBOOT_REQUEST}\t", "-f", "json")
        self.assert_success(result)
        self.assertEqual(seed.FAILED_REBOOT_REQUEST, result.json["request_id"])

    def test_a_bad_api_timeout_names_the_setting(self):
        env = {**self.password_env(), "OS_API_TIMEOUT": "abc"}
        self.assert_one_line_failure(self.openstack("server", "action", "list", "web-01", env=env),
                                     "OS_API_TIMEOUT", "above 0")
        self.assertEqual([], self.sim.request_log)


class TextFromTheApiTest(base.FunctionalTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.scratch = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.scratch.cleanup)
        cls.marker = os.path.join(cls.scratch.name, "pwned")
        cls.simulator_options = {"data": hostile_seed(cls.marker)}
        super().setUpClass()

    def show(self, *extra: str, env: dict[str, str] | None = None) -> base.CommandResult:
        return self.openstack("server", "action", "show", "web-01", seed.FAILED_REBOOT_REQUEST,
                              "--os-compute-api-version", "2.84", *extra, env=env, user="admin")

    def test_shell_output_is_safe_to_eval(self):
        result = self.show("-f", "shell")
        self.assert_success(result)
        script = 'eval "$(cat)"; printf %s "$message"'
        evaluated = subprocess.run(["sh", "-c", script], input=result.stdout, text=True,
                                   capture_output=True, check=True)
        self.assertEqual(COMMAND_SUBSTITUTION.format(marker=self.marker), evaluated.stdout)
        self.assertFalse(os.path.exists(self.marker), "a command in the API's text ran")

    def test_control_characters_never_reach_the_terminal(self):
        for formatter in ("table", "value", "shell"):
            result = self.show("-f", formatter)
            self.assert_success(result)
            self.assertNotIn("\x1b", result.stdout, formatter)
            self.assertNotIn("\x07", result.stdout, formatter)
        table = self.show().stdout
        self.assertIn("compute_reboot\\x1b]0;pwned\\x07\\x1b[2J", table)

    def test_json_keeps_the_exact_text(self):
        result = self.show("-f", "json")
        self.assertEqual("compute_reboot" + TERMINAL_CONTROL, result.json["events"][0]["event"])
        self.assertEqual(JAPANESE_DETAILS, result.json["events"][0]["details"])

    def test_a_terminal_that_cannot_encode_the_text_gets_escapes(self):
        env = {**self.password_env("admin"), "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
               "PYTHONCOERCECLOCALE": "0"}
        env.pop("PYTHONIOENCODING", None)
        env.pop("LANGUAGE", None)
        result = self.show(env=env)
        self.assert_success(result)
        self.assertIn("details: \\u518d\\u8d77\\u52d5", result.stdout)
        self.assertNotIn("codec", result.stderr)


class OlderCloudTest(base.FunctionalTestCase):
    simulator_options = {"max_microversion": "2.50"}

    def test_the_default_falls_back_to_the_clouds_maximum(self):
        result = self.openstack("server", "action", "list", "web-01", "-f", "json")
        self.assert_success(result)
        self.assertEqual(["Request ID", "Action", "Start Time", "Message"], list(result.json[0]))
        # One 406 at the default (the name lookup), then everything at 2.50.
        answers = [(entry.status, entry.microversion) for entry in self.sim.compute_requests()]
        self.assertEqual([(406, None), (200, "2.50"), (200, "2.50")], answers)

    def test_an_option_the_maximum_cannot_honour_is_an_error(self):
        self.assert_one_line_failure(
            self.openstack("server", "action", "list", "web-01", "--limit", "2"),
            "--limit needs compute API microversion 2.58", "2.50 is in use")

    def test_a_version_the_user_chose_is_not_changed(self):
        self.assert_one_line_failure(
            self.openstack("server", "action", "list", "web-01", "--os-compute-api-version", "2.58"),
            "does not support microversion 2.58", "HTTP 406")

    def test_latest_is_the_clouds_maximum(self):
        result = self.openstack("server", "action", "list", "web-01", "-f", "json",
                                "--os-compute-api-version", "latest")
        self.assert_success(result)
        self.assertNotIn("Updated At", result.json[0])
