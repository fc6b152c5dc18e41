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
import pathlib

DOMAIN = "fj_osc_actions"
LOCALE_DIR = pathlib.Path(__file__).resolve().parent / "locale"


@functools.lru_cache(maxsize=1)
def translations() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, str(LOCALE_DIR), fallback=True)


def _(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for extraction only; translate it where it is used."""
    return message
