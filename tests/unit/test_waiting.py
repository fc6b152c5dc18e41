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


OTHER_REQUEST = "req-99999999-0000-4000-8000-999999999999"


class ActionEndedTest(unittest.TestCase):
    def test_truth_table(self):
        finished = [event("a"), event("b")]
        running = [event("a"), running_event("b")]
        this = fakes.FAILED_REQUEST
        cases = [
            # (events, server, the server's newest request ID (None: not asked), ended)
            (finished, IDLE, None, True),
            (finished, BUSY, this, False),            # the task state is this action's
            (finished, BUSY, OTHER_REQUEST, True),    # the task state is a newer action's
            (finished, BUSY, None, False),            # busy, and nobody asked which is newest
            (finished, None, None, True),             # server deleted
            (running, IDLE, None, False),
            (running, BUSY, OTHER_REQUEST, False),    # an older action, still running
            ([running_event("a")], None, None, False),  # deleted, events not finished yet
            ([], IDLE, None, True),
            ([], BUSY, this, False),
            ([], BUSY, OTHER_REQUEST, True),
            (None, IDLE, None, True),                  # events not returned (below 2.51)
            (None, BUSY, this, False),
            (None, BUSY, OTHER_REQUEST, True),
            (None, None, None, True),
            (finished, {"id": fakes.SERVER_ID}, None, True),  # no task_state key at all
        ]
        for events, server, newest, ended in cases:
            with self.subTest(events=events, server=server, newest=newest):
                self.assertIs(ended, waiting.action_ended(action(events), server, newest))

    def test_the_newest_action_is_asked_for_only_when_it_decides(self):
        cases = [
            ([event("a")], BUSY, True),
            ([event("a")], IDLE, False),
            ([event("a")], None, False),
            ([running_event("a")], BUSY, False),
            (None, BUSY, True),
            ([], BUSY, True),
            (None, IDLE, False),
        ]
        for events, server, needed in cases:
            with self.subTest(events=events, server=server):
                self.assertIs(needed, waiting.needs_newest(action(events), server))

    def test_event_with_finish_time_but_no_result_has_ended(self):
        self.assertTrue(waiting.action_ended(action([event(result=None)]), IDLE))
        self.assertFalse(waiting.action_ended(action([event(finish=None)]), IDLE))


class FailureTest(unittest.TestCase):
    def test_failed_event_picks_the_error_event(self):
        events = [event("first"), event("bad", result="Error"), event("last")]
        self.assertEqual("bad", waiting.failed_event(action(events)).name)

    def test_failed_event_is_the_newest_error_by_start_time(self):
        # A failed live migration, newest first as Nova lists it: the compute
        # event with the details, then the conductor event that wraps it.
        compute = event("compute_check_can_live_migrate_destination", result="Error",
                        start_time="2026-02-23T10:00:02.000000", details="pre-check failed")
        conductor = event("conductor_live_migrate_instance", result="Error",
                          start_time="2026-02-23T10:00:01.000000")
        self.assertEqual("compute_check_can_live_migrate_destination",
                         waiting.failed_event(action([compute, conductor])).name)
        # by time, not by place: the same events in the other order
        self.assertEqual("compute_check_can_live_migrate_destination",
                         waiting.failed_event(action([conductor, compute])).name)

    def test_a_tie_in_start_time_goes_to_the_event_nova_lists_first(self):
        first = event("listed_first", result="Error")
        second = event("listed_second", result="Error")
        self.assertEqual("listed_first", waiting.failed_event(action([first, second])).name)
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
        fetch, calls = self.script((action([running_event()]), False),
                                   (action([event()]), False),
                                   (done, True))
        polled = []
        result = waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep,
                                         on_poll=polled.append)
        self.assertIs(done, result)
        self.assertEqual(3, len(calls))
        self.assertEqual([1.0, 1.5], clock.sleeps)
        self.assertEqual(3, len(polled))

    def test_ended_at_once_means_no_sleep(self):
        clock = FakeClock()
        fetch, calls = self.script((action([event()]), True))
        waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep)
        self.assertEqual([], clock.sleeps)
        self.assertEqual(1, len(calls))

    def test_transient_errors_do_not_end_the_wait(self):
        clock = FakeClock()
        done = action([event()])
        fetch, calls = self.script(errors.ServiceFailure("HTTP 503"),
                                   errors.ConnectionLost("connection reset"),
                                   errors.ServiceFailure("HTTP 429"),
                                   errors.ConnectionLost("no answer within the timeout"),
                                   (done, True))
        polled = []
        self.assertIs(done, waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep,
                                                    on_poll=polled.append))
        self.assertEqual(5, len(calls))
        self.assertEqual([done], polled)

    def test_other_errors_end_the_wait_at_once(self):
        for error in (errors.Forbidden("HTTP 403"), errors.BadRequest("HTTP 400"),
                      errors.ApiError("HTTP 409"), errors.ApiError("Login failed"),
                      errors.Unauthorized("HTTP 401"),
                      errors.EndpointUnreachable("TLS failed"),
                      errors.EndpointUnreachable("Connection refused")):
            with self.subTest(error=error):
                clock = FakeClock()
                fetch, calls = self.script(error, (action([event()]), True))
                with self.assertRaises(type(error)):
                    waiting.wait_for_action(fetch, clock=clock, sleep=clock.sleep)
                self.assertEqual((1, []), (len(calls), clock.sleeps))

    def test_timeout_raises_wait_timeout_without_sleeping_past_it(self):
        clock = FakeClock()
        fetch, calls = self.script((action([running_event()]), False))
        with self.assertRaises(waiting.WaitTimeout) as caught:
            waiting.wait_for_action(fetch, timeout=20, clock=clock, sleep=clock.sleep)
        self.assertEqual(20, caught.exception.timeout)
        self.assertLessEqual(sum(clock.sleeps), 20)
        self.assertEqual(len(clock.sleeps) + 1, len(calls))
        self.assertLessEqual(max(clock.sleeps), waiting.MAX_DELAY)

    def test_timeout_while_only_errors(self):
        clock = FakeClock()
        fetch, _calls = self.script(errors.ServiceFailure("HTTP 500"))
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

    def test_polls_action_then_server_until_ended(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        running = {"instanceAction": dict(body["instanceAction"],
                                          events=[running_event()])}
        show = self.m.get(fakes.EAST + SHOW_PATH, [{"json": running}, {"json": body}])
        server = self.m.get(fakes.EAST + SERVER_PATH, json={"server": IDLE})
        final = self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertEqual(body["instanceAction"], final.raw)
        self.assertEqual([1.0], self.waits)
        # the server is read only once the events have finished
        self.assertEqual((2, 1), (show.call_count, server.call_count))

    def newest_is(self, request_id):
        listing = {"instanceActions": [{"request_id": request_id, "action": "createImage",
                                        "instance_uuid": fakes.SERVER_ID}]}
        return self.m.get(fakes.EAST + SHOW_PATH.rsplit("/", 1)[0], json=listing)

    def test_busy_server_with_a_newer_action_ends_the_wait_at_once(self):
        # Nova: the task state belongs to the newest action (a snapshot now
        # running), not to this finished reboot.
        body = fakes.observed("show_failed_admin_2.84")["body"]
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        self.m.get(fakes.EAST + SERVER_PATH, json={"server": dict(BUSY, **{
            waiting.TASK_STATE: "image_uploading"})})
        listing = self.newest_is(OTHER_REQUEST)
        final = self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertEqual(body["instanceAction"], final.raw)
        self.assertEqual([], self.waits)
        self.assertEqual(1, listing.call_count)
        self.assertEqual({"limit": ["1"]}, listing.last_request.qs)

    def test_busy_server_whose_newest_action_is_this_one_keeps_waiting(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        self.m.get(fakes.EAST + SERVER_PATH, [{"json": {"server": BUSY}},
                                              {"json": {"server": IDLE}}])
        listing = self.newest_is(fakes.FAILED_REQUEST)
        self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertEqual([1.0], self.waits)
        self.assertEqual(1, listing.call_count)  # not asked once the server is idle

    def test_a_client_error_ends_the_wait_at_once(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        show = self.m.get(fakes.EAST + SHOW_PATH, json=body)
        self.m.get(fakes.EAST + SERVER_PATH, status_code=409,
                   json={"conflictingRequest": {"code": 409, "message": "busy"}})
        with self.assertRaises(errors.ApiError) as caught:
            self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertNotIsInstance(caught.exception, errors.TRANSIENT)
        self.assertIn("409", str(caught.exception))
        self.assertEqual(([], 1), (self.waits, show.call_count))

    def test_a_server_failure_is_waited_out(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        self.m.get(fakes.EAST + SHOW_PATH, json=body)
        self.m.get(fakes.EAST + SERVER_PATH, [
            {"status_code": 500, "json": {"computeFault": {"code": 500, "message": "boom"}}},
            {"json": {"server": IDLE}}])
        self.client.wait_for_action(self.running(), clock=self.clock)
        self.assertEqual([1.0], self.waits)

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
