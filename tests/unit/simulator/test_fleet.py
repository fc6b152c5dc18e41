"""The bulk fleet of --servers N: names, paging, and who failed when."""

from __future__ import annotations

from urllib.parse import quote

from fj_osc_actions_simulator import seed
from tests.unit.simulator import SimTestCase

FLEET = 50
SEEDED_SERVERS = 8  # web-01..03, db-01, db-02, app (two), batch-01 (old-01 is deleted)


class FleetTest(SimTestCase):
    sim_kwargs = {"servers": FLEET, "page_size": 20}
    manual_clock = True  # now = 2026-03-02T00:00:00Z

    def all_servers(self):
        servers, url = [], f"{self.sim.url}/v2.1/{seed.PROJECT_ID}/servers"
        while url:
            body = self.http.get(url, headers={"X-Auth-Token": self.token()}, timeout=10).json()
            servers += body["servers"]
            url = (body.get("servers_links") or [{}])[0].get("href")
        return servers

    def actions(self, server_id, query=""):
        r = self.get(self.actions_path(server_id) + query, mv="2.58")
        self.assertEqual(200, r.status_code, r.text)
        return r.json()["instanceActions"]

    def test_names_and_ids(self):
        servers = self.all_servers()
        self.assertEqual(FLEET + SEEDED_SERVERS, len(servers))
        fleet = sorted((s["name"], s["id"]) for s in servers if s["name"].startswith("fleet-"))
        self.assertEqual(("fleet-001", "f1ee7000-0000-4000-8000-000000000001"), fleet[0])
        self.assertEqual(("fleet-050", "f1ee7000-0000-4000-8000-000000000050"), fleet[-1])
        self.assertEqual(FLEET, len(fleet))

    def test_failures_since_yesterday_are_every_seventh(self):
        since = "?changes-since=" + quote("2026-03-01T00:00:00Z")
        failed_recently, failed_long_ago = [], []
        for number in range(1, FLEET + 1):
            server_id = f"f1ee7000-0000-4000-8000-{number:012d}"
            recent = self.actions(server_id, since)
            self.assertEqual(["reboot"], [a["action"] for a in recent])
            if recent[0]["message"] == "Error":
                failed_recently.append(number)
            older = [a for a in self.actions(server_id) if a not in recent]
            if any(a["message"] == "Error" for a in older):
                failed_long_ago.append(number)
        self.assertEqual([7, 14, 21, 28, 35, 42, 49], failed_recently)
        self.assertEqual([3, 10, 17, 24, 31, 38, 45], failed_long_ago)

    def test_a_recent_failure_in_detail(self):
        request_id = "req-f0000014-0003-4000-8000-000000000014"
        r = self.get(self.actions_path("f1ee7000-0000-4000-8000-000000000014", request_id),
                     mv="2.84", user="admin")
        action = r.json()["instanceAction"]
        self.assertEqual(("reboot", "Error", "2026-03-01T17:59:46.000000"),
                         (action["action"], action["message"], action["start_time"]))
        event = action["events"][0]
        self.assertEqual(("compute_reboot_instance", "Error"), (event["event"], event["result"]))
        self.assertIn("(fleet failure)", event["details"])
        self.assertTrue(event["traceback"])

    def test_an_old_failure_is_three_days_old(self):
        [migration] = [a for a in self.actions("f1ee7000-0000-4000-8000-000000000003")
                       if a["action"] == "live-migration"]
        self.assertEqual(("Error", "2026-02-26T23:59:57.000000"),
                         (migration["message"], migration["start_time"]))


class NoFleetTest(SimTestCase):

    def test_no_fleet_by_default(self):
        names = [s["name"] for s in self.get("/servers").json()["servers"]]
        self.assertEqual(SEEDED_SERVERS, len(names))
        self.assertFalse([name for name in names if name.startswith("fleet-")])
