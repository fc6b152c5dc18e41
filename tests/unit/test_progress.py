"""Progress on a terminal: the fleet counter and the --wait event lines."""

import io
import unittest

from fj_osc_actions import models
from fj_osc_actions import progress


def action(*events):
    return models.InstanceAction.from_api({"request_id": "req-1", "events": list(events)})


class ProgressLineTest(unittest.TestCase):
    def test_nothing_for_ten_servers_or_fewer(self):
        stream = io.StringIO()
        line = progress.ProgressLine(stream)
        for done in range(1, 11):
            line(done, 10)
        self.assertEqual("", stream.getvalue())

    def test_one_line_rewritten_in_place_and_erased_at_the_end(self):
        stream = io.StringIO()
        line = progress.ProgressLine(stream)
        for done in range(1, 13):
            line(done, 12)
        text = stream.getvalue()
        self.assertNotIn("\n", text)
        self.assertIn("\ractions of 5/12 servers", text)
        self.assertTrue(text.endswith("\ractions of 12/12 servers\r\x1b[K"), text[-40:])


class EventReporterTest(unittest.TestCase):
    def test_each_event_once_when_it_starts_and_once_when_it_ends(self):
        stream = io.StringIO()
        report = progress.EventReporter(stream)
        running = {"event": "compute_reboot_instance", "start_time": "2026-01-01T00:00:00",
                   "finish_time": None, "result": None}
        finished = dict(running, finish_time="2026-01-01T00:00:07", result="Success")
        report(action(running))
        report(action(running))
        report(action(finished))
        report(action(finished, dict(running, event="\x1b]0;title\x07")))
        self.assertEqual([
            "started   compute_reboot_instance",
            "finished  compute_reboot_instance  Success  (7.0s)",
            "started   \\x1b]0;title\\x07",
        ], stream.getvalue().splitlines())

    def test_a_multi_event_action_growing_newest_first_as_nova_lists_it(self):
        # A resize as Nova returns it while it runs: each new event comes
        # first in the list (action_events_get: created_at desc, id desc).
        def ev(name, start, finish=None):
            return {"event": name, "start_time": f"2026-02-23T10:00:{start:02d}.000000",
                    "finish_time": None if finish is None else
                    f"2026-02-23T10:00:{finish:02d}.000000",
                    "result": None if finish is None else "Success"}

        stream = io.StringIO()
        report = progress.EventReporter(stream)
        report(action(ev("conductor_migrate_server", 0)))
        report(action(ev("compute_prep_resize", 2), ev("conductor_migrate_server", 0, 2)))
        report(action(ev("compute_resize_instance", 4, 7), ev("compute_prep_resize", 2, 4),
                      ev("conductor_migrate_server", 0, 2)))
        report(action(ev("compute_finish_resize", 8, 9), ev("compute_resize_instance", 4, 7),
                      ev("compute_prep_resize", 2, 4), ev("conductor_migrate_server", 0, 2)))
        self.assertEqual([
            "started   conductor_migrate_server",
            "finished  conductor_migrate_server  Success  (2.0s)",
            "started   compute_prep_resize",
            "finished  compute_prep_resize  Success  (2.0s)",
            "started   compute_resize_instance",
            "finished  compute_resize_instance  Success  (3.0s)",
            "started   compute_finish_resize",
            "finished  compute_finish_resize  Success  (1.0s)",
        ], stream.getvalue().splitlines())

    def test_a_retry_of_the_same_name_is_an_event_of_its_own(self):
        first = {"event": "compute_reboot_instance", "start_time": "2026-01-15T09:00:03",
                 "finish_time": "2026-01-15T09:00:33", "result": "Error"}
        retry = {"event": "compute_reboot_instance", "start_time": "2026-01-15T09:00:40",
                 "finish_time": None, "result": None}
        stream = io.StringIO()
        report = progress.EventReporter(stream)
        report(action(first))
        report(action(retry, first))
        self.assertEqual([
            "started   compute_reboot_instance",
            "finished  compute_reboot_instance  Error  (30.0s)",
            "started   compute_reboot_instance",
        ], stream.getvalue().splitlines())
