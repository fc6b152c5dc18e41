"""Waiting for an action to end: pure rules, the poller, and the wait with a fake clock."""

import unittest


from fj_osc_actions import errors
from fj_osc_actions import models
from fj_osc_actions import waiting
from tests.unit import fakes

SHOW_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions/{fakes.FAILED_REQUEST}"
SERVER_PATH = f"/servers/{fakes.SERVER_ID}"


def event(name="compute_reboot_instance", result="Success", finish="2025-06-02T10:30:19.000000",
          **extra):
    raw = {"event": name, "start_time": "2025-06-02T10:30:12.000000",
           "finish_time": finish, "result": result}
    raw.update(extra)
    return raw


def running_event(name="compute_reboot_instance"):
    return event(name, result=None, finish=None)


def action(events, message=None):
    raw = {"action": "reboot", "request_id": fakes.FAILED_REQUEST,
           "instance_uuid": fakes.SERVER_ID, "message": message}
    if events is not None:
        raw["events"] = events
    return models.InstanceAction.from_api(raw)


IDLE = {"id": fakes.SERVER_ID, waiting.TASK_STATE: None}
BUSY = {"id": fakes.SERVER_ID, waiting.TASK_STATE: "rebooting"}


class ActionEndedTest(unittest.TestCase):
    def test_truth_table(self):
        finished = [event("a"), event("b")]
        cases = [
            # (events, server, ended)
            (finished, IDLE, True),
            (finished, BUSY, False),
            (finished, None, True),                     # server deleted
            ([event("a"), running_event("b")], IDLE, False),
            ([running_event("a")], None, False),       # deleted, events not finished yet
            ([], IDLE, True),
            ([], BUSY, False),
            (None, IDLE, True),                         # events not returned: the server decides
            (None, BUSY, False),
            (None, None, True),
            (finished, {"id": fakes.SERVER_ID}, True),  # no task_state key at all
        ]
        for events, server, ended in cases:
            with self.subTest(events=events, server=server):
                self.assertIs(ended, waiting.action_ended(action(events), server))

    def test_event_with_finish_time_but_no_result_has_ended(self):
        self.assertTrue(waiting.action_ended(action([event(result=None)]), IDLE))
        self.assertFalse(waiting.action_ended(action([event(finish=None)]), IDLE))


class FailureTest(unittest.TestCase):
    def test_failed_event_picks_the_error_event(self):
        events = [event("first"), event("bad", result="Error"), event("last")]
        self.assertEqual("bad", waiting.failed_event(action(events)).name)
        self.assertIsNone(waiting.failed_event(action([event("ok")])))
        self.assertIsNone(waiting.failed_event(action(None)))
        self.assertIsNone(waiting.failed_event(action([running_event()])))

    def test_action_failed(self):
        self.assertTrue(waiting.action_failed(action([event()], message="Error")))
        self.assertTrue(waiting.action_failed(action([event(result="Error")])))
        self.assertTrue(waiting.action_failed(action(None, message="Error")))
        self.assertFalse(waiting.action_failed(action([event()])))
        self.assertFalse(waiting.action_failed(action(None)))

    def test_failure_line_with_details_uses_their_last_line(self):
        failed = action([event("compute_reboot_instance", result="Error",
                               details="first line\nTimed out waiting for the guest\n\n",
                               traceback="Traceback\n  raise self.error\n")], message="Error")
        line = waiting.failure_line(failed, "web-01")
        self.assertIn("compute_reboot_instance", line)
        self.assertIn("Error", line)
        self.assertIn("web-01", line)
        self.assertIn(fakes.FAILED_REQUEST, line)
        self.assertTrue(line.endswith("Timed out waiting for the guest"), line)
        self.assertNotIn("first line", line)
        self.assertNotIn("\n", line)

    def test_failure_line_falls_back_to_the_traceback(self):
        failed = action([event("compute_stop", result="Error",
                               traceback="Traceback\n  File x\n    raise self.error\n")])
        line = waiting.failure_line(failed, "web-01")
        self.assertIn("compute_stop", line)
        self.assertTrue(line.endswith("raise self.error"), line)

    def test_failure_line_without_explanation_or_event(self):
        line = waiting.failure_line(action([event("compute_stop", result="Error")]), "web-01")
        self.assertIn("compute_stop", line)
        self.assertTrue(line.endswith("."), line)
        line = waiting.failure_line(action(None, message="Error"), "web-01")
        self.assertIn("reboot", line)
        self.assertIn("web-01", line)


class PollerTest(unittest.TestCase):
    def test_delays_grow_by_half_and_cap_at_five(self):
        poller = waiting.Poller()
        delays = [poller.next_delay() for _ in range(8)]
        self.assertEqual([1.0, 1.5, 2.25, 3.375], delays[:4])
        self.assertAlmostEqual(5.0, delays[4])
        self.assertEqual([5.0, 5.0, 5.0, 5.0], delays[4:])


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class WaitForActionTest(unittest.TestCase):
    def script(self, *answers):
        """A fetch that gives these answers in turn (an exception is raised)."""
        answers = list(answers)
        calls = []

        def fetch():
            calls.append(1)
            answer = answers.pop(0) if len(answers) > 1 else answers[0]
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return fetch, calls

    def test_returns_the_final_state_once_ended(self):
        clock = FakeClock()
        done = action([event()])
        fetch, calls = self.script((action([running_event()]), BUSY),
                                   (action([event()]), BUSY),
                                   (done, IDLE))
        polled = []
        result = waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep,
                                         on_poll=polled.append)
        self.assertIs(done, result)
        self.assertEqual(3, len(calls))
        self.assertEqual([1.0, 1.5], clock.sleeps)
        self.assertEqual(3, len(polled))

    def test_ended_at_once_means_no_sleep(self):
        clock = FakeClock()
        fetch, calls = self.script((action([event()]), None))
        waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep)
        self.assertEqual([], clock.sleeps)
        self.assertEqual(1, len(calls))

    def test_transient_errors_do_not_end_the_wait(self):
        clock = FakeClock()
        done = action([event()])
        fetch, calls = self.script(errors.ApiError("HTTP 503"),
                                   errors.EndpointUnreachable("connection reset"),
                                   errors.ApiError("HTTP 429"),
                                   (done, IDLE))
        polled = []
        self.assertIs(done, waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep,
                                                    on_poll=polled.append))
        self.assertEqual(4, len(calls))
        self.assertEqual([done], polled)

    def test_other_errors_end_the_wait(self):
        clock = FakeClock()
        fetch, _calls = self.script(errors.Forbidden("HTTP 403"))
        with self.assertRaises(errors.Forbidden):
            waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep)

    def test_timeout_raises_wait_timeout_without_sleeping_past_it(self):
        clock = FakeClock()
        fetch, calls = self.script((action([running_event()]), BUSY))
        with self.assertRaises(waiting.WaitTimeout) as caught:
            waiting.wait_for_action(fetch, timeout=20, clock=clock, sleep=clock.sleep)
        self.assertEqual(20, caught.exception.timeout)
        self.assertLessEqual(sum(clock.sleeps), 20)
        self.assertEqual(len(clock.sleeps) + 1, len(calls))
        self.assertLessEqual(max(clock.sleeps), waiting.MAX_DELAY)

    def test_timeout_while_only_errors(self):
        clock = FakeClock()
        fetch, _calls = self.script(errors.ApiError("HTTP 500"))
        with self.assertRaises(waiting.WaitTimeout):
            waiting.wait_for_action(fetch, timeout=3, clock=clock, sleep=clock.sleep)
        self.assertEqual([1.0, 1.5], clock.sleeps)


class ClientWaitTest(fakes.MockedCloudTestCase):
    def setUp(self):
        super().setUp()
        self.client = super().client()
        self.waits = []

        def fake_pause(seconds):
            self.waits.append(seconds)
            self.clock.now += seconds

        self.clock = FakeClock()
        self.client.pause = fake_pause

    def running(self):
        return action([running_event()])

    def test_polls_action_and_server_until_ended(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        running = {"instanceAction": dict(body["instanceAction"],
                                          events=[running_event()])}
        self.m.get(fakes.EAST + SHOW_PATH, [{"json": running}, {"json": body}, {"json": body}])
        self.m.get(fakes.EAST + SERVER_PATH, [{"json": {"server": BUSY}}, {"json": {"server": BUSY}},
                                              {"json": {"server": IDLE}}])
        final = self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertEqual(body["instanceAction"], final.raw)
        self.assertEqual([1.0, 1.5], self.waits)

    def test_deleted_server_ends_the_wait(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        fakes.reply(self.m, "show_unknown_server_404", fakes.EAST + SERVER_PATH)
        final = self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertTrue(waiting.action_failed(final))
        self.assertEqual([], self.waits)

    def test_timeout_says_how_long_and_may_still_be_running(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        running = {"instanceAction": dict(body["instanceAction"], events=[running_event()])}
        self.m.get(fakes.EAST + SHOW_PATH, json=running)
        self.m.get(fakes.EAST + SERVER_PATH, json={"server": BUSY})
        with self.assertRaises(errors.WaitTimedOut) as caught:
            self.client.wait_for_action(self.running(), timeout=12, clock=self.clock)
        message = str(caught.exception)
        self.assertIn("12 s", message)
        self.assertIn("may still be running", message)
        self.assertIn(fakes.FAILED_REQUEST, message)
        self.assertLessEqual(sum(self.waits), 12)

    def test_cancel_during_the_wait(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        running = {"instanceAction": dict(body["instanceAction"], events=[running_event()])}
        self.m.get(fakes.EAST + SHOW_PATH, json=running)
        self.m.get(fakes.EAST + SERVER_PATH, json={"server": BUSY})
        del self.client.pause  # the real pause, which the cancellation ends
        self.client.cancelled.wait = lambda seconds: True
        with self.assertRaises(errors.Cancelled):
            self.client.wait_for_action(self.running(), clock=self.clock)


if __name__ == "__main__":
    unittest.main()


class RetriedEventTest(unittest.TestCase):
    """Nova finishes a retried event on the first row of its name (db-01's
    request 33 in the simulator, and the same in real Nova)."""

    def events(self, first_finish):
        return action([
            {"event": "compute_reboot_instance", "start_time": "2026-01-20T09:00:05",
             "finish_time": first_finish, "result": "Success", "traceback": "boom"},
            {"event": "compute_reboot_instance", "start_time": "2026-01-20T09:00:40",
             "finish_time": None, "result": None},
        ])

    def test_the_retry_has_ended_when_its_name_finished_after_it_started(self):
        self.assertTrue(waiting.action_ended(self.events("2026-01-20T09:01:10"), IDLE))

    def test_the_retry_still_runs_while_no_event_of_its_name_finished_after_it(self):
        self.assertFalse(waiting.action_ended(self.events("2026-01-20T09:00:30"), IDLE))
