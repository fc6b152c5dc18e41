"""Nova compute subset: microversions, paging, isolation, hostile ids, log."""

from urllib.parse import parse_qs, urlsplit

from fj_osc_actions_simulator import seed
from fj_osc_actions_simulator.seed import OLD_01, PROJECT_ID as PROJECT, WEB_01
from tests.unit.simulator import SimTestCase, load_observed, rid

WEB_RIDS = list(seed.WEB_01_REQUESTS)


class MicroversionTest(SimTestCase):

    def test_default_is_2_1_and_headers_echoed(self):
        r = self.get(self.actions_path())
        self.assertEqual(200, r.status_code)
        self.assertEqual("compute 2.1", r.headers["OpenStack-API-Version"])
        self.assertEqual("2.1", r.headers["X-OpenStack-Nova-API-Version"])
        self.assertEqual("OpenStack-API-Version, X-OpenStack-Nova-API-Version",
                         r.headers["Vary"])
        self.assertNotIn("updated_at", r.json()["instanceActions"][0])
        self.assertTrue(r.headers["x-compute-request-id"].startswith("req-"))
        self.assertEqual(r.headers["x-compute-request-id"],
                         r.headers["x-openstack-request-id"])

    def test_legacy_header(self):
        r = self.get(self.actions_path(),
                     headers={"X-OpenStack-Nova-API-Version": "2.58"})
        self.assertEqual("compute 2.58", r.headers["OpenStack-API-Version"])
        self.assertIn("updated_at", r.json()["instanceActions"][0])

    def test_new_header_wins(self):
        r = self.get(self.actions_path(), mv="2.62",
                     headers={"X-OpenStack-Nova-API-Version": "2.1"})
        self.assertEqual("2.62", r.headers["X-OpenStack-Nova-API-Version"])

    def test_latest(self):
        r = self.get(self.actions_path(), mv="latest")
        self.assertEqual("compute 2.104", r.headers["OpenStack-API-Version"])

    def test_bad_versions(self):
        for value, status in (("foo", 400), ("2", 400), ("2.01", 400),
                              ("2.999", 406), ("2.0", 406), ("3.0", 406),
                              ("1.1", 406)):
            with self.subTest(value=value):
                r = self.get(self.actions_path(), mv=value)
                self.assertEqual(status, r.status_code)
                key = "badRequest" if status == 400 else "computeFault"
                self.assertEqual(status, r.json()[key]["code"])
        r = self.get(self.actions_path(), mv="foo")
        self.assertEqual(load_observed("bad_mv_format_400.json")["body"], r.json())

    def test_compute_version_documents(self):
        for path in ("/v2.1", "/v2.1/"):
            r = self.http.get(self.sim.url + path)
            self.assertEqual(200, r.status_code)
            v = r.json()["version"]
            self.assertEqual(("v2.1", "CURRENT", "2.104", "2.1"),
                             (v["id"], v["status"], v["version"], v["min_version"]))
            self.assertEqual(self.sim.url + "/v2.1/", v["links"][0]["href"])
        r = self.get("/")
        self.assertEqual("2.104", r.json()["version"]["version"])


class ListPagingTest(SimTestCase):
    sim_kwargs = {"page_size": 2}

    def follow(self, first_url, mv="2.58"):
        pages, url = [], first_url
        while url:
            r = self.http.get(url, headers={"X-Auth-Token": self.token("demo"),
                                            "OpenStack-API-Version": "compute " + mv},
                              timeout=10)
            self.assertEqual(200, r.status_code, r.text)
            body = r.json()
            pages.append(body)
            links = body.get("links") or []
            url = links[0]["href"] if links else None
            if links:
                self.assertEqual("next", links[0]["rel"])
            self.assertLess(len(pages), 20)
        return pages

    def test_every_full_page_links_on_like_nova(self):
        # 6 actions at 2 a page: 3 full pages, each with a next link, then an
        # empty page without one (4 requests, as on a real Nova).
        first = f"{self.sim.url}/v2.1/{PROJECT}/servers/{WEB_01}/os-instance-actions"
        pages = self.follow(first)
        self.assertEqual([2, 2, 2, 0], [len(p["instanceActions"]) for p in pages])
        self.assertEqual(WEB_RIDS, [a["request_id"] for p in pages
                                    for a in p["instanceActions"]])
        self.assertEqual([True, True, True, False], ["links" in p for p in pages])
        self.assertEqual({"instanceActions": []}, pages[-1])
        href = pages[0]["links"][0]["href"]
        self.assertTrue(href.startswith(self.sim.url + "/v2.1/"))
        # Like Nova's, the link keeps the request's query and sets the marker.
        self.assertEqual({"marker": [rid(5)]}, parse_qs(urlsplit(href).query))

    def test_limit_above_page_size_is_capped(self):
        r = self.get(self.actions_path() + "?limit=5", mv="2.58")
        self.assertEqual(2, len(r.json()["instanceActions"]))

    def test_below_2_58_no_paging(self):
        r = self.get(self.actions_path() + "?limit=1&bogus=1", mv="2.57")
        self.assertEqual(6, len(r.json()["instanceActions"]))
        self.assertNotIn("links", r.json())

    def test_links_keep_other_params(self):
        r = self.get(self.actions_path() + "?changes-since=2025-06-02T10:00:00Z",
                     mv="2.58")
        body = r.json()
        self.assertEqual([rid(6), rid(5)],
                         [a["request_id"] for a in body["instanceActions"]])
        q = parse_qs(urlsplit(body["links"][0]["href"]).query)
        self.assertEqual(["2025-06-02T10:00:00Z"], q["changes-since"])
        pages = self.follow(body["links"][0]["href"])
        rest = [a["request_id"] for p in pages for a in p["instanceActions"]]
        self.assertEqual([rid(4), rid(3), rid(2)], rest)


class ListParamsTest(SimTestCase):

    def ids(self, query, mv="2.58", server=WEB_01):
        r = self.get(self.actions_path(server) + query, mv=mv)
        self.assertEqual(200, r.status_code, r.text)
        return [a["request_id"] for a in r.json()["instanceActions"]]

    def test_limit_and_marker(self):
        self.assertEqual(WEB_RIDS[:2], self.ids("?limit=2"))
        self.assertEqual(WEB_RIDS[2:4], self.ids("?limit=2&marker=" + rid(5)))
        self.assertEqual(WEB_RIDS[3:], self.ids("?marker=" + rid(4)))
        self.assertEqual([], self.ids("?marker=" + rid(1)))
        r = self.get(self.actions_path() + "?limit=2", mv="2.58")
        self.assertEqual(load_observed("list_admin_2.58_limit2.json")["body"]
                         ["links"][0]["href"].split("/v2.1/")[1],
                         r.json()["links"][0]["href"].split("/v2.1/")[1])

    def test_last_full_page_links_to_an_empty_page(self):
        r = self.get(self.actions_path() + "?limit=6", mv="2.58")
        href = r.json()["links"][0]["href"]
        self.assertEqual({"limit": ["6"], "marker": [rid(1)]}, parse_qs(urlsplit(href).query))
        r = self.http.get(href, headers={"X-Auth-Token": self.token(),
                                         "OpenStack-API-Version": "compute 2.58"})
        self.assertEqual({"instanceActions": []}, r.json())

    def test_short_page_has_no_link(self):
        r = self.get(self.actions_path() + "?limit=7", mv="2.58")
        self.assertEqual(6, len(r.json()["instanceActions"]))
        self.assertNotIn("links", r.json())

    def test_unknown_marker(self):
        r = self.get(self.actions_path() + "?marker=req-nope", mv="2.58")
        self.assertEqual(400, r.status_code)
        self.assertEqual({"badRequest": {"code": 400, "message":
                                         "Marker req-nope could not be found."}},
                         r.json())

    def test_changes_since_and_before(self):
        self.assertEqual(WEB_RIDS[:3],
                         self.ids("?changes-since=2025-06-02T10:30:00Z"))
        self.assertEqual(WEB_RIDS[:3],
                         self.ids("?changes-since=2025-06-02T19:30:00%2B09:00"))
        self.assertEqual(WEB_RIDS[3:],
                         self.ids("?changes-before=2025-06-02T10:20:00Z", mv="2.66"))
        self.assertEqual([rid(3)], self.ids(
            "?changes-since=2025-06-02T10:10:00Z&changes-before=2025-06-02T10:20:00Z",
            mv="2.66"))

    def test_changes_before_below_2_66(self):
        r = self.get(self.actions_path() + "?changes-before=2025-06-02T10:20:00Z",
                     mv="2.58", user="admin")
        fx = load_observed("list_admin_2.58_changes_before_400.json")
        self.assertEqual(400, r.status_code)
        self.assertEqual(fx["body"], r.json())

    def test_invalid_params(self):
        for query in ("?limit=abc", "?limit=-1", "?limit=1.5",
                      "?changes-since=yesterday", "?changes-since=2025-13-01T00:00:00Z",
                      "?changes-before=nope", "?foo=bar",
                      "?changes-since=2025-06-03T00:00:00Z"
                      "&changes-before=2025-06-02T00:00:00Z",
                      "?limit=1&limit=2"):
            with self.subTest(query=query):
                r = self.get(self.actions_path() + query, mv="2.66")
                self.assertEqual(400, r.status_code, r.text)
                self.assertEqual(400, r.json()["badRequest"]["code"])

    def test_limit_zero(self):
        self.assertEqual([], self.ids("?limit=0"))

    def test_events_newest_first_and_retry(self):
        db = seed.DB_01
        r = self.get(self.actions_path(db), mv="2.58", user="admin")
        actions = r.json()["instanceActions"]
        self.assertEqual(20, len(actions))
        reboot = [a for a in actions if a["action"] == "reboot"][0]
        self.assertEqual(seed.RETRIED_REBOOT_REQUEST, reboot["request_id"])
        shown = self.get(self.actions_path(db, reboot["request_id"]), mv="2.84",
                         user="admin").json()["instanceAction"]
        ev = shown["events"]
        # As Nova records a retry under the same name: the first attempt's
        # failure made the message "Error" for good, the retry's finish
        # updated the first event of that name (Success, its traceback kept),
        # and the retry's own event has no finish time.
        self.assertEqual("Error", shown["message"])
        self.assertEqual(["compute_reboot_instance"] * 2, [e["event"] for e in ev])
        self.assertEqual([None, "Success"], [e["result"] for e in ev])
        self.assertEqual([None, "2026-01-15T09:01:10.000000"], [e["finish_time"] for e in ev])
        self.assertIn("cannot acquire state change lock", ev[1]["traceback"])
        starts = [e["start_time"] for e in ev]
        self.assertEqual(sorted(starts, reverse=True), starts)


class VisibilityTest(SimTestCase):

    def test_unknown_server_and_action(self):
        r = self.get(self.actions_path("00000000-0000-4000-8000-000000000000",
                                       rid(1)), mv="2.58")
        self.assertEqual(load_observed("show_unknown_server_404.json")["body"],
                         r.json())
        r = self.get(self.actions_path(WEB_01, "req-does-not-exist"), mv="2.58")
        self.assertEqual(load_observed("show_unknown_request_404.json")["body"],
                         r.json())

    def test_deleted_server_needs_2_21(self):
        not_found = {"itemNotFound": {"code": 404, "message":
                                      f"Instance {OLD_01} could not be found."}}
        for mv in ("2.1", "2.20"):
            r = self.get(self.actions_path(OLD_01), mv=mv)
            self.assertEqual(404, r.status_code)
            self.assertEqual(not_found, r.json())
        r = self.get(self.actions_path(OLD_01), mv="2.21")
        self.assertEqual([rid(12), rid(11)],
                         [a["request_id"] for a in r.json()["instanceActions"]])
        r = self.get(self.actions_path(OLD_01, rid(12)), mv="2.21")
        self.assertEqual("delete", r.json()["instanceAction"]["action"])
        r = self.get("/servers/" + OLD_01, mv="2.84")
        self.assertEqual(404, r.status_code)

    def test_project_isolation(self):
        other_server = seed.OTHER_01
        r = self.get(self.actions_path(other_server), mv="2.58", user="demo")
        self.assertEqual(404, r.status_code)
        self.assertEqual(f"Instance {other_server} could not be found.",
                         r.json()["itemNotFound"]["message"])
        r = self.get(self.actions_path(WEB_01), mv="2.58", user="other",
                     project=seed.OTHER_PROJECT_ID)
        self.assertEqual(404, r.status_code)
        r = self.get(self.actions_path(other_server), mv="2.58", user="other",
                     project=seed.OTHER_PROJECT_ID)
        self.assertEqual(200, r.status_code)
        # the other user's token on demo-project's URL: 400, as Nova answers
        # (found by tests/realnova/test_fidelity.py)
        for path in (self.actions_path(other_server), "/servers"):
            r = self.get(path, mv="2.58", user="other")
            self.assertEqual(400, r.status_code)
            self.assertEqual({"badRequest": {"code": 400, "message": (
                f"Malformed request URL: URL's project_id '{seed.PROJECT_ID}' doesn't match "
                f"Context's project_id '{seed.OTHER_PROJECT_ID}'")}}, r.json())
        names = [s["name"] for s in self.get("/servers", user="demo")
                 .json()["servers"]]
        self.assertNotIn("other-01", names)

    def test_admin_reads_any_project_server_by_id(self):
        r = self.get(self.actions_path(seed.OTHER_01), mv="2.58", user="admin")
        self.assertEqual(200, r.status_code)

    def test_no_role_403(self):
        r = self.get(self.actions_path(), mv="2.58", user="guest")
        self.assertEqual(load_observed("list_no_role_403.json")["body"], r.json())
        r = self.get(self.actions_path(WEB_01, rid(1)), mv="2.58", user="guest")
        self.assertEqual(403, r.status_code)
        self.assertIn("os-instance-actions:show", r.json()["forbidden"]["message"])

    def test_no_or_bad_token(self):
        body = load_observed("no_token_401.json")["body"]
        for token in (None, "garbage"):
            h = {"X-Auth-Token": token} if token else {}
            r = self.http.get(f"{self.sim.url}/v2.1/{PROJECT}/servers",
                              headers=h, timeout=10)
            self.assertEqual(401, r.status_code)
            self.assertEqual(body, r.json())


class ServersTest(SimTestCase):

    def test_list_and_name_filter(self):
        r = self.get("/servers")
        names = sorted(s["name"] for s in r.json()["servers"])
        self.assertEqual(["app", "app", "batch-01", "db-01", "db-02", "web-01", "web-02", "web-03"],
                         names)
        for s in r.json()["servers"]:
            self.assertEqual({"id", "links", "name"}, set(s))
        r = self.get("/servers?name=web-01")
        self.assertEqual([WEB_01], [s["id"] for s in r.json()["servers"]])
        r = self.get("/servers/detail?name=app")
        self.assertEqual(2, len(r.json()["servers"]))
        self.assertEqual(2, len(self.get("/servers?name=%5Eapp%24").json()
                                ["servers"]))
        # re.search like Nova, not an anchored match: web-01 and db-01
        self.assertEqual({"web-01", "db-01"}, {s["name"] for s in self.get(
            "/servers?name=b-01").json()["servers"]})
        self.assertEqual([], self.get("/servers?name=%5Eeb").json()["servers"])

    def test_show(self):
        r = self.get("/servers/" + WEB_01, mv="2.84")
        s = r.json()["server"]
        for key in ("id", "name", "status", "links", "tenant_id", "user_id",
                    "created", "updated", "hostId"):
            self.assertIn(key, s)
        self.assertEqual(PROJECT, s["tenant_id"])
        self.assertEqual(404, self.get("/servers/web-01").status_code)


class ServersPagingTest(SimTestCase):
    """GET /servers pages like Nova: limit, marker, a servers_links next link."""

    sim_kwargs = {"page_size": 2}
    NAMES = ["app", "app", "batch-01", "db-01", "db-02", "web-01", "web-02", "web-03"]

    def names(self, pages):
        return [s["name"] for page in pages for s in page["servers"]]

    def follow(self, path):
        pages, url = [], f"{self.sim.url}/v2.1/{PROJECT}{path}"
        while url and len(pages) < 20:
            r = self.http.get(url, headers={"X-Auth-Token": self.token()}, timeout=10)
            self.assertEqual(200, r.status_code, r.text)
            pages.append(r.json())
            links = r.json().get("servers_links") or []
            url = links[0]["href"] if links else None
        return pages

    def test_pages_follow_the_next_links(self):
        for path in ("/servers", "/servers/detail"):
            with self.subTest(path=path):
                pages = self.follow(path)
                # 8 servers: Nova links every full page, so an empty one ends it
                self.assertEqual([2, 2, 2, 2, 0], [len(p["servers"]) for p in pages])
                self.assertEqual(self.NAMES, sorted(self.names(pages)))
                self.assertNotIn("servers_links", pages[-1])
                link = pages[0]["servers_links"][0]
                self.assertEqual("next", link["rel"])
                self.assertEqual(f"{self.sim.url}/v2.1/{PROJECT}{path}?marker="
                                 f"{pages[0]['servers'][-1]['id']}", link["href"])

    def test_newest_first_and_the_name_filter_kept(self):
        pages = self.follow("/servers?name=app&limit=1")
        self.assertEqual([seed.APP_B, seed.APP_A, None],
                         [p["servers"][0]["id"] if p["servers"] else None for p in pages])
        query = parse_qs(urlsplit(pages[0]["servers_links"][0]["href"]).query)
        self.assertEqual({"limit": ["1"], "marker": [seed.APP_B], "name": ["app"]}, query)
        # Nova's order: the request's query sorted, then the new marker
        self.assertTrue(pages[0]["servers_links"][0]["href"].endswith(
            f"/servers?limit=1&name=app&marker={seed.APP_B}"))
        self.assertTrue(pages[1]["servers_links"][0]["href"].endswith(
            f"/servers?limit=1&marker={seed.APP_A}&name=app"))
        self.assertEqual(["id", "name", "links"], list(pages[0]["servers"][0]))

    def test_limit_above_the_page_size_is_capped(self):
        self.assertEqual(2, len(self.get("/servers?limit=50").json()["servers"]))
        r = self.get("/servers?limit=3&name=web-0")
        self.assertEqual((2, True), (len(r.json()["servers"]), "servers_links" in r.json()))
        r = self.get("/servers?limit=3&name=batch")
        self.assertEqual((1, False), (len(r.json()["servers"]), "servers_links" in r.json()))

    def test_bad_limit_and_marker(self):
        r = self.get("/servers?limit=x")
        self.assertEqual((400, "Invalid input for query parameters limit. Value: x. 'x' does "
                               "not match '^[0-9]*$'"),
                         (r.status_code, r.json()["badRequest"]["message"]))
        r = self.get("/servers?marker=nope")
        self.assertEqual({"badRequest": {"code": 400, "message": "marker [nope] not found"}},
                         r.json())
        # a deleted or another project's server is no marker either
        for marker in (OLD_01, seed.OTHER_01):
            self.assertEqual(400, self.get(f"/servers?marker={marker}").status_code)


class ServerShowTest(SimTestCase):

    def test_an_idle_server(self):
        server = self.get(f"/servers/{WEB_01}", mv="2.84").json()["server"]
        self.assertEqual(("ACTIVE", None, "active"),
                         (server["status"], server["OS-EXT-STS:task_state"],
                          server["OS-EXT-STS:vm_state"]))
        self.assertEqual(("SUSPENDED", None),
                         tuple(self.get(f"/servers/{seed.DB_01}").json()["server"][key]
                               for key in ("status", "OS-EXT-STS:task_state")))

    def test_unknown_deleted_and_other_projects_servers_are_not_found(self):
        for server_id in ("00000000-0000-4000-8000-000000000000", OLD_01, seed.OTHER_01):
            with self.subTest(server=server_id):
                r = self.get(f"/servers/{server_id}")
                self.assertEqual({"itemNotFound": {"code": 404, "message":
                                                   f"Instance {server_id} could not be found."}},
                                 r.json())
