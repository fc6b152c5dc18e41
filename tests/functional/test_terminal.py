"""Progress on a real terminal: the real ``openstack`` with stderr on a
pseudo-terminal (the ``pty`` module), and the same runs without one.

stdout stays a pipe in both, so what a script reads can be compared: the
progress display changes stderr only, and only on a terminal.
"""

from __future__ import annotations

import os
import subprocess
import threading

from fj_osc_actions_simulator import seed
from tests.functional import base


def run_with_terminal_stderr(argv: list[str], env: dict[str, str]) -> base.CommandResult:
    """Run with stderr on a pseudo-terminal; its output as the terminal got it."""
    master, slave = os.openpty()
    received: list[bytes] = []

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the last writer closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        completed = subprocess.run([base.OPENSTACK, *argv], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=slave,
                                   timeout=base.COMMAND_TIMEOUT, check=False)
    finally:
        os.close(slave)
        reader.join(base.COMMAND_TIMEOUT)
        os.close(master)
    terminal = b"".join(received).decode("utf-8", "replace").replace("\r\n", "\n")
    return base.CommandResult(completed.returncode, completed.stdout.decode("utf-8"), terminal)


class FleetProgressTest(base.FunctionalTestCase):
    # 20 servers of the project (12 and the 8 seeded): a progress line (above
    # 10); the running actions last an hour, so both runs read the same data
    simulator_options = {"servers": 12, "running_seconds": 3600}

    def test_the_progress_line_counts_servers_on_a_terminal_only(self):
        argv = ["server", "action", "list", "--all-servers", "--failed", "-f", "json"]
        on_terminal = run_with_terminal_stderr(argv, self.password_env())
        self.assert_success(on_terminal)
        counts = [piece for piece in on_terminal.stderr.split("\r") if piece.startswith("actions")]
        self.assertEqual([f"actions of {done}/20 servers" for done in range(1, 21)], counts)
        self.assertTrue(on_terminal.stderr.endswith("\r\x1b[K"), repr(on_terminal.stderr[-30:]))
        without = self.openstack(*argv)
        self.assert_success(without)
        self.assertEqual("", without.stderr)
        self.assertEqual(without.json, on_terminal.json)


class WaitProgressTest(base.FunctionalTestCase):
    # db-02's resize: four events one after another over 2 x 1.5 s
    simulator_options = {"running_seconds": 1.5}

    def test_each_event_starts_and_finishes_once_in_order_on_a_terminal_only(self):
        self.sim.restart_running_actions()
        argv = ["server", "action", "show", "db-02", seed.RUNNING_RESIZE_REQUEST, "--wait",
                "-f", "json"]
        on_terminal = run_with_terminal_stderr(argv, self.password_env())
        self.assert_success(on_terminal)
        lines = on_terminal.stderr.splitlines()
        expected = [line for name in seed.RESIZE_EVENTS
                    for line in (f"started   {name}", f"finished  {name}  Success")]
        self.assertEqual(expected, [line.rsplit("  (", 1)[0] for line in lines])
        self.sim.restart_running_actions()
        without = self.openstack(*argv)
        self.assert_success(without)
        self.assertEqual("", without.stderr)
        self.assertEqual(list(reversed(seed.RESIZE_EVENTS)),
                         [event["event"] for event in without.json["events"]])
