"""Seeded data, data files (JSON/YAML) and bulk actions."""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import requests
import yaml

from fj_osc_actions_simulator import Simulator, seed
from fj_osc_actions_simulator.seed import PROJECT_ID as PROJECT, WEB_01
from fj_osc_actions_simulator.store import build_store
from tests.unit.simulator import SimTestCase, password_auth, rid

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

    def test_seed_has_dozens_of_actions_and_unique_request_ids(self):
        store = build_store()
        total = sum(len(s.actions) for s in store.servers.values())
        self.assertGreaterEqual(total, 24)
        names = [s.name for s in store.servers.values()]
        self.assertEqual(2, names.count("app"))
        self.assertTrue(store.servers[seed.OLD_01].deleted)
        rids = [a.request_id for s in store.servers.values() for a in s.actions]
        self.assertEqual(len(rids), len(set(rids)))

    def test_named_request_ids_are_what_their_names_say(self):
        web = build_store().servers[seed.WEB_01]
        self.assertEqual(list(seed.WEB_01_REQUESTS), [a.request_id for a in web.actions])
        failed = web.by_request_id[seed.FAILED_REBOOT_REQUEST]
        self.assertEqual(("reboot", "Error", "Error"),
                         (failed.action, failed.message, failed.events[0].result))
        running = web.by_request_id[seed.RUNNING_SNAPSHOT_REQUEST].events[0]
        self.assertEqual((None, None), (running.finish_time, running.result))
        cloud = web.by_request_id[seed.CLOUD_STOP_REQUEST]
        self.assertEqual((None, None), (cloud.user_id, cloud.project_id))
        deleted = build_store().servers[seed.OLD_01].by_request_id[seed.DELETE_REQUEST]
        self.assertEqual("delete", deleted.action)
        migration = build_store().servers[seed.DB_01].by_request_id[
            seed.FAILED_MIGRATION_REQUEST]
        self.assertEqual(("live-migration", "Error"), (migration.action, migration.message))

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
        http = requests.Session()
        self.addCleanup(http.close)
        token = http.post(sim.identity_url + "/auth/tokens",
                          json=password_auth("admin")).headers["X-Subject-Token"]
        base = f"{sim.url}/v2.1/{PROJECT}/servers"
        h = {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.84"}
        servers = http.get(base, headers=h).json()["servers"]
        self.assertEqual(["yaml-01"], [s["name"] for s in servers])
        sid = CUSTOM["servers"][0]["id"]
        acts = http.get(f"{base}/{sid}/os-instance-actions",
                        headers=h).json()["instanceActions"]
        self.assertEqual(["req-y2", "req-y1"], [a["request_id"] for a in acts])
        # updated_at defaults to the latest timestamp of the action
        self.assertEqual("2026-04-02T00:00:00.000000", acts[0]["updated_at"])
        self.assertEqual("2026-04-01T00:00:30.000000", acts[1]["updated_at"])
        ev = http.get(f"{base}/{sid}/os-instance-actions/req-y1",
                      headers=h).json()["instanceAction"]["events"][0]
        self.assertEqual("compute-9", ev["host"])
        # Nova's hostId: sha224(project id + host), written out by hand
        self.assertEqual("88dfca700148fb785d55e7092ecb8b97d0b759f4aeca9a0655e506bd", ev["hostId"])
        self.assertIsNone(ev["traceback"])
        self.assertIsNone(ev["details"])
        self.assertEqual(404, http.get(f"{base}/{WEB_01}",
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
        self.assertEqual([seed.BULK_01], [s["id"] for s in r.json()["servers"]])
        url = f"{self.sim.url}/v2.1/{PROJECT}/servers/{seed.BULK_01}/os-instance-actions"
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
        r = self.get(self.actions_path(seed.BULK_01, seen[-1]), mv="2.84")
        self.assertEqual("create", r.json()["instanceAction"]["action"])
        # seeded servers are still there
        self.assertEqual(200, self.get(self.actions_path(WEB_01, rid(1)))
                         .status_code)
