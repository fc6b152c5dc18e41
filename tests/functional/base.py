"""Functional tests: the real ``openstack`` executable against the simulator.

Each test class starts a simulator on a free 127.0.0.1 port and stops it at
the end; each command is a subprocess with a clean environment (no OS_*
variables or clouds.yaml of the developer's leak in).  After each test, the
simulator must have answered every request (nothing in flight leaks into
the next test's request log).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from typing import Any

import yaml

from fj_osc_actions_simulator import ManualClock, Simulator
from fj_osc_actions_simulator.seed import (DELETE_REQUEST, FAILED_REBOOT_REQUEST, OLD_01,
                                           PROJECT_ID, RUNNING_SNAPSHOT_REQUEST, WEB_01,
                                           WEB_01_REQUESTS)
from tests.common import CommandAssertions, CommandResult, clean_environ

__all__ = ["CommandResult", "FunctionalTestCase", "OpenstackForkRunner", "PROJECT_ID", "WEB_01",
           "WEB_01_REQUESTS"]

# Short names of the seed's IDs in these tests.
DELETED = OLD_01
FAILED_REQ = FAILED_REBOOT_REQUEST
RUNNING_REQ = RUNNING_SNAPSHOT_REQUEST
DELETE_REQ = DELETE_REQUEST

OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")
COMMAND_TIMEOUT = 120
#: How long a test waits for the simulator to answer what is still in flight.
IDLE_TIMEOUT = 60
FORK_RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fork_runner.py")


class OpenstackForkRunner:
    """Runs many ``openstack`` commands fast: one process imports OSC once,
    then forks a child per command that runs ``openstackclient.shell.main``
    (what the ``openstack`` executable runs) with its own environment and
    output files.  See fork_runner.py."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, FORK_RUNNER], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def run(self, argv: list[str], env: dict[str, str]) -> CommandResult:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps({"argv": argv, "env": env}) + "\n")
        self._process.stdin.flush()
        reply = self._process.stdout.readline()
        if not reply:
            raise RuntimeError("the fork runner stopped")
        answer = json.loads(reply)
        return CommandResult(answer["code"], answer["stdout"], answer["stderr"])

    def close(self) -> None:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        self._process.wait(timeout=COMMAND_TIMEOUT)
        self._process.stdout.close()


class FunctionalTestCase(CommandAssertions):
    simulator_options: dict[str, Any] = {}

    @classmethod
    def setUpClass(cls) -> None:
        cls.sim = Simulator(**cls.simulator_options).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.home = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.home.cleanup)

    def setUp(self) -> None:
        self.sim.clear_faults()
        self.sim.clear_log()
        self.addCleanup(self.assert_simulator_idle)

    def assert_simulator_idle(self) -> None:
        self.assertTrue(self.sim.wait_idle(IDLE_TIMEOUT),
                        f"{self.sim.in_flight} requests still in flight")

    # -- environments ------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        env = clean_environ()
        env["HOME"] = self.home.name
        # An empty token cache for each environment made, so that each test
        # (and each run that does not reuse an environment) starts cold.
        env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="xdg-cache-", dir=self.home.name)
        env["OS_CLIENT_CONFIG_FILE"] = os.devnull
        return env

    def password_env(self, user: str = "demo", password: str | None = None) -> dict[str, str]:
        return {**self.base_env(), **self.sim.os_env(user, password)}

    def clouds_yaml_env(self, user: str = "demo", **cloud_extra: Any) -> dict[str, str]:
        cloud = {**self.sim.clouds_yaml_cloud(user), **cloud_extra}
        path = os.path.join(self.home.name, f"clouds-{self.id()}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"clouds": {"fjcloud-sim": cloud}}, handle)
        env = self.base_env()
        env["OS_CLIENT_CONFIG_FILE"] = path
        env["OS_CLOUD"] = "fjcloud-sim"
        return env

    # -- running -----------------------------------------------------------

    def openstack(self, *argv: str, env: dict[str, str] | None = None,
                  user: str = "demo") -> CommandResult:
        completed = subprocess.run(
            [OPENSTACK, *argv],
            env=env if env is not None else self.password_env(user),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        return CommandResult(completed.returncode, completed.stdout, completed.stderr)

    def compute_paths(self) -> list[str]:
        return [entry.path for entry in self.sim.compute_requests()]


class HeldAnswersTestCase(FunctionalTestCase):
    """A simulator on a manual clock: a ``slow`` answer (and a running
    action) waits until the test moves the clock, so a phase of a run stays
    open while the test looks. Each test ends by moving the clock an hour,
    so nothing is left asleep."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.clock = ManualClock()
        cls.simulator_options = {**cls.simulator_options, "clock": cls.clock}
        super().setUpClass()

    def setUp(self) -> None:
        super().setUp()
        # Before the idle check (cleanups run last first): wake what sleeps.
        self.addCleanup(self.clock.advance, 3600)

    def start(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        """The real ``openstack`` in the background (killed at the end if still running)."""
        process = subprocess.Popen([OPENSTACK, *argv], env=env or self.password_env(), text=True,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        return process

    def assert_interrupted(self, process: subprocess.Popen, limit: float) -> None:
        """SIGINT now: exit 130 within ``limit`` seconds, no traceback, and no
        request sent after the signal."""
        before = len(self.sim.request_log)
        process.send_signal(signal.SIGINT)
        try:
            _stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            process.kill()
            self.fail(f"still running {limit:g} s after SIGINT")
        self.assertEqual(130, process.returncode, stderr)
        self.assertNotIn("Traceback", stderr)
        self.assertEqual(before, len(self.sim.request_log), "a request was sent after SIGINT")
