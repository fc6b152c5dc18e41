"""The rules a built sdist and wheel must follow: what PyPI accepts, what a user gets.

Run by tools/check-build.sh, in .venv-build (it needs ``packaging`` and
``trove-classifiers``, tools/build-requirements.txt), on the directory
``python -m build`` wrote::

    python tools/check_dists.py DIST_DIR [--upload]

``twine check --strict`` checks the long description renders; this adds
the rules of PyPI's upload (warehouse ``forklift/metadata.py``: valid
classifiers, Project-URL values that are http(s) URLs, no local version)
and this project's own: the wheel holds the package and its compiled
catalogs and nothing else (no tests, docs or simulator), requires none of
the simulator's dependencies and installs no executable; the Python
classifiers are the versions ``python_requires`` admits, without gaps.

Project URLs that are paths in the repository (the project has no public
site yet) are a note, or a problem with ``--upload``: PyPI refuses them.
Prints one line per problem; exit status 1 if there is any.
"""

from __future__ import annotations

import argparse
import configparser
import pathlib
import sys
import tarfile
import urllib.parse
import zipfile
from typing import Collection

from packaging import metadata as core_metadata
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

PACKAGE = "fj_osc_actions"
CATALOG = f"{PACKAGE}/locale/ja/LC_MESSAGES/{PACKAGE}.mo"
#: The simulator's distribution and its dependencies: never the plugin's.
FOREIGN_REQUIREMENTS = ("werkzeug", "pyyaml", "fj-osc-actions-simulator")
#: Without this entry point, OSC does not see the plugin.
PLUGIN_ENTRY_POINT = ("openstack.cli.extension", "fj_server_actions")
#: Files of the sdist that a user building from it needs.
SDIST_REQUIRED = ("PKG-INFO", "setup.cfg", "setup.py", "pyproject.toml", "README.md", "LICENSE",
                  "requirements.txt", CATALOG, f"{PACKAGE}/locale/ja/LC_MESSAGES/{PACKAGE}.po")
#: Path components that are build or test output, never source.
OUTPUT_COMPONENTS = ("__pycache__", ".stestr", ".tox", ".hypothesis", ".eggs")
OUTPUT_PREFIXES = ("doc/build/", "releasenotes/build/", "build/", "dist/")
URL_SCHEMES = ("http", "https")
URL_LABEL_LIMIT = 32
#: Python 3 minor versions considered when reading python_requires.
PYTHON_MINORS = range(0, 30)
PYTHON_CLASSIFIER = "Programming Language :: Python :: "


def parse_metadata(text: bytes) -> tuple[core_metadata.Metadata | None, list[str]]:
    """The core metadata, validated as PyPI's upload does (packaging.metadata)."""
    try:
        return core_metadata.Metadata.from_email(text, validate=True), []
    except core_metadata.ExceptionGroup as group:
        return None, [f"metadata: {error}" for error in group.exceptions]


def python_version_problems(requires_python: str | None, classifiers: list[str]) -> list[str]:
    """The "Python :: 3.N" classifiers are the versions python_requires admits, with no gap."""
    if not requires_python:
        return ["metadata: no Requires-Python (set python_requires)"]
    admits = SpecifierSet(requires_python)
    declared = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers
                      if c.startswith(PYTHON_CLASSIFIER + "3.") and c.rsplit(".", 1)[1].isdigit())
    problems = [f"classifier Python 3.{minor}: not admitted by Requires-Python {requires_python}"
                for minor in declared if f"3.{minor}" not in admits]
    admitted = [minor for minor in PYTHON_MINORS if f"3.{minor}" in admits]
    if not declared:
        return problems + [f"classifiers: no Python 3.N version (Requires-Python {requires_python})"]
    if admitted and admitted[0] not in declared:
        problems.append(f"classifiers: Requires-Python {requires_python} admits 3.{admitted[0]}, "
                        f"which no classifier declares")
    problems += [f"classifiers: 3.{minor} is missing between 3.{declared[0]} and 3.{declared[-1]}"
                 for minor in admitted if declared[0] < minor < declared[-1] and minor not in declared]
    return problems


def classifier_problems(classifiers: list[str], known: Collection[str],
                        deprecated: Collection[str]) -> list[str]:
    """PyPI refuses unknown and deprecated classifiers (trove-classifiers' lists)."""
    problems = [f"classifier {c!r}: unknown to PyPI" for c in classifiers if c not in known]
    problems += [f"classifier {c!r}: deprecated" for c in classifiers if c in deprecated]
    if PYTHON_CLASSIFIER + "3" not in classifiers:
        problems.append(f"classifiers: no {PYTHON_CLASSIFIER + '3'!r}")
    return problems


def url_problems(project_urls: dict[str, str], upload: bool) -> tuple[list[str], list[str]]:
    """(problems, notes): PyPI wants a label of 32 characters at most and an http(s) URL."""
    problems = [f"Project-URL {label!r}: label longer than {URL_LABEL_LIMIT} characters"
                for label in project_urls if len(label) > URL_LABEL_LIMIT]
    paths = [label for label, url in project_urls.items()
             if urllib.parse.urlsplit(url).scheme not in URL_SCHEMES]
    if not paths:
        return problems, []
    relative = (f"Project-URL {', '.join(paths)}: not http(s) URLs, which PyPI's upload refuses; "
                f"set the public URLs in setup.cfg [metadata] project_urls before publishing")
    if upload:
        return problems + [relative], []
    return problems, [relative + " (--upload makes this a failure)"]


def metadata_problems(meta: core_metadata.Metadata, upload: bool) -> tuple[list[str], list[str]]:
    """(problems, notes) of the metadata a PyPI page shows and pip resolves."""
    problems = []
    if meta.version.local:
        problems.append(f"version {meta.version}: PyPI refuses local versions")
    for requirement in meta.requires_dist or []:
        if canonicalize_name(requirement.name) in FOREIGN_REQUIREMENTS:
            problems.append(f"Requires-Dist {requirement}: the simulator's, not the plugin's")
    if not meta.keywords:
        problems.append("metadata: no keywords")
    classifiers = meta.classifiers or []
    from trove_classifiers import classifiers as known, deprecated_classifiers

    problems += classifier_problems(classifiers, known, deprecated_classifiers)
    problems += python_version_problems(str(meta.requires_python or "") or None, classifiers)
    if not meta.project_urls:
        problems.append("metadata: no Project-URL")
    url_errors, notes = url_problems(meta.project_urls or {}, upload)
    return problems + url_errors, notes


def entry_point_problems(text: str) -> list[str]:
    """The plugin's entry point is there; no executable is installed."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    problems = [f"entry points: [{section}] {', '.join(parser[section])} would be installed"
                for section in ("console_scripts", "gui_scripts") if parser.has_section(section)]
    section, name = PLUGIN_ENTRY_POINT
    if not parser.has_option(section, name):
        problems.append(f"entry points: [{section}] {name} is missing (OSC would not see the plugin)")
    return problems


def wheel_file_problems(names: list[str], dist_info: str) -> list[str]:
    """The package and its catalogs, nothing else."""
    problems = [f"{name}: not part of the plugin" for name in names
                if not name.startswith((f"{PACKAGE}/", f"{dist_info}/"))]
    problems += [f"{name}: build or test output" for name in names
                 if name.endswith((".pyc", ".pyo")) or "/tests/" in f"/{name}"
                 or any(part in OUTPUT_COMPONENTS for part in name.split("/"))]
    if CATALOG not in names:
        problems.append(f"{CATALOG}: missing (Japanese would not be shown)")
    return problems


def sdist_file_problems(names: list[str], top: str) -> list[str]:
    """What building from the sdist needs, and no build or test output."""
    inside = [name[len(top) + 1:] for name in names if name.startswith(top + "/")]
    problems = [f"{name}: outside {top}/" for name in names if name != top and not name.startswith(top + "/")]
    problems += [f"{top}/{name}: missing" for name in SDIST_REQUIRED if name not in inside]
    problems += [f"{top}/{name}: build or test output" for name in inside
                 if name.endswith((".pyc", ".pyo")) or name.startswith(OUTPUT_PREFIXES)
                 or any(part in OUTPUT_COMPONENTS or part.startswith(".venv") for part in name.split("/"))]
    return problems


def check_wheel(path: pathlib.Path, upload: bool) -> tuple[list[str], list[str]]:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        dist_info = next((n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA")), "")
        if not dist_info:
            return ["no *.dist-info/METADATA"], []
        problems = wheel_file_problems(names, dist_info)
        problems += entry_point_problems(wheel.read(f"{dist_info}/entry_points.txt").decode()
                                         if f"{dist_info}/entry_points.txt" in names else "")
        meta, errors = parse_metadata(wheel.read(f"{dist_info}/METADATA"))
    if meta is None:
        return problems + errors, []
    more, notes = metadata_problems(meta, upload)
    return problems + more, notes


def check_sdist(path: pathlib.Path, upload: bool) -> tuple[list[str], list[str]]:
    top = path.name[:-len(".tar.gz")]
    with tarfile.open(path) as sdist:
        names = [member.name for member in sdist.getmembers()]
        problems = sdist_file_problems(names, top)
        member = sdist.extractfile(f"{top}/PKG-INFO") if f"{top}/PKG-INFO" in names else None
        if member is None:
            return problems, []
        meta, errors = parse_metadata(member.read())
    if meta is None:
        return problems + errors, []
    more, notes = metadata_problems(meta, upload)
    return problems + more, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dist_dir", type=pathlib.Path)
    parser.add_argument("--upload", action="store_true",
                        help="apply every rule of PyPI's upload (URLs that are paths are problems)")
    args = parser.parse_args(argv)
    wheels = sorted(args.dist_dir.glob("*.whl"))
    sdists = sorted(args.dist_dir.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"check_dists: want one wheel and one sdist in {args.dist_dir}, "
              f"found {len(wheels)} and {len(sdists)}", file=sys.stderr)
        return 1
    failed = False
    notes: dict[str, None] = {}
    for path, check in ((wheels[0], check_wheel), (sdists[0], check_sdist)):
        problems, more_notes = check(path, args.upload)
        notes.update(dict.fromkeys(more_notes))
        for problem in problems:
            print(f"check_dists: {path.name}: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"check_dists: {path.name}: passed")
    for note in notes:
        print(f"check_dists: note: {note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
