"""Tests of the FJcloud-O simulator, plus a small base class they share."""

import json
import os
import unittest

import requests

from fj_osc_actions.simulator import Simulator
from fj_osc_actions.simulator import data as simdata

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                        os.pardir, "fixtures")
OBSERVED = os.path.join(FIXTURES, "nova-34-observed")
SAMPLES = os.path.join(FIXTURES, "nova-api-samples", "os-instance-actions")

PROJECT = simdata.PROJECT_ID
DOMAIN = simdata.DOMAIN_NAME
WEB_01 = simdata.WEB_01
OLD_01 = simdata.OLD_01
PASSWORDS = {"admin": "admin-secret", "demo": "demo-secret",
             "other": "other-secret", "guest": "guest-secret"}
TIMEOUT = 10


def rid(n):
    return "req-%08d-0000-4000-8000-%012d" % (n, n)


def load_observed(name):
    with open(os.path.join(OBSERVED, name), encoding="utf-8") as f:
        return json.load(f)


def password_auth(user, password=None, project="demo-project", domain=DOMAIN):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"name": domain},
                 "password": PASSWORDS.get(user, "x") if password is None
                 else password}}}}}
    if project is not None:
        body["auth"]["scope"] = {"project": {"name": project,
                                             "domain": {"name": domain}}}
    return body


class SimTestCase(unittest.TestCase):
    """Starts one simulator per test (stopped by addCleanup)."""

    sim_kwargs = {}

    def setUp(self):
        super().setUp()
        self.sim = Simulator(**self.sim_kwargs).start()
        self.addCleanup(self.sim.stop)
        self.http = requests.Session()
        self.addCleanup(self.http.close)
        self._tokens = {}

    def issue(self, body):
        return self.http.post(self.sim.identity_url + "/auth/tokens", json=body,
                              timeout=TIMEOUT)

    def token(self, user="demo", project=None):
        key = (user, project)
        if key not in self._tokens:
            if project is None:
                project = ("other-project" if user == "other" else "demo-project")
            r = self.issue(password_auth(user, project=project))
            self.assertEqual(201, r.status_code, r.text)
            self._tokens[key] = r.headers["X-Subject-Token"]
        return self._tokens[key]

    def get(self, path, mv=None, user="demo", token=None, project=PROJECT,
            headers=None, **kw):
        """GET ``/v2.1/{project}{path}`` (path already encoded)."""
        h = {}
        if user is not None or token is not None:
            h["X-Auth-Token"] = token or self.token(user)
        if mv is not None:
            h["OpenStack-API-Version"] = "compute %s" % mv
        h.update(headers or {})
        kw.setdefault("timeout", TIMEOUT)
        return self.http.get("%s/v2.1/%s%s" % (self.sim.url, project, path),
                             headers=h, **kw)

    def actions_path(self, server=WEB_01, request_id=None):
        p = "/servers/%s/os-instance-actions" % server
        if request_id is not None:
            p += "/" + request_id
        return p
