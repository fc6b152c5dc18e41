"""The library layer against requests-mock, with real Nova bodies."""

import http.client
import socket
import ssl
import unittest
from urllib import parse

import requests
import requests_mock

from fj_osc_actions import errors
from tests.unit import fakes

SHOW_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions/{fakes.FAILED_REQUEST}"
LIST_PATH = f"/servers/{fakes.SERVER_ID}/os-instance-actions"


class ClientTestCase(fakes.MockedCloudTestCase):
    pass


class GetActionTest(ClientTestCase):
    def test_one_request_with_microversion_headers(self):
        record = self.reply("show_failed_admin_2.84", SHOW_PATH)
        action = self.client(microversion="2.84").get_action(
            fakes.SERVER_ID, fakes.FAILED_REQUEST
        )
        self.assertEqual(record["body"]["instanceAction"], action.raw)
        calls = self.compute_calls()
        self.assertEqual(1, len(calls))
        self.assertEqual("compute 2.84", calls[0].headers["OpenStack-API-Version"])
        self.assertEqual("2.84", calls[0].headers["X-OpenStack-Nova-API-Version"])
        self.assertEqual(fakes.TOKEN, calls[0].headers["X-Auth-Token"])

    def test_default_microversion_is_258(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        self.client().get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        self.assertEqual("compute 2.58", self.compute_calls()[0].headers["OpenStack-API-Version"])

    def test_no_discovery_request_anywhere(self):
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        self.client().get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        paths = [r.path for r in self.m.request_history]
        # The login (a v3 auth URL needs no identity discovery) and the action.
        self.assertEqual(
            ["/v3/auth/tokens", "/v2.1/" + fakes.PROJECT_ID + SHOW_PATH],
            paths,
        )

    def test_endpoint_precedence(self):
        override_base = "http://override.test:8774/v2.1/" + fakes.PROJECT_ID
        catalog_base = fakes.COMPUTE_CATALOG_URL.format(project=fakes.PROJECT_ID)
        for base in (override_base, catalog_base, fakes.WEST):
            self.reply("show_failed_admin_2.84", SHOW_PATH, base=base)
        cases = [
            (dict(region_name="jp-east-3", endpoint_override=fakes.OVERRIDE_URL), override_base),
            (dict(region_name="jp-west-3"), fakes.WEST),
            (dict(region_name="RegionOne"), catalog_base),
            (dict(region_name="RegionOne", interface="internal"), catalog_base + "/internal"),
        ]
        self.reply("show_failed_admin_2.84", SHOW_PATH, base=catalog_base + "/internal")
        for kwargs, expected_base in cases:
            client = self.client(**kwargs)
            client.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
            self.assertEqual(expected_base, client.http.endpoint.url)
            self.assertEqual(expected_base + SHOW_PATH, self.m.last_request.url)

    def test_no_endpoint_in_catalog(self):
        with self.assertRaises(errors.EndpointNotFound) as caught:
            self.client(region_name="nowhere").get_action(fakes.SERVER_ID, "req-1")
        self.assertIn("No compute endpoint for region nowhere", str(caught.exception))

    def test_hostile_ids_are_one_encoded_segment(self):
        hostile = {
            "../../servers": "..%2F..%2Fservers",
            "a?b=c": "a%3Fb%3Dc",
            "a#b": "a%23b",
            "a/b": "a%2Fb",
            "%2F": "%252F",
            "with space": "with%20space",
            "サーバ": "%E3%82%B5%E3%83%BC%E3%83%90",
            "a;b": "a%3Bb",
            "\u00e9/..": "%C3%A9%2F..",
        }
        self.m.get(requests_mock.ANY, json=fakes.observed("show_failed_admin_2.84")["body"])
        fakes.register_identity(self.m)
        client = self.client()
        for value, encoded in hostile.items():
            client.get_action(fakes.SERVER_ID, value)
            path = fakes.raw_path(self.m.last_request)
            self.assertEqual(
                f"/v2.1/{fakes.PROJECT_ID}/servers/{fakes.SERVER_ID}/os-instance-actions/{encoded}",
                path,
                value,
            )
            self.assertEqual("", parse.urlsplit(self.m.last_request.url).query)
            # A server ID that the API returned for a name goes in a path too.
            self.m.get(fakes.EAST + "/servers", json={"servers": [{"id": value, "name": "web-01"}]})
            client.get_action("web-01", "req-1")
            self.assertEqual(
                f"/v2.1/{fakes.PROJECT_ID}/servers/{encoded}/os-instance-actions/req-1",
                fakes.raw_path(self.m.last_request),
            )

    def test_bad_input_refused_before_any_request(self):
        client = self.client()
        bad = ["", "   ", "a\nb", "a\x00b", "a\x1b[31m", "x" * 256, ".", ".."]
        for value in bad:
            with self.assertRaises(errors.InvalidInput):
                client.get_action(fakes.SERVER_ID, value)
            with self.assertRaises(errors.InvalidInput):
                client.get_action(value, "req-1")
        self.assertEqual([], self.m.request_history)

    def test_bad_microversion_refused_before_any_request(self):
        with self.assertRaises(errors.InvalidInput) as caught:
            self.client(microversion="2.x").get_action(fakes.SERVER_ID, "req-1")
        self.assertIn("'2.x'", str(caught.exception))
        self.assertEqual([], self.m.request_history)


class ErrorsTest(ClientTestCase):
    def get(self, **kwargs):
        with self.assertRaises(errors.ActionsError) as caught:
            self.client(**kwargs).get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        return caught.exception

    def test_404_action_vs_404_server(self):
        self.reply("show_unknown_request_404", SHOW_PATH)
        error = self.get()
        self.assertIsInstance(error, errors.ActionNotFound)
        self.assertIn(f"openstack server action list {fakes.SERVER_ID}", str(error))
        self.assertIn("x-openstack-request-id: req-trace-1", str(error))

        self.reply("show_unknown_server_404", SHOW_PATH)
        self.m.get(fakes.EAST + "/servers", json={"servers": []})
        error = self.get()
        self.assertIsInstance(error, errors.ServerNotFound)
        self.assertIn(f"Server '{fakes.SERVER_ID}' not found in region jp-east-3", str(error))
        self.assertIn("2.21", str(error))

    def test_other_nova_wordings_of_an_unknown_action(self):
        for wording in (f"Action for request_id {fakes.FAILED_REQUEST} on instance "
                        f"{fakes.SERVER_ID} not found",
                        f"Action {fakes.FAILED_REQUEST} could not be found."):
            self.m.get(fakes.EAST + SHOW_PATH, status_code=404,
                       json={"itemNotFound": {"code": 404, "message": wording}})
            self.assertIsInstance(self.get(), errors.ActionNotFound, wording)

    def test_a_uuid_looking_name_is_tried_as_a_name_after_a_404(self):
        upper = fakes.SERVER_ID.upper()
        self.reply("show_unknown_server_404", f"/servers/{upper}/os-instance-actions/{fakes.FAILED_REQUEST}")
        self.m.get(fakes.EAST + "/servers", json={"servers": [{"id": fakes.SERVER_ID, "name": upper}]})
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        action = self.client().get_action(upper, fakes.FAILED_REQUEST)
        self.assertEqual("reboot", action.action)
        self.assertEqual(3, len(self.compute_calls()))

    def test_401_mentions_token_expiry(self):
        self.reply("no_token_401", SHOW_PATH)
        error = self.get()
        self.assertIsInstance(error, errors.Unauthorized)
        self.assertIn("expire after 3 hours", str(error))

    def test_403_quotes_the_api(self):
        self.reply("list_no_role_403", SHOW_PATH)
        error = self.get()
        self.assertIsInstance(error, errors.Forbidden)
        self.assertIn("Policy doesn't allow os_compute_api:os-instance-actions:list", str(error))

    def test_406_names_the_version(self):
        self.reply("unsupported_mv_406", SHOW_PATH)
        error = self.get(microversion="2.999")
        self.assertIsInstance(error, errors.UnsupportedMicroversion)
        self.assertIn("does not support microversion 2.999", str(error))
        self.assertIn("maximum is 2.104", str(error))

    def test_500_and_html_502(self):
        self.m.get(fakes.EAST + SHOW_PATH, status_code=500, reason="Internal Server Error",
                   json={"computeFault": {"code": 500, "message": "Unexpected API Error."}})
        error = self.get()
        self.assertIsInstance(error, errors.ApiError)
        self.assertIn("HTTP 500 Internal Server Error", str(error))
        self.assertIn("Unexpected API Error. Try again later", str(error))
        self.assertNotIn("..", str(error))

        self.m.get(fakes.EAST + SHOW_PATH, status_code=502, reason="Bad Gateway",
                   text="<html><body><h1>502 Bad Gateway</h1>\n</body></html>",
                   headers={"Content-Type": "text/html"})
        error = self.get()
        self.assertIn("HTTP 502 Bad Gateway", str(error))
        self.assertNotIn("<html>", str(error))

    def test_not_json_and_missing_key(self):
        self.m.get(fakes.EAST + SHOW_PATH, text="not json at all")
        error = self.get()
        self.assertIsInstance(error, errors.UnexpectedResponse)
        self.assertIn("not JSON", str(error))
        self.m.get(fakes.EAST + SHOW_PATH, json={"something": {}})
        error = self.get()
        self.assertIn("no 'instanceAction'", str(error))
        self.m.get(fakes.EAST + SHOW_PATH, json={"instanceAction": {"events": None}})
        self.assertIsInstance(self.get(), errors.UnexpectedResponse)

    def test_transport_failures(self):
        cases = [
            (requests.exceptions.ConnectionError("refused"), "Cannot connect to the compute endpoint"),
            (requests.exceptions.ConnectTimeout("slow"), "Timed out"),
            (requests.exceptions.SSLError("bad cert"), "--os-cacert"),
            (requests.exceptions.ChunkedEncodingError("cut"), "connection to the compute endpoint"),
        ]
        for exc, expected in cases:
            self.m.get(fakes.EAST + SHOW_PATH, exc=exc)
            error = self.get()
            self.assertIsInstance(error, errors.EndpointUnreachable)
            self.assertIn(expected, str(error))
            self.assertIn("jp-east-3", str(error))

    def test_transport_reason_is_the_root_cause(self):
        # The chains as requests and urllib3 build them: typed causes, no text parsed.
        def chained(outer, inner):
            try:
                try:
                    raise inner
                except BaseException as cause:
                    raise outer from cause
            except BaseException as error:
                return error

        refused = chained(requests.exceptions.ConnectionError("Max retries exceeded"),
                          ConnectionRefusedError(111, "Connection refused"))
        unknown_host = chained(requests.exceptions.ConnectionError("Max retries exceeded"),
                               socket.gaierror(-2, "Name or service not known"))
        certificate = ssl.SSLCertVerificationError(1, "certificate verify failed")
        certificate.reason = "CERTIFICATE_VERIFY_FAILED"
        certificate.verify_message = "self-signed certificate"
        tls = chained(requests.exceptions.SSLError("Max retries exceeded"), certificate)
        cut = chained(requests.exceptions.ChunkedEncodingError("Connection broken"),
                      http.client.IncompleteRead(b"x" * 10, 90))
        for exc, expected in ((refused, ": Connection refused. Check the network"),
                              (unknown_host, ": Name or service not known. Check the network"),
                              (cut, ": the connection closed in the middle of the response "
                                    "(10 bytes read, 90 more expected). Try again."),
                              (tls, ": certificate verify failed: self-signed certificate. Give")):
            with self.subTest(expected=expected):
                self.m.get(fakes.EAST + SHOW_PATH, exc=exc)
                error = self.get()
                self.assertIn(expected, str(error))
                self.assertIn(f"compute endpoint at {fakes.EAST}{SHOW_PATH} (region jp-east-3)",
                              str(error))

    def test_login_refused(self):
        self.m.post(fakes.AUTH_URL + "/auth/tokens", status_code=401,
                    json={"error": {"code": 401, "title": "Unauthorized",
                                    "message": "The request you have made requires authentication."}})
        error = self.get()
        self.assertIsInstance(error, errors.Unauthorized)
        self.assertIn("Login refused by the identity service", str(error))
        self.assertIn("contract number", str(error))

    def test_retries_503_then_succeeds_but_not_500(self):
        body = fakes.observed("show_failed_admin_2.84")["body"]
        self.m.get(fakes.EAST + SHOW_PATH, [
            {"status_code": 503, "json": {"computeFault": {"code": 503, "message": "busy"}}},
            {"json": body},
        ])
        client = self.client(retries=2)
        with unittest.mock.patch("time.sleep"):
            action = client.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        self.assertEqual(body["instanceAction"], action.raw)
        self.assertEqual(2, len(self.compute_calls()))

        self.m.reset_mock()
        self.m.get(fakes.EAST + SHOW_PATH, status_code=500, json={})
        with unittest.mock.patch("time.sleep"):
            with self.assertRaises(errors.ApiError):
                client.get_action(fakes.SERVER_ID, fakes.FAILED_REQUEST)
        self.assertEqual(1, len(self.compute_calls()))


class FindServerTest(ClientTestCase):
    def servers(self, *names):
        self.m.get(fakes.EAST + "/servers", json={"servers": [
            {"id": f"id-{i}", "name": name, "links": []} for i, name in enumerate(names)
        ]})

    def test_uuid_needs_no_request(self):
        self.assertEqual(fakes.SERVER_ID, self.client().find_server_id(fakes.SERVER_ID))
        self.assertEqual([], self.m.request_history)

    def test_exact_name_match_with_one_lookup(self):
        # Nova's name filter is a regular expression: "web" also matches "web-01".
        self.servers("web-01", "web")
        self.assertEqual("id-1", self.client().find_server_id("web"))
        calls = self.compute_calls()
        self.assertEqual(1, len(calls))
        self.assertEqual(["^web$"], calls[0].qs["name"])

    def test_regex_characters_are_escaped(self):
        self.servers("a.b")
        self.client().find_server_id("a.b")
        self.assertEqual(r"^a\.b$", self.m.last_request.qs["name"][0])

    def test_none_or_several(self):
        self.servers("app", "app")
        with self.assertRaises(errors.AmbiguousServerName) as caught:
            self.client().find_server_id("app")
        self.assertIn("2 servers are named 'app'", str(caught.exception))
        self.assertIn("id-0, id-1", str(caught.exception))
        self.servers("other")
        with self.assertRaises(errors.ServerNotFound) as caught:
            self.client().find_server_id("app")
        self.assertIn("No server named 'app' in region jp-east-3", str(caught.exception))


class ByNameOrIdTest(ClientTestCase):
    """get_action / list_actions with a name: every check before the name lookup."""

    def test_bad_input_with_a_name_sends_nothing(self):
        client = self.client()
        for call in (
            lambda: client.get_action("web-01", "req\n1"),
            lambda: client.get_action("web-01", ""),
            lambda: client.list_actions("web-01", limit=0),
            lambda: client.list_actions("web-01", marker="a\tb"),
            lambda: client.list_actions("web-01", changes_since="soon"),
            lambda: self.client(microversion="2.58").list_actions(
                "web-01", changes_before="2026-01-01T00:00:00Z"),
            lambda: self.client(microversion="x").get_action("web-01", "req-1"),
        ):
            with self.assertRaises(errors.InvalidInput):
                call()
        self.assertEqual([], self.m.request_history)

    def test_name_then_action(self):
        self.m.get(fakes.EAST + "/servers", json={"servers": [
            {"id": fakes.SERVER_ID, "name": "web-01", "links": []}]})
        self.reply("show_failed_admin_2.84", SHOW_PATH)
        self.reply("list_demo_2.58", LIST_PATH)
        client = self.client()
        self.assertEqual("reboot", client.get_action("web-01", fakes.FAILED_REQUEST).action)
        self.assertEqual(6, len(list(client.list_actions("web-01"))))
        self.assertEqual(["/servers", SHOW_PATH, "/servers", LIST_PATH],
                         [c.path[len("/v2.1/" + fakes.PROJECT_ID):] for c in self.compute_calls()])


class ListActionsTest(ClientTestCase):
    def page(self, ids, next_marker=None, host="http://compute.example.com"):
        body = {"instanceActions": [
            {"request_id": i, "action": "reboot", "start_time": "2026-01-01T00:00:00",
             "updated_at": "2026-01-01T00:00:01", "message": None} for i in ids
        ]}
        if next_marker:
            body["links"] = [{"rel": "next", "href":
                              f"{host}/v2.1/p/servers/s/os-instance-actions?limit=2&marker={next_marker}"}]
        return {"json": body}

    def test_follows_next_links_on_our_endpoint_only(self):
        url = fakes.EAST + LIST_PATH
        self.m.get(url, [self.page(["r1", "r2"], "r2"), self.page(["r3", "r4"], "r4"),
                         self.page(["r5"])])
        actions = list(self.client().list_actions(fakes.SERVER_ID))
        self.assertEqual(["r1", "r2", "r3", "r4", "r5"], [a.request_id for a in actions])
        calls = self.compute_calls()
        self.assertEqual(3, len(calls))
        # The link's http://compute.example.com is not followed: same endpoint, new marker.
        self.assertTrue(all(c.url.startswith(fakes.EAST) for c in calls))
        self.assertEqual([None, ["r2"], ["r4"]], [c.qs.get("marker") for c in calls])

    def test_streams_page_by_page(self):
        url = fakes.EAST + LIST_PATH
        self.m.get(url, [self.page(["r1"], "r1"), self.page(["r2"])])
        iterator = self.client().list_actions(fakes.SERVER_ID)
        self.assertEqual(1, len(self.compute_calls()))  # first page fetched eagerly
        self.assertEqual("r1", next(iterator).request_id)
        self.assertEqual(1, len(self.compute_calls()))
        self.assertEqual("r2", next(iterator).request_id)
        self.assertEqual(2, len(self.compute_calls()))

    def test_limit_is_one_page(self):
        self.m.get(fakes.EAST + LIST_PATH, [self.page(["r1", "r2"], "r2")])
        actions = list(self.client().list_actions(fakes.SERVER_ID, limit=2, marker="r0"))
        self.assertEqual(2, len(actions))
        self.assertEqual({"limit": ["2"], "marker": ["r0"]}, self.compute_calls()[0].qs)

    def test_repeated_marker_stops_with_an_error(self):
        self.m.get(fakes.EAST + LIST_PATH, [self.page(["r1"], "r1")])
        with self.assertRaises(errors.UnexpectedResponse):
            list(self.client().list_actions(fakes.SERVER_ID))

    def test_filters_validated_and_gated(self):
        client = self.client(microversion="2.58")
        with self.assertRaises(errors.InvalidInput) as caught:
            client.list_actions(fakes.SERVER_ID, changes_before="2026-01-01T00:00:00Z")
        self.assertIn("2.66", str(caught.exception))
        for bad in ("yesterday", "2026-13-01T00:00:00", "2026-01-01"):
            with self.assertRaises(errors.InvalidInput):
                client.list_actions(fakes.SERVER_ID, changes_since=bad)
        for bad in (0, -3):
            with self.assertRaises(errors.InvalidInput):
                client.list_actions(fakes.SERVER_ID, limit=bad)
        old = self.client(microversion="2.21")
        for kwargs in ({"limit": 1}, {"marker": "r"}, {"changes_since": "2026-01-01T00:00:00Z"}):
            with self.assertRaises(errors.InvalidInput):
                old.list_actions(fakes.SERVER_ID, **kwargs)
        self.assertEqual([], self.m.request_history)

    def test_filters_sent(self):
        self.m.get(fakes.EAST + LIST_PATH, [self.page(["r1"])])
        list(self.client(microversion="2.66").list_actions(
            fakes.SERVER_ID, changes_since="2026-01-01T00:00:00Z",
            changes_before="2026-02-01T09:00:00+09:00"))
        qs = parse.parse_qs(parse.urlsplit(self.m.last_request.url).query)
        self.assertEqual(["2026-01-01T00:00:00Z"], qs["changes-since"])
        self.assertEqual(["2026-02-01T09:00:00+09:00"], qs["changes-before"])

    def test_real_list_bodies(self):
        record = self.reply("list_demo_2.58", LIST_PATH)
        actions = list(self.client().list_actions(fakes.SERVER_ID))
        self.assertEqual([a["request_id"] for a in record["body"]["instanceActions"]],
                         [a.request_id for a in actions])
        self.assertIsNone(actions[4].user_id)

    def test_changes_before_400_from_api(self):
        self.reply("list_admin_2.58_changes_before_400", LIST_PATH)
        with self.assertRaises(errors.BadRequest) as caught:
            list(self.client().list_actions(fakes.SERVER_ID))
        self.assertIn("'changes-before' was unexpected", str(caught.exception))
