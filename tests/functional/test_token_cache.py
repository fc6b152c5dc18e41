"""The token cache through the real ``openstack``: the second run does not log in.

Each test gets an empty cache (``base_env`` makes a temporary XDG_CACHE_HOME
per environment) and reuses its environment for the runs that share it.
Requests are counted in the simulator's log.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess

from fj_osc_actions_simulator.seed import FAILED_REBOOT_REQUEST, WEB_01
from tests.functional import base

SHOW = ("server", "action", "show", WEB_01, FAILED_REBOOT_REQUEST, "-f", "value", "-c", "action")
CONCURRENT_RUNS = 4


class TokenCacheTest(base.FunctionalTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.env = self.password_env()
        self.directory = os.path.join(self.env["XDG_CACHE_HOME"], "fj-osc-actions")

    def show(self, env: dict[str, str] | None = None) -> base.CommandResult:
        self.sim.clear_log()
        result = self.openstack(*SHOW, env=env or self.env)
        self.assertTrue(self.sim.wait_idle(base.IDLE_TIMEOUT))
        return result

    def assert_shown(self, result: base.CommandResult) -> None:
        self.assertEqual((0, "reboot\n", ""), (result.code, result.stdout, result.stderr))

    def identity_requests(self) -> list[tuple[str, str]]:
        compute = set(self.sim.compute_requests())
        return [(e.method, e.path) for e in self.sim.request_log if e not in compute]

    def compute_statuses(self) -> list[int | None]:
        return [e.status for e in self.sim.compute_requests()]

    def cached_files(self) -> list[str]:
        return sorted(os.listdir(self.directory)) if os.path.isdir(self.directory) else []

    def cached_token(self) -> str:
        files = self.cached_files()
        self.assertEqual(1, len(files), files)
        with open(os.path.join(self.directory, files[0]), encoding="utf-8") as handle:
            return json.load(handle)["auth_token"]

    def test_second_show_sends_no_identity_request(self):
        self.assert_shown(self.show())
        self.assertEqual([("GET", "/v3"), ("POST", "/v3/auth/tokens")], self.identity_requests())
        self.assert_shown(self.show())
        self.assertEqual([], self.identity_requests())
        self.assertEqual([200], self.compute_statuses())

    def test_modes_and_what_the_file_holds(self):
        self.assert_shown(self.show())
        self.assertEqual(0o700, stat.S_IMODE(os.stat(self.directory).st_mode))
        files = self.cached_files()
        self.assertEqual(1, len(files), files)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(os.path.join(self.directory, files[0])).st_mode))
        self.assertEqual(self.sim.issued_token_ids()[-1], self.cached_token())
        with open(os.path.join(self.directory, files[0]), encoding="utf-8") as handle:
            self.assertNotIn(self.sim.os_env()["OS_PASSWORD"], handle.read())

    def test_concurrent_first_runs_leave_one_valid_file(self):
        runs = [subprocess.Popen([base.OPENSTACK, *SHOW], env=self.env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
                for _ in range(CONCURRENT_RUNS)]
        results = []
        for run in runs:
            stdout, stderr = run.communicate(timeout=base.COMMAND_TIMEOUT)
            results.append((run.returncode, stdout, stderr))
        self.assertEqual([(0, "reboot\n", "")] * CONCURRENT_RUNS, results)
        self.assertIn(self.cached_token(), self.sim.issued_token_ids())  # one file, whole
        self.assert_shown(self.show())
        self.assertEqual([], self.identity_requests())

    def test_a_revoked_token_is_one_login_more(self):
        self.assert_shown(self.show())
        self.sim.expire_tokens()  # the cloud refuses the cached token from now on
        self.assert_shown(self.show())
        self.assertEqual([401, 200], self.compute_statuses())
        self.assertEqual([("GET", "/v3"), ("POST", "/v3/auth/tokens")], self.identity_requests())
        self.assertEqual(self.sim.issued_token_ids()[-1], self.cached_token())
        self.assert_shown(self.show())
        self.assertEqual([], self.identity_requests())
        self.assertEqual([200], self.compute_statuses())

    def test_a_second_401_is_the_usual_error(self):
        self.assert_shown(self.show())
        self.sim.inject("401", path_contains="os-instance-actions", times=0)
        result = self.show()
        self.assert_one_line_failure(result, "HTTP 401", "expire after 3 hours")
        self.assertEqual([401, 401], self.compute_statuses())
        self.assertEqual([("GET", "/v3"), ("POST", "/v3/auth/tokens")], self.identity_requests())

    def test_switched_off_by_the_environment(self):
        env = {**self.env, "FJ_OSC_ACTIONS_TOKEN_CACHE": "0"}
        for _ in range(2):
            self.assert_shown(self.show(env))
            self.assertEqual([("GET", "/v3"), ("POST", "/v3/auth/tokens")],
                             self.identity_requests())
        self.assertFalse(os.path.exists(self.directory))
