"""The HTTP layer: rate limits waited out, the 406 fallback, `latest`, cancellation."""

import time
import unittest

from fj_osc_actions import api
from fj_osc_actions import errors
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
        kwargs.setdefault("retries", 2)
        client = super().client(**kwargs)
        self.waits = []

        client.pause = self.waits.append
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
        self.show(self.client(retries=0))
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
        self.assertLessEqual(sum(self.waits), api.MAX_RATE_LIMIT_WAIT)
        self.assertEqual(3, len(self.compute_calls()))

    def test_at_most_three_retries(self):
        self.answers(too_many(1))
        with self.assertRaises(errors.ActionsError) as caught:
            self.show(self.client())
        self.assertEqual(api.MAX_RATE_LIMIT_RETRIES, len(self.waits))
        self.assertEqual(api.MAX_RATE_LIMIT_RETRIES + 1, len(self.compute_calls()))
        self.assertEqual("req-429", caught.exception.openstack_request_id)

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
                self.assertEqual(list(api.BACKOFF_DELAYS[:retries]), self.waits)

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
        class Response:
            def __init__(self, status, retry_after=None):
                self.status_code = status
                self.headers = {} if retry_after is None else {"Retry-After": retry_after}

        self.assertIsNone(api.retry_delay(Response(500, "1"), 0))
        self.assertIsNone(api.retry_delay(Response(200), 0))
        self.assertEqual(1.5, api.retry_delay(Response(429, " 1.5 "), 0))
        self.assertEqual(0.0, api.retry_delay(Response(429, "-3"), 0))
        self.assertEqual(2.0, api.retry_delay(Response(503), 7, retries=10))
        # A plain 503 is retried as many times as any failed GET, no more.
        self.assertIsNone(api.retry_delay(Response(503), 2, retries=2))
        self.assertEqual(1.0, api.retry_delay(Response(429), 1, retries=0))

    def test_cancel_during_a_rate_limit_wait(self):
        self.answers(too_many(5), OK)
        client = self.client()
        del client.pause  # the real pause, which the cancellation ends
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


class PauseTest(unittest.TestCase):
    def test_waits_in_slices_so_that_ctrl_c_is_seen(self):
        client = api.ComputeAPI(None)
        slices = []

        def wait(seconds):
            slices.append(seconds)
            time.sleep(seconds)
            return False

        client.cancelled.wait = wait
        client.pause(0.35)
        self.assertGreaterEqual(len(slices), 4)
        self.assertTrue(all(piece <= api.PAUSE_SLICE for piece in slices), slices)
