"""The translations: every catalog complete, compiled and in step with the code.

The checks here are also the report of ``sh tools/translations.sh``
(``report``), so that a contributor sees the same list the tests fail on.
"""

from __future__ import annotations

import configparser
import fnmatch
import io
import os
import pathlib
import re
import string
import subprocess
import sys
import tempfile
import unittest
from typing import Set, Union
from unittest import mock

from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog, Message

from fj_osc_actions import errors, i18n, microversion, validation

ROOT = pathlib.Path(__file__).resolve().parents[2]
LOCALE = ROOT / "fj_osc_actions" / "locale"
POT = LOCALE / f"{i18n.DOMAIN}.pot"
SCRIPT = ROOT / "tools" / "translations.sh"
LOCALE_VARIABLES = i18n.LOCALE_VARIABLES

MessageId = Union[str, tuple[str, ...]]  # a runtime alias

#: Text a translation must keep as it is: commands in backquotes, options,
#: environment variables, HTTP statuses, URLs, the request-id header,
#: microversions, example times and region names.
_KEPT = re.compile(
    r"`[^`]+`"
    r"|--[a-z0-9][a-z0-9-]*"
    r"|\bOS_[A-Z_]+\b"
    r"|\bHTTP \d{3}\b"
    r"|https?://[^\s)]+"
    r"|x-openstack-request-id"
    r"|\b\d{4}-\d\d-\d\dT[0-9:+Z]+"
    r"|\b\d+\.\d+\b"
    r"|\bjp-(?:east|west)-\d\b"
)
_PERCENT = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def languages() -> list[str]:
    return sorted(
        po.parent.parent.name for po in LOCALE.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po")
    )


def po_path(language: str) -> pathlib.Path:
    return LOCALE / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def read_po(path: pathlib.Path) -> Catalog:
    with open(path, "rb") as handle:
        return pofile.read_po(handle)


def messages(catalog: Catalog) -> dict[MessageId, Message]:
    """The catalog's messages by id, without the header."""
    return {message.id: message for message in catalog if message.id}


def mo_strings(data: bytes) -> dict[MessageId, object]:
    return {m.id: m.string for m in mofile.read_mo(io.BytesIO(data)) if m.id}


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def extract(target: pathlib.Path) -> Catalog:
    """The messages of the code now, extracted as the contributor command does."""
    subprocess.run(
        ["sh", str(SCRIPT), "extract", str(target)],
        env={**os.environ, "PYTHON": sys.executable},
        check=True,
        capture_output=True,
    )
    return read_po(target)


def placeholders(text: str) -> Set[str]:
    """``{name}``, ``{name!r}``, ``{name:>4}`` and ``%(name)s`` in a string."""
    found = set(_PERCENT.findall(text))
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return found | {"<unbalanced { or }>"}
    for _literal, name, spec, conversion in fields:
        if name is not None:
            found.add("{%s%s%s}" % (name, f"!{conversion}" if conversion else "",
                                    f":{spec}" if spec else ""))
    return found


def _strings(value: MessageId) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _show(message_id: MessageId) -> str:
    return repr(_strings(message_id)[0])


def problems(template: Catalog, catalog: Catalog) -> list[str]:
    """Why ``catalog`` is not a complete translation of ``template``."""
    found = []
    translated = messages(catalog)
    for message_id, message in messages(template).items():
        translation = translated.get(message_id)
        if translation is None:
            found.append(f"new, not in the .po: {_show(message_id)}")
            continue
        if translation.fuzzy:
            found.append(f"fuzzy (check it, then delete the '#, fuzzy' line): {_show(message_id)}")
            continue
        targets = _strings(translation.string)
        if not all(targets):
            found.append(f"untranslated: {_show(message_id)}")
            continue
        english = set().union(*(placeholders(s) for s in _strings(message_id)))
        kept = set().union(*(_KEPT.findall(s) for s in _strings(message_id)))
        for target in targets:
            if placeholders(target) != english:
                found.append(
                    f"placeholders {sorted(placeholders(target))} instead of "
                    f"{sorted(english)}: {_show(message_id)}"
                )
            lost = sorted(token for token in kept if token not in target)
            if lost:
                found.append(f"must keep {lost} unchanged: {_show(message_id)}")
    for message_id in translated.keys() - messages(template).keys():
        found.append(f"no longer in the code (the update drops it): {_show(message_id)}")
    return found


def report(pot: str) -> int:
    """What each catalog needs, for ``sh tools/translations.sh``: 1 if anything."""
    template = read_po(pathlib.Path(pot))
    status = 0
    committed = messages(read_po(POT)).keys() if POT.exists() else set()
    stale = messages(template).keys() ^ committed
    if stale and pathlib.Path(pot).resolve() != POT.resolve():
        status = 1
        print(f"{POT.relative_to(ROOT)} is out of date ({len(stale)} messages differ): "
              "run `sh tools/translations.sh`.")
    for language in languages():
        path = po_path(language)
        catalog = read_po(path)
        found = problems(template, catalog)
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo_strings(mo.read_bytes()) != mo_strings(compiled(catalog)):
            found.append(f"{mo.name} is not the compilation of {path.name}: run "
                         "`sh tools/translations.sh`")
        if found:
            status = 1
            print(f"{language}: {len(found)} to do in {path.relative_to(ROOT)}:")
            for line in found:
                print(f"  {line}")
        else:
            print(f"{language}: all {len(messages(template))} messages translated.")
    return status


class CatalogTest(unittest.TestCase):
    def test_japanese_catalog_exists(self):
        self.assertIn("ja", languages())

    def test_pot_has_the_messages_of_the_code(self):
        with tempfile.TemporaryDirectory() as directory:
            fresh = messages(extract(pathlib.Path(directory) / "fresh.pot")).keys()
        committed = messages(read_po(POT)).keys()
        self.assertEqual(
            [], sorted(map(_show, fresh - committed)),
            "new messages in the code: run `sh tools/translations.sh` and translate them",
        )
        self.assertEqual(
            [], sorted(map(_show, committed - fresh)),
            "messages no longer in the code: run `sh tools/translations.sh`",
        )

    def test_every_message_translated_with_the_same_placeholders(self):
        template = read_po(POT)
        for language in languages():
            with self.subTest(language=language):
                self.assertEqual([], problems(template, read_po(po_path(language))))

    def test_mo_is_the_compiled_po(self):
        for language in languages():
            with self.subTest(language=language):
                path = po_path(language)
                self.assertEqual(
                    mo_strings(compiled(read_po(path))),
                    mo_strings(path.with_suffix(".mo").read_bytes()),
                    "run `sh tools/translations.sh` and commit the .mo",
                )

    def test_compiled_catalogs_are_package_data(self):
        setup = configparser.ConfigParser()
        setup.read(ROOT / "setup.cfg")
        lines = setup["files"]["package_data"].strip().splitlines()
        patterns = [line.split("=", 1)[1].strip() for line in lines
                    if line.split("=", 1)[0].strip() == "fj_osc_actions"]
        for language in languages():
            with self.subTest(language=language):
                mo = po_path(language).with_suffix(".mo").relative_to(ROOT / "fj_osc_actions")
                self.assertTrue(any(fnmatch.fnmatch(str(mo), p) for p in patterns), patterns)

    def test_japanese_header(self):
        catalog = read_po(po_path("ja"))
        self.assertEqual("ja", str(catalog.locale))
        self.assertEqual(1, catalog.num_plurals)
        self.assertEqual("utf-8", catalog.charset.lower())

    def test_placeholders(self):
        self.assertEqual({"{a}", "{b!r}", "%(c)s"}, placeholders("{a} {b!r} %(c)s {{x}}"))
        self.assertEqual({"<unbalanced { or }>"}, placeholders("{a"))

    def test_problems_are_found(self):
        template = Catalog()
        template.add("Server {server} not found (HTTP 404): use `openstack server list`.")
        template.add("new one")
        catalog = Catalog(locale="ja")
        catalog.add("Server {server} not found (HTTP 404): use `openstack server list`.",
                    "サーバ {name} が見つかりません (HTTP 404)")
        catalog.add("gone", "消えた")
        found = problems(template, catalog)
        self.assertEqual(4, len(found), found)
        self.assertIn("placeholders ['{name}'] instead of ['{server}']", found[0])
        self.assertIn("must keep ['`openstack server list`']", found[1])
        self.assertIn("new, not in the .po", found[2])
        self.assertIn("no longer in the code", found[3])


class LanguageTest(unittest.TestCase):
    """The language follows LANGUAGE, LC_ALL, LC_MESSAGES and LANG, as gettext."""

    def use_locale(self, **variables: str) -> None:
        environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
        patcher = mock.patch.dict(os.environ, {**environ, **variables}, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        i18n.translations.cache_clear()
        self.addCleanup(i18n.translations.cache_clear)

    def empty_request_id_message(self) -> str:
        with self.assertRaises(errors.InvalidInput) as caught:
            validation.check_id("", validation.REQUEST_ID)
        return str(caught.exception)

    def test_language_ja(self):
        self.use_locale(LANGUAGE="ja")
        self.assertEqual("リクエストIDが空です: 空でない値を指定してください。",
                         self.empty_request_id_message())

    def test_lang_ja_jp_utf8(self):
        self.use_locale(LANG="ja_JP.UTF-8")
        self.assertIn("リクエストID", self.empty_request_id_message())
        with self.assertRaises(errors.InvalidInput) as caught:
            microversion.parse("two")
        self.assertIn("マイクロバージョン 'two' は無効です", str(caught.exception))

    def test_lang_c(self):
        self.use_locale(LANG="C")
        self.assertEqual("The request ID is empty: give a non-empty value.",
                         self.empty_request_id_message())

    def test_no_locale_variables(self):
        self.use_locale()
        self.assertEqual("The request ID is empty: give a non-empty value.",
                         self.empty_request_id_message())

    def test_lc_all_before_lang(self):
        self.use_locale(LC_ALL="C.UTF-8", LANG="ja_JP.UTF-8")
        self.assertIn("The request ID is empty", self.empty_request_id_message())
        self.use_locale(LC_MESSAGES="ja_JP.UTF-8", LANG="C")
        self.assertIn("リクエストIDが空です", self.empty_request_id_message())

    def test_language_c_wins_over_a_japanese_locale(self):
        self.use_locale(LANGUAGE="C", LC_ALL="ja_JP.UTF-8")
        self.assertIn("The request ID is empty", self.empty_request_id_message())

    def test_language_list_falls_through_to_japanese(self):
        self.use_locale(LANGUAGE="fr:ja", LANG="fr_FR.UTF-8")
        self.assertIn("リクエストIDが空です", self.empty_request_id_message())

    def test_language_changes_in_one_process_despite_oslo_i18n(self):
        # osc-lib loads oslo.i18n, which caches gettext.find whatever the locale.
        import oslo_i18n  # noqa: F401

        for variables, expected in (({"LANG": "ja_JP.UTF-8"}, "リクエストIDが空です"),
                                    ({"LANG": "C"}, "The request ID is empty"),
                                    ({"LANGUAGE": "ja"}, "リクエストIDが空です")):
            with self.subTest(**variables):
                self.use_locale(**variables)
                self.assertIn(expected, self.empty_request_id_message())

    def test_language_without_catalog_is_english(self):
        self.use_locale(LANG="fr_FR.UTF-8")
        self.assertIn("The request ID is empty", self.empty_request_id_message())
