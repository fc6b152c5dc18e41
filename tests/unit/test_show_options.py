"""`server action show` without a request ID, --wait and --timeline, through the real OSC shell."""

import datetime
import gettext
import unittest
from unittest import mock


from fj_osc_actions import timeline
from fj_osc_actions import models
from tests.unit import fakes

LIST_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions"
SHOW_PATH = f"{LIST_PATH}/{fakes.FAILED_REQUEST}"
SERVER_PATH = f"/servers/{fakes.SERVER_ID}"
SHOW = ["server", "action", "show", fakes.SERVER_ID]
NEWEST = "req-00000006-0000-4000-8000-000000000006"


def list_action(number, message=None):
    return {
        "action": "reboot",
        "instance_uuid": fakes.SERVER_ID,
        "request_id": f"req-{number:08d}-0000-4000-8000-{number:012d}",
        "user_id": "demo",
        "project_id": fakes.PROJECT_ID,
        "start_time": f"2025-06-02T{number:02d}:00:00.000000",
        "updated_at": f"2025-06-02T{number:02d}:00:19.000000",
        "message": message,
    }


class ShowOptionsTestCase(fakes.MockedCloudTestCase):
    reply_request_id = "req-trace-5"

    def run_osc(self, argv, **env):
        env.setdefault("LANG", "C")
        env.setdefault("LC_ALL", "C")
        return super().run_osc(argv, **env)


class LatestTest(ShowOptionsTestCase):
    def test_one_list_request_with_limit_1_then_one_show(self):
        self.m.get(fakes.EAST + LIST_PATH, json={"instanceActions": [list_action(6)],
                                                 "links": [{"rel": "next", "href": "x?marker=y"}]})
        request_id = list_action(6)["request_id"]
        body = fakes.observed("show_failed_admin_2.84")["body"]
        show = {"instanceAction": dict(body["instanceAction"], request_id=request_id)}
        self.m.get(fakes.EAST + LIST_PATH + "/" + request_id, json=show)
        result = self.run_osc(SHOW + ["--latest", "-f", "json"])
        self.assert_success(result)
        self.assertEqual(request_id, result.json["request_id"])
        calls = self.compute_calls()
        self.assertEqual(2, len(calls))
        self.assertEqual(fakes.EAST + LIST_PATH + "?limit=1", calls[0].url)
        self.assertEqual(fakes.EAST + LIST_PATH + "/" + request_id, calls[1].url)

    def test_no_limit_below_258(self):
        self.reply("list_admin_2.1", LIST_PATH)
        listed = fakes.observed("list_admin_2.1")["body"]["instanceActions"]
        newest = listed[0]["request_id"]
        body = fakes.observed("show_failed_admin_2.1")["body"]
        self.m.get(fakes.EAST + LIST_PATH + "/" + newest,
                   json={"instanceAction": dict(body["instanceAction"], request_id=newest)})
        result = self.run_osc(SHOW + ["--latest", "-f", "json", "--os-compute-api-version", "2.1"])
        self.assert_success(result)
        calls = self.compute_calls()
        self.assertEqual(2, len(calls))
        self.assertEqual({}, calls[0].qs)

    def test_no_actions_is_one_line(self):
        self.m.get(fakes.EAST + LIST_PATH, json={"instanceActions": []})
        self.assert_one_line_failure(self.run_osc(SHOW + ["--latest"]), fakes.SERVER_ID)
        self.assertEqual(1, len(self.compute_calls()))


class LastFailedTest(ShowOptionsTestCase):
    def pages(self, pages):
        """The list, one page per marker, linked by rel=next."""
        def answer(request, context):
            marker = request.qs.get("marker", [None])[0]
            index = 0 if marker is None else int(marker)
            body = {"instanceActions": pages[index]}
            if index + 1 < len(pages):
                body["links"] = [{"rel": "next", "href": f"{fakes.EAST}{LIST_PATH}?marker={index + 1}"}]
            return body

        self.m.get(fakes.EAST + LIST_PATH, json=answer)

    def list_calls(self):
        return [r for r in self.compute_calls() if r.path.endswith("/os-instance-actions")]

    def test_pages_until_the_first_error_and_stops(self):
        self.pages([[list_action(9), list_action(8)],
                    [list_action(7), list_action(4, "Error")],
                    [list_action(3, "Error")],
                    [list_action(2)]])
        failed = list_action(4)["request_id"]
        body = fakes.observed("show_failed_admin_2.84")["body"]
        self.m.get(fakes.EAST + LIST_PATH + "/" + failed,
                   json={"instanceAction": dict(body["instanceAction"], request_id=failed)})
        result = self.run_osc(SHOW + ["--last-failed", "-f", "json"])
        self.assert_success(result)
        self.assertEqual(failed, result.json["request_id"])
        self.assertEqual(2, len(self.list_calls()))
        self.assertEqual(3, len(self.compute_calls()))
        self.assertEqual(fakes.EAST + LIST_PATH + "/" + failed, self.compute_calls()[-1].url)

    def test_none_found_is_one_line_exit_1(self):
        self.pages([[list_action(9)], [list_action(8)]])
        result = self.run_osc(SHOW + ["--last-failed"])
        self.assert_one_line_failure(result, "No failed action", fakes.SERVER_ID)
        self.assertEqual(2, len(self.list_calls()))

    def test_changes_since_bounds_the_search(self):
        self.pages([[list_action(9)]])
        result = self.run_osc(SHOW + ["--last-failed", "--changes-since", "2025-06-02T08:00:00Z"])
        self.assert_one_line_failure(result, "2025-06-02T08:00:00Z")
        self.assertEqual(["2025-06-02T08:00:00Z"], self.list_calls()[0].qs["changes-since"])

    def test_changes_since_relative_age_is_sent_as_utc_iso(self):
        self.pages([[list_action(9)]])
        before = datetime.datetime.now(datetime.timezone.utc)
        self.run_osc(SHOW + ["--last-failed", "--changes-since", "2d"])
        after = datetime.datetime.now(datetime.timezone.utc)
        sent = self.list_calls()[0].qs["changes-since"][0]
        parsed = datetime.datetime.strptime(sent, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLessEqual(before - datetime.timedelta(days=2, seconds=1), parsed)
        self.assertLessEqual(parsed, after - datetime.timedelta(days=2))


class UsageTest(ShowOptionsTestCase):
    def test_exactly_one_of_request_id_latest_last_failed(self):
        for extra in ([fakes.FAILED_REQUEST, "--latest"], [fakes.FAILED_REQUEST, "--last-failed"],
                      ["--latest", "--last-failed"], [],
                      [fakes.FAILED_REQUEST, "--latest", "--last-failed"]):
            with self.subTest(extra=extra):
                self.m.reset_mock()
                result = self.run_osc(SHOW + extra)
                self.assert_one_line_failure(result, "--latest", "--last-failed")
                self.assertEqual([], self.m.request_history)

    def test_changes_since_without_last_failed(self):
        result = self.run_osc(SHOW + ["--latest", "--changes-since", "2d"])
        self.assert_one_line_failure(result, "--changes-since")
        self.assertEqual([], self.m.request_history)

    def test_bad_wait_timeout(self):
        for bad in ("0", "-5"):
            result = self.run_osc(SHOW + ["--latest", "--wait", "--wait-timeout", bad])
            self.assert_one_line_failure(result, "--wait-timeout")
        self.assertEqual([], self.m.request_history)


class WaitTest(ShowOptionsTestCase):
    def test_finished_successful_action_exit_0(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]["instanceAction"]
        ok_event = dict(body["events"][0], result="Success", traceback=None, details=None)
        self.m.get(fakes.EAST + SHOW_PATH, json={"instanceAction": dict(
            body, message=None, events=[ok_event])})
        self.m.get(fakes.EAST + SERVER_PATH, json={"server": {
            "id": fakes.SERVER_ID, "OS-EXT-STS:task_state": None}})
        result = self.run_osc(SHOW + [fakes.FAILED_REQUEST, "--wait", "-f", "json"])
        self.assert_success(result)
        self.assertEqual("", result.stderr)
        self.assertIsNone(result.json["message"])
        paths = [r.path for r in self.compute_calls()]
        self.assertIn(f"/v2.1/{fakes.PROJECT_ID}{SERVER_PATH}", paths)

    def test_failed_action_exit_1_with_one_line_after_the_output(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        self.m.get(fakes.EAST + SERVER_PATH, json={"server": {
            "id": fakes.SERVER_ID, "OS-EXT-STS:task_state": None}})
        result = self.run_osc(SHOW + [fakes.FAILED_REQUEST, "--wait"])
        self.assertEqual(1, result.code, result)
        self.assertIn("[FAILED]  compute_reboot_instance  Error", result.stdout)
        self.assertNotIn("Traceback", result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn("compute_reboot_instance", lines[0])
        self.assertIn("Error", lines[0])
        self.assertIn("Timed out waiting for the guest to shut down", lines[0])

    def test_failed_action_json_output_is_complete(self):
        record = self.reply("show_failed_admin_2.84", SHOW_PATH)
        fakes.reply(self.m, "show_unknown_server_404", fakes.EAST + SERVER_PATH)
        result = self.run_osc(SHOW + [fakes.FAILED_REQUEST, "--wait", "-f", "json"])
        self.assertEqual(1, result.code, result)
        self.assertEqual(record["body"]["instanceAction"], result.json)

    def test_latest_with_wait(self):
        self.m.get(fakes.EAST + LIST_PATH, json={"instanceActions": [list_action(4, "Error")]})
        request_id = list_action(4)["request_id"]
        body = fakes.observed("show_failed_admin_2.84")["body"]["instanceAction"]
        self.m.get(fakes.EAST + LIST_PATH + "/" + request_id,
                   json={"instanceAction": dict(body, request_id=request_id)})
        self.m.get(fakes.EAST + SERVER_PATH, json={"server": {"id": fakes.SERVER_ID}})
        result = self.run_osc(SHOW + ["--latest", "--wait", "-f", "value", "-c", "request_id"])
        self.assertEqual(1, result.code, result)
        self.assertEqual(request_id + "\n", result.stdout)
        self.assertEqual(1, len(result.stderr.strip().splitlines()), result.stderr)


class TimelineTest(ShowOptionsTestCase):
    def test_table_draws_bars(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(SHOW + [fakes.FAILED_REQUEST, "--timeline"])
        self.assert_success(result)
        events_line = next(line for line in result.stdout.splitlines() if "| events" in line)
        # StringIO has no encoding: the ASCII fallback, one event filling the axis.
        self.assertIn("|" + "#" * timeline.TIMELINE_WIDTH + "| [FAILED]", events_line)
        self.assertIn("compute_reboot_instance", events_line)
        self.assertIn("(7.0s)", events_line)

    def test_json_and_value_unchanged_by_timeline(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        for formatter in ("json", "yaml", "value", "shell"):
            with self.subTest(formatter=formatter):
                plain = self.run_osc(SHOW + [fakes.FAILED_REQUEST, "-f", formatter])
                drawn = self.run_osc(SHOW + [fakes.FAILED_REQUEST, "-f", formatter, "--timeline"])
                self.assert_success(drawn)
                self.assertEqual(plain.stdout, drawn.stdout)
                self.assertNotIn("#" * 10, drawn.stdout)

    def test_same_output_whatever_the_locale(self):
        # The language really switches here (the English-only catalog of
        # these tests is lifted): what scripts read stays the same, and what
        # people read is translated.
        from fj_osc_actions import i18n

        self.reply("show_failed_admin_2.84", SHOW_PATH)

        def by_the_environment():
            return gettext.translation(i18n.DOMAIN, str(i18n.LOCALE_DIR),
                                       languages=i18n.languages(), fallback=True)

        by_language = mock.patch("fj_osc_actions.i18n.translations", new=by_the_environment)
        by_language.start()
        self.addCleanup(by_language.stop)
        for formatter in ("json", "yaml", "value", "shell"):
            with self.subTest(formatter=formatter):
                outputs = {
                    lang: self.run_osc(SHOW + [fakes.FAILED_REQUEST, "-f", formatter],
                                       LANG=lang, LC_ALL=lang)
                    for lang in ("C", "C.UTF-8", "ja_JP.UTF-8")
                }
                for result in outputs.values():
                    self.assert_success(result)
                self.assertEqual(1, len({result.stdout for result in outputs.values()}),
                                 outputs)
        english = self.run_osc(SHOW + [""], LANG="C", LC_ALL="C")
        japanese = self.run_osc(SHOW + [""], LANG="ja_JP.UTF-8", LC_ALL="ja_JP.UTF-8")
        self.assert_one_line_failure(english, "The request ID is empty")
        self.assert_one_line_failure(japanese, "リクエストIDが空です")


class TimelineDrawingTest(unittest.TestCase):
    NOW = datetime.datetime(2025, 6, 2, 10, 0, 30, tzinfo=datetime.timezone.utc)

    def events(self):
        return [
            models.ActionEvent.from_api({"event": "a", "result": "Success",
                                         "start_time": "2025-06-02T10:00:00",
                                         "finish_time": "2025-06-02T10:00:10"}),
            models.ActionEvent.from_api({"event": "b", "result": None, "finish_time": None,
                                         "start_time": "2025-06-02T10:00:15"}),
        ]

    def test_bars_share_one_axis_and_a_running_event_runs_to_now(self):
        lines = timeline.format_timeline(self.events(), self.NOW, "utf-8", width=30).splitlines()
        self.assertEqual("|" + "█" * 10 + "░" * 20 + "| [ok]      a  (10.0s)", lines[0])
        self.assertEqual("|" + "░" * 15 + "█" * 15 + "| [running] b  (still running)", lines[1])

    def test_ascii_fallback_when_the_encoding_cannot(self):
        for encoding in ("ascii", "latin-1", None, "no-such-codec"):
            with self.subTest(encoding=encoding):
                text = timeline.format_timeline(self.events(), self.NOW, encoding, width=30)
                self.assertEqual("|" + "#" * 10 + "." * 20 + "| [ok]      a  (10.0s)",
                                 text.splitlines()[0])
                text.encode("ascii")

    def test_event_without_times_has_an_empty_bar(self):
        events = [models.ActionEvent.from_api({"event": "x", "result": "Success"})]
        text = timeline.format_timeline(events, self.NOW, "ascii", width=10)
        self.assertTrue(text.startswith("|" + "." * 10 + "|"), text)


if __name__ == "__main__":
    unittest.main()
