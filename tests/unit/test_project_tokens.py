"""The contract view's cache: each project's token and the listing of the
projects, kept for the next run (tokens in files of a temporary directory)."""

from __future__ import annotations

import os
import tempfile

from fj_osc_actions import contract
from fj_osc_actions import project_tokens
from fj_osc_actions import tokencache
from tests.unit import fakes
from tests.unit.test_contract import P1, P2, P3, ContractTestCase

IDENTITY = {"auth_url": fakes.AUTH_URL, "auth_type": "password", "username": "demo",
            "user_domain_name": "C1", "project_name": "demo-project",
            "project_domain_name": "C1", "region": "jp-east-3"}


class ProjectTokensTest(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = os.path.join(directory.name, "fj-osc-actions")

    def tokens(self) -> project_tokens.ProjectTokens:
        return project_tokens.ProjectTokens(IDENTITY, tokencache.TokenCache(self.directory))

    def identity_calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.m.request_history if r.path.startswith("/v3")]

    def read(self, tokens: project_tokens.ProjectTokens, wanted=None) -> list:
        reader = contract.Contract(fakes.session(), region_name="jp-east-3", tokens=tokens)
        return [(row.project.id, row.action.request_id) for row in reader.read(wanted)]

    def test_a_second_run_asks_the_identity_service_for_nothing_but_the_login(self):
        first = self.read(self.tokens())
        self.assertIn(("GET", "/v3/auth/projects"), self.identity_calls())
        self.assertEqual([["password"], ["token"], ["token"]], self.cloud.login_methods)
        # a project's key is the identity and that project: one file each, and the listing
        self.assertEqual(3, len(os.listdir(self.directory)))
        self.m.reset_mock()
        self.cloud.login_methods.clear()
        second = self.read(self.tokens())
        self.assertEqual(first, second)
        # only the password login of the new session (OSC's own token is
        # cached by the commands' hook, tested in test_tokencache)
        self.assertEqual([["password"]], self.cloud.login_methods)
        self.assertNotIn(("GET", "/v3/auth/projects"), self.identity_calls())

    def test_a_project_the_kept_listing_lacks_is_asked_again(self):
        tokens = self.tokens()
        earlier = fakes.session()
        earlier.get_auth_headers()
        self.assertTrue(tokens.store_listing(earlier.auth, [{"id": P1, "name": "p1"}]))
        self.m.reset_mock()
        rows = self.read(tokens, [P3])
        self.assertEqual({P3}, {project for project, _request in rows})
        self.assertIn(("GET", "/v3/auth/projects"), self.identity_calls())

    def test_keys_differ_per_project(self):
        keys = {tokencache.cache_key(IDENTITY, project) for project in (P1, P2, P3)}
        self.assertEqual(3, len(keys))
        self.assertNotIn(tokencache.cache_key(IDENTITY), keys)
