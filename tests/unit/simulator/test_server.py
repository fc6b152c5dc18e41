"""The Simulator object: how to reach it (os_env, clouds.yaml), life cycle."""

from __future__ import annotations

import os
import tempfile
import warnings

import requests
import yaml
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from openstack import config as os_config

from fj_osc_actions_simulator import Simulator, seed
from tests.unit.simulator import TIMEOUT, SimTestCase


class OsEnvTest(SimTestCase):

    def login(self, env):
        auth = v3.Password(auth_url=env["OS_AUTH_URL"], username=env["OS_USERNAME"],
                           password=env["OS_PASSWORD"],
                           user_domain_name=env["OS_USER_DOMAIN_NAME"],
                           project_name=env["OS_PROJECT_NAME"],
                           project_domain_name=env["OS_PROJECT_DOMAIN_NAME"])
        return ks_session.Session(auth=auth)

    def test_every_seeded_user_logs_in_to_its_project(self):
        for user, project in (("demo", seed.PROJECT_ID), ("admin", seed.PROJECT_ID),
                              ("guest", seed.PROJECT_ID), ("other", seed.OTHER_PROJECT_ID)):
            with self.subTest(user=user):
                env = self.sim.os_env(user)
                session = self.login(env)
                self.assertEqual(project, session.get_project_id())
                # The catalog of the login points at this simulator's compute API.
                endpoint = session.get_endpoint(service_type="compute", interface="public",
                                                region_name=env["OS_REGION_NAME"],
                                                skip_discovery=True)
                self.assertEqual(f"{self.sim.url}/v2.1/{project}", endpoint)

    def test_demo(self):
        url = self.sim.url
        self.assertEqual({
            "OS_AUTH_URL": f"{url}/v3", "OS_USERNAME": "demo", "OS_PASSWORD": "demo-secret",
            "OS_USER_DOMAIN_NAME": "C0000000001", "OS_PROJECT_NAME": "demo-project",
            "OS_PROJECT_DOMAIN_NAME": "C0000000001", "OS_REGION_NAME": "jp-east-3",
            "OS_INTERFACE": "public", "OS_IDENTITY_API_VERSION": "3"}, self.sim.os_env())

    def test_other_password(self):
        env = self.sim.os_env("demo", password="wrong")
        self.assertEqual("wrong", env["OS_PASSWORD"])
        response = self.http.post(env["OS_AUTH_URL"] + "/auth/tokens", timeout=TIMEOUT, json={
            "auth": {"identity": {"methods": ["password"], "password": {"user": {
                "name": "demo", "domain": {"name": env["OS_USER_DOMAIN_NAME"]},
                "password": env["OS_PASSWORD"]}}}}})
        self.assertEqual(401, response.status_code)

    def test_unknown_user(self):
        with self.assertRaisesRegex(ValueError, "no user 'nobody'"):
            self.sim.os_env("nobody")

    def test_users_of_a_data_file(self):
        data = {"domains": [{"id": "d2", "name": "C0000000002"}],
                "projects": [{"id": "p2", "name": "batch", "domain_id": "d2"}],
                "users": [{"id": "u2", "name": "ops", "domain_id": "d2", "password": "pw",
                           "roles": {"p2": ["member"]}}],
                "servers": []}
        with Simulator(data=data) as sim:
            env = sim.os_env("ops")
            self.assertEqual(("ops", "pw", "C0000000002", "batch", "C0000000002"),
                             (env["OS_USERNAME"], env["OS_PASSWORD"],
                              env["OS_USER_DOMAIN_NAME"], env["OS_PROJECT_NAME"],
                              env["OS_PROJECT_DOMAIN_NAME"]))
            self.assertEqual("p2", self.login(env).get_project_id())

    def test_clouds_yaml_cloud_is_read_by_openstacksdk(self):
        cloud = self.sim.clouds_yaml_cloud("admin")
        self.assertEqual(3, cloud["identity_api_version"])
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "clouds.yaml")
            with open(path, "w", encoding="utf-8") as handle:
                yaml.safe_dump({"clouds": {"sim": cloud}}, handle)
            with warnings.catch_warnings():  # openstacksdk's own deprecations
                warnings.simplefilter("ignore")
                region = os_config.OpenStackConfig(config_files=[path]).get_one("sim")
        self.assertEqual("jp-east-3", region.region_name)
        self.assertNotIn("compute_endpoint_override", region.config)
        session = region.get_session()
        self.assertEqual(seed.PROJECT_ID, session.get_project_id())
        self.assertEqual("admin", session.auth.get_access(session).username)


class LifeCycleTest(SimTestCase):

    def test_with_statement_stops(self):
        with Simulator() as sim:
            url = sim.url
            self.assertEqual(200, requests.get(url + "/v3", timeout=TIMEOUT).status_code)
        with self.assertRaises(requests.ConnectionError):
            requests.get(url + "/v3", timeout=TIMEOUT)

    def test_not_started(self):
        with self.assertRaisesRegex(RuntimeError, "not started"):
            Simulator().url

    def test_start_twice_is_one_server(self):
        port = self.sim.port
        self.assertIs(self.sim, self.sim.start())
        self.assertEqual(port, self.sim.port)
