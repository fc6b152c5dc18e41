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
