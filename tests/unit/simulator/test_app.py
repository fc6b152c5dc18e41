"""The WSGI app: raw-path routing, the request log, requests in flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from fj_osc_actions_simulator.seed import PROJECT_ID, WEB_01
from tests.unit.simulator import TIMEOUT, SimTestCase, password_auth

ACTIONS_PATH = f"/v2.1/{PROJECT_ID}/servers/{WEB_01}/os-instance-actions"


class HostileIdTest(SimTestCase):

    def test_encoded_ids_arrive_as_one_segment(self):
        cases = [("..%2Fx", "../x"), ("a%3Fb", "a?b"), ("%2F", "/"),
                 ("a%2Fb%2Fos-instance-actions", "a/b/os-instance-actions"),
                 ("%25", "%"), ("%20web-01", " web-01")]
        for raw, decoded in cases:
            with self.subTest(raw=raw):
                self.sim.clear_log()
                r = self.get(self.actions_path(raw), mv="2.58")
                self.assertEqual(404, r.status_code)
                self.assertEqual(f"Instance {decoded} could not be found.",
                                 r.json()["itemNotFound"]["message"])
                r = self.get(self.actions_path(WEB_01, raw), mv="2.58")
                self.assertEqual(404, r.status_code)
                self.assertEqual(f"Action {decoded} not found",
                                 r.json()["itemNotFound"]["message"])
                log = self.sim.compute_requests()
                self.assertEqual(2, len(log))
                self.assertEqual(f"/v2.1/{PROJECT_ID}/servers/{raw}/os-instance-actions",
                                 log[0].path)
                self.assertEqual(f"{ACTIONS_PATH}/{raw}", log[1].path)
                self.assertEqual(6, log[1].path.count("/"))

    def test_server_show_hostile(self):
        r = self.get("/servers/..%2F..%2Fv3")
        self.assertEqual(404, r.status_code)
        self.assertEqual("Instance ../../v3 could not be found.",
                         r.json()["itemNotFound"]["message"])


class RequestLogTest(SimTestCase):

    def test_log_entries(self):
        self.token("demo")
        self.get(self.actions_path() + "?limit=1", mv="2.58")
        self.http.get(self.sim.url + "/_sim/log")
        log = self.sim.request_log
        self.assertEqual(["POST", "GET"], [e.method for e in log])
        self.assertEqual("/v3/auth/tokens", log[0].path)
        self.assertIsNone(log[0].microversion)
        entry = log[1]
        self.assertEqual((ACTIONS_PATH, "limit=1", 200, "2.58"),
                         (entry.path, entry.query, entry.status, entry.microversion))
        self.assertTrue(entry.request_id.startswith("req-"))
        self.assertEqual([entry], self.sim.compute_requests())
        remote = self.http.get(self.sim.url + "/_sim/log").json()
        self.assertEqual(entry._asdict(), remote[1])
        self.assertEqual(204, self.http.delete(self.sim.url + "/_sim/log").status_code)
        self.assertEqual([], self.sim.request_log)
        self.get("/servers")
        self.sim.clear_log()
        self.assertEqual([], self.sim.compute_requests())

    def test_log_is_a_copy(self):
        self.get("/servers")
        log = self.sim.request_log
        log.clear()
        self.assertEqual(2, len(self.sim.request_log))

    def test_unknown_routes_and_methods(self):
        self.assertEqual("The resource could not be found.",
                         self.get("/flavors").json()["itemNotFound"]["message"])
        r = self.http.post(self.sim.url + "/v2.1/", timeout=TIMEOUT)
        self.assertEqual((405, "The requested method is not allowed."),
                         (r.status_code, r.json()["badMethod"]["message"]))
        r = self.http.post(self.sim.url + "/v3", timeout=TIMEOUT)
        self.assertEqual((405, "Method Not Allowed"), (r.status_code, r.json()["error"]["title"]))
        r = self.http.get(self.sim.url + "/v3/nope", timeout=TIMEOUT)
        self.assertEqual((404, "Not Found"), (r.status_code, r.json()["error"]["title"]))
        self.assertEqual("404 Not Found", f"{r.status_code} {r.reason}")


class InFlightTest(SimTestCase):
    """Requests are logged when they arrive; wait_idle waits for their answers."""

    manual_clock = True

    def setUp(self):
        super().setUp()
        self.token("demo")
        self.sim.clear_log()

    def send_in_background(self, count):
        token = self.token("demo")
        pool = ThreadPoolExecutor(count)
        self.addCleanup(pool.shutdown)
        return [pool.submit(requests.get, self.sim.url + ACTIONS_PATH,
                            headers={"X-Auth-Token": token}, timeout=TIMEOUT)
                for _ in range(count)]

    def test_a_slow_request_is_logged_on_arrival(self):
        self.sim.inject("slow:5")
        [future] = self.send_in_background(1)
        self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
        [entry] = self.sim.request_log
        self.assertEqual(("GET", ACTIONS_PATH, None, None),
                         (entry.method, entry.path, entry.status, entry.microversion))
        self.assertEqual(1, self.sim.in_flight)
        self.assertFalse(self.sim.wait_idle(0.05))
        self.clock.advance(5)
        self.assertEqual(200, future.result(TIMEOUT).status_code)
        self.assertTrue(self.sim.wait_idle(TIMEOUT))
        [entry] = self.sim.request_log
        self.assertEqual((200, "2.1"), (entry.status, entry.microversion))
        self.assertEqual(future.result().headers["x-openstack-request-id"], entry.request_id)
        self.assertEqual(0, self.sim.in_flight)

    def test_a_request_in_flight_when_the_log_is_cleared_stays_out(self):
        self.sim.inject("slow:1")
        [future] = self.send_in_background(1)
        self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
        self.sim.clear_log()
        self.clock.advance(1)
        self.assertEqual(200, future.result(TIMEOUT).status_code)
        self.assertTrue(self.sim.wait_idle(TIMEOUT))
        self.assertEqual([], self.sim.request_log)

    def test_requests_are_served_in_parallel(self):
        # Eight requests asleep in the simulator at once: it serves them in
        # parallel (a serial server would never have two in flight).
        self.sim.inject("slow:1", times=0)
        futures = self.send_in_background(8)
        self.assertTrue(self.clock.wait_for_sleepers(8, TIMEOUT), self.clock.sleepers)
        self.assertEqual(8, self.sim.in_flight)
        self.clock.advance(1)
        self.assertEqual([200] * 8, [future.result(TIMEOUT).status_code for future in futures])
        self.assertTrue(self.sim.wait_idle(TIMEOUT))
        self.assertEqual(8, self.sim.peak_in_flight)
        self.assertEqual([200] * 8, [entry.status for entry in self.sim.compute_requests()])

    def test_idle_at_once_when_nothing_is_in_flight(self):
        self.assertTrue(self.sim.wait_idle(0))
        self.assertEqual(0, self.sim.peak_in_flight)


class LatencyTest(SimTestCase):
    """Every answer (identity and compute, not the control API) waits latency_ms."""

    sim_kwargs = {"latency_ms": 50}
    manual_clock = True

    def test_every_answer_waits(self):
        with ThreadPoolExecutor(2) as pool:
            login = pool.submit(self.issue, password_auth("demo"))
            self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
            self.assertFalse(login.done())
            self.assertEqual(200, self.http.get(self.sim.url + "/_sim/log",
                                                timeout=TIMEOUT).status_code)
            self.clock.advance(0.049)
            self.assertEqual(1, self.clock.sleepers)
            self.clock.advance(0.001)
            token = login.result(TIMEOUT).headers["X-Subject-Token"]
            listing = pool.submit(self.get, self.actions_path(), token=token)
            self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
            self.clock.advance(0.05)
            self.assertEqual(200, listing.result(TIMEOUT).status_code)
