"""The HTTP path: one retry policy, the 406 fallback, `latest`, cancellation,
and no side effects on OSC's process."""

import logging
import threading
import unittest

import requests
from keystoneauth1 import session as ksa_session

from fj_osc_actions import errors
from fj_osc_actions import http
from fj_osc_actions import pacing
from fj_osc_actions import microversion as mv
from tests.unit import fakes

LIST_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions"
SHOW_PATH = f"{LIST_PATH}/{fakes.FAILED_REQUEST}"
SHOW_BODY = fakes.observed("show_failed_admin_2.84")["body"]
LIST_BODY = fakes.observed("list_demo_2.58")["body"]


def fault(status, message, **headers):
    key = {429: "overLimit", 503: "computeFault", 406: "computeFault"}.get(status, "computeFault")
    headers.setdefault("x-openstack-request-id", f"req-{status}")
    return {"status_code": status, "json": {key: {"code": status, "message": message}},
            "headers": headers}


def too_many(retry_after=None):
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return fault(429, "This request was rate-limited.", **headers)


def unavailable(retry_after=None):
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return fault(503, "Service Unavailable", **headers)


OK = {"status_code": 200, "json": SHOW_BODY}


class RetriesTestCase(fakes.MockedCloudTestCase):
    def client(self, **kwargs):
        """A client whose pauses take no time: they are recorded, and move a
        fake clock as they would move the real one."""
        kwargs.setdefault("retries", http.RETRIES)
        clock = FakeClock()
        kwargs.setdefault("pacer", pacing.Pacer(clock=clock))
        client = super().client(**kwargs)
        self.waits = []

        def pause(seconds):
            self.waits.append(seconds)
            clock.now += seconds

        client.http.pacer.pause = pause
        return client

    def answers(self, *responses, path=SHOW_PATH):
        self.m.get(fakes.EAST + path, list(responses))

    def show(self, client):
        return client.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)


class RateLimitTest(RetriesTestCase):
    def test_429_with_retry_after_then_success(self):
        self.answers(too_many(1), OK)
        action = self.show(self.client())
        self.assertEqual(fakes.FAILED_REQUEST, action.request_id)
        self.assertEqual([1.0], self.waits)
        self.assertEqual(2, len(self.compute_calls()))

    def test_503_with_retry_after_then_success(self):
        self.answers(unavailable(2), unavailable(3), OK)
        self.show(self.client())
        self.assertEqual([2.0, 3.0], self.waits)
        self.assertEqual(3, len(self.compute_calls()))

    def test_retry_after_beyond_the_budget_is_not_waited(self):
        self.answers(too_many(61), OK)
        with self.assertRaises(errors.ActionsError) as caught:
            self.show(self.client())
        self.assertIn("429", str(caught.exception))
        self.assertEqual([], self.waits)
        self.assertEqual(1, len(self.compute_calls()))

    def test_total_wait_never_exceeds_60_seconds(self):
        self.answers(too_many(30), too_many(30), too_many(30), OK)
        with self.assertRaises(errors.ActionsError):
            self.show(self.client())
        self.assertEqual([30.0, 30.0], self.waits)
        self.assertEqual(3, len(self.compute_calls()))

    def test_at_most_four_requests_per_get(self):
        # The stated maximum, written by hand: 1 request and 3 retries.
        for failure in (too_many(1), unavailable(), fault(502, "bad gateway"),
                        fault(504, "gateway timeout")):
            with self.subTest(status=failure["status_code"]):
                self.m.reset_mock()
                self.answers(failure)
                with self.assertRaises(errors.ServiceFailure) as caught:
                    self.show(self.client())
                self.assertEqual(4, len(self.compute_calls()))
                self.assertEqual(3, len(self.waits))
                self.assertEqual(f"req-{failure['status_code']}",
                                 caught.exception.openstack_request_id)

    def test_connection_failures_share_the_same_budget(self):
        self.m.get(fakes.EAST + SHOW_PATH, exc=requests.exceptions.ConnectionError("reset"))
        with self.assertRaises(errors.EndpointUnreachable):
            self.show(self.client())
        self.assertEqual(4, len(self.compute_calls()))
        self.assertEqual([0.5, 1.0, 2.0], self.waits)

    def test_a_mix_of_failures_is_still_four_requests(self):
        self.answers({"exc": requests.exceptions.ConnectTimeout("slow")}, unavailable(),
                     {"exc": requests.exceptions.ConnectionError("reset")}, too_many(), OK)
        with self.assertRaises(errors.ServiceFailure):
            self.show(self.client())
        self.assertEqual(4, len(self.compute_calls()))

    def test_no_retry_when_asked_for_none(self):
        self.answers(unavailable(), OK)
        with self.assertRaises(errors.ServiceFailure):
            self.client().http.get(["servers", fakes.SERVER_ID, "os-instance-actions",
                                    fakes.FAILED_REQUEST],
                                   self.client().http.target(fakes.SERVER_ID), retries=0)
        self.assertEqual(1, len(self.compute_calls()))

    def test_429_without_retry_after_backs_off(self):
        self.answers(too_many(), too_many(), OK)
        self.show(self.client())
        self.assertEqual([0.5, 1.0], self.waits)

    def test_503_without_retry_after_is_retried_retries_times(self):
        for retries in (0, 1, 2):
            with self.subTest(retries=retries):
                self.m.reset_mock()
                self.answers(unavailable())
                with self.assertRaises(errors.ApiError) as caught:
                    self.show(self.client(retries=retries))
                self.assertIn("503", str(caught.exception))
                self.assertEqual(retries + 1, len(self.compute_calls()))
                self.assertEqual([0.5, 1.0][:retries], self.waits)

    def test_500_is_not_waited_out(self):
        self.answers(fault(500, "boom"), OK)
        with self.assertRaises(errors.ApiError):
            self.show(self.client())
        self.assertEqual([], self.waits)
        self.assertEqual(1, len(self.compute_calls()))

    def test_bad_retry_after_falls_back_to_backoff(self):
        self.answers(too_many("soon"), OK)
        self.show(self.client())
        self.assertEqual([0.5], self.waits)

    def test_retry_delay(self):
        self.assertIsNone(http.retry_delay(500, "1", 0))
        self.assertIsNone(http.retry_delay(404, None, 0))
        self.assertEqual(1.5, http.retry_delay(429, " 1.5 ", 0))
        self.assertEqual(0.0, http.retry_delay(429, "-3", 0))
        self.assertEqual(2.0, http.retry_delay(503, None, 7))
        self.assertEqual(1.0, http.retry_delay(502, None, 1))
        self.assertEqual(0.5, http.retry_delay(None, None, 0))  # a connection failure
        self.assertEqual(0.5, http.retry_delay(429, "soon", 0))

    def test_cancel_during_a_rate_limit_wait(self):
        self.answers(too_many(5), OK)
        client = self.client()
        del client.http.pacer.pause  # the real pause, which the cancellation ends
        client.cancelled.wait = lambda seconds: True
        with self.assertRaises(errors.Cancelled):
            self.show(client)
        self.assertEqual(1, len(self.compute_calls()))

    def test_paged_list_waits_out_a_429_on_a_later_page(self):
        page1 = {"instanceActions": LIST_BODY["instanceActions"][:2],
                 "links": [{"rel": "next", "href": "http://x/?marker=m2"}]}
        page2 = {"instanceActions": LIST_BODY["instanceActions"][2:]}
        self.answers({"json": page1}, too_many(1), {"json": page2}, path=LIST_PATH)
        actions = list(self.client().list_actions(fakes.SERVER_ID))
        self.assertEqual(len(LIST_BODY["instanceActions"]), len(actions))
        self.assertEqual([1.0], self.waits)


class MicroversionFallbackTest(RetriesTestCase):
    MESSAGE = "Version 2.58 is not supported by the API. Minimum is 2.1 and maximum is 2.42."

    def test_406_at_the_default_retries_once_at_the_maximum(self):
        self.answers(fault(406, self.MESSAGE), OK)
        client = self.client()
        self.show(client)
        calls = self.compute_calls()
        self.assertEqual(["compute 2.58", "compute 2.42"],
                         [c.headers["OpenStack-API-Version"] for c in calls])
        self.assertEqual(mv.Microversion(2, 42), client.microversion)
        # Later requests use it at once.
        self.show(client)
        self.assertEqual("compute 2.42", self.m.last_request.headers["OpenStack-API-Version"])
        self.assertEqual(3, len(self.compute_calls()))

    def test_falls_back_only_once(self):
        self.answers(fault(406, self.MESSAGE), fault(406, "Minimum is 2.1 and maximum is 2.30."))
        with self.assertRaises(errors.UnsupportedMicroversion):
            self.show(self.client())
        self.assertEqual(2, len(self.compute_calls()))

    def test_user_chosen_version_gets_the_406(self):
        for chosen in ("2.58", "2.60"):
            with self.subTest(chosen=chosen):
                self.m.reset_mock()
                self.answers(fault(406, self.MESSAGE), OK)
                with self.assertRaises(errors.UnsupportedMicroversion) as caught:
                    self.show(self.client(microversion=chosen))
                self.assertIn(chosen, str(caught.exception))
                self.assertEqual(1, len(self.compute_calls()))

    def test_no_fallback_below_2_1_or_without_a_maximum(self):
        for message in ("Minimum is 2.0 and maximum is 2.0.", "Version not supported."):
            with self.subTest(message=message):
                self.m.reset_mock()
                self.answers(fault(406, message), OK)
                with self.assertRaises(errors.UnsupportedMicroversion):
                    self.show(self.client())
                self.assertEqual(1, len(self.compute_calls()))

    def test_bare_major_version_is_not_a_choice(self):
        self.answers(fault(406, self.MESSAGE), OK)
        client = self.client(microversion="2")
        self.show(client)
        self.assertEqual(mv.Microversion(2, 42), client.microversion)


class LatestTest(RetriesTestCase):
    def test_latest_is_sent_as_is_and_the_echo_is_used(self):
        self.m.get(fakes.EAST + SHOW_PATH, json=SHOW_BODY,
                   headers={"OpenStack-API-Version": "compute 2.96"})
        client = self.client(microversion="latest")
        self.show(client)
        self.assertEqual("compute latest", self.compute_calls()[0].headers["OpenStack-API-Version"])
        self.assertEqual(mv.Microversion(2, 96), client.microversion)
        self.show(client)
        self.assertEqual("compute 2.96", self.m.last_request.headers["OpenStack-API-Version"])

    def test_latest_case_and_spaces(self):
        self.m.get(fakes.EAST + SHOW_PATH, json=SHOW_BODY,
                   headers={"OpenStack-API-Version": "compute 2.79"})
        client = self.client(microversion=" Latest ")
        self.show(client)
        self.assertEqual("compute latest", self.compute_calls()[0].headers["OpenStack-API-Version"])
        self.assertEqual(mv.Microversion(2, 79), client.microversion)

    def test_novaclients_2_latest_is_latest(self):
        self.m.get(fakes.EAST + SHOW_PATH, json=SHOW_BODY,
                   headers={"OpenStack-API-Version": "compute 2.96"})
        client = self.client(microversion="2.latest")
        self.show(client)
        self.assertEqual("compute latest", self.compute_calls()[0].headers["OpenStack-API-Version"])
        self.assertEqual(mv.Microversion(2, 96), client.microversion)

    def test_latest_is_never_a_406_fallback(self):
        self.answers(fault(406, "Minimum is 2.1 and maximum is 2.42."), OK)
        with self.assertRaises(errors.UnsupportedMicroversion):
            self.show(self.client(microversion="latest"))
        self.assertEqual(1, len(self.compute_calls()))


class CancelTest(RetriesTestCase):
    def test_cancel_before_a_request(self):
        self.answers(OK)
        client = self.client()
        client.cancel()
        with self.assertRaises(errors.Cancelled):
            self.show(client)
        self.assertEqual([], self.compute_calls())


class ThroughTheShellTest(fakes.MockedCloudTestCase):
    def test_rate_limit_is_invisible(self):
        # Retry-After: 0, so no real time passes.
        self.m.get(fakes.EAST + SHOW_PATH, [too_many(0), too_many(0), OK])
        result = self.run_osc(["server", "action", "show", fakes.SERVER_ID, fakes.FAILED_REQUEST,
                               "-f", "json"])
        self.assert_success(result)
        self.assertEqual("", result.stderr)
        self.assertEqual(SHOW_BODY["instanceAction"], result.json)
        self.assertEqual(3, len(fakes.compute_requests(self.m)))

    def test_406_fallback_uses_the_columns_of_the_maximum(self):
        message = "Version 2.58 is not supported by the API. Minimum is 2.1 and maximum is 2.42."
        self.m.get(fakes.EAST + LIST_PATH, [fault(406, message), {"json": LIST_BODY}])
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "json"])
        self.assert_success(result)
        self.assertEqual(["Request ID", "Action", "Start Time", "Message"], list(result.json[0]))
        self.assertEqual("", result.stderr)

    def test_406_with_a_chosen_version_is_one_line(self):
        message = "Version 2.60 is not supported by the API. Minimum is 2.1 and maximum is 2.42."
        self.m.get(fakes.EAST + SHOW_PATH, [fault(406, message), OK])
        result = self.run_osc(["server", "action", "show", fakes.SERVER_ID, fakes.FAILED_REQUEST,
                               "--os-compute-api-version", "2.60"])
        self.assert_one_line_failure(result, "2.60", "HTTP 406")
        self.assertEqual(1, len(fakes.compute_requests(self.m)))

    def test_latest_from_the_environment(self):
        self.m.get(fakes.EAST + LIST_PATH, json=LIST_BODY,
                   headers={"OpenStack-API-Version": "compute 2.42"})
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "json"],
                              OS_COMPUTE_API_VERSION="latest")
        self.assert_success(result)
        self.assertEqual("compute latest",
                         fakes.compute_requests(self.m)[0].headers["OpenStack-API-Version"])
        # Columns follow the echoed 2.42: no Updated At.
        self.assertEqual(["Request ID", "Action", "Start Time", "Message"], list(result.json[0]))


if __name__ == "__main__":
    unittest.main()


class AfterTheFallbackTest(RetriesTestCase):
    """What the cloud's maximum cannot do is refused, not silently ignored."""

    def fall_back_to(self, version):
        self.m.get(fakes.EAST + LIST_PATH, [
            fault(406, f"Version 2.58 is not supported by the API. Minimum is 2.1 and "
                       f"maximum is {version}."),
            {"status_code": 200, "json": LIST_BODY}])

    def test_limit_below_2_58_is_an_error_not_every_action(self):
        self.fall_back_to("2.50")
        with self.assertRaises(errors.InvalidInput) as caught:
            list(self.client().list_actions(fakes.SERVER_ID, limit=2))
        self.assertIn("--limit needs compute API microversion 2.58", str(caught.exception))
        self.assertIn("2.50 is in use", str(caught.exception))

    def test_without_options_the_fallback_lists_every_action(self):
        self.fall_back_to("2.50")
        client = self.client()
        self.assertEqual(6, len(list(client.list_actions(fakes.SERVER_ID))))
        self.assertTrue(client.fell_back)
        self.assertEqual(mv.Microversion(2, 50), client.microversion)


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class PacerTest(unittest.TestCase):
    def test_waits_in_slices_so_that_ctrl_c_is_seen(self):
        clock = FakeClock()
        pacer = pacing.Pacer(clock=clock)
        slices = []

        def wait(seconds):  # time passes as the slice asks, no real time
            slices.append(seconds)
            clock.now += seconds
            return False

        pacer.cancelled.wait = wait
        pacer.pause(0.35)
        self.assertEqual(4, len(slices))
        self.assertAlmostEqual(0.35, sum(slices))
        self.assertTrue(all(piece <= pacing.PAUSE_SLICE for piece in slices), slices)

    def test_a_hold_makes_every_request_of_the_run_wait(self):
        clock = FakeClock()
        pacer = pacing.Pacer(clock=clock)
        waited = []
        pacer.pause = waited.append
        pacer.hold(5.0)
        pacer.wait_turn()
        clock.now += 5.0
        pacer.wait_turn()
        self.assertEqual([5.0], waited)


class SharedBackOffTest(fakes.MockedCloudTestCase):
    def test_retry_after_seen_by_one_client_holds_the_others(self):
        clock = FakeClock()
        pacer = pacing.Pacer(clock=clock)
        first = self.client(pacer=pacer, retries=http.RETRIES)
        second = self.client(pacer=pacer, retries=http.RETRIES)
        paused = []

        def pause(seconds):
            paused.append(seconds)
            if len(paused) == 1:
                # while the first waits out its 429, the second sends: it
                # waits its turn first (the clock has not moved yet)
                second.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
            clock.now += seconds

        pacer.pause = pause
        self.m.get(fakes.EAST + SHOW_PATH, [too_many(7), OK, OK])
        first.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        self.assertEqual([7.0, 7.0], paused)
        self.assertEqual(3, len(fakes.compute_requests(self.m)))


class NoSideEffectsTest(fakes.MockedCloudTestCase):
    """After a command, OSC's process is as it was, but for our own objects."""

    def test_root_handlers_get_no_filter_and_the_adapters_stay_keep_alive(self):
        root = logging.getLogger()
        handler = logging.StreamHandler()
        root.addHandler(handler)
        self.addCleanup(root.removeHandler, handler)
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        client = self.client()
        self.show_all_the_ways(client)
        self.assertEqual([[] for _ in root.handlers], [h.filters for h in root.handlers])
        adapters = client.http.session.session.adapters
        for prefix in ("https://", "http://"):
            self.assertIsInstance(adapters[prefix], ksa_session.TCPKeepAliveAdapter)

    def test_after_a_command_no_handler_of_the_process_has_our_filter(self):
        from fj_osc_actions import redaction

        self.reply("show_failed_admin_2.84", SHOW_PATH)
        result = self.run_osc(["server", "action", "show", fakes.SERVER_ID, fakes.FAILED_REQUEST,
                               "--debug", "-f", "json"])
        self.assert_success(result)
        handlers = logging.getLogger().handlers
        self.assertTrue(handlers)  # OSC's own, set up by the run
        self.assertEqual([], [f for h in handlers for f in h.filters
                              if isinstance(f, redaction.RedactedURLs)])

    def show_all_the_ways(self, client):
        client.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        client.http.size_pool(32)

    def test_a_user_agent_of_ours(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        self.client().get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        agent = fakes.compute_requests(self.m)[0].headers["User-Agent"]
        self.assertTrue(agent.startswith(f"{http.CLIENT_NAME}/"), agent)
        self.assertIn("keystoneauth1/", agent)

    def test_credentials_in_urls_are_masked_in_our_log(self):
        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())

        keep = Keep(level=logging.DEBUG)
        http.LOG.addHandler(keep)
        http.LOG.setLevel(logging.DEBUG)
        self.addCleanup(http.LOG.removeHandler, keep)
        self.addCleanup(http.LOG.setLevel, logging.NOTSET)
        http.LOG.debug("to %s", "https://user:s3cret@compute.test/v2.1")
        self.assertEqual(["to https://***@compute.test/v2.1"], records)

    def test_threads_share_one_pacer_and_stop_together(self):
        pacer = pacing.Pacer()
        stopped = []

        def worker():
            try:
                pacer.pause(30)
            except errors.Cancelled:
                stopped.append(1)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        pacer.cancelled.set()
        for thread in threads:
            thread.join(10)
        self.assertEqual(3, len(stopped))
