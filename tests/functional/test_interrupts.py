"""Ctrl-C: a real SIGINT to the real ``openstack`` in each long phase.

Each phase is held open by the simulator's manual clock (a ``slow`` answer
never comes until the clock moves) or by a long wait of the client's own
(a Retry-After of 30 s, ``--wait``'s polling), so the run cannot end by
itself while the test looks. The interrupted run must exit with 130 and no
traceback long before the phase would have ended (INTERRUPT_LIMIT, generous
for a loaded machine: the phase itself lasts forever or 30 s), and send no
request after the signal.
"""

from __future__ import annotations

import subprocess
import time
from typing import Callable

from fj_osc_actions_simulator import seed
from tests.functional import base

#: Generous: the phases interrupted here last forever, or 30 s at least.
INTERRUPT_LIMIT = 20.0
#: How long the test waits for the run to reach its phase.
REACH_TIMEOUT = 60.0


def wait_for(condition: Callable[[], bool], timeout: float = REACH_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class InterruptTest(base.HeldAnswersTestCase):
    simulator_options = {"page_size": 2, "servers": 12}

    def interrupt(self, process: subprocess.Popen) -> None:
        self.assert_interrupted(process, INTERRUPT_LIMIT)

    def compute_paths(self) -> list[str]:
        return [entry.path for entry in self.sim.compute_requests()]

    def test_a_slow_show(self):
        self.sim.inject("slow:60", path_contains="/os-instance-actions/", times=0)
        process = self.start("server", "action", "show", seed.WEB_01, seed.FAILED_REBOOT_REQUEST)
        self.assertTrue(self.clock.wait_for_sleepers(1, REACH_TIMEOUT))
        self.interrupt(process)

    def test_a_list_while_it_pages(self):
        # db-01 has 20 actions, 2 a page: the second page never comes.
        self.sim.inject("slow:60", path_contains=f"/servers/{seed.DB_01}/os-instance-actions",
                        times=0)
        process = self.start("server", "action", "list", seed.DB_01)
        self.assertTrue(self.clock.wait_for_sleepers(1, REACH_TIMEOUT))
        self.clock.advance(60)  # the first page is answered
        self.assertTrue(wait_for(lambda: sum("marker=" in (e.query or "")
                                             for e in self.sim.compute_requests()) == 1))
        self.assertTrue(self.clock.wait_for_sleepers(1, REACH_TIMEOUT))
        self.interrupt(process)

    def test_a_retry_after_pause(self):
        self.sim.inject("429:30", path_contains="/os-instance-actions/", times=1)
        process = self.start("server", "action", "show", seed.WEB_01, seed.FAILED_REBOOT_REQUEST)
        self.assertTrue(wait_for(lambda: [e.status for e in self.sim.compute_requests()] == [429]))
        self.interrupt(process)

    def test_a_fleet_read(self):
        # 20 servers, 8 workers, every answer held: all 8 in flight at once.
        self.sim.inject("slow:60", path_contains="/os-instance-actions", times=0)
        process = self.start("server", "action", "list", "--all-servers")
        self.assertTrue(self.clock.wait_for_sleepers(8, REACH_TIMEOUT), self.clock.sleepers)
        self.interrupt(process)
        listed = [path for path in self.compute_paths() if path.endswith("/os-instance-actions")]
        self.assertEqual(8, len(listed))  # the other 12 servers were never asked

    def test_a_wait(self):
        # batch-01's snapshot runs as long as the manual clock stands still.
        self.sim.restart_running_actions()
        process = self.start("server", "action", "show", "batch-01", "--latest", "--wait")
        show_path = f"/os-instance-actions/{seed.LONG_SNAPSHOT_REQUEST}"
        self.assertTrue(wait_for(lambda: sum(path.endswith(show_path)
                                             for path in self.compute_paths()) >= 2))
        self.interrupt(process)
