import unittest

from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import regions


FJ_IDENTITY = "https://identity.jp-east-3.cloud.global.fujitsu.com/v3"


def _never() -> str:
    raise AssertionError("must not be called")


class ResolveComputeEndpointTest(unittest.TestCase):
    def test_override_beats_builtin_region(self):
        endpoint = regions.resolve_compute_endpoint(
            "jp-east-3", "http://h:1/v2.1/%(project_id)s/", lambda: "p1", _never
        )
        self.assertEqual("http://h:1/v2.1/p1", endpoint.url)
        self.assertEqual(regions.SOURCE_OVERRIDE, endpoint.source)

    def test_builtin_region_beats_catalog_for_fjcloud_logins(self):
        for region in ("jp-east-3", "jp-west-3"):
            endpoint = regions.resolve_compute_endpoint(
                region, None, lambda: "p1", _never, auth_url=FJ_IDENTITY
            )
            self.assertEqual(
                f"https://compute.{region}.cloud.global.fujitsu.com/v2.1/p1", endpoint.url
            )
            self.assertEqual(regions.SOURCE_BUILTIN, endpoint.source)

    def test_other_identity_services_use_their_catalog_for_every_region_name(self):
        for auth_url in (None, "http://127.0.0.1:5000/v3", "https://identity.example.com/v3",
                         "https://identity.jp-east-3.cloud.global.fujitsu.com.evil.test/v3",
                         "https://identity.jp-north-9.cloud.global.fujitsu.com/v3"):
            endpoint = regions.resolve_compute_endpoint(
                "jp-east-3", None, _never, lambda: "http://nova:8774/v2.1/x", auth_url=auth_url
            )
            self.assertEqual(regions.SOURCE_CATALOG, endpoint.source, auth_url)
            self.assertEqual("http://nova:8774/v2.1/x", endpoint.url)

    def test_tenant_id_placeholder(self):
        endpoint = regions.resolve_compute_endpoint(
            None, "http://h/v2.1/%(tenant_id)s", lambda: "p1", _never
        )
        self.assertEqual("http://h/v2.1/p1", endpoint.url)

    def test_bad_overrides_are_refused_naming_the_setting(self):
        cases = {
            "compute.example.com/v2.1": "absolute http or https URL",
            "ftp://h/v2.1": "absolute http or https URL",
            "http:///v2.1": "absolute http or https URL",
            "http://h/v2.1?x=1": "query or fragment",
            "http://h/v2.1#frag": "query or fragment",
            "http://h/v2.1/%(project)s": "placeholder other than",
            "http://h/v2.1/%(project_id)s/%(user_id)s": "placeholder other than",
        }
        for override, problem in cases.items():
            with self.assertRaises(errors.InvalidInput) as caught:
                regions.resolve_compute_endpoint(None, override, _never, _never)
            self.assertIn("OS_COMPUTE_ENDPOINT_OVERRIDE", str(caught.exception))
            self.assertIn(problem, str(caught.exception), override)

    def test_credentials_in_an_override_are_masked(self):
        with self.assertRaises(errors.InvalidInput) as caught:
            regions.check_override("http://user:pw@h/v2.1?x")
        self.assertNotIn("pw", str(caught.exception))
        self.assertIn("http://***@h/v2.1", str(caught.exception))
        endpoint = regions.resolve_compute_endpoint(None, "http://u:pw@h/v2.1", _never, _never)
        self.assertEqual("http://***@h/v2.1 (endpoint override, no region)", endpoint.describe())

    def test_other_region_uses_catalog_without_project_lookup(self):
        endpoint = regions.resolve_compute_endpoint(
            "RegionOne", None, _never, lambda: "http://nova:8774/v2.1/x/"
        )
        self.assertEqual("http://nova:8774/v2.1/x", endpoint.url)
        self.assertEqual(regions.SOURCE_CATALOG, endpoint.source)
        self.assertIn("service catalog", endpoint.describe())

    def test_nothing_found(self):
        self.assertIsNone(
            regions.resolve_compute_endpoint(None, None, _never, lambda: None)
        )


class MicroversionTest(unittest.TestCase):
    def test_default_when_unset_or_major_only(self):
        for value in (None, "", "2", " 2 ", "2.0"):
            self.assertEqual(mv.DEFAULT, mv.parse(value))
        self.assertEqual("2.58", str(mv.DEFAULT))

    def test_parse(self):
        self.assertEqual(mv.Microversion(2, 84), mv.parse("2.84"))
        self.assertGreater(mv.parse("2.100"), mv.parse("2.99"))

    def test_rejects_malformed(self):
        for value in ("latest", "2.x", "foo", "2.58.1", "3.1", "1.5", "2.-1"):
            with self.assertRaises(errors.InvalidInput) as caught:
                mv.parse(value)
            self.assertIn(value, str(caught.exception))

    def test_require_names_the_version_and_the_fix(self):
        with self.assertRaises(errors.InvalidInput) as caught:
            mv.require(mv.parse("2.58"), mv.CHANGES_BEFORE, "--changes-before")
        self.assertEqual(
            "--changes-before needs compute API microversion 2.66 or later, but "
            "2.58 is in use: add --os-compute-api-version 2.66.",
            str(caught.exception),
        )
        mv.require(mv.parse("2.66"), mv.CHANGES_BEFORE, "--changes-before")
