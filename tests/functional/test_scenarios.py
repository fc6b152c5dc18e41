"""The shared scenarios (tests/scenarios.py) against the simulator.

The same test definitions run against the real Nova 34 in
tests/realnova/test_commands.py; here the simulator answers, with Nova's
page size of 2.
"""

from __future__ import annotations

from typing import Any

from tests import scenarios
from tests.functional import base


class SimulatorBackend(base.FunctionalTestCase):
    # The running actions last an hour: in the real Nova's seed they never end.
    simulator_options = {"page_size": scenarios.PAGE_SIZE, "running_seconds": 3600}

    def openstack(self, *argv: str, env: dict[str, str] | None = None, user: str = "demo",
                  microversion: str | None = None) -> base.CommandResult:
        extra = ("--os-compute-api-version", microversion) if microversion else ()
        return super().openstack(*argv, *extra, env=env, user=user)

    def show(self, server_id: str, *argv: str, **kwargs: Any) -> base.CommandResult:
        return self.openstack("server", "action", "show", server_id, *argv, **kwargs)

    def list(self, *argv: str, **kwargs: Any) -> base.CommandResult:
        return self.openstack("server", "action", "list", *argv, **kwargs)


class ShowTest(scenarios.ShowScenarios, SimulatorBackend):
    pass


class BusyServerTest(scenarios.BusyServerScenarios, SimulatorBackend):
    pass


class ListTest(scenarios.ListScenarios, SimulatorBackend):
    pass


class FleetTest(scenarios.FleetScenarios, SimulatorBackend):
    pass
