"""Injected faults (Python API and /_sim/faults)."""

from __future__ import annotations

import unittest
from concurrent.futures import ThreadPoolExecutor

import requests

from fj_osc_actions_simulator.faults import parse_fault_option
from fj_osc_actions_simulator import seed
from fj_osc_actions_simulator.seed import WEB_01
from tests.unit.simulator import TIMEOUT, SimTestCase, password_auth, rid


class FaultTest(SimTestCase):

    def setUp(self):
        super().setUp()
        self.token("demo")  # log in before any fault is queued

    def list_(self):
        return self.get(self.actions_path(), mv="2.58")

    def test_500_then_success(self):
        self.sim.inject("500")
        r = self.list_()
        self.assertEqual(500, r.status_code)
        self.assertEqual(500, r.json()["computeFault"]["code"])
        self.assertTrue(r.headers["x-openstack-request-id"].startswith("req-"))
        self.assertEqual(200, self.list_().status_code)

    def test_503_times(self):
        self.sim.inject("503", times=2)
        self.assertEqual([503, 503, 200],
                         [self.list_().status_code for _ in range(3)])
        self.assertEqual([503, 503, 200],
                         [e.status for e in self.sim.compute_requests()])

    def test_502_html(self):
        self.sim.inject("502-html")
        r = self.list_()
        self.assertEqual(502, r.status_code)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        self.assertIn("<html>", r.text)

    def test_not_json(self):
        self.sim.inject("not-json")
        r = self.list_()
        self.assertEqual(200, r.status_code)
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))
        with self.assertRaises(ValueError):
            r.json()

    def test_no_instance_action(self):
        self.sim.inject("no-instance-action", times=2)
        self.assertEqual({}, self.list_().json())
        self.assertEqual({}, self.get(self.actions_path(WEB_01, rid(1))).json())

    def test_401_and_403(self):
        self.sim.inject("401")
        self.sim.inject("403")
        r = self.list_()
        self.assertEqual(401, r.status_code)
        self.assertEqual("Unauthorized", r.json()["error"]["title"])
        r = self.list_()
        self.assertEqual(403, r.status_code)
        self.assertEqual(403, r.json()["forbidden"]["code"])
        self.assertIn("os-instance-actions:list", r.json()["forbidden"]["message"])
        self.assertEqual(200, self.list_().status_code)
        self.sim.inject("403")
        r = self.get(self.actions_path(WEB_01, rid(1)))
        self.assertIn("os-instance-actions:show", r.json()["forbidden"]["message"])

    def test_429_with_retry_after(self):
        self.sim.inject("429")
        self.sim.inject("429:7")
        for seconds in ("1", "7"):
            r = self.list_()
            self.assertEqual((429, "Too Many Requests", seconds),
                             (r.status_code, r.reason, r.headers["Retry-After"]))
            self.assertEqual({"overLimit": {"code": 429, "message":
                                            "This request was rate-limited."}}, r.json())
        self.assertEqual(200, self.list_().status_code)

    def test_503_with_and_without_retry_after(self):
        self.sim.inject("503-retry-after:2")
        self.sim.inject("503")
        r = self.list_()
        self.assertEqual((503, "2"), (r.status_code, r.headers["Retry-After"]))
        self.assertEqual(503, r.json()["serviceUnavailable"]["code"])
        r = self.list_()
        self.assertEqual(503, r.status_code)
        self.assertNotIn("Retry-After", r.headers)

    def test_one_server_vanishes(self):
        other = seed.APP_A
        self.sim.inject("vanish", path_contains=other, times=0)
        names = [s["name"] for s in self.get("/servers").json()["servers"]]
        self.assertIn("app", names)  # still listed: it vanished after the listing
        for path in (self.actions_path(other), self.actions_path(other, rid(51)),
                     f"/servers/{other}"):
            with self.subTest(path=path):
                r = self.get(path, mv="2.58")
                self.assertEqual({"itemNotFound": {"code": 404, "message":
                                                   f"Instance {other} could not be found."}},
                                 r.json())
        self.assertEqual(200, self.list_().status_code)

    def test_403_on_one_servers_actions(self):
        self.sim.inject("403", path_contains=f"/servers/{seed.APP_B}/os-instance-actions",
                        times=0)
        r = self.get(self.actions_path(seed.APP_B), mv="2.58")
        self.assertEqual("Policy doesn't allow os_compute_api:os-instance-actions:list to be "
                         "performed.", r.json()["forbidden"]["message"])
        r = self.get(self.actions_path(seed.APP_B, rid(61)), mv="2.58")
        self.assertIn("os-instance-actions:show", r.json()["forbidden"]["message"])
        self.assertEqual(200, self.get(f"/servers/{seed.APP_B}").status_code)
        self.assertEqual(200, self.list_().status_code)

    def test_close_truncates_body(self):
        self.sim.inject("close")
        with self.assertRaises(requests.exceptions.ChunkedEncodingError):
            self.list_()
        self.assertEqual(200, self.list_().status_code)

    def test_path_contains_and_unlimited(self):
        self.sim.inject("500", path_contains=rid(4), times=0)
        self.assertEqual(200, self.list_().status_code)
        for _ in range(3):
            r = self.get(self.actions_path(WEB_01, rid(4)))
            self.assertEqual(500, r.status_code)
        self.assertEqual(200, self.get(self.actions_path(WEB_01, rid(3)))
                         .status_code)
        self.sim.clear_faults()
        self.assertEqual(200, self.get(self.actions_path(WEB_01, rid(4)))
                         .status_code)

    def test_faults_skip_identity_and_control(self):
        self.sim.inject("500", times=0)
        self.assertEqual(201, self.issue(password_auth("admin")).status_code)
        self.assertEqual(200, self.http.get(self.sim.url + "/v3").status_code)
        self.assertEqual(200, self.http.get(self.sim.url + "/_sim/log").status_code)
        self.assertEqual(500, self.list_().status_code)

    def test_unknown_fault(self):
        for bad in ("404", "slow:x", "slow:-1", ""):
            with self.subTest(fault=bad), self.assertRaises(ValueError):
                self.sim.inject(bad)

    def test_remote_control(self):
        url = self.sim.url + "/_sim/faults"
        r = self.http.post(url, json={"fault": "503", "path_contains":
                                      "os-instance-actions", "times": 1})
        self.assertEqual(201, r.status_code)
        self.assertEqual([{"fault": "503", "path_contains": "os-instance-actions",
                           "times": 1}], self.http.get(url).json())
        self.assertEqual(200, self.get("/servers").status_code)
        self.assertEqual(503, self.list_().status_code)
        self.assertEqual(200, self.list_().status_code)
        self.assertEqual(400, self.http.post(url, json={"fault": "nope"})
                         .status_code)
        self.assertEqual(400, self.http.post(url, data="{").status_code)
        self.http.post(url, json={"fault": "500", "times": 0})
        self.assertEqual(204, self.http.delete(url).status_code)
        self.assertEqual(200, self.list_().status_code)


class SlowFaultTest(SimTestCase):
    """``slow:<seconds>`` sleeps by the simulator's clock, then answers normally."""

    manual_clock = True

    def setUp(self):
        super().setUp()
        self.token("demo")

    def test_answer_waits_for_the_clock(self):
        self.sim.inject("slow:30")
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(self.get, self.actions_path(), mv="2.58")
            self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
            self.clock.advance(29.9)
            self.assertFalse(future.done())
            self.assertEqual(1, self.clock.sleepers)
            self.clock.advance(0.1)
            response = future.result(TIMEOUT)
        self.assertEqual(6, len(response.json()["instanceActions"]))

    def test_client_timeout(self):
        self.sim.inject("slow:1")
        with self.assertRaises(requests.Timeout):
            self.get(self.actions_path(), timeout=0.2)
        # the request may reach the clock after the client gave up
        self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
        self.clock.advance(1)
        self.assertTrue(self.sim.wait_idle(TIMEOUT))
        self.assertEqual([200], [e.status for e in self.sim.compute_requests()])


class FaultSyntaxTest(unittest.TestCase):

    def test_times_follow_the_fault(self):
        # A fault that takes seconds reads its first number as the seconds.
        self.assertEqual([("503", 0), ("500", 2), ("slow:1.5", 0), ("slow:2", 3), ("close", 1),
                          ("429", 0), ("429:5", 0), ("429:5", 2), ("503-retry-after:3", 1),
                          ("vanish", 1)],
                         [parse_fault_option(text) for text in
                          ("503", "500:2", "slow:1.5", "slow:2:3", "close:1", "429", "429:5",
                           "429:5:2", "503-retry-after:3:1", "vanish:1")])

    def test_bad_faults(self):
        for text, message in (("teapot", "unknown fault 'teapot' (known: 500, 503, 502-html, "
                                         "not-json, no-instance-action, 401, 403, close, "
                                         "vanish, slow:<seconds>, 429[:<whole seconds>], "
                                         "503-retry-after[:<whole seconds>])"),
                              ("slow", "unknown fault 'slow'"),
                              ("slow:x", "bad fault 'slow:x': slow:<seconds>"),
                              ("slow:-1", "bad fault 'slow:-1': negative delay"),
                              ("429:1.5", "bad fault '429:1.5': 429[:<whole seconds>]"),
                              ("503:x", "unknown fault '503:x'")):
            with self.subTest(text=text), self.assertRaises(ValueError) as caught:
                parse_fault_option(text)
            self.assertTrue(str(caught.exception).startswith(message), caught.exception)
