"""Seeded data, data files (JSON/YAML) and bulk actions."""

import json
import os
import tempfile
import unittest

import yaml

from tests.unit.simulator import PROJECT, SimTestCase, WEB_01, rid
from fj_osc_actions.simulator import Simulator
from fj_osc_actions.simulator import data as simdata

CUSTOM = {
    "servers": [{
        "id": "11111111-2222-4333-8444-555555555555",
        "name": "yaml-01",
        "project_id": PROJECT,
        "user_id": "demo",
        "actions": [
            {"action": "create", "request_id": "req-y1",
             "user_id": "demo", "project_id": PROJECT,
             "start_time": "2026-04-01T00:00:00.000000",
             "events": [{"event": "compute__do_build_and_run_instance",
                         "start_time": "2026-04-01T00:00:02.000000",
                         "finish_time": "2026-04-01T00:00:30.000000",
                         "result": "Success", "host": "compute-9"}]},
            {"action": "stop", "request_id": "req-y2", "user_id": None,
             "project_id": None, "start_time": "2026-04-02T00:00:00.000000",
             "message": None, "events": []},
        ]}]}


class SeedTest(unittest.TestCase):

    def test_seed_is_deterministic_and_has_dozens_of_actions(self):
        self.assertEqual(simdata.seed_data(), simdata.seed_data())
        store = simdata.build_store()
        total = sum(len(s["actions"]) for s in store.servers.values())
        self.assertGreaterEqual(total, 24)
        names = [s["name"] for s in store.servers.values()]
        self.assertEqual(2, names.count("app"))
        self.assertTrue(store.servers[simdata.OLD_01]["deleted"])
        rids = [a["request_id"] for s in store.servers.values()
                for a in s["actions"]]
        self.assertEqual(len(rids), len(set(rids)))

    def test_bad_data(self):
        with self.assertRaises(ValueError):
            Simulator(data=[1, 2])
        with self.assertRaises(ValueError):
            Simulator(data={"servers": [{"id": "x"}]})
        with self.assertRaises(ValueError):
            Simulator(page_size=0)
        with self.assertRaises(ValueError):
            Simulator(max_microversion="two")


class FileDataTest(unittest.TestCase):

    def _file(self, suffix, dump):
        fd, path = tempfile.mkstemp(suffix=suffix)
        self.addCleanup(os.remove, path)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            dump(CUSTOM, f)
        return path

    def _check(self, path):
        sim = Simulator(data=path).start()
        self.addCleanup(sim.stop)
        import requests
        http = requests.Session()
        self.addCleanup(http.close)
        from tests.unit.simulator import password_auth
        token = http.post(sim.identity_url + "/auth/tokens",
                          json=password_auth("admin")).headers["X-Subject-Token"]
        base = "%s/v2.1/%s/servers" % (sim.url, PROJECT)
        h = {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.84"}
        servers = http.get(base, headers=h).json()["servers"]
        self.assertEqual(["yaml-01"], [s["name"] for s in servers])
        sid = CUSTOM["servers"][0]["id"]
        acts = http.get("%s/%s/os-instance-actions" % (base, sid),
                        headers=h).json()["instanceActions"]
        self.assertEqual(["req-y2", "req-y1"], [a["request_id"] for a in acts])
        # updated_at defaults to the latest timestamp of the action
        self.assertEqual("2026-04-02T00:00:00.000000", acts[0]["updated_at"])
        self.assertEqual("2026-04-01T00:00:30.000000", acts[1]["updated_at"])
        ev = http.get("%s/%s/os-instance-actions/req-y1" % (base, sid),
                      headers=h).json()["instanceAction"]["events"][0]
        self.assertEqual("compute-9", ev["host"])
        self.assertEqual(simdata.host_id(PROJECT, "compute-9"), ev["hostId"])
        self.assertIsNone(ev["traceback"])
        self.assertIsNone(ev["details"])
        self.assertEqual(404, http.get("%s/%s" % (base, WEB_01),
                                       headers=h).status_code)

    def test_yaml(self):
        self._check(self._file(".yaml", lambda d, f: yaml.safe_dump(d, f)))

    def test_json(self):
        self._check(self._file(".json", json.dump))

    def test_dict(self):
        sim = Simulator(data=CUSTOM)
        self.assertIn(CUSTOM["servers"][0]["id"], sim.store.servers)


class BulkTest(SimTestCase):
    sim_kwargs = {"bulk_actions": 2500, "page_size": 1000}

    def test_bulk_server_paging(self):
        r = self.get("/servers?name=bulk-01")
        self.assertEqual([simdata.BULK_01], [s["id"] for s in r.json()["servers"]])
        url = "%s/v2.1/%s/servers/%s/os-instance-actions" % (
            self.sim.url, PROJECT, simdata.BULK_01)
        seen, pages = [], 0
        while url:
            r = self.http.get(url, headers={"X-Auth-Token": self.token(),
                                            "OpenStack-API-Version":
                                            "compute 2.58"}, timeout=30)
            body = r.json()
            seen += [a["request_id"] for a in body["instanceActions"]]
            pages += 1
            url = body["links"][0]["href"] if body.get("links") else None
        self.assertEqual(3, pages)
        self.assertEqual(2500, len(set(seen)))
        self.assertEqual("req-b0002500-0000-4000-8000-000000002500", seen[0])
        self.assertEqual("req-b0000001-0000-4000-8000-000000000001", seen[-1])
        r = self.get(self.actions_path(simdata.BULK_01, seen[-1]), mv="2.84")
        self.assertEqual("create", r.json()["instanceAction"]["action"])
        # seeded servers are still there
        self.assertEqual(200, self.get(self.actions_path(WEB_01, rid(1)))
                         .status_code)
