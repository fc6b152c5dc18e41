"""Many servers in one run: the client's fleet reads and `server action list` over them."""

import unittest

from keystoneauth1 import session as ksa_session
from urllib import parse


from fj_osc_actions import errors
from fj_osc_actions import fleet
from fj_osc_actions import models
from tests.unit import fakes

IDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 7)]
NAMES = [f"web-0{n}" for n in range(1, 7)]
LIST_TITLES = ["Request ID", "Action", "Start Time", "Updated At", "Message"]


def actions_body(server_id, hour, failed=False, action="reboot", count=1):
    """`count` actions of a server, newest first, the first starting at `hour`:00."""
    actions = []
    for index in range(count):
        actions.append({
            "action": action if index == 0 else "start",
            "instance_uuid": server_id,
            "request_id": f"req-{server_id[-4:]}-{index}",
            "user_id": "demo",
            "project_id": fakes.PROJECT_ID,
            "start_time": f"2025-06-02T{hour - index:02d}:00:00.000000",
            "updated_at": f"2025-06-02T{hour - index:02d}:00:19.000000",
            "message": "Error" if failed and index == 0 else None,
        })
    return {"instanceActions": actions}


class FleetTestCase(fakes.MockedCloudTestCase):
    def servers(self, count=3, page_size=None, names=None):
        """GET /servers: `count` servers, on pages of `page_size` linked by marker."""
        listed = [{"id": IDS[i], "name": (names or NAMES)[i]} for i in range(count)]
        page_size = page_size or count

        def answer(request, context):
            marker = request.qs.get("marker", [None])[0]
            start = 0 if marker is None else [s["id"] for s in listed].index(marker) + 1
            page = listed[start:start + page_size]
            body = {"servers": page}
            if start + page_size < len(listed):
                body["servers_links"] = [{
                    "rel": "next",
                    "href": "http://elsewhere.test/v2.1/servers?limit=2&marker=" + page[-1]["id"],
                }]
            return body

        self.m.get(fakes.EAST + "/servers", json=answer)
        return listed

    def actions(self, index, **kwargs):
        server_id = IDS[index]
        self.m.get(self.actions_url(server_id),
                   json=actions_body(server_id, kwargs.pop("hour", 10 + index), **kwargs))

    @staticmethod
    def actions_url(server_id):
        return f"{fakes.EAST}/servers/{server_id}/os-instance-actions"

    def fail(self, server_id, record_name):
        fakes.reply(self.m, record_name, self.actions_url(server_id), request_id="req-trace-7")

    def server_list_calls(self):
        return [r for r in self.m.request_history if r.path.endswith("/servers")]

    def action_calls(self):
        return [r for r in self.m.request_history if r.path.endswith("/os-instance-actions")]

    def run_osc(self, argv):
        return fakes.run_openstack(argv, fakes.password_env())


class FleetClientTest(FleetTestCase):
    def test_all_servers_follows_servers_links_by_marker(self):
        self.servers(count=5, page_size=2)
        for index in range(5):
            self.actions(index)
        run = self.client().fleet_actions()
        rows = list(run)
        self.assertEqual(IDS[:5], [s.id for s in run.servers])
        self.assertEqual(NAMES[:5], [s.name for s in run.servers])
        pages = self.server_list_calls()
        self.assertEqual(3, len(pages))
        self.assertEqual({}, pages[0].qs)
        # Only the marker is taken from the link, on our own endpoint.
        self.assertEqual([IDS[1]], parse.parse_qs(parse.urlsplit(pages[1].url).query)["marker"])
        self.assertEqual([IDS[3]], parse.parse_qs(parse.urlsplit(pages[2].url).query)["marker"])
        for page in pages:
            self.assertTrue(page.url.startswith(fakes.EAST + "/servers"), page.url)
        self.assertEqual(5, len(rows))
        self.assertEqual(5, len(self.action_calls()))
        self.assertEqual([], run.problems)

    def test_rows_merged_newest_first(self):
        self.servers(count=3)
        self.actions(0, hour=10, count=3)  # 10, 9, 8
        self.actions(1, hour=12, count=2)  # 12, 11
        self.actions(2, hour=9, count=1)   # 9
        rows = list(self.client().fleet_actions())
        starts = [action.start_time for _server, action in rows]
        self.assertEqual(sorted(starts, reverse=True), starts)
        self.assertEqual(6, len(rows))
        self.assertEqual(IDS[1], rows[0][0].id)
        self.assertEqual(IDS[0], rows[-1][0].id)
        for server, action in rows:
            self.assertEqual(server.id, action.instance_uuid)

    def test_newest_first_puts_rows_without_time_last(self):
        server = models.Server(IDS[0], "a")

        def row(start):
            return server, models.InstanceAction.from_api({"request_id": str(start), "start_time": start})

        merged = fleet.newest_first([row(None), row("2025-06-02T10:00:00Z"),
                                     row("2025-06-02T11:00:00+09:00"), row("2025-06-02T09:00:00")])
        self.assertEqual(["2025-06-02T10:00:00Z", "2025-06-02T09:00:00",
                          "2025-06-02T11:00:00+09:00", "None"],
                         [a.request_id for _s, a in merged])

    def test_failed_and_action_filters(self):
        self.servers(count=3)
        self.actions(0, failed=True, action="reboot", count=2)
        self.actions(1, failed=False, action="reboot", count=2)
        self.actions(2, failed=True, action="createImage", count=2)
        failed = list(self.client().fleet_actions(
            action_filter=fleet.ActionFilter(failed_only=True)))
        self.assertEqual({IDS[0], IDS[2]}, {s.id for s, _a in failed})
        self.assertTrue(all(a.message == "Error" for _s, a in failed))
        reboots = list(self.client().fleet_actions(
            action_filter=fleet.ActionFilter(action_names=frozenset({"reboot"}))))
        self.assertEqual({IDS[0], IDS[1]}, {s.id for s, _a in reboots})
        self.assertEqual({"reboot"}, {a.action for _s, a in reboots})
        both = list(self.client().fleet_actions(action_filter=fleet.ActionFilter(
            failed_only=True, action_names=frozenset({"reboot", "start"}))))
        self.assertEqual([(IDS[0], "reboot")], [(s.id, a.action) for s, a in both])

    def test_action_filter_is_exact(self):
        action = models.InstanceAction.from_api({"action": "live-migration", "message": None})
        self.assertTrue(fleet.ActionFilter(action_names=frozenset({"live-migration"})).matches(action))
        self.assertFalse(fleet.ActionFilter(action_names=frozenset({"live"})).matches(action))
        self.assertFalse(fleet.ActionFilter(failed_only=True).matches(action))
        self.assertTrue(fleet.ActionFilter().matches(action))

    def test_forbidden_server_is_a_problem_and_the_rest_is_kept(self):
        self.servers(count=3)
        self.actions(0)
        self.fail(IDS[1], "list_no_role_403")
        self.actions(2)
        run = self.client().fleet_actions()
        rows = list(run)
        self.assertEqual([IDS[2], IDS[0]], [s.id for s, _a in rows])
        self.assertEqual(1, len(run.problems))
        problem = run.problems[0]
        self.assertEqual(IDS[1], problem.server.id)
        self.assertIsInstance(problem.error, errors.Forbidden)
        self.assertFalse(problem.vanished)
        self.assertEqual([problem], run.failures)

    def test_vanished_server_is_a_notice(self):
        self.servers(count=2)
        self.actions(0)
        self.fail(IDS[1], "show_unknown_server_404")
        run = self.client().fleet_actions()
        self.assertEqual(1, len(list(run)))
        self.assertEqual(1, len(run.problems))
        self.assertTrue(run.problems[0].vanished)
        self.assertEqual([], run.failures)

    def test_unknown_name_or_id_is_a_failure_not_a_vanished_server(self):
        self.servers(count=1)
        self.actions(0)
        unknown_id = "0000aaaa-0000-4000-8000-00000000abcd"
        self.fail(unknown_id, "show_unknown_server_404")
        run = self.client().fleet_actions([NAMES[0], "no-such-server", unknown_id])
        self.assertEqual(1, len({server.id for server, _action in run}))
        self.assertEqual({"no-such-server", unknown_id}, {p.server.id for p in run.failures})
        self.assertFalse(any(problem.vanished for problem in run.problems))

    def test_connection_pool_grows_to_the_concurrency(self):
        self.servers(count=2)
        self.actions(0)
        self.actions(1)
        client = self.client()
        list(client.fleet_actions(concurrency=32))
        http = client.http.session.session
        # only the compute endpoint's scheme; keystoneauth's keep-alive class kept
        pooled = http.get_adapter("https://compute.test/")
        self.assertEqual(32, pooled._pool_maxsize)
        self.assertIsInstance(pooled, ksa_session.TCPKeepAliveAdapter)

    def test_default_pool_left_alone_up_to_ten(self):
        client = self.client()
        before = client.http.session.session.get_adapter("https://x.test/")
        client.http.size_pool(8)
        self.assertIs(before, client.http.session.session.get_adapter("https://x.test/"))

    def test_names_and_ids_mixed(self):
        self.servers(count=3)
        for index in range(3):
            self.actions(index)
        run = self.client().fleet_actions([NAMES[0], IDS[2], NAMES[0]])
        rows = list(run)
        self.assertEqual([IDS[0], IDS[2]], [s.id for s in run.servers])
        self.assertEqual({(IDS[0], NAMES[0]), (IDS[2], NAMES[2])}, {(s.id, s.name) for s, _a in rows})
        # One listing, no per-name lookups, one read per server.
        self.assertEqual(1, len(self.server_list_calls()))
        self.assertEqual(2, len(self.action_calls()))

    def test_a_name_of_two_servers_is_a_problem_not_a_crash(self):
        self.servers(count=3, names=["twin", "twin", "solo"])
        for index in range(3):
            self.actions(index)
        run = self.client().fleet_actions(["twin", "solo"])
        rows = list(run)
        self.assertEqual([IDS[2]], [s.id for s, _a in rows])
        self.assertEqual(1, len(run.problems))
        self.assertIsInstance(run.problems[0].error, errors.AmbiguousServerName)
        self.assertIn(IDS[0], str(run.problems[0].error))
        self.assertIn(IDS[1], str(run.problems[0].error))
        self.assertEqual(1, len(self.action_calls()))

    def test_bad_concurrency_sends_nothing(self):
        client = self.client()
        for bad in (0, -1, 65):
            with self.assertRaises(errors.InvalidInput) as caught:
                client.fleet_actions([IDS[0], IDS[1]], concurrency=bad)
            self.assertIn("--concurrency", str(caught.exception))
        self.assertEqual([], self.m.request_history)


class FleetCommandTest(FleetTestCase):
    def test_several_servers_get_server_columns_first(self):
        self.servers(count=2)
        self.actions(0, hour=10)
        self.actions(1, hour=11)
        result = self.run_osc(["server", "action", "list", IDS[0], IDS[1], "-f", "json"])
        self.assert_success(result)
        self.assertEqual("", result.stderr)
        rows = result.json
        self.assertEqual(["Server ID", "Server Name"] + LIST_TITLES, list(rows[0]))
        self.assertEqual([IDS[1], IDS[0]], [r["Server ID"] for r in rows])
        self.assertEqual([NAMES[1], NAMES[0]], [r["Server Name"] for r in rows])

    def test_all_servers_with_filters(self):
        self.servers(count=4, page_size=3)
        self.actions(0, failed=True, action="reboot", count=2)
        self.actions(1, failed=True, action="createImage", count=2)
        self.actions(2, failed=False, action="reboot")
        self.actions(3, failed=True, action="reboot")
        result = self.run_osc(["server", "action", "list", "--all-servers", "--failed",
                               "--action", "reboot", "--action", "stop", "-f", "json"])
        self.assert_success(result)
        self.assertEqual([IDS[3], IDS[0]], [r["Server ID"] for r in result.json])
        self.assertEqual(["Error", "Error"], [r["Message"] for r in result.json])
        self.assertEqual(2, len(self.server_list_calls()))

    def test_forbidden_server_rows_kept_one_line_exit_1(self):
        self.servers(count=3)
        self.actions(0)
        self.fail(IDS[1], "list_no_role_403")
        self.actions(2)
        result = self.run_osc(["server", "action", "list", "--all-servers", "-f", "json"])
        self.assertEqual(1, result.code, result)
        self.assertEqual([IDS[2], IDS[0]], [r["Server ID"] for r in result.json])
        self.assertNotIn("Traceback", result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn(NAMES[1], lines[0])
        self.assertIn(IDS[1], lines[0])
        self.assertIn("HTTP 403", lines[0])
        self.assertIn("req-trace-7", lines[0])

    def test_problems_come_after_the_rows_in_a_table(self):
        self.servers(count=2)
        self.actions(0)
        self.fail(IDS[1], "list_no_role_403")
        result = self.run_osc(["server", "action", "list", IDS[0], IDS[1]])
        self.assertEqual(1, result.code, result)
        self.assertIn(IDS[0], result.stdout)
        self.assertIn("Server Name", result.stdout)
        self.assertNotIn(IDS[1], result.stdout)

    def test_vanished_server_is_a_notice_exit_0(self):
        self.servers(count=2)
        self.actions(0)
        self.fail(IDS[1], "show_unknown_server_404")
        result = self.run_osc(["server", "action", "list", "--all-servers", "-f", "json"])
        self.assert_success(result)
        self.assertEqual([IDS[0]], [r["Server ID"] for r in result.json])
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn(IDS[1], lines[0])
        self.assertIn("Notice", lines[0])

    def test_a_name_of_two_servers_fails_the_run_keeps_rows(self):
        self.servers(count=3, names=["twin", "twin", "solo"])
        for index in range(3):
            self.actions(index)
        result = self.run_osc(["server", "action", "list", "twin", "solo", "-f", "json"])
        self.assertEqual(1, result.code, result)
        self.assertEqual([IDS[2]], [r["Server ID"] for r in result.json])
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertIn("twin", lines[0])
        self.assertNotIn("Traceback", result.stderr)

    def test_bad_concurrency_is_a_usage_error_before_any_request(self):
        for bad in ("0", "65"):
            self.m.reset_mock()
            result = self.run_osc(["server", "action", "list", IDS[0], IDS[1],
                                   "--concurrency", bad])
            self.assert_one_line_failure(result, "--concurrency", bad)
            self.assertEqual([], self.m.request_history)

    def test_servers_and_all_servers_together_is_a_usage_error(self):
        result = self.run_osc(["server", "action", "list", IDS[0], "--all-servers"])
        self.assert_one_line_failure(result, "--all-servers")
        self.assertEqual([], self.m.request_history)
        result = self.run_osc(["server", "action", "list"])
        self.assert_one_line_failure(result, "--all-servers")

    def test_one_server_keeps_the_old_columns_exactly(self):
        list_path = f"/servers/{fakes.SERVER_ID}/os-instance-actions"
        record = fakes.reply(self.m, "list_demo_2.58", fakes.EAST + list_path)
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "-f", "json"])
        self.assert_success(result)
        expected = [
            dict(zip(LIST_TITLES, (a["request_id"], a["action"], a["start_time"],
                                   a["updated_at"], a["message"])))
            for a in record["body"]["instanceActions"]
        ]
        self.assertEqual(expected, result.json)
        self.assertEqual([list(row) for row in expected], [list(row) for row in result.json])
        # No server listing for one server given by ID.
        self.assertEqual([], self.server_list_calls())
        table = self.run_osc(["server", "action", "list", fakes.SERVER_ID])
        header = table.stdout.splitlines()[1]
        self.assertEqual(LIST_TITLES, [cell.strip() for cell in header.strip("|").split("|")])

    def test_one_server_filters(self):
        list_path = f"/servers/{fakes.SERVER_ID}/os-instance-actions"
        fakes.reply(self.m, "list_demo_2.58", fakes.EAST + list_path)
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "--failed", "-f", "json"])
        self.assertEqual(["req-00000004-0000-4000-8000-000000000004"],
                         [r["Request ID"] for r in result.json])
        result = self.run_osc(["server", "action", "list", fakes.SERVER_ID, "--action", "reboot",
                               "-f", "json"])
        self.assertEqual(["reboot"] * 2, [r["Action"] for r in result.json])


if __name__ == "__main__":
    unittest.main()


class RealConcurrencyTest(unittest.TestCase):
    """Requests really in flight together, over real sockets: requests-mock
    serialises every request behind one lock, so it cannot show this."""

    def test_several_requests_in_flight_never_more_than_asked(self):
        from fj_osc_actions_simulator import Simulator, seed

        from fj_osc_actions import client as actions_client
        from tests.common import password_session

        # Each answer takes 300 ms: the workers' requests overlap unless they
        # are sent one at a time (a serial implementation shows a peak of 1).
        with Simulator(servers=12, latency_ms=300) as sim:
            session = password_session(sim.identity_url, "demo", seed.PASSWORDS["demo"],
                                       seed.DOMAIN_NAME, seed.PROJECT_NAME)
            client = actions_client.ActionsClient(session, region_name=seed.REGION)
            servers = [seed.fleet_server_id(number) for number in range(1, 13)]
            for concurrency in (1, 4):
                with self.subTest(concurrency=concurrency):
                    session.get_token()  # the login is not part of the count
                    sim.clear_log()
                    run = client.fleet_actions(servers, concurrency=concurrency)
                    rows = list(run)
                    self.assertEqual([], run.problems)
                    # a create and a reboot each, and fleet-003 and fleet-010 a migration
                    self.assertEqual(12 * 2 + 2, len(rows))
                    peak = sim.peak_in_flight
                    if concurrency == 1:
                        self.assertEqual(1, peak)
                    else:
                        self.assertGreaterEqual(peak, 2)
                        self.assertLessEqual(peak, concurrency)
