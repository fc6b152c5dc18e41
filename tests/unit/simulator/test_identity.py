"""Keystone v3 side of the simulator."""

from __future__ import annotations

import requests
from keystoneauth1 import discover
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from fj_osc_actions_simulator import Simulator, seed
from fj_osc_actions_simulator.seed import DOMAIN_NAME as DOMAIN, PROJECT_ID as PROJECT, WEB_01
from tests.unit.simulator import SimTestCase, load_observed, password_auth

UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized", "message":
                          "The request you have made requires authentication."}}


class TokenTest(SimTestCase):

    def test_issue_by_names(self):
        r = self.issue(password_auth("admin"))
        self.assertEqual(201, r.status_code)
        self.assertTrue(r.headers["X-Subject-Token"])
        self.assertTrue(r.headers["x-openstack-request-id"].startswith("req-"))
        tok = r.json()["token"]
        for key in ("expires_at", "issued_at", "user", "project", "roles",
                    "methods", "catalog"):
            self.assertIn(key, tok)
        self.assertEqual(["password"], tok["methods"])
        self.assertEqual("admin", tok["user"]["name"])
        self.assertEqual({"id": seed.DOMAIN_ID, "name": DOMAIN},
                         tok["user"]["domain"])
        self.assertEqual(PROJECT, tok["project"]["id"])
        self.assertEqual("demo-project", tok["project"]["name"])
        self.assertEqual(DOMAIN, tok["project"]["domain"]["name"])
        self.assertEqual({"admin", "member", "reader"},
                         {x["name"] for x in tok["roles"]})
        self.assertTrue(tok["expires_at"].endswith("Z"))
        self.assertGreater(tok["expires_at"], tok["issued_at"])

    def test_issue_by_ids(self):
        body = {"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"id": "demo", "password": "demo-secret"}}},
            "scope": {"project": {"id": PROJECT}}}}
        r = self.issue(body)
        self.assertEqual(201, r.status_code, r.text)
        self.assertEqual(PROJECT, r.json()["token"]["project"]["id"])
        body = {"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": "demo", "domain": {"id": seed.DOMAIN_ID},
                     "password": "demo-secret"}}},
            "scope": {"project": {"name": "demo-project",
                                  "domain": {"id": seed.DOMAIN_ID}}}}}
        self.assertEqual(201, self.issue(body).status_code)

    def test_wrong_password_and_unknown_user(self):
        for body in (password_auth("demo", password="nope"),
                     password_auth("nobody", password="x"),
                     password_auth("demo", domain="C9999999999"),
                     password_auth("other", project="demo-project"),
                     password_auth("demo", project="no-such-project")):
            with self.subTest(body=body["auth"]["identity"]):
                r = self.issue(body)
                self.assertEqual(401, r.status_code)
                self.assertEqual(UNAUTHORIZED, r.json())
                self.assertNotIn("X-Subject-Token", r.headers)

    def test_malformed_auth_request(self):
        r = self.http.post(self.sim.identity_url + "/auth/tokens", data="{",
                           headers={"Content-Type": "application/json"})
        self.assertEqual(400, r.status_code)
        self.assertEqual(400, r.json()["error"]["code"])

    def test_catalog(self):
        tok = self.issue(password_auth("demo")).json()["token"]
        by_type = {s["type"]: s for s in tok["catalog"]}
        self.assertEqual({"compute", "identity"}, set(by_type))
        compute = by_type["compute"]
        self.assertEqual("nova", compute["name"])
        eps = {(e["region_id"], e["interface"]): e["url"]
               for e in compute["endpoints"]}
        want = f"{self.sim.url}/v2.1/{PROJECT}"
        self.assertEqual({(r, i): want for r in ("jp-east-3", "jp-west-3")
                          for i in ("public", "internal")}, eps)
        ident = {(e["region_id"], e["interface"]): e["url"]
                 for e in by_type["identity"]["endpoints"]}
        self.assertEqual({"jp-east-3", "jp-west-3"}, {r for r, _ in ident})
        self.assertEqual({self.sim.identity_url}, set(ident.values()))
        for e in compute["endpoints"]:
            self.assertEqual(e["region_id"], e["region"])

    def test_other_project_catalog_has_its_id(self):
        tok = self.issue(password_auth("other", project="other-project")).json()
        compute = [s for s in tok["token"]["catalog"] if s["type"] == "compute"][0]
        for e in compute["endpoints"]:
            self.assertTrue(e["url"].endswith("/v2.1/" + seed.OTHER_PROJECT_ID))

    def test_unscoped_token_has_no_catalog(self):
        r = self.issue(password_auth("demo", project=None))
        self.assertEqual(201, r.status_code)
        self.assertNotIn("catalog", r.json()["token"])
        self.assertNotIn("project", r.json()["token"])

    def test_token_method_rescopes(self):
        unscoped = self.issue(password_auth("demo", project=None))
        body = {"auth": {"identity": {"methods": ["token"], "token": {
            "id": unscoped.headers["X-Subject-Token"]}},
            "scope": {"project": {"id": PROJECT}}}}
        r = self.issue(body)
        self.assertEqual(201, r.status_code, r.text)
        self.assertEqual(["token"], r.json()["token"]["methods"])
        self.assertEqual(PROJECT, r.json()["token"]["project"]["id"])
        self.assertEqual(200, self.get("/servers",
                                       token=r.headers["X-Subject-Token"])
                         .status_code)
        body["auth"]["identity"]["token"]["id"] = "bogus"
        self.assertEqual(401, self.issue(body).status_code)

    def test_validate_token(self):
        admin = self.token("admin")
        demo = self.token("demo")
        r = self.http.get(self.sim.identity_url + "/auth/tokens",
                          headers={"X-Auth-Token": admin, "X-Subject-Token": demo})
        self.assertEqual(200, r.status_code)
        self.assertEqual(demo, r.headers["X-Subject-Token"])
        self.assertEqual("demo", r.json()["token"]["user"]["name"])
        r = self.http.get(self.sim.identity_url + "/auth/tokens",
                          headers={"X-Auth-Token": admin, "X-Subject-Token": "x"})
        self.assertEqual(404, r.status_code)
        r = self.http.get(self.sim.identity_url + "/auth/tokens",
                          headers={"X-Subject-Token": demo})
        self.assertEqual(401, r.status_code)

    def test_version_documents(self):
        r = self.http.get(self.sim.url + "/")
        self.assertEqual(300, r.status_code)
        values = r.json()["versions"]["values"]
        self.assertEqual("v3.14", values[0]["id"])
        self.assertEqual(self.sim.identity_url + "/",
                         values[0]["links"][0]["href"])
        for path in ("/v3", "/v3/"):
            r = self.http.get(self.sim.url + path)
            self.assertEqual(200, r.status_code)
            version = r.json()["version"]
            self.assertEqual("stable", version["status"])
            self.assertEqual([{"rel": "self", "href": self.sim.identity_url + "/"}],
                             version["links"])
            self.assertIn("media-types", version)
            self.assertTrue(r.headers["x-openstack-request-id"].startswith("req-"))

    def test_log_has_no_secrets(self):
        token = self.token("demo")
        self.get("/servers", token=token)
        text = repr(self.sim.request_log)
        self.assertNotIn(token, text)
        self.assertNotIn("demo-secret", text)
        r = self.http.get(self.sim.url + "/_sim/log")
        self.assertNotIn(token, r.text)
        self.assertNotIn("demo-secret", r.text)
        self.assertEqual([token], self.sim.issued_token_ids())


class ExpiryTest(SimTestCase):

    sim_kwargs = {"token_ttl": 60}
    manual_clock = True

    def test_token_expires_after_ttl(self):
        token = self.token("demo")
        issued = self.issue(password_auth("demo")).json()["token"]
        self.assertEqual(("2026-03-02T00:00:00.000000Z", "2026-03-02T00:01:00.000000Z"),
                         (issued["issued_at"], issued["expires_at"]))
        self.clock.advance(59.9)
        self.assertEqual(200, self.get("/servers", token=token).status_code)
        self.clock.advance(0.1)
        r = self.get("/servers", token=token)
        self.assertEqual(401, r.status_code)
        self.assertEqual(load_observed("no_token_401.json")["body"], r.json())
        self.assertIn("WWW-Authenticate", r.headers)


class ExpireControlTest(SimTestCase):

    def test_sim_tokens_expire(self):
        token = self.token("demo")
        self.assertEqual(200, self.get("/servers", token=token).status_code)
        r = self.http.post(self.sim.url + "/_sim/tokens/expire")
        self.assertEqual(200, r.status_code)
        self.assertEqual(401, self.get("/servers", token=token).status_code)
        # a new login works again
        fresh = self.issue(password_auth("demo")).headers["X-Subject-Token"]
        self.assertEqual(200, self.get("/servers", token=fresh).status_code)

    def test_python_expire_tokens(self):
        token = self.token("admin")
        self.sim.expire_tokens()
        r = self.get(self.actions_path(WEB_01), token=token)
        self.assertEqual(401, r.status_code)


class KeystoneauthTest(SimTestCase):

    def session(self, **login):
        """A keystoneauth session of a password login (demo by default)."""
        env = self.sim.os_env(login.pop("username", "demo"))
        auth = v3.Password(**{"auth_url": env["OS_AUTH_URL"], "username": env["OS_USERNAME"],
                              "password": env["OS_PASSWORD"],
                              "user_domain_name": env["OS_USER_DOMAIN_NAME"],
                              "project_name": env["OS_PROJECT_NAME"],
                              "project_domain_name": env["OS_PROJECT_DOMAIN_NAME"], **login})
        return ks_session.Session(auth=auth)

    def test_password_session(self):
        sess = self.session()
        self.assertTrue(sess.get_token())
        self.assertEqual(PROJECT, sess.get_project_id())
        for region in ("jp-east-3", "jp-west-3"):
            self.assertEqual(
                f"{self.sim.url}/v2.1/{PROJECT}",
                sess.get_endpoint(service_type="compute", region_name=region,
                                  interface="public"))
        r = sess.get(f"/servers/{WEB_01}/os-instance-actions",
                     endpoint_filter={"service_type": "compute",
                                      "region_name": "jp-east-3",
                                      "interface": "public"},
                     headers={"OpenStack-API-Version": "compute 2.58"})
        self.assertEqual(6, len(r.json()["instanceActions"]))

    def test_login_by_ids(self):
        sess = self.session(username="admin", user_domain_name=None,
                            user_domain_id=seed.DOMAIN_ID, project_name=None,
                            project_domain_name=None, project_id=PROJECT)
        self.assertEqual(PROJECT, sess.get_project_id())

    def test_discovery_of_auth_url_without_version(self):
        disc = discover.get_discovery(self.session(), self.sim.url + "/", authenticated=False)
        self.assertEqual((3, 14), disc.version_data()[0]["version"])

    def test_compute_discovery(self):
        data = self.session().get_endpoint_data(
            service_type="compute", region_name="jp-east-3", interface="public",
            min_version="2.0", max_version="2.latest")
        self.assertEqual((2, 1), data.min_microversion)
        self.assertEqual((2, 104), data.max_microversion)


class MaxMicroversionTest(SimTestCase):
    sim_kwargs = {"max_microversion": "2.79"}

    def test_lower_maximum(self):
        r = self.get(self.actions_path(WEB_01), mv="2.84")
        self.assertEqual(406, r.status_code)
        self.assertEqual("Version 2.84 is not supported by the API. Minimum is 2.1 "
                         "and maximum is 2.79.",
                         r.json()["computeFault"]["message"])
        r = self.get(self.actions_path(WEB_01), mv="latest")
        self.assertEqual("compute 2.79", r.headers["OpenStack-API-Version"])
        r = self.http.get(self.sim.url + "/v2.1/")
        self.assertEqual("2.79", r.json()["version"]["version"])


class ContextManagerTest(SimTestCase):

    def test_with_statement_stops(self):
        with Simulator() as sim:
            url = sim.url
            self.assertEqual(200, requests.get(url + "/v3", timeout=5).status_code)
        with self.assertRaises(requests.ConnectionError):
            requests.get(url + "/v3", timeout=5)
