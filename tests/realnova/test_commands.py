"""The shared scenarios (tests/scenarios.py) against the real Nova 34.

Nova's [api]max_limit is 2, so every listing (actions and servers) has
several pages. The seed is tests/realnova/seed.py, written through Nova's
objects from the simulator's seed.
"""

from __future__ import annotations

from tests import scenarios
from tests.realnova import base


class ShowTest(scenarios.ShowScenarios, base.RealNovaTestCase):
    pass


class BusyServerTest(scenarios.BusyServerScenarios, base.RealNovaTestCase):
    pass


class ListTest(scenarios.ListScenarios, base.RealNovaTestCase):
    pass


class FleetTest(scenarios.FleetScenarios, base.RealNovaTestCase):
    pass
