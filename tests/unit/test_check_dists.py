"""tools/check_dists.py: the rules of a built wheel and sdist, on made-up file lists."""

from __future__ import annotations

import unittest

from tools import check_dists

DIST_INFO = "fj_osc_actions-1.0.0.dist-info"
GOOD_WHEEL = [
    "fj_osc_actions/__init__.py",
    "fj_osc_actions/commands.py",
    check_dists.CATALOG,
    f"{DIST_INFO}/METADATA",
    f"{DIST_INFO}/entry_points.txt",
    f"{DIST_INFO}/RECORD",
]
TOP = "fj_osc_actions-1.0.0"
GOOD_SDIST = [TOP] + [f"{TOP}/{name}" for name in check_dists.SDIST_REQUIRED] + [
    f"{TOP}/tests/unit/test_x.py", f"{TOP}/doc/source/index.rst", f"{TOP}/simulator/README.md"]
PLUGIN_ENTRY_POINTS = """\
[openstack.cli.extension]
fj_server_actions = fj_osc_actions.plugin

[openstack.fj_server_actions.v2]
server_action_show = fj_osc_actions.commands:ShowServerAction
"""
METADATA = b"""\
Metadata-Version: 2.4
Name: fj-osc-actions
Version: 1.0.0
Summary: a plugin
Requires-Python: >=3.9
Requires-Dist: python-openstackclient>=6.0.0
"""


class WheelFilesTest(unittest.TestCase):
    def test_the_package_and_its_catalog_pass(self):
        self.assertEqual([], check_dists.wheel_file_problems(GOOD_WHEEL, DIST_INFO))

    def test_what_the_plugin_does_not_need_is_named(self):
        for extra in ("tests/unit/test_x.py", "doc/source/index.rst",
                      "fj_osc_actions_simulator/app.py", "fj_osc_actions/tests/test_x.py",
                      "fj_osc_actions/__pycache__/x.cpython-311.pyc"):
            with self.subTest(extra=extra):
                problems = check_dists.wheel_file_problems(GOOD_WHEEL + [extra], DIST_INFO)
                self.assertTrue(problems and all(p.startswith(extra) for p in problems), problems)

    def test_a_missing_catalog_is_named(self):
        names = [n for n in GOOD_WHEEL if n != check_dists.CATALOG]
        self.assertEqual([f"{check_dists.CATALOG}: missing (Japanese would not be shown)"],
                         check_dists.wheel_file_problems(names, DIST_INFO))


class SdistFilesTest(unittest.TestCase):
    def test_the_source_tree_passes(self):
        self.assertEqual([], check_dists.sdist_file_problems(GOOD_SDIST, TOP))

    def test_build_output_and_missing_files(self):
        names = [n for n in GOOD_SDIST if not n.endswith("/PKG-INFO")] + [
            f"{TOP}/doc/build/html/index.html", f"{TOP}/.venv-build/bin/python",
            f"{TOP}/.stestr/0", "elsewhere/file"]
        self.assertEqual(
            ["elsewhere/file: outside fj_osc_actions-1.0.0/",
             f"{TOP}/PKG-INFO: missing",
             f"{TOP}/doc/build/html/index.html: build or test output",
             f"{TOP}/.venv-build/bin/python: build or test output",
             f"{TOP}/.stestr/0: build or test output"],
            check_dists.sdist_file_problems(names, TOP))


class EntryPointsTest(unittest.TestCase):
    def test_the_plugin_without_executables_passes(self):
        self.assertEqual([], check_dists.entry_point_problems(PLUGIN_ENTRY_POINTS))

    def test_an_executable_and_a_missing_plugin_entry_point(self):
        text = "[console_scripts]\nfj-osc-actions-simulator = fj_osc_actions_simulator.cli:main\n"
        self.assertEqual(
            ["entry points: [console_scripts] fj-osc-actions-simulator would be installed",
             "entry points: [openstack.cli.extension] fj_server_actions is missing "
             "(OSC would not see the plugin)"],
            check_dists.entry_point_problems(text))


def python(*minors: int) -> list[str]:
    return ["Programming Language :: Python :: 3"] + [
        f"Programming Language :: Python :: 3.{minor}" for minor in minors]


class PythonVersionsTest(unittest.TestCase):
    def test_versions_from_the_lowest_admitted_without_gaps_pass(self):
        self.assertEqual([], check_dists.python_version_problems(">=3.9", python(9, 10, 11, 12, 13)))
        self.assertEqual([], check_dists.python_version_problems(">=3.9,<3.11", python(9, 10)))

    def test_disagreements_are_named(self):
        self.assertEqual(
            ["classifier Python 3.8: not admitted by Requires-Python >=3.9"],
            check_dists.python_version_problems(">=3.9", python(8, 9, 10)))
        self.assertEqual(
            ["classifiers: Requires-Python >=3.9 admits 3.9, which no classifier declares",
             "classifiers: 3.11 is missing between 3.10 and 3.12"],
            check_dists.python_version_problems(">=3.9", python(10, 12)))
        self.assertEqual(["classifiers: no Python 3.N version (Requires-Python >=3.9)"],
                         check_dists.python_version_problems(">=3.9", python()))
        self.assertEqual(["metadata: no Requires-Python (set python_requires)"],
                         check_dists.python_version_problems(None, python(9)))


class ClassifiersAndUrlsTest(unittest.TestCase):
    def test_unknown_and_deprecated_classifiers(self):
        known = {"Programming Language :: Python :: 3", "Old :: One"}
        self.assertEqual(
            ["classifier 'Made :: Up': unknown to PyPI", "classifier 'Old :: One': deprecated"],
            check_dists.classifier_problems(
                ["Programming Language :: Python :: 3", "Made :: Up", "Old :: One"],
                known, {"Old :: One"}))
        self.assertEqual(["classifiers: no 'Programming Language :: Python :: 3'"],
                         check_dists.classifier_problems([], known, ()))

    def test_paths_are_a_note_or_with_upload_a_problem(self):
        urls = {"Documentation": "doc/source/index.rst", "Source": "https://example.org/src"}
        problems, notes = check_dists.url_problems(urls, upload=False)
        self.assertEqual([], problems)
        self.assertEqual(1, len(notes))
        self.assertIn("Project-URL Documentation: not http(s) URLs", notes[0])
        problems, notes = check_dists.url_problems(urls, upload=True)
        self.assertEqual([], notes)
        self.assertIn("Project-URL Documentation: not http(s) URLs", problems[0])

    def test_a_long_label_is_a_problem(self):
        problems, _ = check_dists.url_problems({"x" * 33: "https://example.org"}, upload=False)
        self.assertEqual([f"Project-URL {'x' * 33!r}: label longer than 32 characters"], problems)


class MetadataTest(unittest.TestCase):
    def test_valid_metadata_parses(self):
        meta, errors = check_dists.parse_metadata(METADATA)
        self.assertEqual([], errors)
        self.assertEqual("fj-osc-actions", meta.name)

    def test_invalid_metadata_is_named(self):
        meta, errors = check_dists.parse_metadata(METADATA.replace(b"1.0.0", b"one"))
        self.assertIsNone(meta)
        self.assertTrue(any("one" in error for error in errors), errors)
