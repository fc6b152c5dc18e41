"""Every failure through the real ``openstack``: one clear line, exit 1, no traceback.

The fault matrix: 401, 403, 404 server, 404 action, 406, 500, 503 then
success, 502 with HTML, 200 not JSON, 200 without instanceAction, a slow
response past the timeout, connection refused, connection closed mid-body,
wrong password and an expired token.
"""

from __future__ import annotations

import socket

import requests

from fj_osc_actions_simulator.seed import FAILED_REBOOT_REQUEST, WEB_01
from tests.functional import base

SHOW = ("server", "action", "show", WEB_01, FAILED_REBOOT_REQUEST)


class FaultMatrixTest(base.FunctionalTestCase):
    def refusing_port(self) -> int:
        """A port bound for this test but not listening: connections are refused,
        and no other test can take it meanwhile."""
        sock = socket.socket()
        self.addCleanup(sock.close)
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

    def show_with_fault(self, fault, times=1, env=None):
        self.sim.inject(fault, path_contains="os-instance-actions", times=times)
        return self.openstack(*SHOW, env=env)

    def test_401_from_compute(self):
        # keystoneauth logs in again once after a 401; the second 401 is final.
        line = self.assert_one_line_failure(self.show_with_fault("401", times=2), "HTTP 401",
                                            "expire after 3 hours")
        self.assertIn("x-openstack-request-id: req-", line)
        self.assertEqual([401, 401], [e.status for e in self.sim.compute_requests()])

    def test_one_401_is_saved_by_a_new_login(self):
        self.assert_success(self.show_with_fault("401", times=1))
        self.assertEqual([401, 200], [e.status for e in self.sim.compute_requests()])

    def test_403(self):
        self.assert_one_line_failure(self.show_with_fault("403"), "HTTP 403",
                                     "Ask your project administrator")

    def test_404_server_and_404_action_told_apart(self):
        self.assert_one_line_failure(
            self.openstack("server", "action", "show", "00000000-0000-4000-8000-000000000000",
                           FAILED_REBOOT_REQUEST),
            "Server '00000000-0000-4000-8000-000000000000' not found in region jp-east-3")
        self.assert_one_line_failure(
            self.openstack("server", "action", "show", WEB_01, "req-does-not-exist"),
            "Action 'req-does-not-exist' not found",
            f"openstack server action list {WEB_01}")

    def test_another_projects_server_is_not_found(self):
        result = self.openstack(*SHOW, user="other")
        self.assert_one_line_failure(result, f"Server '{WEB_01}' not found")

    def test_406(self):
        result = self.openstack(*SHOW, "--os-compute-api-version", "2.999")
        self.assert_one_line_failure(result, "does not support microversion 2.999", "HTTP 406")

    def test_500_not_retried(self):
        self.assert_one_line_failure(self.show_with_fault("500"), "HTTP 500",
                                     "x-openstack-request-id")
        self.assertEqual(1, len(self.sim.compute_requests()))

    def test_503_then_success_with_one_retry(self):
        result = self.show_with_fault("503", times=1)
        self.assert_success(result)
        self.assertIn("compute_reboot_instance", result.stdout)
        self.assertEqual([503, 200], [e.status for e in self.sim.compute_requests()])

    def test_502_html(self):
        # A GET makes at most 4 requests (1 and 3 retries): four 502s fail it.
        line = self.assert_one_line_failure(self.show_with_fault("502-html", times=4), "HTTP 502")
        self.assertNotIn("<", line)
        self.assertEqual(4, len(self.sim.compute_requests()))

    def test_200_not_json(self):
        self.assert_one_line_failure(self.show_with_fault("not-json"), "not JSON")

    def test_200_without_instance_action(self):
        self.assert_one_line_failure(self.show_with_fault("no-instance-action"),
                                     "no 'instanceAction'")

    def test_connection_closed_mid_body_is_not_retried(self):
        # The answer has begun (status 200) when the connection closes: one attempt.
        result = self.show_with_fault("close", times=3)
        self.assert_one_line_failure(
            result, f"The connection to the compute endpoint at {self.sim.url}/v2.1/",
            "failed: the connection closed in the middle of the response (")
        self.assertNotIn("Timed out", result.stderr)
        self.assertEqual([200], [e.status for e in self.sim.compute_requests()])

    def test_connection_refused(self):
        env = self.password_env()
        port = self.refusing_port()
        env["OS_COMPUTE_ENDPOINT_OVERRIDE"] = f"http://127.0.0.1:{port}/v2.1/%(project_id)s"
        self.assert_one_line_failure(self.openstack(*SHOW, env=env),
                                     f"Cannot connect to the compute endpoint at "
                                     f"http://127.0.0.1:{port}/", "Connection refused")

    def test_identity_unreachable_is_one_line(self):
        env = self.password_env()
        env["OS_AUTH_URL"] = f"http://127.0.0.1:{self.refusing_port()}/v3"
        self.assert_one_line_failure(self.openstack(*SHOW, env=env),
                                     "Cannot connect to the identity service at http://127.0.0.1:",
                                     "Connection refused")

    def test_wrong_password(self):
        result = self.openstack(*SHOW, env=self.password_env(password="wrong-password"))
        self.assert_one_line_failure(result, "Login refused", "contract number")
        self.assertNotIn("wrong-password", result.stderr + result.stdout)
        self.assertEqual([], self.sim.compute_requests())

    def test_expired_token(self):
        token = self.issue_token()
        self.sim.expire_tokens()
        env = self.password_env()
        for key in ("OS_USERNAME", "OS_PASSWORD", "OS_USER_DOMAIN_NAME"):
            env.pop(key)
        env.update({"OS_AUTH_TYPE": "v3token", "OS_TOKEN": token})
        result = self.openstack(*SHOW, env=env)
        self.assert_one_line_failure(result, "HTTP 401", "expires after 3 hours")
        self.assertNotIn(token, result.stderr)

    def issue_token(self) -> str:
        env = self.sim.os_env("demo")
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": env["OS_USERNAME"], "domain": {"name": env["OS_USER_DOMAIN_NAME"]},
                "password": env["OS_PASSWORD"]}}},
            "scope": {"project": {"name": env["OS_PROJECT_NAME"],
                                  "domain": {"name": env["OS_PROJECT_DOMAIN_NAME"]}}},
        }}
        response = requests.post(self.sim.identity_url + "/auth/tokens", json=body, timeout=10)
        response.raise_for_status()
        return response.headers["X-Subject-Token"]


class SecretsTest(base.FunctionalTestCase):
    def test_debug_never_prints_the_password_or_token(self):
        result = self.openstack(*SHOW, "--debug")
        self.assert_success(result)
        self.assertIn("Compute endpoint: " + self.sim.url, result.stderr)
        self.assertNotIn(self.sim.os_env()["OS_PASSWORD"], result.stdout + result.stderr)
        tokens = self.sim.issued_token_ids()
        self.assertTrue(tokens)
        for token in tokens:
            self.assertNotIn(token, result.stdout + result.stderr)

    def test_debug_with_a_known_token(self):
        token = FaultMatrixTest.issue_token(self)
        env = self.password_env()
        for key in ("OS_USERNAME", "OS_PASSWORD", "OS_USER_DOMAIN_NAME"):
            env.pop(key)
        env.update({"OS_AUTH_TYPE": "v3token", "OS_TOKEN": token})
        result = self.openstack(*SHOW, "--debug", env=env)
        self.assert_success(result)
        self.assertNotIn(token, result.stdout + result.stderr)


class TimeoutTest(base.HeldAnswersTestCase):
    """A slow answer never comes while the simulator's manual clock stands
    still, so a timeout (5 s, generous on a loaded machine) is certain, and
    an answer without the fault comes well within it."""

    def show_with_slow_answers(self, times: int) -> base.CommandResult:
        self.sim.inject("slow:60", path_contains="os-instance-actions", times=times)
        return self.openstack(*SHOW, env={**self.password_env(), "OS_API_TIMEOUT": "5"})

    def test_slow_response_past_the_timeout_is_tried_four_times(self):
        # A GET is sent 4 times in all after timeouts (written by hand: 1 + 3 retries).
        result = self.show_with_slow_answers(times=4)
        self.assert_one_line_failure(
            result, f"Timed out talking to the compute endpoint at {self.sim.url}/v2.1/",
            ": no answer within the timeout. Try again, or raise the timeout")
        self.assertEqual(4, len(self.sim.compute_requests()))

    def test_slow_once_is_saved_by_the_retry(self):
        self.assert_success(self.show_with_slow_answers(times=1))
        self.assertEqual(2, len(self.sim.compute_requests()))
