"""Hostile server names and request ids, proven from the simulator's request log.

Each value is either refused before any request (the log stays empty: not
even a login) or reaches the simulator as exactly one percent-encoded path
segment (request ids) or as the exact-match name filter (server names).
"""

import re
from urllib import parse

from keystoneauth1 import session as ksa_session
from keystoneauth1.identity import v3

from fj_osc_actions import client as actions_client
from fj_osc_actions import errors
from tests.functional import base

HOSTILE = [
    "../x", "../../servers", "..", ".", "a/b", "/", "//", "a?b", "a?b=c", "?", "a#b", "#",
    "%2F", "%2e%2e", "%00", "a%20b", "a b", " leading", "trailing ", "a;b", "a&b=c",
    "a+b", "a@b:c", "a\\b", "'", '"', "<script>", "サーバ", "é", "😀", "req-\u202e",
    "x" * 255, "x" * 256, "x" * 10000, "", "   ", "\t", "a\nb", "a\rb", "\x00", "a\x00b",
    "\x1b[31m", "\x7f", "a\u0085b",
]


def refused_before_any_request(value: str) -> bool:
    """What the plugin must refuse: empty, control characters, too long, dots."""
    return (
        not value.strip()
        or any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value)
        or len(value) > 255
        or value in (".", "..")
    )


class HostileInputTest(base.FunctionalTestCase):
    def make_client(self) -> actions_client.ActionsClient:
        auth = v3.Password(auth_url=self.sim.identity_url, username="demo",
                           password=base.PASSWORDS["demo"], user_domain_name=base.DOMAIN,
                           project_name=base.PROJECT, project_domain_name=base.DOMAIN)
        return actions_client.ActionsClient(
            ksa_session.Session(auth=auth), region_name="jp-east-3",
            endpoint_override=self.sim.compute_endpoint_template, retries=0)

    def test_at_least_30_hostile_values(self):
        self.assertGreaterEqual(len(HOSTILE), 30)
        self.assertGreaterEqual(len([v for v in HOSTILE if refused_before_any_request(v)]), 10)
        self.assertGreaterEqual(len([v for v in HOSTILE if not refused_before_any_request(v)]), 20)

    def test_request_ids(self):
        prefix = f"/v2.1/{base.PROJECT_ID}/servers/{base.WEB_01}/os-instance-actions/"
        for value in HOSTILE:
            with self.subTest(value=value):
                self.sim.clear_log()
                client = self.make_client()
                with self.assertRaises(errors.ActionsError) as caught:
                    client.get_action(base.WEB_01, value)
                if refused_before_any_request(value):
                    self.assertIsInstance(caught.exception, errors.InvalidInput)
                    self.assertEqual([], self.sim.request_log)
                    continue
                self.assertIsInstance(caught.exception, errors.ActionNotFound)
                paths = self.compute_paths()
                self.assertEqual([prefix + parse.quote(value, safe="")], paths)
                self.assertNotIn("/", paths[0][len(prefix):])
                self.assertEqual("", self.sim.compute_requests()[0].query)

    def test_server_names(self):
        servers_path = f"/v2.1/{base.PROJECT_ID}/servers"
        for value in HOSTILE:
            with self.subTest(value=value):
                self.sim.clear_log()
                with self.assertRaises(errors.ActionsError) as caught:
                    self.make_client().get_action(self.make_client().find_server_id(value), "r")
                if refused_before_any_request(value):
                    self.assertIsInstance(caught.exception, errors.InvalidInput)
                    self.assertEqual([], self.sim.request_log)
                    continue
                self.assertIsInstance(caught.exception, errors.ServerNotFound)
                entries = self.sim.compute_requests()
                self.assertEqual([servers_path], [e.path for e in entries])
                self.assertEqual({"name": ["^" + re.escape(value) + "$"]},
                                 parse.parse_qs(entries[0].query, keep_blank_values=True))

    def test_through_the_real_openstack(self):
        prefix = f"/v2.1/{base.PROJECT_ID}/servers/{base.WEB_01}/os-instance-actions/"
        for value in ("../../servers", "a?b=c", "a#b", "%2F", "サーバ a/b"):
            with self.subTest(value=value):
                self.sim.clear_log()
                result = self.openstack("server", "action", "show", base.WEB_01, value)
                self.assert_one_line_failure(result, "not found")
                self.assertEqual([prefix + parse.quote(value, safe="")], self.compute_paths())
        for value in ("", "a\nb", "x" * 300):
            with self.subTest(value=value):
                self.sim.clear_log()
                result = self.openstack("server", "action", "show", base.WEB_01, value)
                self.assert_one_line_failure(result, "request ID")
                self.assertEqual([], self.sim.request_log)
