"""Hostile text from the API is harmless in every output format; hostile input sends nothing."""

import copy
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest


from fj_osc_actions import formatting
from fj_osc_actions import models
from tests.unit import fakes

LIST_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions"
SHOW_PATH = f"{LIST_PATH}/{fakes.FAILED_REQUEST}"
SHOW = ["server", "action", "show", fakes.SERVER_ID, fakes.FAILED_REQUEST]
CONTROL = "\x1b]0;pwned\x07\x1b[2J"


def hostile_show(message, details, event_name="compute_reboot_instance"):
    body = copy.deepcopy(fakes.observed("show_failed_admin_2.84")["body"])
    body["instanceAction"]["message"] = message
    body["instanceAction"]["events"][0]["details"] = details
    body["instanceAction"]["events"][0]["event"] = event_name
    return body


class SafetyTestCase(fakes.MockedCloudTestCase):
    pass


@unittest.skipUnless(shutil.which("sh"), "needs a POSIX sh")
class ShellEvalTest(SafetyTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def eval_and_print(self, output, variable):
        script = self.tmp / "output.sh"
        script.write_text(output, encoding="utf-8")
        done = subprocess.run(
            ["sh", "-c", 'eval "$(cat "$1")"; printf %s "$' + variable + '"', "sh", str(script)],
            capture_output=True, text=True, check=True, cwd=str(self.tmp),
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
        )
        return done.stdout

    def test_eval_of_hostile_show_output_runs_nothing(self):
        marker1, marker2, marker3 = (self.tmp / "one", self.tmp / "two", self.tmp / "three")
        message = f"$(touch {marker1})"
        details = f'`touch {marker2}` "quoted" \\ $HOME ${{IFS}} $(touch {marker3})'
        body = hostile_show(message, details)
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        result = self.run_osc(SHOW + ["-f", "shell"])
        self.assert_success(result)
        self.assertEqual(message, self.eval_and_print(result.stdout, "message"))
        self.assertEqual(body["instanceAction"]["events"],
                         json.loads(self.eval_and_print(result.stdout, "events")))
        for marker in (marker1, marker2, marker3):
            self.assertFalse(marker.exists(), marker)
        self.assertEqual(["output.sh"], sorted(os.listdir(self.tmp)))


class ControlCharactersTest(SafetyTestCase):
    def hostile(self):
        body = hostile_show("Error" + CONTROL, "bad" + CONTROL, event_name="evil" + CONTROL)
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        return body

    def test_escaped_in_table_value_and_shell(self):
        self.hostile()
        for formatter in ("table", "value", "shell"):
            with self.subTest(formatter=formatter):
                result = self.run_osc(SHOW + ["-f", formatter])
                self.assert_success(result)
                for character in ("\x1b", "\x07"):
                    self.assertNotIn(character, result.stdout)
                    self.assertNotIn(character, result.stderr)
                self.assertIn("x1b]0;pwned", result.stdout)
                self.assertIn("x07", result.stdout)

    def test_table_shows_escapes_in_event_name_details_and_message(self):
        self.hostile()
        result = self.run_osc(SHOW)
        self.assertIn("[FAILED]  evil\\x1b]0;pwned\\x07\\x1b[2J  Error", result.stdout)
        self.assertIn("details: bad\\x1b]0;pwned\\x07\\x1b[2J", result.stdout)
        self.assertIn("Error\\x1b]0;pwned\\x07\\x1b[2J", result.stdout)

    def test_exact_in_json_and_yaml(self):
        body = self.hostile()
        result = self.run_osc(SHOW + ["-f", "json"])
        self.assertEqual(body["instanceAction"], result.json)
        self.assertNotIn("\x1b", result.stdout)  # JSON escapes them itself
        import yaml

        yaml_result = self.run_osc(SHOW + ["-f", "yaml"])
        self.assertEqual(body["instanceAction"], yaml.safe_load(yaml_result.stdout))

    def test_escaped_in_list_rows(self):
        record = copy.deepcopy(fakes.observed("list_demo_2.58")["body"])
        record["instanceActions"][0]["message"] = "Error" + CONTROL
        record["instanceActions"][0]["action"] = "reboot" + CONTROL
        self.m.get(fakes.EAST + LIST_PATH, json=record)
        for formatter in ("table", "value", "csv"):
            with self.subTest(formatter=formatter):
                result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", formatter])
                self.assert_success(result)
                self.assertNotIn("\x1b", result.stdout)
                self.assertNotIn("\x07", result.stdout)
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "json"])
        self.assertEqual("Error" + CONTROL, result.json[0]["Message"])

    def test_escape_helpers(self):
        self.assertEqual("a\\x1bb\\x07\\n", formatting.escape_controls("a\x1bb\x07\n"))
        self.assertEqual("\\\\ \\$ \\` \"", formatting.shell_safe("\\ $ ` \""))
        self.assertEqual("\\\\x1b\\$", formatting.safe_value("\x1b$", "shell"))
        self.assertEqual("\x1b$", formatting.safe_value("\x1b$", "json"))
        self.assertEqual("\x1b$", formatting.safe_value("\x1b$", "yaml"))
        self.assertEqual("\\x1b$", formatting.safe_value("\x1b$", "value"))
        self.assertIsNone(formatting.safe_value(None, "shell"))


class NotesAndDurationsTest(SafetyTestCase):
    def test_no_events_note_when_events_are_not_shown(self):
        fakes.reply(self.m, "show_failed_demo_2.1", fakes.EAST + SHOW_PATH)
        for columns in (["-c", "action"], ["-c", "action", "-c", "message"]):
            result = self.run_osc(SHOW + ["-f", "value", "--os-compute-api-version", "2.1"] + columns)
            self.assert_success(result)
            self.assertNotIn("not returned", result.stderr + result.stdout)
        result = self.run_osc(SHOW + ["-f", "json", "--os-compute-api-version", "2.1"])
        self.assertIn("not returned", result.stderr)
        result = self.run_osc(SHOW + ["-f", "json", "--os-compute-api-version", "2.1", "-c", "events"])
        self.assertIn("not returned", result.stderr)

    def test_finish_before_start_is_duration_unknown(self):
        body = copy.deepcopy(fakes.observed("show_failed_admin_2.84")["body"])
        event = body["instanceAction"]["events"][0]
        event["start_time"], event["finish_time"] = event["finish_time"], event["start_time"]
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        result = self.run_osc(SHOW)
        self.assert_success(result)
        self.assertIn("(duration unknown)", result.stdout)
        self.assertNotIn("(0.0s)", result.stdout)

    def test_event_duration(self):
        def duration(start, finish, result="Success"):
            return formatting.event_duration(models.ActionEvent.from_api(
                {"start_time": start, "finish_time": finish, "result": result}))

        self.assertEqual("duration unknown", duration("2025-06-02T10:00:10", "2025-06-02T10:00:00"))
        self.assertEqual("duration unknown", duration(None, "2025-06-02T10:00:00"))
        self.assertEqual("duration unknown", duration("garbage", "2025-06-02T10:00:00"))
        self.assertEqual("0.0s", duration("2025-06-02T10:00:00", "2025-06-02T10:00:00"))
        self.assertEqual("1m05s", duration("2025-06-02T10:00:00", "2025-06-02T10:01:05"))
        self.assertEqual("still running", duration("2025-06-02T10:00:00", None, None))


class HostileInputTest(SafetyTestCase):
    def test_whitespace_around_a_request_id_is_stripped(self):
        fakes.reply(self.m, "show_failed_admin_2.84", fakes.EAST + SHOW_PATH)
        request = fakes.FAILED_REQUEST
        for spaced in (f"  {request}", f"{request}\t ", f" {request}\n"):
            with self.subTest(spaced=spaced):
                self.m.reset_mock()
                result = self.run_osc(["server", "action", "show", fakes.SERVER_ID, spaced, "-f", "json"])
                self.assert_success(result)
                self.assertEqual(fakes.FAILED_REQUEST, result.json["request_id"])
                calls = self.compute_calls()
                self.assertEqual(1, len(calls))
                self.assertEqual(f"/v2.1/{fakes.PROJECT_ID}{SHOW_PATH}", fakes.raw_path(calls[0]))

    def test_non_utf8_argument_is_refused_before_any_request(self):
        for argv in (["server", "action", "show", fakes.SERVER_ID, "req\udcff"],
                     ["server", "action", "show", "web\udcff", fakes.FAILED_REQUEST],
                     ["server", "action", "list", "web\udcff"]):
            with self.subTest(argv=argv):
                self.m.reset_mock()
                result = self.run_osc(argv)
                self.assert_one_line_failure(result, "UTF-8")
                self.assertEqual([], self.m.request_history)
                self.assertNotIn("\udcff", result.stderr)


if __name__ == "__main__":
    unittest.main()


class NonUtf8ShownAsTypedTest(unittest.TestCase):
    def test_the_byte_that_was_typed_not_pythons_surrogate(self):
        from fj_osc_actions import errors, validation

        with self.assertRaises(errors.InvalidInput) as caught:
            validation.check_request_id("req\udcff")
        self.assertIn("'req\\xff'", str(caught.exception))
        self.assertNotIn("udcff", str(caught.exception))
