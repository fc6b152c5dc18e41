"""Tests of the FJcloud-O simulator, plus a small base class they share."""

from __future__ import annotations

import json
import os
import unittest
from typing import Any

import requests

from fj_osc_actions_simulator import ManualClock, Simulator
from fj_osc_actions_simulator import seed

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                        "fixtures")
OBSERVED = os.path.join(FIXTURES, "nova-34-observed")
SAMPLES = os.path.join(FIXTURES, "nova-api-samples", "os-instance-actions")

TIMEOUT = 10
rid = seed.request_id


def load_observed(name: str) -> Any:
    with open(os.path.join(OBSERVED, name), encoding="utf-8") as handle:
        return json.load(handle)


def password_auth(user: str, password: str | None = None,
                  project: str | None = seed.PROJECT_NAME,
                  domain: str = seed.DOMAIN_NAME) -> dict[str, Any]:
    """A Keystone v3 password login body (scoped to ``project`` unless None)."""
    body: dict[str, Any] = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"name": domain},
                 "password": seed.PASSWORDS.get(user, "x") if password is None
                 else password}}}}}
    if project is not None:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"name": domain}}}
    return body


class SimTestCase(unittest.TestCase):
    """Starts one simulator per test (stopped by addCleanup)."""

    sim_kwargs: dict[str, Any] = {}
    #: True: the simulator's time is ``self.clock``, moved by the test.
    manual_clock = False

    def setUp(self) -> None:
        super().setUp()
        self.clock = ManualClock() if self.manual_clock else None
        self.sim = Simulator(**self.sim_kwargs, clock=self.clock).start()
        self.addCleanup(self.sim.stop)
        self.http = requests.Session()
        self.addCleanup(self.http.close)
        self._tokens: dict[tuple[str, str | None], str] = {}

    def issue(self, body: dict[str, Any]) -> requests.Response:
        return self.http.post(self.sim.identity_url + "/auth/tokens", json=body,
                              timeout=TIMEOUT)

    def token(self, user: str = "demo", project: str | None = None) -> str:
        key = (user, project)
        if key not in self._tokens:
            if project is None:
                project = seed.OTHER_PROJECT_NAME if user == "other" else seed.PROJECT_NAME
            response = self.issue(password_auth(user, project=project))
            self.assertEqual(201, response.status_code, response.text)
            self._tokens[key] = response.headers["X-Subject-Token"]
        return self._tokens[key]

    def get(self, path: str, mv: str | None = None, user: str | None = "demo",
            token: str | None = None, project: str = seed.PROJECT_ID,
            headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        """GET ``/v2.1/{project}{path}`` (path already encoded)."""
        sent = {}
        if user is not None or token is not None:
            sent["X-Auth-Token"] = token or self.token(user or "demo")
        if mv is not None:
            sent["OpenStack-API-Version"] = f"compute {mv}"
        sent.update(headers or {})
        kwargs.setdefault("timeout", TIMEOUT)
        return self.http.get(f"{self.sim.url}/v2.1/{project}{path}", headers=sent, **kwargs)

    def actions_path(self, server: str = seed.WEB_01, request_id: str | None = None) -> str:
        path = f"/servers/{server}/os-instance-actions"
        if request_id is not None:
            path += "/" + request_id
        return path
