import json
import unittest

from fj_osc_actions import formatting
from fj_osc_actions import timeline
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from tests.unit import fakes


def action_from(record_body):
    return models.InstanceAction.from_api(record_body["instanceAction"])


class ModelsTest(unittest.TestCase):
    def test_keeps_every_key_and_invents_none(self):
        body = fakes.sample("2.84", "instance-action-get-resp")
        action = action_from(body)
        self.assertEqual(body["instanceAction"], action.raw)
        self.assertEqual({"host", "hostId", "details"}, set(action.events[0].extra))
        self.assertEqual("admin", action.user_id)
        self.assertFalse(action.failed)

    def test_failed_action(self):
        action = action_from(fakes.observed("show_failed_admin_2.84")["body"])
        self.assertTrue(action.failed)
        self.assertTrue(action.events[0].failed)
        self.assertIn("raise self.error", action.events[0].traceback)

    def test_running_event_is_neither_failed_nor_done(self):
        action = action_from(fakes.observed("show_running_event_admin_2.84")["body"])
        event = action.events[0]
        self.assertTrue(event.running)
        self.assertFalse(event.failed)

    def test_member_below_251_has_no_events(self):
        action = action_from(fakes.observed("show_failed_demo_2.1")["body"])
        self.assertIsNone(action.events)
        self.assertTrue(action.failed)  # message is "Error"

    def test_null_user_and_project(self):
        action = action_from(fakes.observed("show_null_user_project_admin_2.62")["body"])
        self.assertIsNone(action.user_id)
        self.assertIsNone(action.project_id)

    def test_shape_errors(self):
        for bad in ([], "x", None, {"events": "nope"}, {"events": [1]}):
            with self.assertRaises(models.ShapeError):
                models.InstanceAction.from_api(bad)


class DurationTest(unittest.TestCase):
    def test_format_duration(self):
        self.assertEqual("0.3s", formatting.format_duration(0.251))
        self.assertEqual("1m05s", formatting.format_duration(65))
        self.assertEqual("2h03m04s", formatting.format_duration(7384))

    def test_event_duration_with_offsets_and_bad_values(self):
        def event(start, finish, result="Success"):
            return models.ActionEvent.from_api(
                {"event": "e", "start_time": start, "finish_time": finish, "result": result}
            )

        self.assertEqual(
            "7.0s",
            formatting.event_duration(
                event("2025-06-02T10:30:12.000000", "2025-06-02T10:30:19.000000")
            ),
        )
        self.assertEqual(
            "1h00m00s",
            formatting.event_duration(
                event("2026-01-01T09:00:00+09:00", "2026-01-01T01:00:00Z")
            ),
        )
        self.assertEqual(
            "duration unknown", formatting.event_duration(event("yesterday", "today"))
        )
        self.assertEqual(
            "still running", formatting.event_duration(event("2026-01-01T00:00:00", None, None))
        )


class EventsTableTest(unittest.TestCase):
    def test_one_line_per_event_and_failure_stands_out(self):
        action = action_from(fakes.observed("show_failed_admin_2.84")["body"])
        text = formatting.EventsColumn((action.events, "", None)).human_readable()
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith("[FAILED]"))
        self.assertIn("compute_reboot_instance  Error", lines[0])
        self.assertIn("(7.0s)", lines[0])
        self.assertIn("details: Failed to reboot instance", text)
        # The traceback is summarised: its last line, not the whole text.
        self.assertIn("traceback: raise self.error (last of 7 lines", text)
        self.assertNotIn("decorated_function", text)

    def test_event_retried_after_a_failure_is_not_a_failed_action(self):
        action = models.InstanceAction.from_api({"message": None, "events": [
            {"event": "compute_reboot_instance", "result": "Error"},
            {"event": "compute_reboot_instance", "result": "Success"}]})
        self.assertFalse(action.failed)
        self.assertTrue(action.events[0].failed)

    def test_repeated_event_names_each_get_a_line(self):
        events = [
            {"event": "compute_reboot_instance", "result": "Error",
             "start_time": "2026-01-01T00:00:00", "finish_time": "2026-01-01T00:00:05"},
            {"event": "compute_reboot_instance", "result": "Success",
             "start_time": "2026-01-01T00:00:06", "finish_time": "2026-01-01T00:00:09"},
        ]
        action = models.InstanceAction.from_api({"events": events})
        lines = formatting.EventsColumn((action.events, "", None)).human_readable().splitlines()
        self.assertEqual(2, len(lines))
        self.assertTrue(lines[0].startswith("[FAILED]"))
        self.assertTrue(lines[1].startswith("[ok]"))

    def test_running_event(self):
        action = action_from(fakes.observed("show_running_event_admin_2.84")["body"])
        text = formatting.EventsColumn((action.events, "", None)).human_readable()
        self.assertTrue(text.startswith("[running]"))
        self.assertIn("still running", text)
        self.assertIn("host: compute-1", text)

    def test_machine_readable_is_the_api_list_untouched(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        action = action_from(body)
        column = formatting.events_column(action, mv.DEFAULT, "json")
        self.assertEqual(body["instanceAction"]["events"], column.machine_readable())

    def test_value_format_gets_json_text(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        column = formatting.events_column(action_from(body), mv.DEFAULT, "value")
        self.assertEqual(body["instanceAction"]["events"], json.loads(str(column.machine_readable())))

    def test_missing_events_explained(self):
        action = action_from(fakes.observed("show_failed_demo_2.1")["body"])
        column = formatting.events_column(action, mv.parse("2.1"), "table")
        self.assertIn("below microversion 2.51", column.human_readable())
        self.assertIsNone(column.machine_readable())
        column = formatting.events_column(action, mv.parse("2.58"), "table")
        self.assertIn("policy", column.human_readable())


class RowsTest(unittest.TestCase):
    def test_show_rows_order_at_each_microversion(self):
        base = ("request_id", "action", "instance_uuid", "user_id", "project_id",
                "start_time")
        cases = {
            "2.1": base + ("message", "events"),
            "2.58": base + ("updated_at", "message", "events"),
            "2.62": base + ("updated_at", "message", "events"),
            "2.84": base + ("updated_at", "message", "events"),
        }
        for version, expected in cases.items():
            body = fakes.sample(version, "instance-action-get-resp")
            names, values = formatting.action_rows(
                action_from(body), mv.parse(version), "table"
            )
            self.assertEqual(expected, names, version)
            self.assertEqual(body["instanceAction"]["request_id"], values[0])

    def test_unknown_action_keys_pass_through(self):
        raw = dict(fakes.sample("2.58", "instance-action-get-resp")["instanceAction"])
        raw["future_key"] = "x"
        names, values = formatting.action_rows(
            models.InstanceAction.from_api(raw), mv.DEFAULT, "json"
        )
        self.assertEqual(("future_key", "events"), names[-2:])
        self.assertEqual("x", values[-2])

    def test_list_columns(self):
        titles = [t for _, t in formatting.list_columns(mv.parse("2.1"), False)]
        self.assertEqual(["Request ID", "Action", "Start Time", "Message"], titles)
        titles = [t for _, t in formatting.list_columns(mv.parse("2.58"), True)]
        self.assertEqual(
            ["Request ID", "Action", "Start Time", "Updated At", "Message", "User ID",
             "Project ID"],
            titles,
        )


class Round2FormattingTest(unittest.TestCase):
    def test_timeline_in_time_order_whatever_the_api_order(self):
        import datetime

        events = [models.ActionEvent.from_api(
            {"event": name, "start_time": start, "finish_time": finish, "result": "Success"})
            for name, start, finish in (
                ("second", "2026-01-01T00:00:10", "2026-01-01T00:00:20"),
                ("first", "2026-01-01T00:00:00", "2026-01-01T00:00:10"))]
        now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        lines = timeline.format_timeline(events, now, "ascii", width=10).splitlines()
        self.assertEqual(["|#####.....| [ok]      first  (10.0s)",
                          "|.....#####| [ok]      second  (10.0s)"], lines)

    def test_no_advice_to_raise_a_version_the_cloud_does_not_have(self):
        old = mv.parse("2.50")
        self.assertIn("try --os-compute-api-version", formatting.events_not_returned(old))
        note = formatting.events_not_returned(old, version_chosen_by_cloud=True)
        self.assertNotIn("try", note)
        self.assertIn("supports at most 2.50", note)


class RetriedEventTableTest(unittest.TestCase):
    """A retry as Nova records it: the retry's row never finishes."""

    def test_an_ended_retry_is_not_drawn_as_running(self):
        action = models.InstanceAction.from_api({"events": [
            {"event": "compute_reboot_instance", "start_time": "2026-01-20T09:00:05",
             "finish_time": "2026-01-20T09:01:10", "result": "Success"},
            {"event": "compute_reboot_instance", "start_time": "2026-01-20T09:00:40",
             "finish_time": None, "result": None}]})
        lines = formatting.EventsColumn((action.events, "", None)).human_readable().splitlines()
        self.assertTrue(lines[0].startswith("[ok]"), lines[0])
        self.assertTrue(lines[1].startswith("[retried] compute_reboot_instance"), lines[1])
        self.assertIn("(a retry: its end is on the first event of this name)", lines[1])
        self.assertNotIn("running", lines[1])
