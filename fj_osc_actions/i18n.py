"""The translator: every user-facing sentence goes through ``_``.

The language follows the standard variables (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``: the first one set) as Python's gettext reads them,
so ``LANGUAGE`` wins even over ``LC_ALL=C`` and ``LANGUAGE=C`` forces English.
Catalogs are in ``fj_osc_actions/locale`` (``sh tools/translations.sh``
updates them). Without a catalog for the language, English.
"""

from __future__ import annotations

import functools
import gettext
import os
import pathlib

DOMAIN = "fj_osc_actions"
LOCALE_DIR = pathlib.Path(__file__).resolve().parent / "locale"


#: The variables gettext reads, in its order: the first one set decides.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def languages() -> list[str]:
    """The languages the environment asks for, as gettext would read them."""
    for name in LOCALE_VARIABLES:
        value = os.environ.get(name)
        if value:
            return value.split(":")
    return ["C"]


@functools.lru_cache(maxsize=1)
def translations() -> gettext.NullTranslations:
    # The languages are passed, not left to gettext.find: oslo.i18n (loaded
    # by osc-lib) replaces gettext.find with a cache keyed without them.
    return gettext.translation(DOMAIN, str(LOCALE_DIR), languages=languages(), fallback=True)


def _(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for extraction only; translate it where it is used."""
    return message
