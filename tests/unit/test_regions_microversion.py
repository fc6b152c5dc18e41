import unittest

from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import regions


def _never() -> str:
    raise AssertionError("must not be called")


class ResolveComputeEndpointTest(unittest.TestCase):
    def test_override_beats_builtin_region(self):
        endpoint = regions.resolve_compute_endpoint(
            "jp-east-3", "http://h:1/v2.1/%(project_id)s/", lambda: "p1", _never
        )
        self.assertEqual("http://h:1/v2.1/p1", endpoint.url)
        self.assertEqual(regions.SOURCE_OVERRIDE, endpoint.source)

    def test_builtin_region_beats_catalog(self):
        for region in ("jp-east-3", "jp-west-3"):
            endpoint = regions.resolve_compute_endpoint(region, None, lambda: "p1", _never)
            self.assertEqual(
                f"https://compute.{region}.cloud.global.fujitsu.com/v2.1/p1", endpoint.url
            )
            self.assertEqual(regions.SOURCE_BUILTIN, endpoint.source)

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

    def test_table_is_the_only_fjcloud_knowledge(self):
        self.assertEqual({"jp-east-3", "jp-west-3"}, set(regions.FJCLOUD_COMPUTE_ENDPOINTS))
        self.assertNotIn("RegionOne", regions.FJCLOUD_COMPUTE_ENDPOINTS)


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
