"""Actions running when the simulator starts, moved along by a manual clock."""

from __future__ import annotations

import unittest

from fj_osc_actions_simulator import Simulator, seed
from fj_osc_actions_simulator.clock import MANUAL_CLOCK_START
from fj_osc_actions_simulator.seed import (BATCH_01, DB_02, FAILING_REBOOT_REQUEST,
                                           LONG_SNAPSHOT_REQUEST, PRECHECK_FAILED_REQUEST,
                                           RUNNING_REBOOT_REQUEST, RUNNING_RESIZE_REQUEST,
                                           WEB_02, WEB_03)
from fj_osc_actions_simulator.store import epoch_time
from tests.unit.simulator import TIMEOUT, SimTestCase

START = "2026-03-02T00:00:00.000000"  # the manual clock's start


class RunningActionsTest(SimTestCase):
    manual_clock = True

    def action(self, server, request_id):
        r = self.get(self.actions_path(server, request_id), mv="2.84", user="admin")
        self.assertEqual(200, r.status_code, r.text)
        return r.json()["instanceAction"]

    def server(self, server_id):
        return self.get(f"/servers/{server_id}", mv="2.84").json()["server"]

    def states(self, server_id):
        server = self.server(server_id)
        return server["status"], server["OS-EXT-STS:task_state"]

    def test_a_reboot_that_succeeds_after_3_seconds(self):
        action = self.action(WEB_02, RUNNING_REBOOT_REQUEST)
        self.assertEqual(("reboot", START, START, None),
                         (action["action"], action["start_time"], action["updated_at"],
                          action["message"]))
        self.assertEqual([{"event": "compute_reboot_instance", "start_time": START,
                           "finish_time": None, "result": None, "traceback": None,
                           "host": "compute-2",
                           # sha224(project id + "compute-2"), as Nova
                           "hostId": "cf3c4426d2e27b5f5a8e4f2e00bced7153623aeb1d26a1a86b4eb312",
                           "details": None}], action["events"])
        self.assertEqual(("REBOOT", "rebooting"), self.states(WEB_02))
        self.clock.advance(1.5)
        action = self.action(WEB_02, RUNNING_REBOOT_REQUEST)
        # Nova moves updated_at when an event starts or finishes, not as time passes
        self.assertEqual(START, action["updated_at"])
        self.assertIsNone(action["events"][0]["finish_time"])
        self.assertEqual(("REBOOT", "rebooting"), self.states(WEB_02))
        self.clock.advance(1.5)
        action = self.action(WEB_02, RUNNING_REBOOT_REQUEST)
        end = "2026-03-02T00:00:03.000000"
        self.assertEqual((end, None), (action["updated_at"], action["message"]))
        self.assertEqual((START, end, "Success", None),
                         tuple(action["events"][0][key] for key in
                               ("start_time", "finish_time", "result", "details")))
        self.assertEqual(("ACTIVE", None), self.states(WEB_02))
        self.clock.advance(60)
        self.assertEqual(end, self.action(WEB_02, RUNNING_REBOOT_REQUEST)["updated_at"])

    def test_a_reboot_that_fails_after_3_seconds(self):
        running = self.action(WEB_03, FAILING_REBOOT_REQUEST)
        self.assertEqual((None, None, None, None),
                         (running["message"], running["events"][0]["result"],
                          running["events"][0]["details"], running["events"][0]["traceback"]))
        self.assertEqual(("REBOOT", "rebooting"), self.states(WEB_03))
        self.clock.advance(3)
        failed = self.action(WEB_03, FAILING_REBOOT_REQUEST)
        event = failed["events"][0]
        self.assertEqual(("Error", "Error", seed.REBOOT_DETAILS, seed.TRACEBACK),
                         (failed["message"], event["result"], event["details"],
                          event["traceback"]))
        self.assertEqual("2026-03-02T00:00:03.000000", event["finish_time"])
        self.assertEqual(("ERROR", None), self.states(WEB_03))
        self.assertEqual("error", self.server(WEB_03)["OS-EXT-STS:vm_state"])
        # what a member sees: the result, not the details
        member = self.get(self.actions_path(WEB_03, FAILING_REBOOT_REQUEST),
                          mv="2.84").json()["instanceAction"]["events"][0]
        self.assertEqual({"event", "start_time", "finish_time", "result", "hostId"}, set(member))

    def test_a_snapshot_that_runs_an_hour(self):
        self.assertEqual(("ACTIVE", "image_uploading"), self.states(BATCH_01))
        self.clock.advance(3599)
        self.assertIsNone(self.action(BATCH_01, LONG_SNAPSHOT_REQUEST)["events"][0]["result"])
        self.clock.advance(1)
        self.assertEqual("Success",
                         self.action(BATCH_01, LONG_SNAPSHOT_REQUEST)["events"][0]["result"])
        self.assertEqual(("ACTIVE", None), self.states(BATCH_01))

    def test_listed_newest_first_and_filtered_by_their_moving_updated_at(self):
        self.clock.advance(2)
        ids = [a["request_id"] for a in
               self.get(self.actions_path(WEB_02), mv="2.58").json()["instanceActions"]]
        self.assertEqual([RUNNING_REBOOT_REQUEST, seed.request_id(81)], ids)
        # db-02's resize: its second event started at 1.5 s, so updated_at is 1.5 s
        since = "?changes-since=2026-03-02T00:00:01Z"
        ids = [a["request_id"] for a in self.get(self.actions_path(DB_02) + since,
                                                 mv="2.58").json()["instanceActions"]]
        self.assertEqual([RUNNING_RESIZE_REQUEST], ids)
        # web-02's reboot: nothing happened since it started at 0 s
        ids = [a["request_id"] for a in self.get(self.actions_path(WEB_02) + since,
                                                 mv="2.58").json()["instanceActions"]]
        self.assertEqual([], ids)

    def resize(self):
        return self.action(DB_02, RUNNING_RESIZE_REQUEST)

    def test_a_resize_runs_its_events_one_after_another_newest_first(self):
        def at(seconds):
            return f"2026-03-02T00:00:{seconds:09.6f}"

        # Written by hand: 6 s in all; the events run 0-1.2, 1.5-2.7, 3-4.8, 5.1-6.
        expected = [
            # (time, [(event, finish, result), newest first], updated_at)
            (0.0, [("conductor_migrate_server", None, None)], 0.0),
            (1.2, [("conductor_migrate_server", at(1.2), "Success")], 1.2),
            (1.6, [("compute_prep_resize", None, None),
                   ("conductor_migrate_server", at(1.2), "Success")], 1.5),
            (4.0, [("compute_resize_instance", None, None),
                   ("compute_prep_resize", at(2.7), "Success"),
                   ("conductor_migrate_server", at(1.2), "Success")], 3.0),
            (6.0, [("compute_finish_resize", at(6.0), "Success"),
                   ("compute_resize_instance", at(4.8), "Success"),
                   ("compute_prep_resize", at(2.7), "Success"),
                   ("conductor_migrate_server", at(1.2), "Success")], 6.0),
        ]
        elapsed = 0.0
        for moment, events, updated in expected:
            self.clock.advance(moment - elapsed)
            elapsed = moment
            with self.subTest(at=moment):
                action = self.resize()
                self.assertEqual(events, [(e["event"], e["finish_time"], e["result"])
                                          for e in action["events"]])
                self.assertEqual(at(updated), action["updated_at"])
                busy = moment < 6.0
                self.assertEqual(("RESIZE", "resize_migrating") if busy else
                                 ("VERIFY_RESIZE", None), self.states(DB_02))
        self.assertEqual("resized", self.server(DB_02)["OS-EXT-STS:vm_state"])

    def test_the_busy_server_has_older_finished_and_failed_actions(self):
        ids = [a["request_id"] for a in
               self.get(self.actions_path(DB_02), mv="2.58").json()["instanceActions"]]
        self.assertEqual([RUNNING_RESIZE_REQUEST, PRECHECK_FAILED_REQUEST, seed.request_id(88)],
                         ids)
        failed = self.action(DB_02, PRECHECK_FAILED_REQUEST)
        self.assertEqual([("compute_check_can_live_migrate_destination", "Error"),
                          ("conductor_live_migrate_instance", "Error")],
                         [(e["event"], e["result"]) for e in failed["events"]])
        self.assertEqual(seed.PRECHECK_DETAILS, failed["events"][0]["details"])
        ids = [a["request_id"] for a in
               self.get(self.actions_path(BATCH_01), mv="2.58").json()["instanceActions"]]
        self.assertEqual([LONG_SNAPSHOT_REQUEST, seed.BATCH_FAILED_REBOOT_REQUEST,
                          seed.BATCH_CREATE_REQUEST], ids)

    def test_restart(self):
        self.clock.advance(10)
        self.assertEqual(("ACTIVE", None), self.states(WEB_02))
        self.assertEqual(4, self.sim.restart_running_actions())
        self.assertEqual(("REBOOT", "rebooting"), self.states(WEB_02))
        self.assertEqual("2026-03-02T00:00:10.000000",
                         self.action(WEB_02, RUNNING_REBOOT_REQUEST)["start_time"])
        self.clock.advance(3)
        r = self.http.post(self.sim.url + "/_sim/running/restart", timeout=TIMEOUT)
        self.assertEqual({"restarted": 4}, r.json())
        self.assertEqual("2026-03-02T00:00:13.000000",
                         self.action(WEB_03, FAILING_REBOOT_REQUEST)["start_time"])
        self.assertIsNone(self.action(WEB_03, FAILING_REBOOT_REQUEST)["message"])


class RunningSecondsTest(SimTestCase):
    sim_kwargs = {"running_seconds": 0.5}
    manual_clock = True

    def test_short_reboots(self):
        self.clock.advance(0.5)
        for server, request_id, result in ((WEB_02, RUNNING_REBOOT_REQUEST, "Success"),
                                           (WEB_03, FAILING_REBOOT_REQUEST, "Error")):
            event = self.get(self.actions_path(server, request_id),
                             mv="2.58").json()["instanceAction"]["events"][0]
            self.assertEqual(("2026-03-02T00:00:00.500000", result),
                             (event["finish_time"], event["result"]))
        self.assertEqual("image_uploading", self.get(f"/servers/{BATCH_01}").json()
                         ["server"]["OS-EXT-STS:task_state"])


JOB_DATA = {"servers": [{
    "id": "s1", "name": "job-01", "project_id": seed.PROJECT_ID,
    "actions": [{"action": "migrate", "request_id": "req-m1",
                 "running": {"seconds": 90, "task_state": "migrating"},
                 "events": [{"event": "compute_prep_resize"},
                            {"event": "compute_resize_instance"}]}]}]}


class RunningDataTest(SimTestCase):
    sim_kwargs = {"data": JOB_DATA}
    manual_clock = True

    def test_own_running_action_from_a_data_file(self):
        self.assertEqual("migrating",
                         self.get("/servers/s1").json()["server"]["OS-EXT-STS:task_state"])
        self.clock.advance(90)
        action = self.get(self.actions_path("s1", "req-m1"), mv="2.58").json()
        self.assertEqual([epoch_time(MANUAL_CLOCK_START + 90)] * 2,
                         [e["finish_time"] for e in action["instanceAction"]["events"]])
        self.assertIsNone(self.get("/servers/s1").json()["server"]["OS-EXT-STS:task_state"])


class BadRunningDataTest(unittest.TestCase):

    def test_bad_running_actions(self):
        for running in ({"seconds": -1}, {"seconds": 1, "result": "Maybe"}, "soon"):
            data = {"servers": [{"id": "s1", "name": "a", "project_id": seed.PROJECT_ID,
                                 "actions": [{"action": "x", "request_id": "r",
                                              "running": running}]}]}
            with self.subTest(running=running), self.assertRaises(ValueError):
                Simulator(data=data)
